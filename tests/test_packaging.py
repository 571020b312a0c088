"""Tests of packaging/: the PyInstaller spec and its file lists, the frozen entry point, the icons
and the installer steps that run without the OS's installer tools.

The real PyInstaller build takes about 80 s and needs PyInstaller installed, so it runs only
with LLMDESK_TEST_PACKAGING=1 (Linux only; it installs PyInstaller into this environment if missing).
"""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import os
import plistlib
import re
import struct
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGING = REPO_ROOT / "packaging"
SPEC_PATH = PACKAGING / "llm-desk.spec"
ENTRY_PATH = PACKAGING / "entry.py"
BUILD_ENV = "LLMDESK_TEST_PACKAGING"


def load_module(name: str):
    """Import packaging/NAME.py by path; packaging/ is not a package (it would shadow "packaging")."""
    spec = importlib.util.spec_from_file_location(f"llmdesk_packaging_{name}", PACKAGING / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bundle = load_module("bundle")
build = load_module("build")
icons = load_module("icons")


def run_entry(*arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ENTRY_PATH), *arguments], capture_output=True, text=True,
                          timeout=timeout, env=dict(os.environ))


# ---- the spec and the lists it reads ----

def test_spec_compiles_as_python():
    compile(SPEC_PATH.read_text(encoding="utf-8"), str(SPEC_PATH), "exec")


def test_spec_uses_bundle_lists():
    text = SPEC_PATH.read_text(encoding="utf-8")
    for name in ("bundle.data_files()", "bundle.HIDDEN_IMPORTS", "bundle.EXCLUDES", "bundle.info_plist(",
                 'collect_dynamic_libs("llama_cpp")', 'collect_data_files("llama_cpp"',
                 "bundle.CODESIGN_IDENTITY_ENV", "bundle.windows_version_info("):
        assert name in text, f"the spec no longer uses {name}"


def test_every_data_pattern_matches_files():
    for pattern, destination in bundle.DATA_FILES:
        matches = list(REPO_ROOT.glob(pattern))
        assert matches, f"{pattern} matches nothing"
        assert not Path(destination).is_absolute(), destination


def test_data_files_exist_and_cover_resources():
    pairs = bundle.data_files()
    sources = {Path(source) for source, _ in pairs}
    for source in sources:
        assert source.is_file(), source
    expected = [REPO_ROOT / "models.json", REPO_ROOT / "resources" / "catalog.schema.json",
                *REPO_ROOT.glob("resources/filters/*.json"), *REPO_ROOT.glob("resources/themes/*"),
                *REPO_ROOT.glob("resources/icons/*.svg")]
    for path in expected:
        assert path in sources, f"{path.relative_to(REPO_ROOT)} is not shipped"


def test_data_files_keep_resource_layout():
    # paths.resources_dir() is <bundle root>/resources, so each file keeps its folder under the root.
    for source, destination in bundle.data_files():
        relative_parent = Path(source).parent.relative_to(REPO_ROOT)
        assert Path(destination) == relative_parent, source


def test_data_files_reject_missing_pattern(tmp_path):
    (tmp_path / "models.json").write_text("{}", encoding="utf-8")
    with pytest.raises(FileNotFoundError, match="resources/catalog.schema.json"):
        bundle.data_files(tmp_path)


def test_shipped_translations_exist():
    translations = REPO_ROOT / "resources" / "translations"
    if not list(translations.glob("*.qm")):
        pytest.skip("resources/translations/*.qm not generated yet (make translations)")
    sources = {Path(source) for source, _ in bundle.data_files()}
    for relative in bundle.TRANSLATIONS:
        path = REPO_ROOT / relative
        assert path.is_file(), f"{relative} is missing"
        assert path in sources, f"{relative} is not shipped"


def test_translations_match_app_languages():
    from llmdesk.app import LANGUAGES

    shipped = {Path(relative).stem.removeprefix("llmdesk_") for relative in bundle.TRANSLATIONS}
    assert shipped == set(LANGUAGES)
    kept = {name.removeprefix("qtbase_").removesuffix(".qm") for name in bundle.QT_TRANSLATIONS_KEPT}
    assert kept == set(LANGUAGES) - {"en"}


