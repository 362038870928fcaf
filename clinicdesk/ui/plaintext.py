"""Site and user text on Qt surfaces that guess rich text: the one helper for them.

Qt shows a tooltip (and a label left on ``Qt.AutoText``) as HTML whenever
``Qt.mightBeRichText`` says its first line looks like markup. A contributor's post title such as
``<img src="file://host/share/x.png">`` would then make the app fetch that file when hovered (on
Windows a network share, leaking the user's NTLM hash). Item views draw cells as plain text, but
their tooltips go through the same guess. Every tooltip made from site or user text goes through
:func:`plain`; labels showing such text use ``Qt.TextFormat.PlainText``
(``ui.posts.common.plain_label`` makes such a label).
"""

from __future__ import annotations

# An invisible character that keeps words together: after a "<" or a "&" it breaks what Qt's
# guess looks for (a tag name right after "<", or "&lt;"), while the text reads the same.
_WORD_JOINER = "\u2060"


def plain(text: object) -> str:
    """``text`` (from the site or a user) as a string no Qt surface reads as rich text.

    Args:
        text: any value; ``None`` gives an empty string.

    Returns:
        The same words, shown exactly as typed in tooltips and automatic-format labels.
    """
    value = "" if text is None else str(text)
    if "<" not in value and "&" not in value:
        return value
    return value.replace("&", "&" + _WORD_JOINER).replace("<", "<" + _WORD_JOINER)
