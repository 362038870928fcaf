"""Block markup: lossless parsing, canonical writing, and what the editor may represent.

The samples are block markup as WordPress (6.1 and later) itself saves it, plus the seed posts.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clinicdesk.domain.blocks import (
    LOCAL_MEDIA_ATTR,
    BlockDocument,
    Edited,
    Heading,
    Image,
    Kept,
    ListItem,
    Paragraph,
    Quote,
    RichBlock,
    RichList,
    Span,
    assemble,
    block_label,
    local_image_ids,
    normalize_inline,
    opaque_summary,
    parse_blocks,
    parse_inline,
    resolve_local_images,
    serialize,
    serialize_inline,
    to_rich,
)
from tests.fixtures.blocks import (
    ALL_SAMPLES,
    ARBITRARY_MARKUP,
    CUSTOM_HTML,
    HEADINGS,
    IMAGE,
    NESTED_LIST,
    OPAQUE,
    QUOTE_WITH_CITATION,
    RICH_BLOCKS,
    SEED,
    SHORTCODE,
    SUPPORTED,
)


def _kept(document: BlockDocument) -> list[Kept | Edited]:
    return [Kept(i) for i in range(len(document.segments))]


def _rewritten(document: BlockDocument) -> list[Kept | Edited]:
    """Every supported segment written again from its model, the rest kept."""
    return [
        Edited(s.rich, i) if s.rich is not None else Kept(i)
        for i, s in enumerate(document.segments)
    ]


# -- lossless parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", list(ALL_SAMPLES.values()), ids=list(ALL_SAMPLES))
def test_samples_come_back_byte_for_byte(text: str) -> None:
    assert "".join(b.source for b in parse_blocks(text)) == text
    document = BlockDocument.from_text(text)
    assert document.source() == text
    assert assemble(document, _kept(document)) == text


@pytest.mark.parametrize("post", SEED, ids=[p["slug"] or p["title"][:30] for p in SEED])
def test_seed_posts_come_back_byte_for_byte_even_rewritten(post: dict[str, str]) -> None:
    text = post["content"]
    document = BlockDocument.from_text(text)
    assert document.source() == text
    assert assemble(document, _kept(document)) == text
    # Writing every supported block again from its model gives WordPress's own bytes.
    assert assemble(document, _rewritten(document)) == text


def test_the_seed_shortcode_and_custom_html_are_opaque() -> None:
    names = {
        s.block.name
        for post in SEED
        for s in BlockDocument.from_text(post["content"]).segments
        if s.rich is None
    }
    assert names == {"core/shortcode", "core/html"}


@pytest.mark.parametrize("text", list(SUPPORTED.values()), ids=list(SUPPORTED))
def test_supported_blocks_are_written_exactly_as_wordpress_does(text: str) -> None:
    document = BlockDocument.from_text(text)
    assert all(s.rich is not None for s in document.segments)
    assert assemble(document, _rewritten(document)) == text


@pytest.mark.parametrize(
    ("text", "name"), list(OPAQUE.values()), ids=list(OPAQUE)
)  # fmt: skip
def test_what_the_editor_cannot_represent_is_opaque(text: str, name: str | None) -> None:
    document = BlockDocument.from_text(text)
    assert document.segments[0].block.name == name
    assert document.segments[0].rich is None
    assert assemble(document, _rewritten(document)) == text


def test_models_of_the_samples() -> None:
    [h2, h3, h4] = [s.rich for s in BlockDocument.from_text(HEADINGS).segments]
    assert h2 == Heading(2, (Span("Level two"),))
    assert h3 == Heading(3, (Span("Level "), Span("three", italic=True)))
    assert h4 == Heading(4, (Span("Level four & more"),))
    [quote] = [s.rich for s in BlockDocument.from_text(QUOTE_WITH_CITATION).segments]
    assert quote == Quote(
        ((Span("First thought."),), (Span("Second thought."),)),
        (Span("Dr. Renata Alvarado, "), Span("Clinical Director", italic=True)),
    )
    [image] = [s.rich for s in BlockDocument.from_text(IMAGE).segments]
    assert isinstance(image, Image)
    assert (image.media_id, image.alt, image.size_slug) == (42, "A calm lake at dawn", "large")
    assert image.caption[1].link == (("href", "https://example.org/"),)
    [listing] = [s.rich for s in BlockDocument.from_text(NESTED_LIST).segments]
    assert isinstance(listing, RichList) and not listing.ordered
    assert [i.inline for i in listing.items] == [(Span("One"),), (Span("Two"),)]
    nested = listing.items[0].children
    assert nested is not None and nested.ordered
    assert nested.items[1].children == RichList(False, (ListItem((Span("Deep"),)),))


def test_whitespace_between_blocks_is_kept_where_blocks_stay_neighbours() -> None:
    text = "\n<!-- wp:paragraph -->\n<p>A</p>\n<!-- /wp:paragraph -->\n\n\n" + SHORTCODE + "\n"
    document = BlockDocument.from_text(text)
    assert (document.prefix, document.separators, document.suffix) == ("\n", ("\n\n\n",), "\n")
    edited = Paragraph((Span("A changed"),))
    out = assemble(document, [Edited(edited, 0), Kept(1)])
    assert out == (
        "\n<!-- wp:paragraph -->\n<p>A changed</p>\n<!-- /wp:paragraph -->\n\n\n" + SHORTCODE + "\n"
    )
    # A block added between them is separated the way the block editor does it.
    added = Paragraph((Span("New"),))
    out = assemble(document, [Kept(0), Edited(added), Kept(1)])
    assert "<!-- /wp:paragraph -->\n\n<!-- wp:paragraph -->\n<p>New</p>" in out
    assert out.endswith("<!-- /wp:paragraph -->\n\n" + SHORTCODE + "\n")


def test_empty_new_paragraphs_are_left_out_and_blank_bodies_kept() -> None:
    assert assemble(BlockDocument.from_text(""), [Edited(Paragraph(()))]) == ""
    blank = BlockDocument.from_text("\n \n")
    assert blank.segments == ()
    assert assemble(blank, []) == "\n \n"


def test_broken_markup_is_kept_exactly() -> None:
    for text in (
        "<!-- wp:paragraph -->\n<p>never closed</p>",
        "<!-- /wp:paragraph --> stray closer <!-- wp:paragraph --><p>x</p><!-- /wp:paragraph -->",
        '<!-- wp:paragraph {"bad json} -->\n<p>x</p>\n<!-- /wp:paragraph -->',
        "<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>unclosed item",
        "<!-- wp:paragraph -->\n<p>a</p><p>b</p>\n<!-- /wp:paragraph -->",
    ):
        document = BlockDocument.from_text(text)
        assert document.source() == text
        assert all(s.rich is None for s in document.segments), text
        assert assemble(document, _rewritten(document)) == text


# -- inline text --------------------------------------------------------------------------------


def test_inline_parsing_is_strict() -> None:
    assert parse_inline("a <strong>b <em>c</em></strong> &amp; d") == (
        Span("a "),
        Span("b ", bold=True),
        Span("c", bold=True, italic=True),
        Span(" & d"),
    )
    assert parse_inline("line<br>break<br/>again") == (Span("line\nbreak\nagain"),)
    assert parse_inline("a&nbsp;b &#8217;") == (Span("a\u00a0b \u2019"),)
    for refused in (
        "<span>x</span>",
        "<strong>unclosed",
        "<a href='x' onclick='y'>x</a>",
        "<a>no href</a>",
        "<a href='x'><a href='y'>nested</a></a>",
        "<!-- comment -->",
        "<em>x</strong>",
        "<br class='x'>",
    ):
        assert parse_inline(refused) is None, refused


def test_inline_writing_nests_link_bold_italic() -> None:
    link = (("href", 'https://example.org/?a=1&b="2"'),)
    text = serialize_inline(
        (
            Span("x < y & z "),
            Span("link", bold=True, link=link),
            Span(" bold", bold=True),
            Span("\n"),
        )
    )
    assert text == (
        'x &lt; y &amp; z <a href="https://example.org/?a=1&amp;b=&quot;2&quot;">'
        "<strong>link</strong></a><strong> bold</strong><br>"
    )
    assert parse_inline(text) == normalize_inline(
        (Span("x < y & z "), Span("link", True, False, link), Span(" bold", True), Span("\n"))
    )


# -- local images -------------------------------------------------------------------------------


def test_images_waiting_for_upload_are_resolved_at_push_time() -> None:
    waiting = Image(None, 5, "clinicdesk-media:5", 'Alt "quoted"', (Span("Cap"),))
    body = serialize(Paragraph((Span("Hi"),))) + "\n\n" + serialize(waiting) + "\n\n" + SHORTCODE
    assert LOCAL_MEDIA_ATTR in body
    [_, image, _] = [s.rich for s in BlockDocument.from_text(body).segments]
    assert image == waiting
    assert local_image_ids(body) == [5]
    resolved = resolve_local_images(body, lambda i: (99, "https://clinic.example.org/x.jpg"))
    assert local_image_ids(resolved) == []
    assert (
        '<!-- wp:image {"id":99,"sizeSlug":"large","linkDestination":"none"} -->\n'
        '<figure class="wp-block-image size-large"><img src="https://clinic.example.org/x.jpg" '
        'alt="Alt &quot;quoted&quot;" class="wp-image-99"/>'
        '<figcaption class="wp-element-caption">Cap</figcaption></figure>'
    ) in resolved
    assert resolved.startswith(serialize(Paragraph((Span("Hi"),))) + "\n\n")
    assert resolved.endswith("\n\n" + SHORTCODE)
    with pytest.raises(LookupError):
        resolve_local_images(body, lambda i: None)
    assert resolve_local_images(SHORTCODE, lambda i: None) == SHORTCODE


def test_labels_and_summaries() -> None:
    assert block_label("core/html") == "Custom HTML"
    assert block_label(None) == "Classic content"
    assert block_label("jetpack/contact-form") == "Jetpack: contact form"
    assert opaque_summary(SHORTCODE) == '[contact-form-7 id="12" title="Free consultation"]'
    assert opaque_summary(CUSTOM_HTML).startswith("Call or text 988 & talk")


# -- randomized round trips ----------------------------------------------------------------------


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(ARBITRARY_MARKUP)
def test_any_text_comes_back_byte_for_byte(text: str) -> None:
    assert "".join(b.source for b in parse_blocks(text)) == text
    document = BlockDocument.from_text(text)
    assert document.source() == text
    assert assemble(document, _kept(document)) == text
    # Writing the supported blocks again may only change how they are spelled, never what
    # they say: the models read back are the same.
    rewritten = BlockDocument.from_text(assemble(document, _rewritten(document)))
    assert [s.rich for s in rewritten.segments] == [s.rich for s in document.segments]


def test_a_supported_block_in_another_spelling_is_written_canonically_only_when_edited() -> None:
    text = "<!-- wp:paragraph --><p>Tight <b>bold</b></p><!-- /wp:paragraph -->"
    document = BlockDocument.from_text(text)
    assert document.segments[0].rich == Paragraph((Span("Tight "), Span("bold", bold=True)))
    assert assemble(document, _kept(document)) == text
    assert assemble(document, _rewritten(document)) == (
        "<!-- wp:paragraph -->\n<p>Tight <strong>bold</strong></p>\n<!-- /wp:paragraph -->"
    )


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(RICH_BLOCKS, min_size=1, max_size=5))
def test_written_blocks_read_back_as_the_same_models(blocks: list[RichBlock]) -> None:
    text = "\n\n".join(serialize(b) for b in blocks)
    document = BlockDocument.from_text(text)
    assert [s.rich for s in document.segments] == blocks
    assert assemble(document, _rewritten(document)) == text
    for block in blocks:
        [parsed] = parse_blocks(serialize(block))
        assert to_rich(parsed) == block
