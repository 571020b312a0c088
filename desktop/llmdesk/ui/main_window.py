"""The main window: a sidebar of pages, and the background start-up work that fills them in.

Start-up order: the window is built with only the first page and painted. After the first paint,
hardware detection and the catalog load start on pool threads. When detection is done, the llama.cpp
probe starts (a child process that takes seconds). The Models, Chat and Settings pages are built when first shown. Pages receive results through optional methods they may define:
``set_profile(profile)``, ``set_catalog(catalog)`` and ``shutdown()``.
"""

from __future__ import annotations

import copy
import importlib
import importlib.util
import logging
from typing import Any, Callable

from PySide6.QtCore import QEvent, QSize, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QCloseEvent, QIcon, QPalette
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QMainWindow,
                               QStackedWidget, QWidget)

from llmdesk import APP_NAME
from llmdesk.core.hardware.profile import LlamaBuildInfo, MachineProfile
from llmdesk.core.settings import Settings
from llmdesk.ui.machine_page import MachinePage
from llmdesk.ui.qt_workers import TaskRunner
from llmdesk.ui.services import Services
from llmdesk.ui.widgets import icon, icon_with_selected_color

log = logging.getLogger(__name__)

PAGE_MACHINE = "machine"
PAGE_MODELS = "models"
PAGE_CHAT = "chat"
PAGE_SETTINGS = "settings"

# Settings whose change means the hardware profile must be detected again.
_PROFILE_SETTINGS = frozenset({"override_ram_gib", "override_vram_gib", "override_bandwidth_gbs"})


