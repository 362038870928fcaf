"""The body's three views: Write (rich text), HTML (block markup), Preview (sanitised, offline)."""

from __future__ import annotations

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import QPlainTextEdit, QTabWidget, QTextBrowser, QWidget

from clinicdesk.domain.sanitize import PLACEHOLDER_SCHEME, preview_document
from clinicdesk.ui.posts.body import BodyEditor, placeholder_image
from clinicdesk.ui.posts.common import named, raw_text

WRITE_TAB, HTML_TAB, PREVIEW_TAB = 0, 1, 2

_PREVIEW_CSS = """
body { font-family: Georgia, serif; font-size: 15px; }
h1 { font-size: 26px; }
blockquote { margin-left: 24px; color: #444; font-style: italic; }
.placeholder { color: #666; background: #eee; }
"""


class PreviewBrowser(QTextBrowser):
    """The preview: sanitised HTML, links not followed, nothing loaded from anywhere."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        named(self, "previewView", self.tr("Preview"))
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDefaultStyleSheet(_PREVIEW_CSS)
        #: Every resource the document asked for (the tests check none was fetched).
        self.requested: list[str] = []

    def loadResource(self, type: int, name: QUrl | str) -> object:
        """A grey box for images (named by the sanitiser), nothing for anything else."""
        text = name.toString() if isinstance(name, QUrl) else name
        self.requested.append(text)
        if type == 2 and text.startswith(PLACEHOLDER_SCHEME + ":"):  # ImageResource
            return placeholder_image(self.tr("Image (not loaded in the preview)"))
        return None


class BodyViews(QTabWidget):
    """The body editor, its HTML source and its preview, as tabs.

    The HTML view is filled when it is shown; what the user types there replaces the body when
    they leave it (the editor saves first, see :meth:`take_html_edit`).

    Signals:
        htmlEdited(): the user changed the HTML source.
    """

    htmlEdited = Signal()

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        named(self, "bodyTabs", self.tr("Body views"))
        self.body = BodyEditor(self)
        self.addTab(self.body, self.tr("&Write"))
        self.html_edit = QPlainTextEdit(self)
        named(self.html_edit, "htmlSourceEdit", self.tr("Body as HTML (block markup)"))
        self.html_edit.setTabChangesFocus(True)
        self.html_edit.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.html_edit.textChanged.connect(self._html_changed)
        self.addTab(self.html_edit, self.tr("&HTML"))
        self.preview = PreviewBrowser(self)
        self.addTab(self.preview, self.tr("Pre&view"))
        self.shown_tab = WRITE_TAB
        self._filling = False
        self._html_source: str | None = None  # the markup the HTML view was filled with
        self._html_shown = ""  # the HTML view's text just after it was filled

    def _html_changed(self) -> None:
        if not self._filling:
            self.htmlEdited.emit()

    def content(self) -> str:
        """The body as it would be saved now (the HTML view's text once the user changed it)."""
        if self.currentIndex() == HTML_TAB and self._html_source is not None:
            text = raw_text(self.html_edit)
            if text != self._html_shown:
                return text
            return self._html_source
        return self.body.content()

    def forget_html(self) -> None:
        """The body was replaced: the HTML view is filled again when next shown."""
        self._html_source = None

    def fill_html(self) -> None:
        """Show the body's markup in the HTML view."""
        content = self.body.content()
        self._html_source = content
        self._filling = True
        try:
            self.html_edit.setPlainText(content)
        finally:
            self._filling = False
        # What the view shows may differ from the markup (a lone "\r"): only a change the
        # user makes to it counts.
        self._html_shown = raw_text(self.html_edit)

    def take_html_edit(self, previous: int) -> str | None:
        """Leaving the HTML view: the text the user typed there (None if unchanged)."""
        if previous != HTML_TAB or self._html_source is None:
            return None
        text = raw_text(self.html_edit)
        self._html_source = None
        return text if text != self._html_shown else None

    def render_preview(self, title: str) -> None:
        """Show the post as the site would, sanitised and offline."""
        preview = preview_document(
            title,
            self.content(),
            embed_text=self.tr("Embedded content (not loaded in the preview)"),
        )
        self.preview.setHtml(preview.html)
