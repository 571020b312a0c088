"""Build the LLM Desk bundle with PyInstaller, check it runs, and wrap it in this OS's installer.

    .venv/bin/python packaging/build.py               # bundle + installer for this OS
    .venv/bin/python packaging/build.py --skip-installer

Steps: install PyInstaller into this virtual environment when missing, render the icons, run
PyInstaller on packaging/llm-desk.spec, start the frozen executable with ``hardware --json
--no-llama`` and ``fit --json`` and parse what it prints, then build

* Windows: an Inno Setup installer, when ``iscc`` is on PATH;
* macOS: a .dmg with ``hdiutil``, signed and notarized when the environment variables in
  packaging/README.md are set;
* Linux: a .tar.gz, and an AppImage when ``appimagetool`` is on PATH.

Every step prints what it runs. A missing tool stops the build with a message naming the tool.
Outputs go to dist/ (bundle and installers) and build/ (work files) under the repository root.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bundle  # noqa: E402

SPEC_PATH = bundle.PACKAGING_DIR / "llm-desk.spec"
ISS_PATH = bundle.PACKAGING_DIR / "windows" / "llm-desk.iss"
DESKTOP_FILE = bundle.PACKAGING_DIR / "linux" / "llm-desk.desktop"
PYINSTALLER_REQUIREMENT = "pyinstaller>=6.10"
SMOKE_TIMEOUT_S = 120

# macOS notarization (see packaging/README.md). A keychain profile stored with
# `xcrun notarytool store-credentials` keeps the password out of the environment and process list.
NOTARY_PROFILE_ENV = "LLMDESK_NOTARY_PROFILE"
APPLE_ID_ENV = "LLMDESK_APPLE_ID"
TEAM_ID_ENV = "LLMDESK_TEAM_ID"
APP_PASSWORD_ENV = "LLMDESK_APPLE_APP_PASSWORD"


class BuildError(Exception):
    """A build step failed; the message names the step and what to do next."""


def step(title: str) -> None:
    print(f"\n==> {title}", flush=True)


def run(command: list[str], *, secret: str | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Print ``command`` (with ``secret`` masked) and run it; raise BuildError when it fails."""
    shown = " ".join(shlex.quote("***" if secret and part == secret else part) for part in command)
    print(f"$ {shown}", flush=True)
    try:
        completed = subprocess.run(command, **kwargs)
    except FileNotFoundError as exc:
        raise BuildError(f"cannot run {command[0]}: {exc}") from exc
    if completed.returncode != 0:
        raise BuildError(f"{Path(command[0]).name} failed with exit status {completed.returncode}: {shown}")
    return completed


def require_tool(name: str, purpose: str, hint: str) -> str:
    """Return the path of ``name`` on PATH or raise BuildError naming it."""
    path = shutil.which(name)
    if path is None:
        raise BuildError(f"{name} not found on PATH; it is needed to {purpose}. {hint}")
    return path


# ---- steps shared by every OS ----

def ensure_pyinstaller() -> None:
    step("Checking for PyInstaller")
    try:
        import PyInstaller
    except ImportError:
        if sys.prefix == sys.base_prefix:
            raise BuildError(f"PyInstaller is not installed and {sys.executable} is not a virtual environment, "
                             "so this script will not pip-install into it. Run it with the project's "
                             f".venv Python, or install {PYINSTALLER_REQUIREMENT!r} yourself.") from None
        run([sys.executable, "-m", "pip", "install", PYINSTALLER_REQUIREMENT])
        import PyInstaller
    print(f"PyInstaller {PyInstaller.__version__} in {sys.prefix}")


def render_icons(work_dir: Path) -> Path:
    step("Rendering the app icon from resources/icons/app.svg")
    import icons

    icon_dir = work_dir / "icons"
    for path in icons.write_icons(icon_dir).values():
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return icon_dir


def run_pyinstaller(dist_dir: Path, work_dir: Path, icon_dir: Path) -> None:
    step(f"Running PyInstaller on {SPEC_PATH.relative_to(bundle.REPO_ROOT)}")
    env = dict(os.environ, **{bundle.ICON_DIR_ENV: str(icon_dir)})
    started = time.monotonic()
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(dist_dir), "--workpath", str(work_dir / "pyinstaller"), str(SPEC_PATH)], env=env)
    print(f"PyInstaller finished in {time.monotonic() - started:.0f} s")


