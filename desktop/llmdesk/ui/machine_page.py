"""The "This machine" page: what was detected, how each figure was obtained, and what went wrong."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTreeWidget,
                               QTreeWidgetItem, QVBoxLayout, QWidget)

from llmdesk.core.hardware.profile import GpuInfo, LlamaBuildInfo, MachineProfile
from llmdesk.core.i18n import UserMessage
from llmdesk.core.settings import Settings
from llmdesk.ui.i18n import translate_marked, translate_message
from llmdesk.ui.widgets import (error_label, format_bandwidth, format_bytes, heading, hint, install_wrapping_delegate,
                                show_error)

# Instruction sets that matter for llama.cpp's CPU kernels, in the order they are listed.
_NOTABLE_FEATURES = ("avx", "avx2", "avx512f", "avx512_vnni", "avx512_bf16", "avx_vnni", "fma", "f16c",
                     "amx_int8", "sse4_2", "neon", "dotprod", "i8mm", "sve", "sme")


class MachinePage(QWidget):
    """Shows a MachineProfile as a tree: item, value, and the source of the value."""

    refresh_requested = Signal()
    open_settings_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._profile: MachineProfile | None = None
        self._llama_running = False

        self._title = heading(self.tr("This machine"))
        self._status = hint(self.tr("Detecting hardware…"))
        self._error = error_label()
        self._refresh = QPushButton(self.tr("Refresh"))
        self._refresh.setToolTip(self.tr("Detect the hardware again, e.g. after closing other programs "
                                         "that use GPU memory."))
        self._refresh.clicked.connect(self.refresh_requested)
        self._overrides = QPushButton(self.tr("Override detected values…"))
        self._overrides.setToolTip(self.tr("Open the settings where RAM, GPU memory and bandwidth can be "
                                           "set by hand."))
        self._overrides.clicked.connect(self.open_settings_requested)

        self._tree = QTreeWidget()
        self._tree.setColumnCount(3)
        self._tree.setHeaderLabels([self.tr("Item"), self.tr("Value"), self.tr("How it was obtained")])
        self._tree.setAlternatingRowColors(True)
        # Long values (a kernel version, a bandwidth source) wrap inside their column instead of being cut.
        install_wrapping_delegate(self._tree)
        header = self._tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.resizeSection(1, 360)

        self._issues_title = QLabel(self.tr("Detection issues"))
        self._issues_title.setProperty("role", "heading")
        self._issues = QLabel()
        self._issues.setWordWrap(True)
        self._issues.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._issues_title.hide()
        self._issues.hide()

        buttons = QHBoxLayout()
        buttons.addWidget(self._title)
        buttons.addStretch(1)
        buttons.addWidget(self._overrides)
        buttons.addWidget(self._refresh)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self._status)
        layout.addWidget(self._error)
        layout.addWidget(self._tree, 1)
        layout.addWidget(self._issues_title)
        layout.addWidget(self._issues)

    # -- updates from the main window -------------------------------------------------------------

    def set_busy(self, busy: bool) -> None:
        self._refresh.setEnabled(not busy)
        if busy:
            self._status.setText(self.tr("Detecting hardware…"))
            show_error(self._error, "")

    def set_llama_probe_running(self) -> None:
        self._llama_running = True
        if self._profile is not None:
            self.set_profile(self._profile)

    def show_detection_error(self, error: Exception) -> None:
        self._refresh.setEnabled(True)
        self._status.setText("")
        show_error(self._error, self.tr("Hardware detection failed: {error}. The estimates use no GPU "
                                        "until detection works; you can enter the figures in Settings.")
                   .format(error=error))

    def set_profile(self, profile: MachineProfile) -> None:
        self._profile = profile
        if profile.llama is not None:
            self._llama_running = False
        self._refresh.setEnabled(True)
        self._status.setText(self.tr("Detected at start-up. Free memory changes as programs run; use "
                                     "Refresh to measure again."))
        self._tree.clear()
        self._add_system(profile)
        self._add_memory(profile)
        if profile.gpus:
            for index, gpu in enumerate(profile.gpus):
                self._add_gpu(index, gpu)
        else:
            self._add_section(self.tr("GPU"), [(self.tr("Graphics processors"),
                                                self.tr("none found"), "")])
        self._add_llama(profile.llama)
        if profile.overrides:
            rows = [(translate_marked("Settings", Settings.definition(key).title), str(value),
                     self.tr("your setting"))
                    for key, value in profile.overrides.items()
                    if _is_setting(key)]
            self._add_section(self.tr("Overrides in use"), rows)
        self._tree.expandAll()
        self._show_issues(profile)

    # -- tree building ----------------------------------------------------------------------------

    def _add_section(self, title: str, rows: list[tuple[str, str, str | UserMessage]]) -> QTreeWidgetItem:
        section = QTreeWidgetItem(self._tree, [title])
        font = section.font(0)
        font.setBold(True)
        section.setFont(0, font)
        section.setFirstColumnSpanned(True)
        for name, value, message in rows:
            source = translate_message(message)  # probes describe some sources in words
            item = QTreeWidgetItem(section, [name, value, source])
            item.setToolTip(1, value if not source else f"{value}\n{source}")
            if source:
                item.setToolTip(2, source)
        return section

    def _add_system(self, profile: MachineProfile) -> None:
        cpu = profile.cpu
        features = [f for f in _NOTABLE_FEATURES if f in cpu.features]
        cores = self.tr("{physical} physical, {logical} logical").format(
            physical=cpu.physical_cores if cpu.physical_cores is not None else "?",
            logical=cpu.logical_cores if cpu.logical_cores is not None else "?")
        rows = [
            (self.tr("Operating system"), f"{profile.os_name} {profile.os_version}".strip(),
             profile.sources.get("os_version", profile.sources.get("os_name", ""))),
            (self.tr("Processor"), cpu.model, cpu.sources.get("model", "")),
            (self.tr("Architecture"), cpu.architecture, cpu.sources.get("architecture", "")),
            (self.tr("Cores"), cores, cpu.sources.get("physical_cores", cpu.sources.get("logical_cores", ""))),
            (self.tr("Instruction sets"), ", ".join(f.upper() for f in features) or self.tr("none detected"),
             cpu.sources.get("features", "")),
        ]
        self._add_section(self.tr("System"), rows)

    def _add_memory(self, profile: MachineProfile) -> None:
        memory = profile.memory
        rows = [
            (self.tr("RAM total"), format_bytes(memory.total), memory.sources.get("total", "")),
            (self.tr("RAM available"), format_bytes(memory.available), memory.sources.get("available", "")),
            (self.tr("Memory bandwidth"), format_bandwidth(profile.ram_bandwidth),
             profile.sources.get("ram_bandwidth", "")),
        ]
        if profile.metal_budget is not None:
            rows.append((self.tr("Metal working-set limit"), format_bytes(profile.metal_budget),
                         profile.sources.get("metal_budget", "")))
        self._add_section(self.tr("Memory"), rows)

    def _add_gpu(self, index: int, gpu: GpuInfo) -> None:
        source = gpu.sources.get
        if gpu.usable_by_llama is None:
            usable = self.tr("not checked yet") if self._llama_running else self.tr("unknown")
        else:
            usable = self.tr("yes") if gpu.usable_by_llama else self.tr("no")
        rows = [
            (self.tr("Vendor"), gpu.vendor.value.upper() if gpu.vendor.value != "other" else self.tr("other"),
             source("vendor", "")),
            (self.tr("Name"), gpu.name, source("name", "")),
        ]
        if gpu.unified:
            rows.append((self.tr("Memory"), self.tr("shared with the system (unified memory)"),
                         source("unified", "")))
        else:
            rows.append((self.tr("Dedicated memory total"), format_bytes(gpu.memory_total),
                         source("memory_total", "")))
            rows.append((self.tr("Dedicated memory free"), format_bytes(gpu.memory_free),
                         source("memory_free", "")))
        if gpu.shared_memory is not None:
            rows.append((self.tr("Shared system memory"), format_bytes(gpu.shared_memory),
                         source("shared_memory", "")))
        rows += [
            (self.tr("Memory bandwidth"), format_bandwidth(gpu.bandwidth), source("bandwidth", "")),
            (self.tr("Driver"), gpu.driver or self.tr("unknown"), source("driver", "")),
            (self.tr("Usable by llama.cpp"), usable, source("usable_by_llama", "")),
        ]
        for note in gpu.notes:
            rows.append((self.tr("Note"), translate_message(note), ""))
        self._add_section(self.tr("GPU {number}").format(number=index + 1), rows)

    def _add_llama(self, info: LlamaBuildInfo | None) -> None:
        if info is None:
            text = self.tr("checking…") if self._llama_running else self.tr("not checked yet")
            self._add_section(self.tr("llama.cpp"), [(self.tr("Status"), text, "")])
            return
        if not info.available:
            self._add_section(self.tr("llama.cpp"), [
                (self.tr("Status"), self.tr("not available: {error}").format(error=info.error or "?"), "")])
            return
        rows = [
            (self.tr("Version"), info.version or self.tr("unknown"), "llama_cpp.__version__"),
            (self.tr("GPU offload"), self.tr("supported") if info.supports_gpu_offload
             else self.tr("not supported by this build (CPU only)"), "llama_supports_gpu_offload()"),
        ]
        for device in info.devices:
            memory = (self.tr("{free} free of {total}").format(free=format_bytes(device.memory_free),
                                                               total=format_bytes(device.memory_total))
                      if device.memory_total else "")
            kind = {"gpu": self.tr("GPU"), "igpu": self.tr("integrated GPU"), "cpu": self.tr("CPU")}.get(
                device.kind, device.kind)
            rows.append((self.tr("Device"), f"{device.description or device.name} ({kind}) {memory}".strip(),
                         "ggml_backend_dev_*"))
        section = self._add_section(self.tr("llama.cpp"), rows)
        if info.system_info:
            section.setToolTip(0, info.system_info)

    def _show_issues(self, profile: MachineProfile) -> None:
        from llmdesk.core.hardware._util import issue_user_message

        lines = [self.tr("{probe}: {message}").format(probe=issue.probe,
                                                      message=translate_message(issue_user_message(issue)))
                 for issue in profile.issues]
        self._issues.setText("\n".join(lines))
        self._issues.setVisible(bool(lines))
        self._issues_title.setVisible(bool(lines))


def _is_setting(key: str) -> bool:
    try:
        Settings.definition(key)
    except KeyError:
        return False
    return True