def test_hidden_imports_resolve():
    for name in bundle.HIDDEN_IMPORTS:
        assert importlib.util.find_spec(name) is not None, f"hidden import {name} does not exist"


def test_llama_library_patterns_cover_installed_libraries():
    llama_cpp = pytest.importorskip("llama_cpp")
    library_dir = Path(llama_cpp.__file__).parent / "lib"
    files = [path.name for path in library_dir.iterdir() if path.is_file()] if library_dir.is_dir() else []
    if not files:
        pytest.skip(f"no llama.cpp libraries in {library_dir}")
    for name in files:
        assert any(fnmatch.fnmatch(f"lib/{name}", pattern) for pattern in bundle.LLAMA_LIBRARY_PATTERNS), \
            f"llama_cpp/lib/{name} would be collected a second time as a data file"


def test_required_modules_installed():
    assert bundle.missing_modules() == []


def test_excludes_spare_used_qt_modules():
    used = set()
    for path in (REPO_ROOT / "desktop" / "llmdesk").rglob("*.py"):
        used.update(re.findall(r"PySide6\.(Qt\w+)", path.read_text(encoding="utf-8")))
    excluded = {name.split(".", 1)[1] for name in bundle.EXCLUDES if name.startswith("PySide6.")}
    assert used, "no PySide6 import found in desktop/llmdesk"
    assert not used & excluded, f"the spec excludes Qt modules the app imports: {used & excluded}"


@pytest.mark.parametrize(("destination", "kept"), [
    ("PySide6/Qt/translations/qtbase_zh_CN.qm", True),
    ("PySide6/Qt/translations/qtbase_de.qm", False),
    ("PySide6/Qt/translations/qt_help_zh_CN.qm", False),
    ("PySide6\\translations\\qtbase_fr.qm", False),
    ("PySide6/translations/qtbase_zh_CN.qm", True),
    ("resources/translations/llmdesk_zh_CN.qm", True),
    ("pyqtgraph/icons/auto.png", True),
])
def test_keep_data_file(destination, kept):
    assert bundle.keep_data_file(destination) is kept


def test_app_version_matches_package():
    import llmdesk

    assert bundle.app_version() == llmdesk.__version__


@pytest.mark.parametrize(("version", "expected"), [
    ("0.1.0", (0, 1, 0, 0)),
    ("1.2.3.4", (1, 2, 3, 4)),
    ("2.0", (2, 0, 0, 0)),
    ("1.4.0rc2", (1, 4, 0, 0)),
    ("1.4.dev3", (1, 4, 0, 0)),
])
def test_version_tuple(version, expected):
    assert bundle.version_tuple(version) == expected


def test_info_plist_fields():
    info = bundle.info_plist("1.2.3")
    assert info["CFBundleIdentifier"] == "org.llmdesk.LLMDesk"
    assert info["NSHighResolutionCapable"] is True
    assert info["CFBundleShortVersionString"] == "1.2.3"
    assert plistlib.loads(plistlib.dumps(info)) == info


def test_entitlements_file_is_plist():
    entitlements = plistlib.loads(bundle.DEFAULT_ENTITLEMENTS.read_bytes())
    assert entitlements["com.apple.security.cs.allow-unsigned-executable-memory"] is True


@pytest.mark.skipif(sys.platform != "win32", reason="PyInstaller's version resource module imports win32api")
def test_windows_version_info():
    pytest.importorskip("PyInstaller", reason="PyInstaller is not installed in this environment")
    info = bundle.windows_version_info("1.4.0rc2", "llm-desk-cli")
    text = str(info)
    assert "filevers=(1, 4, 0, 0)" in text
    assert "'OriginalFilename', 'llm-desk-cli.exe'" in text
    assert "'ProductVersion', '1.4.0rc2'" in text