def bundle_dir(dist_dir: Path) -> Path:
    """Folder PyInstaller built: the .app on macOS, the one-folder bundle elsewhere."""
    if sys.platform == "darwin":
        return dist_dir / f"{bundle.APP_NAME}.app"
    return dist_dir / bundle.EXE_NAME


def cli_executable(dist_dir: Path) -> Path:
    """Return the frozen executable whose subcommands print to stdout."""
    if sys.platform == "win32":
        return dist_dir / bundle.EXE_NAME / f"{bundle.CLI_EXE_NAME}.exe"
    if sys.platform == "darwin":
        return bundle_dir(dist_dir) / "Contents" / "MacOS" / bundle.EXE_NAME
    return dist_dir / bundle.EXE_NAME / bundle.EXE_NAME


def run_frozen_json(executable: Path, arguments: list[str], home: Path) -> object:
    """Run the frozen ``executable`` with ``arguments`` and return the JSON it prints.

    ``home`` becomes LLMDESK_HOME, so the check never touches the user's settings. Raises
    BuildError with the output's tail when the executable fails or prints something else.
    """
    command = [str(executable), *arguments]
    print(f"$ {shlex.join(command)}", flush=True)
    env = dict(os.environ, LLMDESK_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=SMOKE_TIMEOUT_S, env=env)
    except subprocess.TimeoutExpired:
        raise BuildError(f"{shlex.join(command)} did not finish within {SMOKE_TIMEOUT_S} s") from None
    except OSError as exc:
        raise BuildError(f"cannot start the frozen executable {executable}: {exc}") from exc
    if completed.returncode != 0:
        raise BuildError(f"{shlex.join(command)} exited with status {completed.returncode}:\n"
                         f"{completed.stderr[-2000:]}")
    try:
        return json.loads(completed.stdout)
    except json.JSONDecodeError as exc:
        raise BuildError(f"{shlex.join(command)} printed invalid JSON ({exc}):\n{completed.stdout[:500]}") from exc


def smoke_test(dist_dir: Path, work_dir: Path) -> None:
    step("Checking that the frozen app runs")
    executable = cli_executable(dist_dir)
    home = work_dir / "smoke-home"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    profile = run_frozen_json(executable, ["hardware", "--json", "--no-llama"], home)
    if not isinstance(profile, dict) or "cpu" not in profile:
        raise BuildError(f"hardware --json printed no CPU section: {str(profile)[:300]}")
    print(f"hardware: {profile['cpu'].get('model')}, {len(profile.get('gpus') or [])} GPU(s)")
    fit = run_frozen_json(executable, ["fit", "--json"], home)
    if not isinstance(fit, dict) or not fit.get("builds"):
        raise BuildError(f"fit --json judged no catalog model, so models.json is probably missing from the "
                         f"bundle: {str(fit)[:300]}")
    print(f"fit: {len(fit['builds'])} catalog models judged")


def folder_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file() and not item.is_symlink())


# ---- Windows ----

def build_windows_installer(dist_dir: Path, icon_dir: Path, version: str) -> Path:
    step("Building the Windows installer with Inno Setup")
    iscc = require_tool("iscc", "build the Windows installer",
                        "Install Inno Setup 6 (https://jrsoftware.org/isinfo.php) and add its folder to PATH, "
                        "or pass --skip-installer to keep only the dist folder.")
    defines = iscc_defines(dist_dir, icon_dir, version)
    run([iscc, *(f"/D{name}={value}" for name, value in defines.items()), str(ISS_PATH)])
    return dist_dir / f"{defines['OutputBaseName']}.exe"


def iscc_defines(dist_dir: Path, icon_dir: Path, version: str) -> dict[str, str]:
    """Preprocessor values for packaging/windows/llm-desk.iss, passed to iscc as /DNAME=VALUE."""
    return {
        "AppVersion": version,
        "SourceDir": str(bundle_dir(dist_dir)),
        "IconFile": str(icon_dir / "app.ico"),
        "OutputDir": str(dist_dir),
        "OutputBaseName": f"llm-desk-{version}-{bundle.platform_tag()}-setup",
    }


