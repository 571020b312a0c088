"""The Chat page: conversations, the transcript, the prompt box, per-chat settings and live graphs.

The page owns the chat store (GUI thread only) and an EngineBridge; the engine child owns the model.
Every completed message is saved when it completes, and a streaming reply is checkpointed every second.
A reply cut short by Stop, the filter or an engine crash is saved as far as it got, with its status.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QFrame, QHBoxLayout, QLabel, QMessageBox, QPlainTextEdit, QProgressBar,
                               QPushButton, QScrollArea, QSplitter, QTabWidget, QVBoxLayout, QWidget)

from llmdesk.core.history import ChatStore, Message
from llmdesk.core.settings import Settings
from llmdesk.engine import protocol
from llmdesk.engine.protocol import GenerateRequest, LoadOptions
from llmdesk.ui.chat_settings import ChatSettingsPanel
from llmdesk.ui.conversation_list import ConversationList
from llmdesk.ui.engine_bridge import EngineBridge
from llmdesk.ui.i18n import translate_message
from llmdesk.ui.message_view import MessageView, MessageWidget
from llmdesk.ui.model_picker import FileFit, ModelPicker, assess_file
from llmdesk.ui.perf_panel import PerfPanel
from llmdesk.ui.qt_workers import TaskRunner, user_action_errors

log = logging.getLogger(__name__)

CHECKPOINT_INTERVAL_MS = 1000
# Streamed text is shown at most this often; chunks in between are joined into one append.
DISPLAY_INTERVAL_MS = 40

# Message status stored for each engine stop reason.
_STATUS_BY_STOP_REASON = {
    protocol.STOP_EOS: "complete",
    protocol.STOP_LENGTH: "complete",
    protocol.STOP_STRING: "complete",
    protocol.STOP_CONTEXT_FULL: "complete",
    protocol.STOP_CANCELLED: "stopped",
    protocol.STOP_FILTER: "filtered",
    protocol.STOP_ERROR: "error",
    protocol.STOP_CRASHED: "crashed",
}


@dataclass
class _Reply:
    """The reply being generated now."""

    request_id: str
    conversation_id: int
    message_id: int
    widget: MessageWidget
    answer: str = ""
    reasoning: str = ""
    notices: list[str] = field(default_factory=list)
    pending: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) not yet shown
    filter_counts: dict[str, int] = field(default_factory=dict)


class PromptEdit(QPlainTextEdit):
    """Enter sends, Shift+Enter inserts a new line."""

    submitted = Signal()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                not event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
            self.submitted.emit()
            return
        super().keyPressEvent(event)


class ChatPage(QWidget):
    """Chat page; use it from the GUI thread only.

    Tests may pass ``store`` and ``bridge``. By default the page opens the chat database in the data dir,
    and it starts no engine child until a model is loaded.
    """

    reply_finished = Signal(str)  # final status of the reply, as stored

    def __init__(self, settings: Settings, parent: QWidget | None = None, *, store: ChatStore | None = None,
                 bridge: EngineBridge | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.store = store or ChatStore()
        self.bridge = bridge or EngineBridge(self)
        self.profile = None
        self.catalog = None
        self.conversation_id = -1
        self.loaded_model: protocol.ModelInfo | None = None
        self._loading_path: str | None = None
        self._reply: _Reply | None = None
        self._last_options: tuple[str, LoadOptions] | None = None
        self._fit_runner = TaskRunner("file fit", self, expected_errors=user_action_errors())
        self._fit_runner.succeeded.connect(self._on_file_assessed)
        self._models_runner = TaskRunner("model scan", self)
        self._models_runner.succeeded.connect(self._on_models_scanned)
        self._checkpoint_timer = QTimer(self)
        self._checkpoint_timer.setInterval(CHECKPOINT_INTERVAL_MS)
        self._checkpoint_timer.timeout.connect(self._checkpoint)
        self._display_timer = QTimer(self)
        self._display_timer.setSingleShot(True)
        self._display_timer.setInterval(DISPLAY_INTERVAL_MS)
        self._display_timer.timeout.connect(self._show_pending_text)
        self.setAcceptDrops(True)

        self._build_widgets()
        self._connect_engine()
        self._install_shortcuts()
        self._load_rule_sets()
        self.conversations.refresh()
        if self.conversations.count():
            self.conversations.select(self.store.list_conversations()[0].id)
        else:
            self._show_conversation(-1)
        self.refresh_models()
        self._update_buttons()

    # -- construction ------------------------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.conversations = ConversationList(self.store)
        self.conversations.conversation_selected.connect(self._show_conversation)
        self.conversations.new_requested.connect(self.new_conversation)

        self.picker = ModelPicker()
        self.picker.load_requested.connect(self.load_model)
        self.picker.unload_requested.connect(self.unload_model)
        self.picker.file_chosen.connect(self._assess_file)

        self.banner = QFrame()
        self.banner.setObjectName("engineBanner")
        self.banner.setFrameShape(QFrame.Shape.StyledPanel)
        self.banner.setStyleSheet("QFrame#engineBanner { border: 1px solid #d9822b; border-radius: 4px;"
                                  " background: rgba(217, 130, 43, 40); }")
        self._banner_text = QLabel()
        self._banner_text.setWordWrap(True)
        self._banner_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.retry_button = QPushButton(self.tr("Retry"))
        self.retry_button.clicked.connect(self._retry_load)
        dismiss = QPushButton(self.tr("Dismiss"))
        dismiss.clicked.connect(self.banner.hide)
        banner_layout = QHBoxLayout(self.banner)
        banner_layout.addWidget(self._banner_text, 1)
        banner_layout.addWidget(self.retry_button)
        banner_layout.addWidget(dismiss)
        self.banner.hide()

        self.view = MessageView()
        self.empty_hint = QLabel()
        self.empty_hint.setWordWrap(True)
        self.empty_hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_hint.setObjectName("emptyHint")

        self.input = PromptEdit()
        self.input.setPlaceholderText(self.tr("Message the model (Enter sends, Shift+Enter adds a line)"))
        self.input.setFixedHeight(84)
        self.input.submitted.connect(self.send)
        self.send_button = QPushButton(self.tr("Send"))
        self.send_button.clicked.connect(self.send)
        self.stop_button = QPushButton(self.tr("Stop"))
        self.stop_button.setToolTip(self.tr("Stop the reply (Esc)"))
        self.stop_button.clicked.connect(self.stop)
        self.regenerate_button = QPushButton(self.tr("Regenerate"))
        self.regenerate_button.setToolTip(self.tr("Write the last reply again"))
        self.regenerate_button.clicked.connect(self.regenerate)
        self.edit_button = QPushButton(self.tr("Edit last"))
        self.edit_button.setToolTip(self.tr("Put your last message back in the box to change and resend it"))
        self.edit_button.clicked.connect(self.edit_last)
        self.context_label = QLabel(self.tr("Context: –"))
        self.context_label.setToolTip(self.tr("Tokens of this chat the model sees, out of its context length"))
        self.context_meter = QProgressBar()
        self.context_meter.setObjectName("contextMeter")
        self.context_meter.setTextVisible(False)
        self.context_meter.setFixedSize(140, 8)
        self.context_meter.setRange(0, 1)
        self.context_meter.setValue(0)

        buttons = QVBoxLayout()
        buttons.addWidget(self.send_button)
        buttons.addWidget(self.stop_button)
        input_row = QHBoxLayout()
        input_row.addWidget(self.input, 1)
        input_row.addLayout(buttons)
        actions = QHBoxLayout()
        actions.addWidget(self.regenerate_button)
        actions.addWidget(self.edit_button)
        actions.addStretch(1)
        actions.addWidget(self.context_label)
        actions.addWidget(self.context_meter)

        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        center_layout.addWidget(self.picker)
        center_layout.addWidget(self.banner)
        center_layout.addWidget(self.empty_hint)
        center_layout.addWidget(self.view, 1)
        center_layout.addLayout(actions)
        center_layout.addLayout(input_row)

        self.chat_settings = ChatSettingsPanel()
        self.chat_settings.changed.connect(self._save_chat_settings)
        self.perf = PerfPanel()
        settings_scroll = QScrollArea()
        settings_scroll.setWidgetResizable(True)
        settings_scroll.setWidget(self.chat_settings)
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.perf, self.tr("Performance"))
        self.side_tabs.addTab(settings_scroll, self.tr("Chat settings"))

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.conversations)
        splitter.addWidget(center)
        splitter.addWidget(self.side_tabs)
        # Only the chat column grows and shrinks with the window; the chat list keeps room for its search box.
        self.conversations.setMinimumWidth(180)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setStretchFactor(2, 0)
        splitter.setSizes([220, 700, 340])
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(splitter)

    def _connect_engine(self) -> None:
        bridge = self.bridge
        bridge.load_progressed.connect(lambda fraction: self.picker.set_loading(fraction))
        bridge.model_loaded.connect(self._on_model_loaded)
        bridge.load_failed.connect(self._on_load_failed)
        bridge.text_received.connect(self._on_text)
        bridge.stats_sampled.connect(self._on_stats_sample)
        bridge.context_trimmed.connect(self._on_context_trimmed)
        bridge.filter_applied.connect(self._on_filter_applied)
        bridge.generation_finished.connect(self._on_finished)
        bridge.generation_failed.connect(self._on_generation_failed)
        bridge.engine_crashed.connect(self._on_engine_crashed)
        bridge.unloaded.connect(self._on_unloaded)

    def _install_shortcuts(self) -> None:
        QShortcut(QKeySequence.StandardKey.New, self, activated=self.new_conversation)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, activated=self.stop)

    def _load_rule_sets(self) -> None:
        try:
            from llmdesk.core import filter as output_filter

            rule_sets = [(entry.id, self._translate_filter_title(entry.title))
                         for entry in output_filter.list_rule_sets()]
        except Exception as exc:  # noqa: BLE001 - a broken rule file must not close the chat
            log.exception("Loading the output filter's rule sets failed")
            rule_sets = []
            self.chat_settings.set_filter_note(self.tr("The output filter is unavailable: {error}").format(error=exc))
        self.chat_settings.set_rule_sets(rule_sets)

    @staticmethod
    def _translate_filter_title(title) -> str:
        from llmdesk.ui.i18n import translate_marked

        return translate_marked("Filter", title) if isinstance(title, str) else translate_message(title)

    # -- data from the main window ----------------------------------------------------------------

    def set_profile(self, profile) -> None:
        self.profile = profile
        path = self.picker.current_path()
        if path:
            self._assess_file(path)

    def set_catalog(self, catalog) -> None:
        self.catalog = catalog
        self.refresh_models()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        self.refresh_models()  # a download may have finished while another page was shown

    @Slot()
    def refresh_models(self) -> None:
        """List the models on disk (the app's folder and the user's folders) off the GUI thread."""
        from llmdesk.core.library import Library

        library = Library(self.settings, self.catalog)  # reads the settings here, on the GUI thread
        self._models_runner.start(lambda state: _scan_models(library))

    @Slot(object)
    def _on_models_scanned(self, models: list[tuple[str, str]]) -> None:
        self.picker.set_models(models)

    @Slot(str)
    def _assess_file(self, path: str) -> None:
        profile = self.profile
        n_ctx = int(self.settings.get("default_context"))
        kv_type = str(self.settings.get("kv_cache_type"))
        self._fit_runner.start(lambda state: (path, assess_file(Path(path), profile, n_ctx, kv_type)))

    @Slot(object)
    def _on_file_assessed(self, result: tuple[str, FileFit]) -> None:
        path, file_fit = result
        self.picker.show_fit(path, file_fit)

    # -- drag and drop ------------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if any(url.toLocalFile().lower().endswith(".gguf") for url in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        for url in event.mimeData().urls():
            path = url.toLocalFile()
            if path.lower().endswith(".gguf"):
                self.picker.add_file(path)
                event.acceptProposedAction()
                return

    # -- conversations ------------------------------------------------------------------------------

    @Slot()
    def new_conversation(self, sampling: dict | None = None) -> None:
        """Start a chat with ``sampling``, by default the settings of the chat shown now."""
        if self._reply is not None:
            return
        self.chat_settings.flush()
        conversation = self.store.create_conversation(
            self.tr("New chat"), sampling=sampling if sampling is not None else self._default_sampling(),
            model_path=self.picker.current_path())
        self.conversations.refresh(conversation.id)
        self._show_conversation(conversation.id)
        self.input.setFocus()

    def _default_sampling(self) -> dict:
        if self.conversation_id >= 0:
            return self.chat_settings.sampling_dict()
        return {}

    @Slot(int)
    def _show_conversation(self, conversation_id: int) -> None:
        if self._reply is not None and conversation_id != self._reply.conversation_id:
            # A reply is streaming into another chat: keep showing that chat until it ends.
            self.conversations.select(self._reply.conversation_id)
            return
        self.chat_settings.flush()
        self.conversation_id = conversation_id
        self.view.clear()
        if conversation_id < 0:
            self.empty_hint.setText(self.tr("Start a chat with New chat or Ctrl+N, then choose a model and "
                                            "press Load."))
            self.empty_hint.show()
            self.chat_settings.setEnabled(False)
            self._update_buttons()
            return
        conversation = self.store.conversation(conversation_id)
        self.chat_settings.setEnabled(True)
        rule_sets = (conversation.filter_config or {}).get("rule_sets",
                                                           self.settings.get("filter_rule_sets"))
        self.chat_settings.load(conversation.system_prompt, conversation.sampling, rule_sets)
        messages = self.store.messages(conversation_id)
        for message in messages:
            self.view.add_message(message.role, message.content, message.reasoning,
                                  self._status_text(message.status), message.notice or "")
        self.empty_hint.setVisible(not messages)
        self.empty_hint.setText(self.tr("Type a message below to start."))
        self._update_buttons()

    def _status_text(self, status: str) -> str:
        return {
            "stopped": self.tr("stopped"),
            "crashed": self.tr("cut off: the engine stopped"),
            "interrupted": self.tr("cut off: the app was closed"),
            "filtered": self.tr("stopped by the output filter"),
            "error": self.tr("failed"),
        }.get(status, "")

    @Slot()
    def _save_chat_settings(self) -> None:
        if self.conversation_id < 0:
            return
        self.store.update_conversation(
            self.conversation_id, system_prompt=self.chat_settings.system_prompt.toPlainText(),
            sampling=self.chat_settings.sampling_dict(),
            filter_config={"rule_sets": self.chat_settings.rule_sets()})

    # -- engine -------------------------------------------------------------------------------------

    @Slot(str, object)
    def load_model(self, path: str, options: LoadOptions) -> None:
        self.banner.hide()
        self._loading_path = path
        self._last_options = (path, options)
        self.picker.set_loading(0.0)
        log.info("Loading %s with %s", path, options)
        self.bridge.client.load(path, options)
        self._update_buttons()

    @Slot()
    def unload_model(self) -> None:
        if self._reply is not None:
            self.stop()
        self.bridge.client.unload()

    @Slot(object)
    def _on_model_loaded(self, info: protocol.ModelInfo) -> None:
        self.loaded_model = info
        self._loading_path = None
        self.picker.set_loaded(info.path)
        self._show_context_use(0, info.n_ctx)
        self._update_buttons()

    @Slot(object)
    def _on_load_failed(self, event: protocol.LoadFailed) -> None:
        self._loading_path = None
        self.picker.set_loaded(None)
        self._show_banner(self.tr("The model could not be loaded: {reason}").format(
            reason=translate_message(event.message)),
                          retry=False)
        self._update_buttons()

    @Slot()
    def _on_unloaded(self) -> None:
        self.loaded_model = None
        self.picker.set_loaded(None)
        self.context_label.setText(self.tr("Context: –"))
        self._update_buttons()

    @Slot(object)
    def _on_engine_crashed(self, event: protocol.EngineCrashed) -> None:
        log.error("Engine crashed during %s: %s (exit code %s, signal %s)", event.during, event,
                  event.exit_code, event.signal_name)
        self.loaded_model = None
        self._loading_path = None
        self.picker.set_loaded(None)
        if self._reply is not None:
            self._finish_reply("crashed", stats=None)
        text = translate_message(event.message)
        if event.retry_options is not None and self._last_options is not None:
            text += " " + self._describe_retry(self._last_options[1], event.retry_options)
            self._last_options = (self._last_options[0], event.retry_options)
        self._show_banner(text, retry=self._last_options is not None)
        self._update_buttons()

    def _describe_retry(self, before: LoadOptions, after: LoadOptions) -> str:
        changes = []
        if after.n_gpu_layers != before.n_gpu_layers:
            changes.append(self.tr("GPU layers {before} → {after}").format(
                before=before.n_gpu_layers, after=after.n_gpu_layers))
        if after.n_ctx != before.n_ctx:
            changes.append(self.tr("context {before} → {after} tokens").format(
                before=before.n_ctx, after=after.n_ctx))
        if not changes:
            return self.tr("Retry loads the model again with the same settings.")
        return self.tr("Retry uses: {changes}.").format(changes=", ".join(changes))

    def _show_banner(self, text: str, retry: bool) -> None:
        self._banner_text.setText(text)
        self.retry_button.setVisible(retry)
        self.banner.show()

    @Slot()
    def _retry_load(self) -> None:
        if self._last_options is not None:
            self.load_model(*self._last_options)

    # -- sending and streaming ----------------------------------------------------------------------

    @Slot()
    def send(self) -> None:
        text = self.input.toPlainText().strip()
        if not text or self._reply is not None:
            return
        if self.loaded_model is None:
            self._show_banner(self.tr("Load a model first: choose one above and press Load."), retry=False)
            return
        if not self._prompt_passes_check(text):
            return
        if self.conversation_id < 0:
            self.new_conversation(sampling=self.chat_settings.sampling_dict())
        self.chat_settings.flush()
        conversation_id = self.conversation_id
        is_first = not self.store.messages(conversation_id)
        self.store.add_message(conversation_id, "user", text)
        if is_first:
            self.store.rename(conversation_id, _title_from(text))
            self.conversations.refresh(conversation_id)
        self.input.clear()
        self.empty_hint.hide()
        self.view.add_message("user", text)
        self._generate()

    def _prompt_passes_check(self, text: str) -> bool:
        """Warn before sending personal data when the user turned that check on."""
        if not self.settings.get("filter_user_prompt"):
            return True
        try:
            from llmdesk.core import filter as output_filter

            compiled = output_filter.compile_filter(output_filter.FilterConfig(
                rule_sets=["personal_data"], custom_rules=[], labels=filter_labels()))
            matches = output_filter.check_prompt(compiled, text)
        except Exception:  # noqa: BLE001 - the check is advisory; a failure must not block sending
            log.exception("Checking the prompt for personal data failed")
            return True
        if not matches:
            return True
        rules = sorted({match.label for match in matches})
        answer = QMessageBox.warning(
            self, self.tr("Personal data in your message"),
            self.tr("Your message seems to contain personal data ({rules}). Send it anyway?").format(
                rules=", ".join(rules)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def _generate(self) -> None:
        conversation = self.store.conversation(self.conversation_id)
        messages = [{"role": m.role, "content": m.content} for m in self.store.messages(conversation.id)
                    if m.role in ("user", "assistant") and (m.role == "user" or m.content)]
        request = GenerateRequest(
            request_id=uuid.uuid4().hex, messages=messages, system_prompt=conversation.system_prompt,
            sampling=self.chat_settings.sampling(), filter_config=self._filter_config(conversation))
        reply_message = self.store.begin_reply(conversation.id, model=Path(self.loaded_model.path).name)
        widget = self.view.add_streaming_reply()
        self._reply = _Reply(request.request_id, conversation.id, reply_message.id, widget)
        self.perf.mark_reply_start()
        self._checkpoint_timer.start()
        self.bridge.client.generate(request)
        self._update_buttons()

    def _filter_config(self, conversation) -> dict | None:
        if not self.settings.get("filter_enabled"):
            return None
        rule_sets = (conversation.filter_config or {}).get("rule_sets", self.settings.get("filter_rule_sets"))
        return {"rule_sets": list(rule_sets), "custom_rules": self.settings.get("filter_custom_rules"),
                "labels": filter_labels()}

    @Slot(str, str, str)
    def _on_text(self, request_id: str, kind: str, text: str) -> None:
        reply = self._reply
        if reply is None or reply.request_id != request_id:
            return
        if kind == "reasoning":
            reply.reasoning += text
        else:
            reply.answer += text
        if reply.pending and reply.pending[-1][0] == kind:
            reply.pending[-1] = (kind, reply.pending[-1][1] + text)
        else:
            reply.pending.append((kind, text))
        if not self._display_timer.isActive():
            self._display_timer.start()

    @Slot()
    def _show_pending_text(self) -> None:
        reply = self._reply
        if reply is None:
            return
        pending, reply.pending = reply.pending, []
        for kind, text in pending:
            reply.widget.append(kind, text)

    @Slot(object)
    def _on_stats_sample(self, sample: protocol.StatsSample) -> None:
        self.perf.add_sample(sample.decode_tps, float(sample.rss_bytes), sample.n_ctx_used, sample.n_ctx)
        self._show_context_use(sample.n_ctx_used, sample.n_ctx)

    def _show_context_use(self, used: int, n_ctx: int) -> None:
        # Repainting the bar costs milliseconds, so it moves in steps of 0.5 % of the context.
        meter = self.context_meter
        if meter.maximum() != max(1, n_ctx):
            meter.setRange(0, max(1, n_ctx))
        used = min(used, n_ctx)
        if abs(used - meter.value()) >= max(1, n_ctx // 200) or used == n_ctx or used == 0:
            meter.setValue(used)
            self.context_label.setText(self.tr("Context: {used} / {total} tokens").format(
                used=f"{used:,}", total=f"{n_ctx:,}"))

    @Slot(object)
    def _on_context_trimmed(self, event: protocol.ContextTrimmed) -> None:
        if self._reply is None or self._reply.request_id != event.request_id:
            return
        notice = self.tr("%n older message(s) were left out so the reply fits in the context of {n_ctx} tokens.",
                         "", event.dropped_count).format(n_ctx=event.n_ctx)
        self._reply.notices.append(notice)
        self._reply.widget.set_notice("\n".join(self._reply.notices))

    @Slot(object)
    def _on_filter_applied(self, event: protocol.FilterApplied) -> None:
        reply = self._reply
        if reply is None or reply.request_id != event.request_id:
            return
        for filter_event in event.events:
            rule = str(getattr(filter_event, "rule_id", "") or "?")
            reply.filter_counts[rule] = reply.filter_counts.get(rule, 0) + int(getattr(filter_event, "count", 1))
        summary = ", ".join(f"{rule} ×{count}" for rule, count in sorted(reply.filter_counts.items()))
        reply.widget.set_notice("\n".join(reply.notices + [self.tr("Output filter: {rules}").format(rules=summary)]))

    @Slot(object)
    def _on_finished(self, event: protocol.Finished) -> None:
        if self._reply is None or self._reply.request_id != event.request_id:
            return
        stats = dataclasses.asdict(event.stats)
        self.perf.show_reply_stats(stats)
        self.context_meter.setValue(min(event.stats.n_ctx_used, self.context_meter.maximum()))
        status = _STATUS_BY_STOP_REASON.get(event.stats.stop_reason, "complete")
        if event.stats.stop_reason == protocol.STOP_CONTEXT_FULL:
            self._reply.notices.append(self.tr("The reply stopped because the context is full."))
        cut_short = event.stats.stop_reason in (protocol.STOP_LENGTH, protocol.STOP_CONTEXT_FULL)
        if cut_short and self._reply.reasoning and not self._reply.answer.strip():
            self._reply.notices.append(self.tr("The reply ended while the model was still thinking; raise "
                                               "Max tokens in the chat settings and regenerate."))
        self._finish_reply(status, stats)

    @Slot(object)
    def _on_generation_failed(self, event: protocol.GenerateFailed) -> None:
        if self._reply is None or self._reply.request_id != event.request_id:
            return
        self._reply.notices.append(self.tr("The reply failed: {reason}").format(reason=event.message))
        self._finish_reply("error", None)

    def _finish_reply(self, status: str, stats: dict | None) -> None:
        reply = self._reply
        self._reply = None
        self._checkpoint_timer.stop()
        self._display_timer.stop()
        notices = list(reply.notices)
        if reply.filter_counts:
            summary = ", ".join(f"{rule} ×{count}" for rule, count in sorted(reply.filter_counts.items()))
            notices.append(self.tr("Output filter: {rules}").format(rules=summary))
        notice = "\n".join(notices)
        self.store.finish_reply(reply.message_id, reply.answer, reply.reasoning, status=status, stats=stats,
                                notice=notice or None)
        reply.widget.set_content(reply.answer, reply.reasoning, self._status_text(status), notice)
        self._update_buttons()
        self.reply_finished.emit(status)

    @Slot()
    def _checkpoint(self) -> None:
        if self._reply is not None:
            self.store.checkpoint_reply(self._reply.message_id, self._reply.answer, self._reply.reasoning)

    @Slot()
    def stop(self) -> None:
        if self._reply is not None:
            self.bridge.client.cancel(self._reply.request_id)

    # -- regenerate and edit -------------------------------------------------------------------------

    def _last_messages(self) -> list[Message]:
        return self.store.messages(self.conversation_id) if self.conversation_id >= 0 else []

    @Slot()
    def regenerate(self) -> None:
        if self._reply is not None or self.loaded_model is None:
            return
        messages = self._last_messages()
        if not messages:
            return
        if messages[-1].role == "assistant":
            self.store.delete_messages_from(self.conversation_id, messages[-1].seq)
            self.view.remove_last()
            messages = messages[:-1]
        if messages and messages[-1].role == "user":
            self._generate()

    @Slot()
    def edit_last(self) -> None:
        if self._reply is not None:
            return
        messages = self._last_messages()
        users = [m for m in messages if m.role == "user"]
        if not users:
            return
        last_user = users[-1]
        self.store.delete_messages_from(self.conversation_id, last_user.seq)
        self.view.remove_last(len(messages) - messages.index(last_user))
        self.input.setPlainText(last_user.content)
        self.input.setFocus()
        self._update_buttons()

    def _update_buttons(self) -> None:
        busy = self._reply is not None
        has_messages = self.conversation_id >= 0 and bool(self.view.messages())
        self.send_button.setEnabled(not busy)
        self.stop_button.setEnabled(busy)
        self.regenerate_button.setEnabled(not busy and has_messages and self.loaded_model is not None)
        self.edit_button.setEnabled(not busy and has_messages)
        self.input.setEnabled(True)

    # -- shutdown -------------------------------------------------------------------------------------

    def shutdown(self) -> None:
        """Save a streaming reply as far as it got, then end the engine child."""
        if self._reply is not None:
            self._finish_reply("stopped", None)
        self.chat_settings.flush()
        self.bridge.shutdown()
        self.store.close()


def _title_from(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 48 else line[:47] + "…"


def _scan_models(library) -> list[tuple[str, str]]:
    """Return ``(path, label)`` for each loadable model in the library (runs on a pool thread)."""
    models = []
    for model in library.scan():
        if not model.ok:
            continue
        label = model.name
        if model.build is not None and model.variant is not None:
            label = f"{model.build.name} · {model.variant.name}"
        models.append((str(model.path), label))
    return models
