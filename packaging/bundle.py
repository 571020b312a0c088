"""Contents of an LLM Desk bundle: data files, hidden imports, excludes, names and version.

Plain Python (only ``windows_version_info`` imports PyInstaller), so ``llm-desk.spec``,
``build.py`` and the tests read the same lists.
Source paths are relative to the repository root; destinations are folders inside the bundle, where
``llmdesk.core.paths.resource_root()`` finds them through ``sys._MEIPASS``.
"""

from __future__ import annotations

import importlib.util
import platform
import re
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
PACKAGING_DIR = REPO_ROOT / "packaging"
SOURCE_DIR = REPO_ROOT / "desktop"

APP_NAME = "LLM Desk"
EXE_NAME = "llm-desk"  # the GUI executable; on Linux and macOS it also runs the subcommands
CLI_EXE_NAME = "llm-desk-cli"  # Windows only: a console executable, since a windowed one has no stdout
BUNDLE_ID = "org.llmdesk.LLMDesk"
PUBLISHER = "LLM Desk developers"
COPYRIGHT = "Copyright (c) LLM Desk developers. MIT licence."

# Environment variables read by the spec and build.py.
CODESIGN_IDENTITY_ENV = "LLMDESK_CODESIGN_IDENTITY"
ENTITLEMENTS_ENV = "LLMDESK_ENTITLEMENTS"
DEFAULT_ENTITLEMENTS = PACKAGING_DIR / "macos" / "entitlements.plist"
ICON_DIR_ENV = "LLMDESK_ICON_DIR"  # where build.py put the rendered app.ico / app.icns / app.png

# (source glob relative to the repository root, destination folder inside the bundle).
# The .ts translation sources and anything else under resources/ stay out.
DATA_FILES: tuple[tuple[str, str], ...] = (
    ("models.json", "."),
    ("resources/catalog.schema.json", "resources"),
    ("resources/icons/*.svg", "resources/icons"),
    ("resources/themes/*.json", "resources/themes"),
    ("resources/themes/*.qss", "resources/themes"),
    ("resources/themes/*.svg", "resources/themes"),
    ("resources/translations/*.qm", "resources/translations"),
    ("resources/filters/*.json", "resources/filters"),
)

# Translations the app loads (llmdesk.app.LANGUAGES); a bundle without them shows English only.
TRANSLATIONS = ("resources/translations/llmdesk_en.qm", "resources/translations/llmdesk_zh_CN.qm")

# Qt's own translation catalogues kept in the bundle (PySide6 ships about 7 MiB of them); the app
# loads qtbase_<language>.qm for each non-English language it has a translation for.
QT_TRANSLATIONS_KEPT = ("qtbase_zh_CN.qm",)

# Modules the import scan cannot see: loaded by importlib with a computed name, or started as
# "python -m" in a child process.
HIDDEN_IMPORTS: tuple[str, ...] = (
    "llmdesk.ui.chat_page",  # main_window imports it on first use of the Chat page
    "llmdesk.cli.hardware",  # llmdesk.cli imports its subcommands by name
    "llmdesk.cli.fit",
    "llmdesk.cli.chat",
    "llmdesk.engine.worker",  # the engine child's process target
    "llmdesk.core.hardware.llama_probe",  # run as "llm-desk -m llmdesk.core.hardware.llama_probe"
)
# pyqtgraph needs nothing here: the pyqtgraph hook in pyinstaller-hooks-contrib adds its data files
# and the menu templates that older pyqtgraph releases import by a name built from the Qt binding.

# Packages the app cannot run without. The spec checks them first, because PyInstaller only warns
# about a missing import and would build a bundle that fails when the chat starts.
REQUIRED_MODULES = ("PySide6", "llama_cpp", "pyqtgraph", "numpy", "gguf", "psutil", "platformdirs", "jinja2")

# Files under llama_cpp/lib that collect_dynamic_libs and PyInstaller's dependency scan bring in as
# binaries; collect_data_files skips them so they are not copied twice. Anything else there (a
# Metal shader library in builds that do not embed it) still ships as data.
LLAMA_LIBRARY_PATTERNS = ("lib/*.so", "lib/*.so.*", "lib/*.dylib", "lib/*.dll", "lib/*.lib")

# Optional modules bundled only when installed in the build environment.
OPTIONAL_IMPORTS = ("pynvml",)  # the "nvidia" extra: memory figures from NVML

EXCLUDES: tuple[str, ...] = (
    "tkinter",
    "_tkinter",
    # Qt modules LLM Desk never imports. The app imports QtCore, QtGui and QtWidgets, and Qt's SVG
    # image plugin loads QtSvg for the icons.
    "PySide6.QtNetwork",
    "PySide6.QtQml",
    "PySide6.QtQuick",
    "PySide6.QtQuickControls2",
    "PySide6.QtQuickWidgets",
    "PySide6.QtQuickTest",
    "PySide6.QtSql",
    "PySide6.QtTest",
    "PySide6.QtDesigner",
    "PySide6.QtHelp",
    "PySide6.QtUiTools",
    "PySide6.QtConcurrent",
    "PySide6.QtDBus",
    "PySide6.QtXml",
    # pyqtgraph's optional parts: 3D (needs PyOpenGL), notebooks, bundled examples.
    "pyqtgraph.opengl",
    "pyqtgraph.jupyter",
    "pyqtgraph.examples",
    # Optional imports of our dependencies that the app does not use.
    "matplotlib",
    "scipy",
    "pandas",
    "IPython",
    "llama_cpp.server",
    "pytest",
    "_pytest",
    "setuptools",
)