def test_platform_tag_shape():
    system, machine = bundle.platform_tag().split("-", 1)
    assert system in {"linux", "windows", "macos", "freebsd"}
    assert machine and "-" not in machine


# ---- the frozen entry point ----

def test_entry_imports_without_running():
    entry = load_module("entry")
    assert callable(entry.main)
    assert entry.RUNNABLE_PREFIX == "llmdesk."


def test_entry_runs_hardware_command():
    completed = run_entry("hardware", "--json", "--no-llama")
    assert completed.returncode == 0, completed.stderr
    profile = json.loads(completed.stdout)
    assert profile["cpu"]["logical_cores"] >= 1
    assert profile["llama"] is None


def test_entry_runs_llama_probe_module():
    completed = run_entry("-m", "llmdesk.core.hardware.llama_probe")
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert "available" in result
    assert "devices" in result


def test_entry_rejects_foreign_module():
    completed = run_entry("-m", "os")
    assert completed.returncode == 2
    assert "only modules under llmdesk." in completed.stderr


def test_entry_rejects_missing_module():
    completed = run_entry("-m", "llmdesk.no_such_module")
    assert completed.returncode == 2
    assert "llmdesk.no_such_module" in completed.stderr


def test_entry_requires_module_name():
    completed = run_entry("-m")
    assert completed.returncode == 2
    assert "needs a module name" in completed.stderr


# ---- icons ----

def test_icons_are_valid_containers(qapp, tmp_path):
    written = icons.write_icons(tmp_path)

    ico = written["ico"].read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", ico)
    assert (reserved, kind, count) == (0, 1, len(icons.ICO_SIZES))
    sizes = []
    for index in range(count):
        width, height, _, _, planes, bits, length, offset = struct.unpack_from("<BBBBHHII", ico, 6 + 16 * index)
        assert width == height
        assert (planes, bits) == (1, 32)
        assert ico[offset:offset + 8] == icons.PNG_SIGNATURE
        assert offset + length <= len(ico)
        sizes.append(width or 256)
    assert sizes == sorted(icons.ICO_SIZES)

    icns = written["icns"].read_bytes()
    assert icns[:4] == b"icns"
    assert struct.unpack_from(">I", icns, 4)[0] == len(icns)
    position, kinds = 8, []
    while position < len(icns):
        kinds.append(icns[position:position + 4])
        length = struct.unpack_from(">I", icns, position + 4)[0]
        assert icns[position + 8:position + 16] == icons.PNG_SIGNATURE
        position += length
    assert position == len(icns)
    assert sorted(kinds) == sorted(icons.ICNS_TYPES.values())

    png = written["png"].read_bytes()
    assert png[:8] == icons.PNG_SIGNATURE
    assert struct.unpack(">II", png[16:24]) == (icons.PNG_SIZE, icons.PNG_SIZE)  # IHDR width, height


def test_icon_rejects_invalid_svg(qapp, tmp_path):
    broken = tmp_path / "broken.svg"
    broken.write_text("<svg this is not xml", encoding="utf-8")
    with pytest.raises(ValueError, match="broken.svg"):
        icons.render_png(broken, 32)


def test_ico_rejects_oversized_entry():
    with pytest.raises(ValueError, match="512"):
        icons.build_ico({512: icons.PNG_SIGNATURE})


# ---- build.py steps that need no installer tool ----

def test_iss_defines_are_passed(tmp_path):
    text = (PACKAGING / "windows" / "llm-desk.iss").read_text(encoding="utf-8")
    required = set(re.findall(r"#ifndef (\w+)\s+#error", text))
    used = set(re.findall(r"\{#(\w+)\}", text))
    defined_in_script = set(re.findall(r"#define (\w+)", text))
    passed = set(build.iscc_defines(tmp_path / "dist", tmp_path / "icons", "1.0.0"))
    assert required == {"AppVersion", "SourceDir", "IconFile"}
    assert required <= passed
    assert used <= passed | defined_in_script, f"undefined in the .iss: {used - passed - defined_in_script}"


