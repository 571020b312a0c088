"""Left column of the chat page: search box, New button and the list of saved chats."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QHBoxLayout, QInputDialog, QLineEdit, QListWidget, QListWidgetItem, QMenu,
                               QMessageBox, QPushButton, QVBoxLayout, QWidget)

from llmdesk.core.history import ChatStore


class ConversationList(QWidget):
    """Lists conversations from the store; emits ``conversation_selected(id)`` (-1 when none is left)."""

    conversation_selected = Signal(int)
    new_requested = Signal()

    def __init__(self, store: ChatStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._search = QLineEdit()
        self._search.setPlaceholderText(self.tr("Search chats"))
        self._search.setClearButtonEnabled(True)
        self._search.textChanged.connect(self.refresh)
        new_button = QPushButton(self.tr("New chat"))
        new_button.setToolTip(self.tr("Start a new chat (Ctrl+N)"))
        new_button.clicked.connect(self.new_requested)
        self._list = QListWidget()
        self._list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self._list.customContextMenuRequested.connect(self._show_menu)
        self._list.currentItemChanged.connect(self._on_current_changed)
        self._list.itemDoubleClicked.connect(lambda item: self.rename(item.data(Qt.ItemDataRole.UserRole)))

        top = QHBoxLayout()
        top.addWidget(self._search, 1)
        top.addWidget(new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self._list, 1)

    @Slot()
    def refresh(self, select_id: int | None = None) -> None:
        current = select_id if isinstance(select_id, int) else self.current_id()
        self._list.blockSignals(True)
        self._list.clear()
        for conversation in self._store.list_conversations(self._search.text()):
            item = QListWidgetItem(conversation.title)
            item.setData(Qt.ItemDataRole.UserRole, conversation.id)
            item.setToolTip(conversation.title)
            self._list.addItem(item)
            if conversation.id == current:
                self._list.setCurrentItem(item)
        self._list.blockSignals(False)

    def current_id(self) -> int:
        item = self._list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else -1

    def select(self, conversation_id: int) -> None:
        for row in range(self._list.count()):
            if self._list.item(row).data(Qt.ItemDataRole.UserRole) == conversation_id:
                self._list.setCurrentRow(row)
                return

    def count(self) -> int:
        return self._list.count()

    @Slot(QListWidgetItem, QListWidgetItem)
    def _on_current_changed(self, current: QListWidgetItem | None, _previous) -> None:
        self.conversation_selected.emit(current.data(Qt.ItemDataRole.UserRole) if current else -1)

    def _show_menu(self, position) -> None:
        item = self._list.itemAt(position)
        if item is None:
            return
        conversation_id = item.data(Qt.ItemDataRole.UserRole)
        menu = QMenu(self)
        menu.addAction(self.tr("Rename…"), lambda: self.rename(conversation_id))
        menu.addAction(self.tr("Delete…"), lambda: self.delete(conversation_id))
        menu.exec(self._list.mapToGlobal(position))

    def rename(self, conversation_id: int) -> None:
        old = self._store.conversation(conversation_id).title
        title, accepted = QInputDialog.getText(self, self.tr("Rename chat"), self.tr("Title:"), text=old)
        if not accepted:
            return
        try:
            self._store.rename(conversation_id, title)
        except ValueError:
            QMessageBox.warning(self, self.tr("Rename chat"), self.tr("A chat title cannot be empty."))
            return
        self.refresh(conversation_id)

    def delete(self, conversation_id: int, confirm: bool = True) -> None:
        title = self._store.conversation(conversation_id).title
        if confirm:
            answer = QMessageBox.question(
                self, self.tr("Delete chat"),
                self.tr("Delete the chat “{title}” and all its messages? This cannot be undone.").format(
                    title=title))
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._store.delete_conversation(conversation_id)
        self.refresh()
        if self._list.count():
            self._list.setCurrentRow(0)
        else:
            self.conversation_selected.emit(-1)