# ---- macOS ----

def notary_arguments() -> tuple[list[str], str | None] | None:
    """Return notarytool credentials from the environment (and the secret to mask), or None."""
    profile = os.environ.get(NOTARY_PROFILE_ENV)
    if profile:
        return ["--keychain-profile", profile], None
    apple_id, team, password = (os.environ.get(name) for name in (APPLE_ID_ENV, TEAM_ID_ENV, APP_PASSWORD_ENV))
    if not (apple_id or team or password):
        return None
    if not (apple_id and team and password):
        raise BuildError(f"notarization needs all of {APPLE_ID_ENV}, {TEAM_ID_ENV} and {APP_PASSWORD_ENV} "
                         f"(or {NOTARY_PROFILE_ENV} alone); only some are set")
    return ["--apple-id", apple_id, "--team-id", team, "--password", password], password


def build_macos_dmg(dist_dir: Path, work_dir: Path, version: str) -> Path:
    step("Building the macOS disk image with hdiutil")
    hdiutil = require_tool("hdiutil", "build the .dmg", "It ships with macOS; run this step on a Mac.")
    identity = os.environ.get(bundle.CODESIGN_IDENTITY_ENV)
    notary = notary_arguments()
    if notary is not None and not identity:
        raise BuildError(f"notarization needs a Developer ID signature: set {bundle.CODESIGN_IDENTITY_ENV} "
                         "to the 'Developer ID Application: ...' identity")

    stage = work_dir / "dmg"
    shutil.rmtree(stage, ignore_errors=True)
    stage.mkdir(parents=True)
    app = bundle_dir(dist_dir)
    # ditto keeps the bundle's symlinks, extended attributes and signatures intact.
    run([require_tool("ditto", "copy the .app", "It ships with macOS."), str(app), str(stage / app.name)])
    (stage / "Applications").symlink_to("/Applications")
    dmg = dist_dir / f"llm-desk-{version}-{bundle.platform_tag()}.dmg"
    run([hdiutil, "create", "-volname", bundle.APP_NAME, "-srcfolder", str(stage), "-ov", "-format", "UDZO",
         str(dmg)])

    if identity:
        step("Signing the disk image")
        run([require_tool("codesign", "sign the .dmg", "Install the Xcode command line tools."),
             "--sign", identity, "--timestamp", str(dmg)])
    else:
        print(f"{bundle.CODESIGN_IDENTITY_ENV} is not set: the app is signed ad hoc and will not pass Gatekeeper "
              "on other Macs")
    if notary is not None:
        step("Notarizing the disk image (uploads it to Apple and waits)")
        credentials, secret = notary
        xcrun = require_tool("xcrun", "notarize", "Install the Xcode command line tools.")
        run([xcrun, "notarytool", "submit", str(dmg), *credentials, "--wait"], secret=secret)
        run([xcrun, "stapler", "staple", str(dmg)])
    else:
        print(f"notarization skipped: set {NOTARY_PROFILE_ENV} (or {APPLE_ID_ENV}, {TEAM_ID_ENV} and "
              f"{APP_PASSWORD_ENV}) to notarize")
    return dmg


# ---- Linux ----

def build_tarball(source: Path, dist_dir: Path, version: str) -> Path:
    """Pack the bundle folder ``source`` as llm-desk-VERSION/ inside a .tar.gz in ``dist_dir``."""
    step("Packing the Linux tarball")
    name = f"llm-desk-{version}-{bundle.platform_tag()}"
    archive = dist_dir / f"{name}.tar.gz"
    print(f"writing {archive}")
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(source, arcname=f"llm-desk-{version}")  # symlinks stay symlinks
    return archive


APPRUN = """#!/bin/sh
# AppImage entry point: start the bundled executable with the arguments given to the AppImage.
HERE="$(dirname "$(readlink -f "$0")")"
exec "$HERE/usr/lib/llm-desk/llm-desk" "$@"
"""


