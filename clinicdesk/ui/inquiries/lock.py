"""Locking the Inquiries tab: the idle watcher, the page asking for the unlock passphrase, and
the page choosing one.

The passphrase is checked against its salted hash (:mod:`clinicdesk.domain.lock`); only the
hash leaves this module, through the tab's ``unlockHashChanged`` signal, for the shell to keep
in its settings.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from clinicdesk.domain.lock import MIN_PASSPHRASE_LENGTH, hash_passphrase, verify_passphrase
from clinicdesk.ui.inquiries.dialogs import plain_label
from clinicdesk.ui.layouts import centred_column
from clinicdesk.ui.theme import TYPE_TITLE

#: Wrong passphrases in a row before the unlock button waits.
MAX_ATTEMPTS = 5
#: How long it waits, in milliseconds.
WAIT_AFTER_ATTEMPTS_MS = 30_000

_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)


def passphrase_row(
    form: QFormLayout, parent: QWidget, name: str, accessible: str, caption_name: str, caption: str
) -> tuple[QLineEdit, QLabel]:
    """Add a passphrase field (typed text hidden) and its caption (whose Alt+letter focuses the
    field) to ``form``; returns both."""
    edit = QLineEdit(parent)
    edit.setObjectName(name)
    edit.setAccessibleName(accessible)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    label = QLabel(caption, parent)
    label.setObjectName(caption_name)
    label.setBuddy(edit)
    form.addRow(label, edit)
    return edit, label


class IdleWatcher(QObject):
    """Calls back when nobody touched keyboard or mouse anywhere in the app for a while.

    An event filter on the application notes the time of each input event (a float assignment:
    every event of the app passes through it); one timer checks when the time could be up.

    Args:
        on_idle: called once when the time is up (then the watcher stops until started).
        parent: the owner.
        monotonic: the clock (tests may pass another).
    """

    def __init__(
        self,
        on_idle: Callable[[], None],
        parent: QObject | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inquiriesIdleWatcher")
        self._on_idle = on_idle
        self._monotonic = monotonic
        self._timeout_ms = 0
        self._last_input = monotonic()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._check)
        self._installed = False

    @property
    def active(self) -> bool:
        """Whether it is counting."""
        return self._timer.isActive()

    def start(self, timeout_ms: int) -> None:
        """Count ``timeout_ms`` of idleness from now (0 or less: never)."""
        self._timeout_ms = timeout_ms
        self._last_input = self._monotonic()
        app = QApplication.instance()
        if not self._installed and app is not None:
            app.installEventFilter(self)
            self._installed = True
        if timeout_ms > 0:
            self._timer.start(timeout_ms)
        else:
            self._timer.stop()

    def stop(self) -> None:
        """Stop counting (the tab is locked)."""
        self._timer.stop()

    def uninstall(self) -> None:
        """Take the event filter off the application."""
        self._timer.stop()
        app = QApplication.instance()
        if self._installed and app is not None:
            app.removeEventFilter(self)
        self._installed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in _INPUT_EVENTS:
            self._last_input = self._monotonic()
        return False

    def _check(self) -> None:
        if self._timeout_ms <= 0:
            return
        idle_ms = (self._monotonic() - self._last_input) * 1000
        if idle_ms >= self._timeout_ms:
            self._on_idle()
        else:
            self._timer.start(max(int(self._timeout_ms - idle_ms), 1))


class LockPage(QWidget):
    """What the tab shows while locked: no inquiry, a passphrase field and an Unlock button.

    Args:
        parent: the tab.

    Signals:
        unlocked(): the right passphrase was typed.
    """

    unlocked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("inquiriesLockPage")
        self.setAccessibleName(self.tr("Inquiries locked"))
        self._hash: str | None = None
        self._failures = 0
        # Title, text, field and button in a centred column of a readable width.
        layout = centred_column(self)
        title = plain_label(self.tr("Inquiries are locked"), "lockTitle", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * TYPE_TITLE)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        explain = plain_label(
            self.tr(
                "They are hidden while you are away. Type your unlock passphrase to see them "
                "again. Forgot it? Sign out and sign in again: you can then choose a new one."
            ),
            "lockExplanation",
            self,
        )
        explain.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(explain)
        form = QFormLayout()
        self.passphrase_edit, _caption = passphrase_row(
            form,
            self,
            "unlockPassphrase",
            self.tr("Unlock passphrase"),
            "unlockCaption",
            self.tr("&Passphrase:"),
        )
        self.passphrase_edit.returnPressed.connect(self._try)
        self.unlock_button = QPushButton(self.tr("&Unlock"), self)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.setAccessibleName(self.tr("Unlock"))
        self.unlock_button.clicked.connect(self._try)
        form.addRow("", self.unlock_button)
        layout.addLayout(form)
        self.message = plain_label("", "unlockMessage", self)
        self.message.setAccessibleName(self.tr("Unlock message"))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        self._wait = QTimer(self)
        self._wait.setSingleShot(True)
        self._wait.timeout.connect(self._end_wait)

    def set_hash(self, stored: str | None) -> None:
        """The hash the passphrase is checked against."""
        self._hash = stored

    def reset(self) -> None:
        """Empty the field (before showing the page)."""
        self.passphrase_edit.clear()
        self.message.clear()

    def _try(self) -> None:
        if self._wait.isActive():
            return
        typed = self.passphrase_edit.text()
        self.passphrase_edit.clear()
        if self._hash is not None and typed and verify_passphrase(typed, self._hash):
            self._failures = 0
            self.message.clear()
            self.unlocked.emit()
            return
        self._failures += 1
        if self._failures >= MAX_ATTEMPTS:
            self._failures = 0
            self.unlock_button.setEnabled(False)
            self.passphrase_edit.setEnabled(False)
            self.message.setText(
                self.tr("That passphrase is not right. Try again in %1 seconds.").replace(
                    "%1", str(WAIT_AFTER_ATTEMPTS_MS // 1000)
                )
            )
            self._wait.start(WAIT_AFTER_ATTEMPTS_MS)
        else:
            self.message.setText(self.tr("That passphrase is not right."))

    def _end_wait(self) -> None:
        self.unlock_button.setEnabled(True)
        self.passphrase_edit.setEnabled(True)
        self.message.clear()


class SetupPage(QWidget):
    """Choose the unlock passphrase (shown, instead of any inquiry, until one is chosen).

    Args:
        parent: the tab.
        hasher: makes the hash (tests pass a cheaper one).

    Signals:
        chosen(str): the hash of the passphrase chosen (never the passphrase).
        cancelled(): a change of passphrase was given up (the current one stays).
    """

    chosen = Signal(str)
    cancelled = Signal()

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        hasher: Callable[[str], str] = hash_passphrase,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("inquiriesSetupPage")
        self.setAccessibleName(self.tr("Choose an unlock passphrase"))
        self._hasher = hasher
        layout = centred_column(self)
        title = plain_label(self.tr("Choose an unlock passphrase"), "setupTitle", self)
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * TYPE_TITLE)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        explain = plain_label(
            self.tr(
                "Inquiries hold health information. They are hidden when you lock them "
                "(Ctrl+L) or leave the computer idle, and this passphrase shows them again. "
                "Use one that others in the office do not know (at least %1 characters)."
            ).replace("%1", str(MIN_PASSPHRASE_LENGTH)),
            "setupExplanation",
            self,
        )
        explain.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(explain)
        form = QFormLayout()
        self._current_hash: str | None = None
        self.current_edit, self.current_caption = passphrase_row(
            form,
            self,
            "setupCurrentPassphrase",
            self.tr("Current unlock passphrase"),
            "setupCurrentCaption",
            self.tr("&Current passphrase:"),
        )
        self.passphrase_edit, _caption = passphrase_row(
            form,
            self,
            "setupPassphrase",
            self.tr("New unlock passphrase"),
            "setupCaption",
            self.tr("&Passphrase:"),
        )
        self.confirm_edit, _again = passphrase_row(
            form,
            self,
            "setupPassphraseAgain",
            self.tr("New unlock passphrase again"),
            "setupAgainCaption",
            self.tr("&Again:"),
        )
        self.confirm_edit.returnPressed.connect(self._choose)
        self.choose_button = QPushButton(self.tr("&Use this passphrase"), self)
        self.choose_button.setObjectName("setupChooseButton")
        self.choose_button.setAccessibleName(self.tr("Use this passphrase"))
        self.choose_button.clicked.connect(self._choose)
        self.cancel_button = QPushButton(self.tr("Keep the current passphrase"), self)
        self.cancel_button.setObjectName("setupCancelButton")
        self.cancel_button.setAccessibleName(self.tr("Keep the current passphrase"))
        self.cancel_button.clicked.connect(self.cancelled)
        buttons = QHBoxLayout()
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        form.addRow("", buttons)
        layout.addLayout(form)
        self.message = plain_label("", "setupMessage", self)
        self.message.setAccessibleName(self.tr("Passphrase message"))
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.message)
        self.set_current_hash(None)

    def set_current_hash(self, stored: str | None) -> None:
        """Ask for the current passphrase (it must match ``stored``) before a new one is
        accepted; None when there is none yet (the first choice)."""
        self._current_hash = stored
        for field in (self.current_edit, self.passphrase_edit, self.confirm_edit):
            field.clear()
        self.message.clear()
        for widget in (self.current_edit, self.current_caption, self.cancel_button):
            widget.setVisible(stored is not None)

    def focus_first(self) -> None:
        """Put the cursor in the first field."""
        first = self.current_edit if self._current_hash is not None else self.passphrase_edit
        first.setFocus()

    def _choose(self) -> None:
        if self._current_hash is not None:
            typed = self.current_edit.text()
            self.current_edit.clear()
            if not verify_passphrase(typed, self._current_hash):
                self.message.setText(self.tr("The current passphrase is not right."))
                return
        first, second = self.passphrase_edit.text(), self.confirm_edit.text()
        if len(first) < MIN_PASSPHRASE_LENGTH:
            self.message.setText(
                self.tr("Use at least %1 characters.").replace("%1", str(MIN_PASSPHRASE_LENGTH))
            )
            return
        if first != second:
            self.message.setText(self.tr("The two passphrases differ."))
            return
        self.passphrase_edit.clear()
        self.confirm_edit.clear()
        self.message.clear()
        self.chosen.emit(self._hasher(first))