_VERSION_PATTERN = re.compile(r'^__version__\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)


def app_version() -> str:
    """Read ``__version__`` from the package source without importing it."""
    init = SOURCE_DIR / "llmdesk" / "__init__.py"
    match = _VERSION_PATTERN.search(init.read_text(encoding="utf-8"))
    if match is None:
        raise ValueError(f"no __version__ = \"...\" line in {init}")
    return match.group(1)


def version_tuple(version: str) -> tuple[int, int, int, int]:
    """Map "1.2.3" (or "1.2.3rc1") to the four numbers a Windows version resource holds."""
    numbers = [int(re.match(r"\d+", part).group()) if re.match(r"\d+", part) else 0
               for part in version.split(".")[:4]]
    return tuple(numbers + [0] * (4 - len(numbers)))  # type: ignore[return-value]


def data_files(repo_root: Path = REPO_ROOT) -> list[tuple[str, str]]:
    """Expand ``DATA_FILES`` into (absolute source, destination folder) pairs.

    Raises FileNotFoundError naming the pattern when a pattern matches nothing, so a renamed
    resource fails the build instead of shipping a bundle without it.
    """
    pairs = []
    for pattern, destination in DATA_FILES:
        matches = sorted(repo_root.glob(pattern))
        if not matches:
            raise FileNotFoundError(f"bundle data pattern {pattern!r} matches no file under {repo_root}; "
                                    "restore the file or update DATA_FILES in packaging/bundle.py")
        pairs.extend((str(path), destination) for path in matches)
    return pairs


def keep_data_file(destination: str) -> bool:
    """Tell whether a collected data file (its path inside the bundle) belongs in the bundle.

    Drops Qt's translation catalogues other than ``QT_TRANSLATIONS_KEPT``. PySide6 keeps them in
    PySide6/Qt/translations on Linux and macOS and in PySide6/translations on Windows.
    """
    parts = destination.replace("\\", "/").split("/")
    if parts[0] == "PySide6" and len(parts) >= 3 and parts[-2] == "translations" and parts[-1].endswith(".qm"):
        return parts[-1] in QT_TRANSLATIONS_KEPT
    return True


def optional_imports() -> list[str]:
    return [name for name in OPTIONAL_IMPORTS if importlib.util.find_spec(name) is not None]


def missing_modules() -> list[str]:
    """Return the names in ``REQUIRED_MODULES`` that this Python cannot import."""
    return [name for name in REQUIRED_MODULES if importlib.util.find_spec(name) is None]


def platform_tag() -> str:
    """Short "<os>-<machine>" tag for archive names, for example "linux-x86_64" or "macos-arm64"."""
    system = {"win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform.rstrip("0123456789"))
    machine = platform.machine().lower() or "unknown"
    return f"{system}-{ {'amd64': 'x86_64', 'aarch64': 'arm64'}.get(machine, machine)}"


def info_plist(version: str) -> dict[str, object]:
    """Info.plist entries for the macOS .app bundle."""
    return {
        "CFBundleName": APP_NAME,
        "CFBundleDisplayName": APP_NAME,
        "CFBundleIdentifier": BUNDLE_ID,
        "CFBundleShortVersionString": version,
        "CFBundleVersion": version,
        "NSHumanReadableCopyright": COPYRIGHT,
        "NSHighResolutionCapable": True,
        "NSRequiresAquaSystemAppearance": False,  # follow the system's dark mode
        "LSApplicationCategoryType": "public.app-category.productivity",
    }


def windows_version_info(version: str, exe_name: str):
    """Build the Windows version resource (File Properties > Details) for one executable.

    Needs PyInstaller, which the spec runs under; returns a ``VSVersionInfo``.
    """
    from PyInstaller.utils.win32.versioninfo import (FixedFileInfo, StringFileInfo, StringStruct, StringTable,
                                                     VarFileInfo, VarStruct, VSVersionInfo)

    numbers = version_tuple(version)
    strings = [
        StringStruct("CompanyName", PUBLISHER),
        StringStruct("FileDescription", APP_NAME),
        StringStruct("FileVersion", version),
        StringStruct("InternalName", exe_name),
        StringStruct("LegalCopyright", COPYRIGHT),
        StringStruct("OriginalFilename", f"{exe_name}.exe"),
        StringStruct("ProductName", APP_NAME),
        StringStruct("ProductVersion", version),
    ]
    # 0x0409 = US English, 1200 = the UTF-16 code page; the table name joins both in hex.
    return VSVersionInfo(
        ffi=FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[StringFileInfo([StringTable("040904B0", strings)]), VarFileInfo([VarStruct("Translation", [0x0409, 1200])])],
    )