def test_tarball_keeps_layout_and_symlinks(tmp_path):
    source = tmp_path / "llm-desk"
    (source / "_internal").mkdir(parents=True)
    executable = source / "llm-desk"
    executable.write_bytes(b"\x7fELF")
    executable.chmod(0o755)
    (source / "_internal" / "libfoo.so.1").write_bytes(b"lib")
    (source / "_internal" / "libfoo.so").symlink_to("libfoo.so.1")
    dist = tmp_path / "dist"
    dist.mkdir()

    archive = build.build_tarball(source, dist, "9.8.7")

    assert archive.name == f"llm-desk-9.8.7-{bundle.platform_tag()}.tar.gz"
    with tarfile.open(archive) as tar:
        members = {member.name: member for member in tar.getmembers()}
    assert members["llm-desk-9.8.7/llm-desk"].mode & 0o111
    link = members["llm-desk-9.8.7/_internal/libfoo.so"]
    assert link.issym()
    assert link.linkname == "libfoo.so.1"


def test_appdir_layout(tmp_path):
    source = tmp_path / "llm-desk"
    source.mkdir()
    (source / "llm-desk").write_bytes(b"\x7fELF")
    icon = tmp_path / "app.png"
    icon.write_bytes(icons.PNG_SIGNATURE)

    appdir = build.make_appdir(source, tmp_path / "AppDir", icon)

    apprun = appdir / "AppRun"
    assert apprun.stat().st_mode & 0o111
    assert "usr/lib/llm-desk/llm-desk" in apprun.read_text(encoding="utf-8")
    assert (appdir / "usr" / "lib" / "llm-desk" / "llm-desk").is_file()
    desktop = (appdir / "llm-desk.desktop").read_text(encoding="utf-8")
    icon_name = re.search(r"^Icon=(.+)$", desktop, re.MULTILINE).group(1)
    assert (appdir / f"{icon_name}.png").is_file()
    assert re.search(r"^Exec=llm-desk\b", desktop, re.MULTILINE)


