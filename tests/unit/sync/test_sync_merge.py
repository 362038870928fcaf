"""The three-way merge: fields, ids, and post bodies by block or paragraph (pure, no I/O)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime

import pytest

from clinicdesk.sync.merge import (
    MAX_BODY_CHARS,
    UNKNOWN,
    merge_body,
    merge_fields,
    merge_id_sets,
    split_body,
)


def block(text: str, name: str = "paragraph") -> str:
    """A core block as the WordPress editor saves it."""
    inner = f"<p>{text}</p>" if name == "paragraph" else text
    return f"<!-- wp:{name} -->\n{inner}\n<!-- /wp:{name} -->"


def blocks(*texts: str) -> str:
    return "\n\n".join(block(t) for t in texts)


# -- fields ------------------------------------------------------------------------------------


def test_each_side_keeps_the_fields_only_it_changed() -> None:
    base = {"title": "T", "excerpt": "E", "status": "draft"}
    local = {"title": "T mine", "excerpt": "E", "status": "draft"}
    site = {"title": "T", "excerpt": "E theirs", "status": "publish"}
    merge = merge_fields(base, local, site)
    assert merge.clean
    assert merge.merged == {"title": "T mine", "excerpt": "E theirs", "status": "publish"}
    assert merge.local_changes == {"title"} and merge.site_changes == {"excerpt", "status"}
    assert merge.differs_from(local) == {"excerpt", "status"}


def test_the_same_field_changed_both_ways_is_a_conflict_keeping_the_local_value() -> None:
    merge = merge_fields({"title": "T"}, {"title": "Mine"}, {"title": "Theirs"})
    assert merge.conflicts == ("title",)
    assert merge.merged["title"] == "Mine"  # nothing is picked: the caller keeps both


def test_the_same_change_on_both_sides_is_not_a_conflict() -> None:
    when = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    merge = merge_fields(
        {"status": "draft", "date_gmt": None},
        {"status": "publish", "date_gmt": when},
        {"status": "publish", "date_gmt": when},
    )
    assert merge.clean and merge.merged == {"status": "publish", "date_gmt": when}


def test_an_unknown_base_never_guesses() -> None:
    local = {"title": "Mine", "status": "draft"}
    assert merge_fields({}, local, {"title": "Theirs", "status": "draft"}).conflicts == ("title",)
    merge = merge_fields({"title": UNKNOWN}, local, {"title": "Mine", "status": "draft"})
    assert merge.clean  # both hold the same value: nothing to choose
    assert merge_fields({"title": UNKNOWN}, local, {"title": "X"}).conflicts == ("title",)


def test_a_field_the_site_copy_lacks_counts_as_unchanged_there() -> None:
    merge = merge_fields({"a": 1, "b": 1}, {"a": 2, "b": 1}, {"a": 1})
    assert merge.clean and merge.merged == {"a": 2, "b": 1}


def test_id_sets_take_both_sides_additions_and_removals() -> None:
    assert merge_id_sets([1, 2, 3], [1, 2, 4], [2, 3, 5]) == [2, 4, 5]
    merge = merge_fields({"tags": [1, 2]}, {"tags": [1, 2, 3]}, {"tags": [2, 9]}, id_sets=("tags",))
    assert merge.clean and merge.merged["tags"] == [2, 3, 9]


def test_id_sets_with_an_unknown_base_conflict() -> None:
    merge = merge_fields({}, {"tags": [1]}, {"tags": [2]}, id_sets=("tags",))
    assert merge.conflicts == ("tags",)


def test_types_that_cannot_be_combined_conflict() -> None:
    merge = merge_fields(
        {"content": "a", "tags": [1]},
        {"content": "b", "tags": [1, True]},
        {"content": 3, "tags": [2]},
        bodies=("content",),
        id_sets=("tags",),
    )
    assert set(merge.conflicts) == {"content", "tags"}


# -- splitting bodies ------------------------------------------------------------------------------


def test_split_by_top_level_blocks_keeps_nested_blocks_with_their_parent() -> None:
    nested = (
        "<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>a</li>\n<!-- /wp:list-item -->\n\n"
        "<!-- wp:list-item -->\n<li>b</li>\n<!-- /wp:list-item --></ul>\n<!-- /wp:list -->"
    )
    text = f"{block('One')}\n\n{nested}\n\n<!-- wp:separator /-->\n\n{block('Two')}\n"
    body = split_body(text)
    assert body.tokens == (block("One"), nested, "<!-- wp:separator /-->", block("Two"))
    assert body.separators == ("\n\n", "\n\n", "\n\n") and body.trail == "\n"
    assert body.text() == text


def test_split_without_markup_is_by_blank_lines() -> None:
    text = "  First para\nstill first.\n\n\nSecond.\r\n\r\nThird  \n"
    body = split_body(text)
    assert body.tokens == ("First para\nstill first.", "Second.", "Third")
    assert body.text() == text


def test_classic_text_between_blocks_becomes_tokens_of_its_own() -> None:
    text = f"Intro line\n\n{block('A')}\n\nLoose text\n\nMore loose\n\n{block('B')}"
    assert split_body(text).tokens == (
        "Intro line",
        block("A"),
        "Loose text",
        "More loose",
        block("B"),
    )


@pytest.mark.parametrize(
    "text",
    [
        "<!-- wp:paragraph -->\n<p>never closed</p>\n\nnext",
        "<!-- /wp:paragraph -->\n\nstray closer\n\nmore",
        "<!-- wp:a -->x<!-- /wp:b -->\n\ny",
        "<!-- wp:paragraph",  # a comment that never ends
    ],
)
def test_broken_markup_falls_back_to_paragraphs_and_round_trips(text: str) -> None:
    body = split_body(text)
    assert body.text() == text
    assert len(body.tokens) == len([p for p in text.split("\n\n") if p.strip()])


def test_split_round_trips_random_text() -> None:
    rng = random.Random(7)
    pieces = [
        "a",
        "b c",
        "\n",
        "\n\n",
        " ",
        "\t",
        "\r\n",
        block("x"),
        "<!-- wp:y /-->",
        "<!--",
        "-->",
    ]
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 30)))
        assert split_body(text).text() == text


# -- merging bodies ------------------------------------------------------------------------------


def test_edits_of_different_blocks_merge() -> None:
    base = blocks("One", "Two", "Three")
    mine = blocks("One, edited here", "Two", "Three")
    theirs = blocks("One", "Two", "Three, edited there")
    assert merge_body(base, mine, theirs) == blocks(
        "One, edited here", "Two", "Three, edited there"
    )


def test_edits_of_adjacent_blocks_merge() -> None:
    base = blocks("One", "Two", "Three")
    merged = merge_body(base, blocks("One!", "Two", "Three"), blocks("One", "Two?", "Three"))
    assert merged == blocks("One!", "Two?", "Three")


def test_an_edit_of_the_same_block_is_a_conflict() -> None:
    base = blocks("One", "Two")
    assert merge_body(base, blocks("One mine", "Two"), blocks("One theirs", "Two")) is None


def test_insertions_and_deletions_elsewhere_merge() -> None:
    base = blocks("One", "Two", "Three", "Four")
    mine = blocks("One", "New after one", "Two", "Three", "Four")  # inserted
    theirs = blocks("One", "Two", "Four")  # deleted "Three"
    assert merge_body(base, mine, theirs) == blocks("One", "New after one", "Two", "Four")


def test_insertions_at_the_same_place_conflict_unless_identical() -> None:
    base = blocks("One", "Two")
    mine = blocks("One", "Two", "Mine at the end")
    assert merge_body(base, mine, blocks("One", "Two", "Theirs at the end")) is None
    assert merge_body(base, mine, mine) == mine


def test_an_edit_against_a_deletion_of_the_same_block_conflicts() -> None:
    base = blocks("One", "Two", "Three")
    assert merge_body(base, blocks("One", "Two edited", "Three"), blocks("One", "Three")) is None


def test_the_same_change_made_on_both_sides_merges_once() -> None:
    base = blocks("One", "Two", "Three")
    mine = blocks("One", "Two fixed", "Three!")
    theirs = blocks("One", "Two fixed", "Three")
    assert merge_body(base, mine, theirs) == mine


def test_an_edit_inside_a_nested_block_is_an_edit_of_its_top_level_block() -> None:
    def items(a: str, b: str) -> str:
        return (
            f"<!-- wp:list -->\n<ul><!-- wp:list-item -->\n<li>{a}</li>\n<!-- /wp:list-item -->"
            f"\n\n<!-- wp:list-item -->\n<li>{b}</li>\n<!-- /wp:list-item --></ul>\n"
            "<!-- /wp:list -->"
        )

    base = f"{block('Intro')}\n\n{items('a', 'b')}"
    mine = f"{block('Intro')}\n\n{items('a!', 'b')}"
    # An intro edit and a list edit merge...
    assert merge_body(base, mine, f"{block('Intro?')}\n\n{items('a', 'b')}") == (
        f"{block('Intro?')}\n\n{items('a!', 'b')}"
    )
    # ...but two edits of different items of one list touch the same top-level block.
    assert merge_body(base, mine, f"{block('Intro')}\n\n{items('a', 'b?')}") is None


def test_plain_paragraphs_merge_like_blocks() -> None:
    base = "Para one.\n\nPara two.\n\nPara three."
    mine = "Para one, mine.\n\nPara two.\n\nPara three."
    theirs = "Para one.\n\nPara two.\n\nPara three, theirs.\n\nPara four."
    assert merge_body(base, mine, theirs) == (
        "Para one, mine.\n\nPara two.\n\nPara three, theirs.\n\nPara four."
    )


def test_one_sided_changes_come_back_verbatim() -> None:
    base, other = blocks("A"), blocks("B")
    assert merge_body(base, base, other) == other
    assert merge_body(base, other, base) == other
    assert merge_body(base, other, other) == other


def test_a_merge_keeps_whitespace_and_fills_new_gaps() -> None:
    base = "  A\n\n\nB\n"
    mine = "  A edited\n\n\nB\n"
    theirs = "  A\n\n\nB\n\nC\n"
    assert merge_body(base, mine, theirs) == "  A edited\n\n\nB\n\nC\n"


def test_body_merge_through_merge_fields() -> None:
    base = {"content": blocks("One", "Two"), "title": "T"}
    local = {"content": blocks("One!", "Two"), "title": "T"}
    site = {"content": blocks("One", "Two?"), "title": "T2"}
    merge = merge_fields(base, local, site, bodies=("content",))
    assert merge.clean
    assert merge.merged == {"content": blocks("One!", "Two?"), "title": "T2"}


# -- hostile and huge input ------------------------------------------------------------------------


def _quick(seconds: float = 2.0) -> float:
    return time.perf_counter() + seconds


def test_bodies_over_the_limit_are_not_merged() -> None:
    huge = "x" * (MAX_BODY_CHARS + 1)
    deadline = _quick()
    assert merge_body("a", huge, "b") is None
    assert time.perf_counter() < deadline


@pytest.mark.parametrize(
    "side",
    [
        lambda n: ["x" if i % 2 else "same" for i in range(n)],  # everything interleaved
        lambda n: [f"x{i % 7}" if i % 3 else "same" for i in range(n)],
        lambda n: ["same"] * (n // 2) + ["inserted"] + ["same"] * (n - n // 2),
    ],
    ids=["interleaved", "mostly-changed", "one-insertion"],
)
def test_many_identical_blocks_stay_bounded_in_time(side: object) -> None:
    n = 3000
    base = "\n\n".join(["same"] * n)
    mine = "\n\n".join(side(n))  # type: ignore[operator]
    theirs = "\n\n".join(["same"] * (n - 1) + ["theirs"])
    deadline = _quick(4.0)
    result = merge_body(base, mine, theirs)
    assert time.perf_counter() < deadline
    # Either merged with both edits, or given up on (a conflict): never a wrong merge.
    if result is not None:
        assert "theirs" in result and result.replace("\n\ntheirs", "\n\nsame") == mine


def test_a_small_edit_in_a_large_body_merges() -> None:
    texts = [f"Paragraph {i}" for i in range(5000)]
    mine, theirs = list(texts), list(texts)
    mine[10] = "mine"
    theirs[4000] = "theirs"
    deadline = _quick(4.0)
    merged = merge_body("\n\n".join(texts), "\n\n".join(mine), "\n\n".join(theirs))
    assert time.perf_counter() < deadline
    assert merged is not None and "mine" in merged and "theirs" in merged


def test_pathological_comments_are_linear() -> None:
    nasty = "<!-- wp:a {" * 100_000  # openers whose attributes never close
    deadline = _quick()
    assert split_body(nasty).text() == nasty
    assert merge_body(nasty, nasty + "\n\nx", "y\n\n" + nasty) is not None
    assert time.perf_counter() < deadline


def test_deep_nesting_does_not_recurse() -> None:
    depth = 20_000
    text = "<!-- wp:group -->" * depth + "<p>core</p>" + "<!-- /wp:group -->" * depth
    body = split_body(text)
    assert body.tokens == (text,)
    assert merge_body(text, text + "\n\nmine", "theirs\n\n" + text) == (
        "theirs\n\n" + text + "\n\nmine"
    )


def test_odd_characters_survive_a_merge() -> None:
    base = "Zero\x00byte\n\nThảo 👋💑\n\n<script>alert(1)</script>"
    mine = "Zero\x00byte!\n\nThảo 👋💑\n\n<script>alert(1)</script>"
    theirs = "Zero\x00byte\n\nThảo 👋💑\n\n<script>alert(2)</script>"
    assert merge_body(base, mine, theirs) == (
        "Zero\x00byte!\n\nThảo 👋💑\n\n<script>alert(2)</script>"
    )


def test_random_non_overlapping_edits_always_merge_with_both_edits() -> None:
    rng = random.Random(2024)
    for _ in range(200):
        count = rng.randint(2, 12)
        texts = [f"Paragraph {i} {rng.random():.6f}" for i in range(count)]
        i, j = rng.sample(range(count), 2)
        mine, theirs = list(texts), list(texts)
        mine[i] += " (mine)"
        theirs[j] += " (theirs)"
        merged = merge_body(blocks(*texts), blocks(*mine), blocks(*theirs))
        expected = list(texts)
        expected[i], expected[j] = mine[i], theirs[j]
        assert merged == blocks(*expected)
