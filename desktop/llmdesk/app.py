"""QApplication set-up: translations, theme, the main window, and ``run_gui``.

Set ``LLMDESK_EXIT_AFTER_PAINT=1`` to make the app print the seconds from process start to the first
painted main window (``first-paint <seconds>`` on stdout) and quit; ``bench/startup.py`` uses it.
"""

from __future__ import annotations

import logging
import os
import sys
import time

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTimer, QTranslator
from PySide6.QtWidgets import QApplication

from llmdesk import APP_ID, APP_NAME, __version__
from llmdesk.core import paths
from llmdesk.core.settings import Settings

log = logging.getLogger(__name__)

LANGUAGES = ("en", "zh_CN")
EXIT_AFTER_PAINT_ENV = "LLMDESK_EXIT_AFTER_PAINT"
_TRANSLATOR_NAME = "llmdesk-translator"


def resolve_language(setting: str, system: QLocale | None = None) -> str:
    """Turn the language setting into "en" or "zh_CN"; "auto" follows the system locale.

    Simplified Chinese locales (China, Singapore, or any Chinese locale written in Simplified script)
    get zh_CN; every other locale gets English, since those are the two translations shipped.
    """
    if setting in LANGUAGES:
        return setting
    locale = system or QLocale.system()
    if locale.language() == QLocale.Language.Chinese:
        if locale.script() == QLocale.Script.SimplifiedChineseScript:
            return "zh_CN"
        if locale.territory() in (QLocale.Country.China, QLocale.Country.Singapore) \
                and locale.script() != QLocale.Script.TraditionalChineseScript:
            return "zh_CN"
    return "en"


def translations_dir():
    return paths.resources_dir() / "translations"


def install_translators(app: QCoreApplication, setting: str) -> str:
    """Install LLM Desk's and Qt's own translations for ``setting``; return the language used.

    Translators installed by an earlier call are removed first, so tests can switch languages.
    """
    for old in app.findChildren(QTranslator, _TRANSLATOR_NAME):
        app.removeTranslator(old)
        old.setParent(None)
        old.deleteLater()
    language = resolve_language(setting)
    QLocale.setDefault(QLocale(language if language != "en" else "en_US"))

    # English has a translation file too: it holds the plural forms of "%n model(s)".
    ours = QTranslator(app)
    ours.setObjectName(_TRANSLATOR_NAME)
    qm = translations_dir() / f"llmdesk_{language}.qm"
    if ours.load(str(qm)):
        app.installTranslator(ours)
    else:
        log.warning("Translation %s is missing or unreadable; the interface stays in English", qm)
    if language == "en":
        return language

    # Qt's own strings (standard dialog buttons, context menus); shipped with PySide6 when present.
    qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qt_translator = QTranslator(app)
    qt_translator.setObjectName(_TRANSLATOR_NAME)
    if qt_translator.load(f"qtbase_{language}", qt_dir):
        app.installTranslator(qt_translator)
    else:
        log.info("Qt's own %s translation was not found in %s", language, qt_dir)
    return language


def create_application(argv: list[str]) -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(argv)
    app.setApplicationName(APP_ID)
    app.setApplicationDisplayName(APP_NAME)
    app.setApplicationVersion(__version__)
    return app


def seconds_since_process_start() -> float:
    """Wall-clock seconds since the OS started this process (psutil; about 10 ms resolution on Linux)."""
    import psutil

    return time.time() - psutil.Process().create_time()


def run_gui(argv: list[str]) -> int:
    """Open the main window and run the event loop; return the exit code."""
    app = create_application(argv)
    settings = Settings()
    language = install_translators(app, settings.get("language"))

    from llmdesk.ui.theme import apply_theme

    apply_theme(app, settings.get("theme"))

    def follow_system_scheme(_scheme: object) -> None:
        if settings.get("theme") == "system":
            apply_theme(app, "system")

    app.styleHints().colorSchemeChanged.connect(follow_system_scheme)
    log.info("Interface language %s", language)

    from llmdesk.ui.main_window import MainWindow

    window = MainWindow(settings)
    if os.environ.get(EXIT_AFTER_PAINT_ENV):
        def report_first_paint() -> None:
            print(f"first-paint {seconds_since_process_start():.4f}", flush=True)
            window.close()
            app.quit()

        window.first_painted.connect(report_first_paint)
    window.show()
    # Let Ctrl+C in a terminal reach Python: Qt's event loop otherwise holds the signal until an event.
    keepalive = QTimer()
    keepalive.timeout.connect(lambda: None)
    keepalive.start(500)
    status = app.exec()
    window.shutdown()  # a no-op wait when closeEvent already ran; covers quitting without closing
    return status


if __name__ == "__main__":
    sys.exit(run_gui(sys.argv))