def make_appdir(source: Path, appdir: Path, icon_png: Path) -> Path:
    """Lay out an AppDir (AppRun, .desktop file, icon, the bundle under usr/lib/llm-desk)."""
    shutil.rmtree(appdir, ignore_errors=True)
    (appdir / "usr" / "lib").mkdir(parents=True)
    shutil.copytree(source, appdir / "usr" / "lib" / "llm-desk", symlinks=True)
    apprun = appdir / "AppRun"
    apprun.write_text(APPRUN, encoding="utf-8")
    apprun.chmod(0o755)
    shutil.copy2(DESKTOP_FILE, appdir / DESKTOP_FILE.name)
    shutil.copy2(icon_png, appdir / f"{bundle.EXE_NAME}.png")
    return appdir


def build_appimage(source: Path, dist_dir: Path, work_dir: Path, icon_dir: Path, version: str,
                   required: bool) -> Path | None:
    step("Building the AppImage")
    tool = shutil.which("appimagetool")
    if tool is None:
        if required:
            raise BuildError("appimagetool not found on PATH; it is needed for --appimage. Download it from "
                             "https://github.com/AppImage/appimagetool/releases and put it on PATH.")
        print("skipped: appimagetool is not on PATH (the tarball is the Linux package)")
        return None
    appdir = make_appdir(source, work_dir / "AppDir", icon_dir / "app.png")
    output = dist_dir / f"llm-desk-{version}-{bundle.platform_tag()}.AppImage"
    env = dict(os.environ, ARCH=bundle.platform_tag().split("-", 1)[1])
    run([tool, str(appdir), str(output)], env=env)
    return output


# ---- main ----

def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Build the LLM Desk bundle and this OS's installer.")
    parser.add_argument("--dist", type=Path, default=bundle.REPO_ROOT / "dist",
                        help="folder for the bundle and installers (default: dist/)")
    parser.add_argument("--work", type=Path, default=bundle.REPO_ROOT / "build",
                        help="folder for PyInstaller's work files and rendered icons (default: build/)")
    parser.add_argument("--skip-installer", action="store_true",
                        help="stop after the bundle and its check (no Inno Setup, .dmg or tarball)")
    parser.add_argument("--skip-smoke-test", action="store_true",
                        help="do not start the frozen executable (for cross-checking a bundle elsewhere)")
    parser.add_argument("--appimage", action="store_true",
                        help="Linux: fail when appimagetool is missing instead of skipping the AppImage")
    return parser.parse_args(argv)


def build(args: argparse.Namespace) -> list[Path]:
    version = bundle.app_version()
    dist_dir, work_dir = args.dist.resolve(), args.work.resolve()
    print(f"Building {bundle.APP_NAME} {version} for {bundle.platform_tag()} with {sys.executable}")
    missing = bundle.missing_modules()
    if missing:
        raise BuildError(f"{', '.join(missing)} not installed in {sys.prefix}; install the app first: "
                         f"{sys.executable} -m pip install -e .")

    ensure_pyinstaller()
    icon_dir = render_icons(work_dir)
    run_pyinstaller(dist_dir, work_dir, icon_dir)
    built = bundle_dir(dist_dir)
    print(f"bundle: {built} ({folder_size(built) / 2**20:.0f} MiB)")
    if not args.skip_smoke_test:
        smoke_test(dist_dir, work_dir)
    outputs = [built]
    if args.skip_installer:
        return outputs

    if sys.platform == "win32":
        outputs.append(build_windows_installer(dist_dir, icon_dir, version))
    elif sys.platform == "darwin":
        outputs.append(build_macos_dmg(dist_dir, work_dir, version))
    else:
        outputs.append(build_tarball(built, dist_dir, version))
        appimage = build_appimage(built, dist_dir, work_dir, icon_dir, version, required=args.appimage)
        if appimage is not None:
            outputs.append(appimage)
    return outputs


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.monotonic()
    try:
        outputs = build(args)
    except BuildError as exc:
        print(f"\nerror: {exc}", file=sys.stderr)
        return 1
    step(f"Done in {time.monotonic() - started:.0f} s")
    for path in outputs:
        size = folder_size(path) if path.is_dir() else path.stat().st_size
        print(f"{path} ({size / 2**20:.0f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
