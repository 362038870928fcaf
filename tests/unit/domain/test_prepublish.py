"""The checks before publishing, and the word count the editor shows."""

from __future__ import annotations

import pytest

from clinicdesk.domain.prepublish import Finding, check, link_problem, links_and_images
from clinicdesk.domain.wordcount import count_words, plain_text, reading_minutes

GOOD_BODY = (
    '<!-- wp:paragraph -->\n<p>Read <a href="https://example.org/fees/">our fees</a>, '
    '<a href="/consultation/">book</a>, <a href="mailto:intake@example.org">write</a> '
    'or <a href="tel:+1-512-555-0100">call</a>.</p>\n<!-- /wp:paragraph -->\n\n'
    '<!-- wp:image {"id":3,"sizeSlug":"large","linkDestination":"none"} -->\n'
    '<figure class="wp-block-image size-large"><img src="https://x.example.org/a.jpg" '
    'alt="A calm room" class="wp-image-3"/></figure>\n<!-- /wp:image -->'
)


def test_a_complete_post_has_nothing_to_warn_about() -> None:
    assert (
        check(
            title="Grounding techniques",
            content=GOOD_BODY,
            excerpt="Eight ways back to the present.",
            categories=[4],
            uncategorized={1},
            featured_alt="A calm room",
        )
        == []
    )


def test_every_warning_at_once() -> None:
    body = (
        '<p><img src="https://x.example.org/a.jpg"><img src="b.jpg" alt=" ">'
        '<a href="www.example.org">no scheme</a><a href="javascript:alert(1)">x</a>'
        '<a href="https://example.org/ok">fine</a><a href="www.example.org">again</a></p>'
    )
    findings = check(
        title="  ",
        content=body,
        excerpt="",
        categories=[1],
        uncategorized={1},
        featured_alt="",
    )
    assert findings == [
        Finding("empty_title"),
        Finding("no_category"),
        Finding("no_excerpt"),
        Finding("image_without_alt", "featured"),
        Finding("image_without_alt", "https://x.example.org/a.jpg"),
        Finding("image_without_alt", "b.jpg"),
        Finding("malformed_link", "www.example.org"),
        Finding("malformed_link", "javascript:alert(1)"),
    ]


@pytest.mark.parametrize(
    "href",
    [
        "https://example.org/",
        "http://localhost:8080/x",
        "https://clinic.example.org/a?b=c#d",
        "/fees/",
        "#top",
        "?page=2",
        "fees/",
        "mailto:intake@example.org",
        "tel:+1-512-555-0100",
        "//cdn.example.org/x.js",
        "https://xn--bcher-kva.example/",
    ],
)
def test_good_links(href: str) -> None:
    assert not link_problem(href)


@pytest.mark.parametrize(
    "href",
    [
        "",
        "   ",
        "https://exa mple.org/",
        "http//example.org",
        "http:/example.org",
        "www.example.org/fees",
        "example.org/fees",
        "javascript:alert(1)",
        "data:text/html,x",
        "htps://example.org",
        "https://",
        "https://example",
        "https://example.org:99999/",
        "mailto:nobody",
        "tel:call-me",
    ],
)
def test_malformed_links(href: str) -> None:
    assert link_problem(href)


def test_links_and_images_are_found_in_opaque_blocks_too() -> None:
    links, images = links_and_images(
        '<!-- wp:html -->\n<div><a href="x">a</a><img src="y.png" alt="Y"></div>\n<!-- /wp:html -->'
    )
    assert links == ["x"]
    assert [(i.src, i.alt) for i in images] == [("y.png", "Y")]


def test_word_count_and_reading_time() -> None:
    body = (
        "<!-- wp:paragraph -->\n<p>It\u2019s a well-known fact &amp; true.</p>\n"
        "<!-- /wp:paragraph -->"
        "<!-- wp:html -->\n<script>var hidden = 'not words';</script><style>p{}</style>"
        "<p>Seven<br>more</p>\n<!-- /wp:html -->"
    )
    assert plain_text(body) == "It\u2019s a well-known fact & true. Seven more"
    assert count_words(plain_text(body)) == 7
    assert reading_minutes(0) == 0
    assert reading_minutes(1) == 1
    assert reading_minutes(200) == 1
    assert reading_minutes(201) == 2
