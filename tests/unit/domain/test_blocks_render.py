"""What the preview may show of a post, and the side-by-side compare of two versions."""

from __future__ import annotations

from clinicdesk.domain.sanitize import placeholder_name, preview_document, safe_href, sanitize
from clinicdesk.domain.textdiff import DiffRow, side_by_side

HOSTILE = (
    '<!-- wp:html -->\n<div class="x" onclick="steal()" style="color:red">'
    "<p>Kept <strong>text</strong> &amp; more</p>"
    "<script>alert('x')</script><style>body{display:none}</style>"
    '<iframe src="https://tracker.example/"><p>inner</p></iframe>'
    '<img src="https://tracker.example/pixel.gif" onerror="alert(1)" alt="Pixel" srcset="a 1x">'
    '<a href="javascript:alert(1)">bad link</a> '
    '<a href="https://example.org/" target="_blank">ok</a>'
    '<object data="x.swf"></object><embed src="y.swf">'
    '<link rel="stylesheet" href="https://x/y.css">'
    "<svg><script>alert(2)</script></svg><unknown-tag>text of unknown</unknown-tag>"
    "</div>\n<!-- /wp:html -->"
)


def test_the_preview_keeps_text_and_safe_markup_only() -> None:
    result = sanitize(HOSTILE)
    html = result.html
    for gone in (
        "script", "alert", "onclick", "onerror", "style", "iframe", "tracker", "srcset",
        "javascript", 'class="x"', "target", "object", "<embed", ".swf", ".css", "svg", "<!--",
        "wp:html", "unknown-tag",
    ):  # fmt: skip
        assert gone not in html, gone
    assert "<p>Kept <strong>text</strong> &amp; more</p>" in html
    assert '<a href="https://example.org/">ok</a>' in html
    assert "<a>bad link</a>" in html
    assert "text of unknown" in html
    assert f'<img alt="Pixel" src="{placeholder_name(0)}">' in html
    assert result.images == ["https://tracker.example/pixel.gif"]
    assert result.embeds == 4  # iframe, object, embed, svg
    assert html.count("Embedded content (not loaded in the preview)") == 4


def test_the_preview_title_is_plain_text() -> None:
    preview = preview_document('<img src=x onerror="a()"> & "Title"', "<p>Body</p>")
    assert preview.html.startswith('<h1>&lt;img src=x onerror="a()"&gt; &amp; "Title"</h1>')


def test_unclosed_and_stray_tags_are_balanced() -> None:
    assert sanitize("<p><em>open").html == "<p><em>open</em></p>"
    assert sanitize("</p>text</em>").html == "text"
    assert sanitize("<script>never closed <p>x</p>").html == ""


def test_safe_href() -> None:
    assert safe_href("https://example.org") == "https://example.org"
    assert safe_href("/relative") == "/relative"
    assert safe_href("mailto:a@example.org") == "mailto:a@example.org"
    for bad in ("javascript:x", "JAVASCRIPT:x", "data:text/html,x", "vbscript:x", "java\tscript:x"):
        assert safe_href(bad) is None, bad


def test_side_by_side_marks_changed_lines_and_characters() -> None:
    rows = side_by_side("same\nold line\ngone", "same\nnew line\nadded\n")
    assert rows[0] == DiffRow("equal", "same", "same")
    assert rows[1].kind == "replace"
    assert (rows[1].left, rows[1].right) == ("old line", "new line")
    assert rows[1].left_changes and rows[1].right_changes
    assert all(rows[1].left[a:b] in "old" for a, b in rows[1].left_changes)
    assert [r.kind for r in rows[2:]] == ["replace"]
    assert side_by_side("a", "a\nb")[1] == DiffRow("insert", None, "b", (), ((0, 1),))
    assert side_by_side("a\nb", "a")[1] == DiffRow("delete", "b", None, ((0, 1),))