class MainWindow(QMainWindow):
    """Sidebar + stacked pages. GUI thread only.

    ``first_painted`` fires once, right after the window's first paint (the start-up benchmark and the
    tests use it); ``profile_ready``, ``catalog_ready`` and ``llama_probed`` fire when background work
    delivers.
    """

    first_painted = Signal()
    profile_ready = Signal(object)
    catalog_ready = Signal(object)
    llama_probed = Signal(object)

    def __init__(self, settings: Settings, services: Services | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.services = services or Services()
        self.profile: MachineProfile | None = None
        self.catalog: Any = None
        self.llama_info: LlamaBuildInfo | None = None
        self.catalog_error: Exception | None = None
        self._painted = False
        self._shut_down = False
        self._pages: dict[str, QWidget] = {}
        self._lazy_factories: dict[str, Callable[[], QWidget]] = {}

        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(icon("app"))
        self.resize(1280, 800)

        self._sidebar = QListWidget()
        self._sidebar.setObjectName("sidebar")
        self._sidebar.setIconSize(QSize(22, 22))
        self._sidebar.setFixedWidth(190)
        self._sidebar.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._stack = QStackedWidget()
        central = QWidget()
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self._sidebar)
        row.addWidget(self._stack, 1)
        self.setCentralWidget(central)
        self._sidebar.currentRowChanged.connect(self._on_page_chosen)

        self._detection = TaskRunner("hardware detection", self)
        self._detection.succeeded.connect(self._on_profile_detected)
        self._detection.failed.connect(self._on_detection_failed)
        self._catalog_loader = TaskRunner("catalog load", self)
        self._catalog_loader.succeeded.connect(self._on_catalog_loaded)
        self._catalog_loader.failed.connect(self._on_catalog_failed)
        self._llama_probe = TaskRunner("llama.cpp probe", self)
        self._llama_probe.succeeded.connect(self._on_llama_probed)
        self._llama_probe.failed.connect(self._on_llama_probe_failed)

        self.machine_page = MachinePage(self)
        self.machine_page.refresh_requested.connect(self.refresh_hardware)
        self.machine_page.open_settings_requested.connect(lambda: self.show_page(PAGE_SETTINGS))
        self.add_page(PAGE_MACHINE, self.machine_page, self.tr("This machine"), icon("page-machine"))
        self.add_lazy_page(PAGE_MODELS, self._create_models_page, self.tr("Models"), icon("page-models"))
        self.add_lazy_page(PAGE_CHAT, self._create_chat_page, self.tr("Chat"), icon("page-chat"))
        self.add_lazy_page(PAGE_SETTINGS, self._create_settings_page, self.tr("Settings"), icon("page-settings"))
        self._sidebar.setCurrentRow(0)
        self.statusBar().showMessage(self.tr("Detecting hardware…"))

    # -- pages -----------------------------------------------------------------------------------

    def add_page(self, key: str, widget: QWidget, title: str, page_icon: QIcon | None = None) -> None:
        """Add ``widget`` as a page named ``key``, or replace the page already registered under it.

        The page receives ``set_profile(profile)`` and ``set_catalog(catalog)`` calls when it defines
        them, also right away when the data is already there.
        """
        if key in self._pages or key in self._lazy_factories:
            self._replace_page(key, widget)
            return
        self._pages[key] = widget
        self._stack.addWidget(widget)
        highlighted_text = self.palette().color(QPalette.ColorRole.HighlightedText)
        item = QListWidgetItem(icon_with_selected_color(page_icon, highlighted_text) if page_icon else QIcon(), title)
        item.setData(Qt.ItemDataRole.UserRole, key)
        self._sidebar.addItem(item)
        self._feed_page(widget)

    def add_lazy_page(self, key: str, factory: Callable[[], QWidget], title: str,
                      page_icon: QIcon | None = None) -> None:
        """Register a page that ``factory`` builds the first time it is shown (keeps start-up fast)."""
        placeholder = QWidget()
        self.add_page(key, placeholder, title, page_icon)
        self._lazy_factories[key] = factory

    def page(self, key: str) -> QWidget:
        """Return the page widget under ``key``, building a lazy page first."""
        self._build_lazy_page(key)
        return self._pages[key]

    def page_keys(self) -> list[str]:
        return [self._sidebar.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self._sidebar.count())]

    def show_page(self, key: str) -> None:
        self._sidebar.setCurrentRow(self.page_keys().index(key))

    def current_page_key(self) -> str:
        item = self._sidebar.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else ""

    def _replace_page(self, key: str, widget: QWidget) -> None:
        old = self._pages[key]
        index = self._stack.indexOf(old)
        self._lazy_factories.pop(key, None)
        self._stack.insertWidget(index, widget)
        self._stack.removeWidget(old)
        old.deleteLater()
        self._pages[key] = widget
        if self.current_page_key() == key:
            self._stack.setCurrentWidget(widget)
        self._feed_page(widget)

    def _build_lazy_page(self, key: str) -> None:
        factory = self._lazy_factories.pop(key, None)
        if factory is None:
            return
        try:
            page = factory()
        except Exception as exc:  # noqa: BLE001 - a broken page must not take the window down
            log.exception("Creating the %s page failed", key)
            page = self._unavailable_page(self.tr("This page could not be opened: {error}").format(error=exc))
        self._replace_page(key, page)

    @Slot(int)
    def _on_page_chosen(self, row: int) -> None:
        if row < 0:
            return
        key = self._sidebar.item(row).data(Qt.ItemDataRole.UserRole)
        self._build_lazy_page(key)
        self._stack.setCurrentWidget(self._pages[key])

    def _create_chat_page(self) -> QWidget:
        """Build ``llmdesk.ui.chat_page.ChatPage(settings, parent)`` or a label saying why it is missing."""
        if importlib.util.find_spec("llmdesk.ui.chat_page") is None:
            return self._unavailable_page(self.tr("The chat page is not available in this build."))
        try:
            module = importlib.import_module("llmdesk.ui.chat_page")
            return module.ChatPage(self.settings, self)
        except Exception as exc:  # noqa: BLE001 - a broken page must not take the window down
            log.exception("Creating the chat page failed")
            return self._unavailable_page(
                self.tr("The chat page could not be opened: {error}").format(error=exc))

    def _create_models_page(self) -> QWidget:
        from llmdesk.ui.models_page import ModelsPage

        page = ModelsPage(self.settings, self)
        if self.catalog_error is not None:
            page.show_catalog_error(self.catalog_error)
        if self._painted:
            page.start_background_work()
        return page

    @property
    def models_page(self) -> Any:
        """The Models page (built on first use)."""
        return self.page(PAGE_MODELS)

    def _create_settings_page(self) -> QWidget:
        from llmdesk.ui.settings_page import SettingsPage

        page = SettingsPage(self.settings, self)
        page.setting_changed.connect(self._on_setting_changed)
        return page

    @property
    def settings_page(self) -> QWidget:
        """The Settings page (built on first use)."""
        return self.page(PAGE_SETTINGS)

    def _unavailable_page(self, text: str) -> QWidget:
        label = QLabel(text)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        return label

    def _feed_page(self, widget: QWidget) -> None:
        if self.profile is not None and hasattr(widget, "set_profile"):
            widget.set_profile(self.profile)
        if self.catalog is not None and hasattr(widget, "set_catalog"):
            widget.set_catalog(self.catalog)

    def _each_page(self, method: str) -> list[Callable[..., Any]]:
        return [getattr(page, method) for page in self._pages.values() if hasattr(page, method)]

    # -- start-up work ----------------------------------------------------------------------------

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Let this paint reach the screen before the workers start competing for the GIL.
            QTimer.singleShot(0, self._after_first_paint)

    def event(self, event: QEvent) -> bool:
        # A window whose central widget covers it may get no paintEvent of its own on some platforms.
        # The first UpdateRequest after showing marks the same moment, because it paints the window.
        handled = super().event(event)
        if event.type() == QEvent.Type.UpdateRequest and not self._painted and self.isVisible():
            self._painted = True
            QTimer.singleShot(0, self._after_first_paint)
        return handled

    @Slot()
    def _after_first_paint(self) -> None:
        self.first_painted.emit()
        if self._shut_down:  # closed by a first_painted handler (the start-up benchmark does this)
            return
        self.start_background_work()
        if PAGE_MODELS not in self._lazy_factories:
            self.models_page.start_background_work()

    def start_background_work(self) -> None:
        """Start detection and the catalog load (called once after the first paint)."""
        self.refresh_hardware()
        self._catalog_loader.start(lambda state: self.services.load_catalog())

    @Slot()
    def refresh_hardware(self) -> None:
        """Detect the hardware again; the llama.cpp probe follows when detection is done."""
        settings = self.settings
        detect = self.services.detect
        self.machine_page.set_busy(True)
        self.statusBar().showMessage(self.tr("Detecting hardware…"))
        self._detection.start(lambda state: detect(settings))

    @Slot(object)
    def _on_profile_detected(self, profile: MachineProfile) -> None:
        if self.llama_info is not None and profile.llama is None:
            profile = _with_llama(profile, self.llama_info)
        self._set_profile(profile)
        self.statusBar().showMessage(self.tr("Hardware detected."), 5000)
        if self.llama_info is None and not self._llama_probe.is_running():
            self.machine_page.set_llama_probe_running()
            probe = self.services.probe_llama
            # The probe polls the stop request, so closing the window kills a slow child instead of waiting.
            self._llama_probe.start(lambda state: probe(state.is_interruption_requested))

    def _set_profile(self, profile: MachineProfile) -> None:
        self.profile = profile
        for set_profile in self._each_page("set_profile"):
            set_profile(profile)
        self.profile_ready.emit(profile)

    @Slot(object)
    def _on_detection_failed(self, error: Exception) -> None:
        self.machine_page.show_detection_error(error)
        self.statusBar().showMessage(self.tr("Hardware detection failed."))

    @Slot(object)
    def _on_catalog_loaded(self, catalog: Any) -> None:
        self.catalog = catalog
        for set_catalog in self._each_page("set_catalog"):
            set_catalog(catalog)
        self.catalog_ready.emit(catalog)

    @Slot(object)
    def _on_catalog_failed(self, error: Exception) -> None:
        self.catalog_error = error
        if PAGE_MODELS not in self._lazy_factories:
            self.models_page.show_catalog_error(error)

    @Slot(object)
    def _on_llama_probed(self, info: LlamaBuildInfo) -> None:
        self.llama_info = info
        if self.profile is not None:
            self._set_profile(_with_llama(self.profile, info))
        self.llama_probed.emit(info)

    @Slot(object)
    def _on_llama_probe_failed(self, error: Exception) -> None:
        self._on_llama_probed(LlamaBuildInfo(available=False, error=str(error)))

    @Slot(str)
    def _on_setting_changed(self, key: str) -> None:
        if key in _PROFILE_SETTINGS and self._painted:
            self.refresh_hardware()
        if PAGE_MODELS not in self._lazy_factories:
            self.models_page.on_setting_changed(key)

    # -- shutdown ---------------------------------------------------------------------------------

    def shutdown(self, timeout_s: float = 10.0) -> None:
        """Cancel background work and wait for pool threads to return; pages release their resources.

        Only the first call does anything.
        """
        if self._shut_down:
            return
        self._shut_down = True
        for runner in (self._detection, self._catalog_loader, self._llama_probe):
            runner.cancel()
        for shutdown_page in self._each_page("shutdown"):
            shutdown_page()
        for runner in (self._detection, self._catalog_loader, self._llama_probe):
            if not runner.wait_for_done(timeout_s):
                log.warning("%s did not return within %.0f s at shutdown", runner.name, timeout_s)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        # Hide first: shutdown waits for workers, and for running downloads when "Keep downloading
        # after closing" is on, which must not look like a frozen window.
        self.hide()
        self.shutdown()
        super().closeEvent(event)


def _with_llama(profile: MachineProfile, info: LlamaBuildInfo) -> MachineProfile:
    """Return a copy of ``profile`` with llama.cpp's view of the devices merged in (pure arithmetic)."""
    from llmdesk.core.hardware import apply_llama

    return apply_llama(copy.deepcopy(profile), info)