def test_appimage_missing_tool_named(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty folder: no appimagetool
    with pytest.raises(build.BuildError, match="appimagetool"):
        build.build_appimage(tmp_path, tmp_path, tmp_path, tmp_path, "1.0", required=True)
    assert build.build_appimage(tmp_path, tmp_path, tmp_path, tmp_path, "1.0", required=False) is None


def test_require_tool_names_tool(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(build.BuildError, match="iscc not found on PATH"):
        build.require_tool("iscc", "build the Windows installer", "Install Inno Setup.")


@pytest.mark.parametrize(("env", "expected"), [
    ({}, None),
    ({"LLMDESK_NOTARY_PROFILE": "llmdesk"}, (["--keychain-profile", "llmdesk"], None)),
    ({"LLMDESK_APPLE_ID": "dev@example.org", "LLMDESK_TEAM_ID": "ABCDE12345",
      "LLMDESK_APPLE_APP_PASSWORD": "abcd-efgh"},
     (["--apple-id", "dev@example.org", "--team-id", "ABCDE12345", "--password", "abcd-efgh"], "abcd-efgh")),
])
def test_notary_arguments(monkeypatch, env, expected):
    for name in (build.NOTARY_PROFILE_ENV, build.APPLE_ID_ENV, build.TEAM_ID_ENV, build.APP_PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert build.notary_arguments() == expected


def test_notary_arguments_reject_partial(monkeypatch):
    for name in (build.NOTARY_PROFILE_ENV, build.TEAM_ID_ENV, build.APP_PASSWORD_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(build.APPLE_ID_ENV, "dev@example.org")
    with pytest.raises(build.BuildError, match="LLMDESK_TEAM_ID"):
        build.notary_arguments()


def test_run_masks_secret(capsys):
    build.run([sys.executable, "-c", "pass", "--password", "s3cret-value"], secret="s3cret-value")
    printed = capsys.readouterr().out
    assert "s3cret-value" not in printed
    assert "--password '***'" in printed


def test_run_failure_names_command():
    with pytest.raises(build.BuildError, match="exit status 3"):
        build.run([sys.executable, "-c", "raise SystemExit(3)"])


# ---- the real build ----

def frozen_json(executable: Path, *arguments: str, env: dict[str, str]) -> object:
    completed = subprocess.run([str(executable), *arguments], capture_output=True, text=True, timeout=120,
                               env=env)
    assert completed.returncode == 0, f"{arguments}: {completed.stderr[-2000:]}"
    return json.loads(completed.stdout.strip().splitlines()[-1] if arguments[0] == "-m" else completed.stdout)


@pytest.mark.slow
@pytest.mark.timeout(1200)
@pytest.mark.skipif(os.environ.get(BUILD_ENV) != "1", reason=f"set {BUILD_ENV}=1 to build with PyInstaller "
                    "(about 80 s, installs PyInstaller if missing)")
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the frozen build is checked on Linux only")
def test_frozen_build_runs(tmp_path, llmdesk_home):
    import gguf_factory

    dist, work = tmp_path / "dist", tmp_path / "work"
    completed = subprocess.run([sys.executable, str(PACKAGING / "build.py"), "--dist", str(dist), "--work",
                                str(work), "--skip-installer", "--skip-smoke-test"],
                               capture_output=True, text=True, timeout=1100)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    executable = dist / "llm-desk" / "llm-desk"
    internal = dist / "llm-desk" / "_internal"
    env = dict(os.environ, LLMDESK_HOME=str(llmdesk_home), QT_QPA_PLATFORM="offscreen")

    for relative in (*bundle.TRANSLATIONS, "models.json", "resources/catalog.schema.json"):
        assert (internal / relative).is_file(), f"{relative} missing from the bundle"
    assert list((internal / "llama_cpp" / "lib").glob("libllama*")), "libllama missing from llama_cpp/lib"
    assert not (internal / "PySide6" / "Qt" / "translations" / "qtbase_de.qm").exists()

    from PyInstaller.archive.readers import CArchiveReader

    modules = set(CArchiveReader(str(executable)).open_embedded_archive("PYZ.pyz").toc)
    for name in ("llmdesk.ui.chat_page", "llmdesk.ui.perf_panel", "llmdesk.engine.worker",
                 "llmdesk.core.hardware.llama_probe", "pyqtgraph", "llama_cpp.llama"):
        assert name in modules, f"{name} missing from the bundle"
    assert "tkinter" not in modules

    profile = frozen_json(executable, "hardware", "--json", "--no-llama", env=env)
    assert profile["cpu"]["logical_cores"] >= 1
    fit = frozen_json(executable, "fit", "--json", env=env)
    assert fit["builds"], "the frozen fit judged no catalog model"
    probe = frozen_json(executable, "-m", "llmdesk.core.hardware.llama_probe", env=env)
    assert probe["available"] is True, probe

    # The chat runs the engine in a child started by multiprocessing's spawn from the frozen executable.
    model = gguf_factory.write_tiny_llama(tmp_path / "tiny.gguf", seed=2)
    chat = subprocess.run([str(executable), "chat", str(model), "--prompt", "hello", "--max-tokens", "8",
                           "--seed", "1", "--json"], capture_output=True, text=True, timeout=120, env=env)
    assert chat.returncode == 0, chat.stderr[-2000:]
    events = [json.loads(line) for line in chat.stdout.splitlines() if line.strip()]
    finished = [event for event in events if event.get("event") == "finished"]
    assert finished, chat.stdout[-2000:]
    assert finished[0]["stats"]["generated_tokens"] == 8

    paint = subprocess.run([str(executable)], capture_output=True, text=True, timeout=120,
                           env=dict(env, LLMDESK_EXIT_AFTER_PAINT="1"))
    assert paint.returncode == 0, paint.stderr[-2000:]
    assert re.search(r"^first-paint \d", paint.stdout, re.MULTILINE), paint.stdout
