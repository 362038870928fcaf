"""Message boxes of the shell, built ready to ``open()`` (never ``exec()``: tests drive them).

Every box shows plain text only (an address or a site's message must not be read as HTML), and
every button has an ``objectName`` so tests and accessibility tools find it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QPushButton, QWidget

from clinicdesk import about
from clinicdesk.ui.icon import app_icon


def _tr(text: str) -> str:
    return QCoreApplication.translate("Messages", text)


def _box(
    parent: QWidget | None, name: str, icon: QMessageBox.Icon, title: str, text: str
) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName(name)
    box.setAccessibleName(title)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    return box


def _button(box: QMessageBox, name: str, text: str, role: QMessageBox.ButtonRole) -> QPushButton:
    button = box.addButton(text, role)
    button.setObjectName(name)
    button.setAccessibleName(text.replace("&", ""))
    return button


def about_box(
    parent: QWidget | None,
    *,
    plugin_version: str = "",
    data_dir: Path,
    log_file: Path | None,
    keyring: str,
) -> QMessageBox:
    """Version, licence, the plugin version needed (and the site's), data folder, log file and
    keyring in use.

    Args:
        parent: the window.
        plugin_version: the site's plugin version, as last seen; "" when not known or inactive.
        data_dir: the data folder.
        log_file: the log file, or None.
        keyring: where passwords are kept.
    """
    site_plugin = (
        _tr("The website has version %1.").replace("%1", plugin_version)
        if plugin_version
        else _tr("The website's version is not known yet.")
    )
    text = (
        _tr("ClinicDesk %1").replace("%1", about.app_version())
        + "\n\n"
        + _tr("Write the clinic's blog posts and triage consultation inquiries, online or offline.")
        + "\n\n"
        + _tr("Licence: %1").replace("%1", about.licence())
        + "\n"
        + _tr("Needs the ClinicDesk Inquiries plugin %1 or newer on the website.").replace(
            "%1", about.REQUIRED_PLUGIN_VERSION
        )
        + " "
        + site_plugin
        + "\n\n"
        + _tr("Data folder: %1").replace("%1", str(data_dir))
        + "\n"
        + _tr("Log file: %1").replace("%1", str(log_file) if log_file else _tr("none"))
        + "\n"
        + _tr("Passwords are kept in: %1").replace("%1", keyring)
    )
    box = _box(parent, "aboutBox", QMessageBox.Icon.Information, _tr("About ClinicDesk"), text)
    icon = app_icon()
    if not icon.isNull():
        box.setIconPixmap(icon.pixmap(64, 64))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    _button(box, "aboutCloseButton", _tr("Close"), QMessageBox.ButtonRole.AcceptRole)
    return box


def crash_box(parent: QWidget | None, *, log_file: Path | None) -> QMessageBox:
    """The friendly face of an unexpected error (sys.excepthook)."""
    where = str(log_file) if log_file else _tr("(no log file could be written)")
    text = _tr(
        "Something unexpected went wrong inside ClinicDesk.\n\n"
        "Your work is safe: every change is saved on this computer the moment you make it, and "
        "ClinicDesk keeps running. If something looks wrong, close ClinicDesk and start it "
        "again.\n\n"
        "The details were written to the log file, which holds no passwords and no inquiry "
        "details; you can send it to whoever supports ClinicDesk:\n%1"
    ).replace("%1", where)
    box = _box(
        parent, "crashBox", QMessageBox.Icon.Critical, _tr("ClinicDesk: unexpected error"), text
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    _button(box, "crashCloseButton", _tr("Continue"), QMessageBox.ButtonRole.AcceptRole)
    return box


def sign_out_box(
    parent: QWidget | None, *, site: str, pending: int
) -> tuple[QMessageBox, QPushButton, QPushButton]:
    """Confirm signing out; returns the box, the "delete the copy" and "keep the copy" buttons."""
    text = _tr(
        "Sign out of %1?\n\nSigning out removes your Application Password from this computer. "
        "You can also delete this computer's offline copy of the site's posts and inquiries, "
        "and the key that protects it."
    ).replace("%1", site)
    if pending == 1:
        text += "\n\n" + _tr(
            "1 change has not been sent to the site yet. Deleting the offline copy loses it."
        )
    elif pending > 1:
        text += "\n\n" + _tr(
            "%1 changes have not been sent to the site yet. Deleting the offline copy loses them."
        ).replace("%1", str(pending))
    box = _box(parent, "signOutConfirm", QMessageBox.Icon.Warning, _tr("Sign out"), text)
    delete = _button(
        box,
        "signOutDeleteButton",
        _tr("Sign out and delete the offline copy"),
        QMessageBox.ButtonRole.DestructiveRole,
    )
    keep = _button(
        box,
        "signOutKeepButton",
        _tr("Sign out, keep the offline copy"),
        QMessageBox.ButtonRole.AcceptRole,
    )
    cancel = _button(box, "signOutCancelButton", _tr("Cancel"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    return box, delete, keep


def close_box(
    parent: QWidget | None, *, pending: int, unpublished: Sequence[str] = (), demo: bool = False
) -> tuple[QMessageBox, QPushButton]:
    """Closing with changes waiting, or with edits to live posts not published yet (their
    titles, shown as plain text); returns the box and its "Close" button. In the demo nothing
    is kept, and the box says so instead."""
    parts: list[str] = []
    if demo:
        text = _tr(
            "This is the demo: when ClinicDesk closes, everything is thrown away: the demo "
            "website, its posts and inquiries, and every change you made. Nothing is sent anywhere."
        )
        box = _box(
            parent, "closeConfirm", QMessageBox.Icon.Information, _tr("Close the demo"), text
        )
        close = _button(
            box, "closeAnywayButton", _tr("Close the demo"), QMessageBox.ButtonRole.AcceptRole
        )
        stay = _button(
            box, "closeStayButton", _tr("Keep working"), QMessageBox.ButtonRole.RejectRole
        )
        box.setDefaultButton(close)
        box.setEscapeButton(stay)
        return box, close
    if pending:
        if pending == 1:
            text = _tr("1 change has not been sent to the site yet.")
        else:
            text = _tr("%1 changes have not been sent to the site yet.").replace("%1", str(pending))
        parts.append(
            text
            + "\n\n"
            + _tr(
                "They are saved safely on this computer and will be sent the next time "
                "ClinicDesk syncs with the site."
            )
        )
    if unpublished:
        parts.append(
            _tr(
                "Edits to these published posts are saved on this computer, but they reach the "
                "site only when you open the post again and click Update:"
            )
            + "\n"
            + "\n".join(f"• {title}" for title in unpublished)
        )
    text = "\n\n".join(parts)
    box = _box(parent, "closeConfirm", QMessageBox.Icon.Information, _tr("Changes waiting"), text)
    close = _button(
        box, "closeAnywayButton", _tr("Close ClinicDesk"), QMessageBox.ButtonRole.AcceptRole
    )
    stay = _button(box, "closeStayButton", _tr("Keep working"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(close)
    box.setEscapeButton(stay)
    return box, close


def problem_box(
    parent: QWidget | None,
    *,
    name: str,
    title: str,
    text: str,
    buttons: list[tuple[str, str, QMessageBox.ButtonRole]],
) -> tuple[QMessageBox, dict[str, QPushButton]]:
    """A problem and the ways out of it; returns the box and its buttons by object name."""
    box = _box(parent, name, QMessageBox.Icon.Warning, title, text)
    made = {key: _button(box, key, label, role) for key, label, role in buttons}
    return box, made
