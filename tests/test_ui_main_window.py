"""Main window: paints before detection returns, fills pages when it does, hosts replaceable pages."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QLabel, QTreeWidgetItemIterator, QWidget

from llmdesk.core.hardware.profile import LlamaBuildInfo
from llmdesk.app import install_translators
from llmdesk.core.settings import Settings
from llmdesk.ui.main_window import PAGE_CHAT, PAGE_MACHINE, PAGE_MODELS, PAGE_SETTINGS, MainWindow
from llmdesk.ui.models_page import ModelsPage
from llmdesk.ui.services import Services
from llmdesk.ui.settings_page import SettingsPage
from ui_support import OFFSCREEN_NOISE, GatedDetect, gaming_pc, laptop_without_gpu, llama_info, services_for
from ui_support import no_threads_left, QT_LOG_MARKS  # noqa: F401 - fixtures and marks used by pytest

pytestmark = QT_LOG_MARKS


@pytest.fixture(autouse=True)
def english(qapp):
    install_translators(qapp, "en")


def make_window(qtbot, services: Services) -> MainWindow:
    window = MainWindow(Settings(), services)
    qtbot.addWidget(window)
    return window


def tree_texts(window: MainWindow) -> list[str]:
    texts = []
    iterator = QTreeWidgetItemIterator(window.machine_page._tree)
    while iterator.value():
        item = iterator.value()
        texts.append(" | ".join(item.text(column) for column in range(3)))
        iterator += 1
    return texts


def test_window_paints_before_detection_returns(qtbot):
    detect = GatedDetect(gaming_pc())
    window = make_window(qtbot, services_for(gaming_pc(), detect=detect))
    with qtbot.waitSignal(window.first_painted, timeout=10_000):
        window.show()
    qtbot.waitUntil(detect.started.is_set, timeout=10_000)

    assert window.profile is None
    assert not window.grab().isNull()
    assert window.machine_page._tree.topLevelItemCount() == 0
    assert "Detecting" in window.machine_page._status.text()

    with qtbot.waitSignal(window.profile_ready, timeout=10_000):
        detect.release()
    assert window.profile is not None
    assert any("NVIDIA GeForce RTX 3070" in text for text in tree_texts(window))


def test_llama_probe_follows_detection(qtbot):
    window = make_window(qtbot, services_for(gaming_pc()))
    with qtbot.waitSignal(window.llama_probed, timeout=10_000):
        window.show()
    assert window.profile.llama is not None
    assert window.profile.llama.version == llama_info().version
    texts = tree_texts(window)
    assert any(text.startswith("Version | 0.3.16") for text in texts)
    assert any("GPU offload | supported" in text for text in texts)


def test_machine_page_shows_sources_and_units(qtbot):
    window = make_window(qtbot, services_for(gaming_pc()))
    with qtbot.waitSignal(window.profile_ready, timeout=10_000):
        window.show()
    texts = tree_texts(window)
    assert "RAM total | 32.0 GiB | /proc/meminfo MemTotal" in texts
    assert "Dedicated memory free | 7.5 GiB | nvidia-smi memory.free" in texts
    assert "Memory bandwidth | 448 GB/s | " in texts


def test_failed_probe_shows_reason(qtbot):
    def broken_probe(should_stop) -> LlamaBuildInfo:
        raise RuntimeError("the probe child exited with code 134")

    services = Services(detect=lambda settings: laptop_without_gpu(), probe_llama=broken_probe)
    window = make_window(qtbot, services)
    with qtbot.waitSignal(window.llama_probed, timeout=10_000):
        window.show()
    assert window.profile.llama.available is False
    assert any("exited with code 134" in text for text in tree_texts(window))


def test_detection_error_is_shown_in_words(qtbot):
    def failing_detect(settings):
        raise OSError("permission denied reading /sys/class/drm")

    services = Services(detect=failing_detect, probe_llama=llama_info)
    window = make_window(qtbot, services)
    window.show()
    qtbot.waitUntil(lambda: window.machine_page._error.isVisible(), timeout=10_000)
    assert "permission denied reading /sys/class/drm" in window.machine_page._error.text()


def test_refresh_delivers_only_latest_detection(qtbot):
    first = GatedDetect(laptop_without_gpu())
    calls = {"n": 0}

    def detect(settings):
        calls["n"] += 1
        return first(settings) if calls["n"] == 1 else gaming_pc()

    window = make_window(qtbot, services_for(gaming_pc(), detect=detect))
    window.show()
    qtbot.waitUntil(first.started.is_set, timeout=10_000)
    with qtbot.waitSignal(window.profile_ready, timeout=10_000):
        window.refresh_hardware()
    first.release()
    assert QThreadPool.globalInstance().waitForDone(10_000)
    qtbot.wait(50)
    assert window.profile.gpus[0].name == "NVIDIA GeForce RTX 3070"


def test_pages_in_sidebar_order(qtbot):
    window = make_window(qtbot, services_for(gaming_pc()))
    assert window.page_keys() == [PAGE_MACHINE, PAGE_MODELS, PAGE_CHAT, PAGE_SETTINGS]


def test_add_page_replaces_chat_slot(qtbot):
    window = make_window(qtbot, services_for(gaming_pc()))
    with qtbot.waitSignal(window.profile_ready, timeout=10_000):
        window.show()

    class ProfileAwarePage(QLabel):
        def __init__(self):
            super().__init__("replacement chat page")
            self.profile = None

        def set_profile(self, profile):
            self.profile = profile

    page = ProfileAwarePage()
    window.add_page(PAGE_CHAT, page, "Chat")
    window.show_page(PAGE_CHAT)
    assert window.page(PAGE_CHAT) is page
    assert window._stack.currentWidget() is page
    assert page.profile is window.profile
    assert window.page_keys().count(PAGE_CHAT) == 1


def test_new_page_is_appended(qtbot):
    window = make_window(qtbot, services_for(gaming_pc()))
    extra = QWidget()
    window.add_page("logs", extra, "Logs")
    assert window.page_keys()[-1] == "logs"
    window.show_page("logs")
    assert window.current_page_key() == "logs"


def test_only_first_page_is_built_at_start(qtbot):
    window = make_window(qtbot, services_for(gaming_pc()))
    assert window._lazy_factories.keys() == {PAGE_MODELS, PAGE_CHAT, PAGE_SETTINGS}
    window.show_page(PAGE_SETTINGS)
    assert PAGE_SETTINGS not in window._lazy_factories
    assert isinstance(window.settings_page, SettingsPage)
    assert window._stack.currentWidget() is window.settings_page


def test_models_page_built_late_gets_data(qtbot):
    window = make_window(qtbot, services_for(gaming_pc()))
    with qtbot.waitSignal(window.catalog_ready, timeout=10_000):
        window.show()
    qtbot.waitUntil(lambda: window.profile is not None, timeout=10_000)
    with qtbot.waitSignal(window.page(PAGE_MODELS).fits_updated, timeout=20_000):
        window.show_page(PAGE_MODELS)
    assert isinstance(window.models_page, ModelsPage)
    assert window.models_page.fits


def test_detection_issues_are_listed(qtbot):
    from llmdesk.core.hardware.profile import DetectionIssue

    profile = laptop_without_gpu()
    profile.issues.append(DetectionIssue(probe="nvidia", message="detection failed: driver not loaded",
                                         reason="driver not loaded"))
    window = make_window(qtbot, services_for(profile))
    with qtbot.waitSignal(window.profile_ready, timeout=10_000):
        window.show()
    issues = window.machine_page._issues
    assert issues.isVisibleTo(window)
    assert issues.text() == "nvidia: detection failed: driver not loaded"


def test_app_process_paints_and_exits(tmp_path):
    import os
    import subprocess
    import sys

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LLMDESK_EXIT_AFTER_PAINT="1",
               LLMDESK_HOME=str(tmp_path / "home"))
    result = subprocess.run([sys.executable, "-m", "llmdesk"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^first-paint \d+\.\d+$", result.stdout, re.MULTILINE)
    assert "Traceback" not in result.stderr


def test_close_kills_running_llama_probe(qtbot):
    import subprocess
    import sys
    import threading

    from llmdesk.core.hardware.llama_devices import finish_llama_probe

    started = threading.Event()
    children = []

    def slow_probe(should_stop) -> LlamaBuildInfo:
        child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        children.append(child)
        started.set()
        return finish_llama_probe(child, timeout=60, should_stop=should_stop)

    services = Services(detect=lambda settings: gaming_pc(), probe_llama=slow_probe)
    window = make_window(qtbot, services)
    window.show()
    qtbot.waitUntil(started.is_set, timeout=10_000)

    window.close()

    (child,) = children
    assert child.poll() is not None, "closing the window left the probe child running"
    assert window._llama_probe.wait_for_done(0)


def test_download_source_change_applies_without_restart(qtbot):
    """A download source saved in Settings is used by the next download, not only after a restart."""
    window = make_window(qtbot, services_for(gaming_pc()))
    with qtbot.waitSignal(window.catalog_ready, timeout=10_000):
        window.show()
    with qtbot.waitSignal(window.page(PAGE_MODELS).fits_updated, timeout=20_000):
        window.show_page(PAGE_MODELS)
    window.models_page.start_background_work()
    manager = window.models_page._download_manager
    assert manager.endpoint() == "https://huggingface.co"

    settings_page = window.page(PAGE_SETTINGS)
    window.settings.set("download_endpoint", "custom")
    window.settings.set("custom_endpoint", "http://127.0.0.1:8080/mirror/")
    settings_page.setting_changed.emit("custom_endpoint")
    assert manager.endpoint() == "http://127.0.0.1:8080/mirror"
    window.settings.set("download_endpoint", "hf-mirror")
    settings_page.setting_changed.emit("download_endpoint")
    assert manager.endpoint() == "https://hf-mirror.com"
