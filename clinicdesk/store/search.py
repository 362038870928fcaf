"""Full-text search over posts (title, body) and inquiries (every field the inbox shows).

The FTS5 indexes are external-content tables kept current by triggers (created by the
migrations): ``posts_fts`` over ``posts``, ``inquiries_fts`` over the view ``inquiry_search``
(each inquiry's names and email with its message, kept in a table of its own). Tokenized with
``unicode61 remove_diacritics 2``: case and accents do not matter, so "jose" finds "José".

What the user types is never handed to FTS5's query language: each word becomes a quoted
phrase (quotes doubled) with a prefix star, all of them required. So ``"``, ``*``, ``AND``,
``NEAR(`` or a stray parenthesis are plain text, and "jan smi" finds "Jane Smith" while typing.

An inquiry search (:func:`inquiry_text_condition`) covers every field the inbox shows: the names,
email, reason, insurance, state, preferred contact and message (``inquiries_fts``), the
timeline's notes and their authors (``notes_fts``, over ``notes``), and the assignee's name (the
few staff names, matched with ``LIKE``, then the inquiries by the assignee index).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
    union_all,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from clinicdesk.store.models import FTS_TABLES, Inquiry, Note, Post, User

#: Words beyond this many are ignored (a query is typed, not pasted books).
MAX_TERMS = 12
#: Characters of a single word beyond this are ignored.
MAX_TERM_LENGTH = 64

_posts_fts = table("posts_fts", column("rowid", Integer), column("rank"))
_inquiries_fts = table("inquiries_fts", column("rowid", Integer), column("rank"))
_notes_fts = table("notes_fts", column("rowid", Integer))


def fts_query(user_text: str) -> str | None:
    """An FTS5 query matching every word of ``user_text`` as a prefix, or None for no words.

    Args:
        user_text: what the user typed, unchecked.

    Returns:
        e.g. ``"jan"* "smi"*`` for ``jan smi``; None when nothing searchable was typed (the
        caller shows no results rather than everything).
    """
    words = [w[:MAX_TERM_LENGTH] for w in user_text.split() if any(c.isalnum() for c in w)]
    if not words:
        return None
    return " ".join('"' + word.replace('"', '""') + '"*' for word in words[:MAX_TERMS])


def _words(user_text: str) -> list[str]:
    """The searchable words of ``user_text``, capped as :func:`fts_query` caps them."""
    words = [w[:MAX_TERM_LENGTH] for w in user_text.split() if any(c.isalnum() for c in w)]
    return words[:MAX_TERMS]


def _starts_a_word(field: InstrumentedAttribute[str], word: str) -> ColumnElement[bool]:
    """Whether some word of ``field`` starts with ``word`` (ASCII case ignored), as FTS's
    prefix match does. ``%`` and ``_`` typed by the user are escaped: plain text, never
    wildcards."""
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    spaced = literal(" ") + func.lower(field)
    return spaced.like("% " + escaped + "%", escape="\\")


def inquiry_text_condition(user_text: str, *, walk_order: bool) -> ColumnElement[bool] | None:
    """Whether an inquiry matches every word of ``user_text``, each word in any field shown to
    staff: names, email, reason, insurance, state, preferred contact, message, a note's text or
    author, the assignee's name.

    Each word is one ``id IN (...)`` over the ``UNION ALL`` of its three sources: ``IN`` builds
    one lookup table of the word's matches, so neither duplicate removal nor an ``INTERSECT``
    builds more (they cost a third of a broad search at 20,000 inquiries).

    Args:
        user_text: what the user typed, unchecked.
        walk_order: the caller reads the inbox in an index's order (arrival). Then the ids are
            tested while walking that index (``id + 0`` keeps SQLite from starting at the
            matches): a word in most messages costs no lookup of each match's row and no sort
            of them, so a broad search costs about what listing the view costs (8 ms instead of
            11 at 20,000, 12 instead of 17 for two such words), while a name costs one pass
            over the index (about 1.5 ms). Otherwise SQLite starts from the matches.

    Returns:
        The condition, or None when nothing searchable was typed.
    """
    words = _words(user_text)
    if not words:
        return None
    inquiry_id = Inquiry.id + 0 if walk_order else Inquiry.id
    per_word = []
    for word in words:
        match = fts_query(word) or '""'
        # ``match`` compiles to SQLite's MATCH, with a bound parameter of its own per word.
        indexed = select(_inquiries_fts.c.rowid).where(literal_column("inquiries_fts").match(match))
        noted = select(Note.inquiry_id).where(
            Note.id.in_(select(_notes_fts.c.rowid).where(literal_column("notes_fts").match(match)))
        )
        assigned = select(Inquiry.id).where(
            Inquiry.assignee.in_(
                select(User.id).where(User.id != 0, _starts_a_word(User.name, word))
            )
        )
        per_word.append(inquiry_id.in_(union_all(indexed, noted, assigned)))
    return and_(*per_word)


def post_matches(match: str, columns: tuple[Any, ...]) -> Select[Any]:
    """A select of ``columns`` of the posts matching an :func:`fts_query`, best match first.

    Posts deleted locally (waiting for the site) are left out.
    """
    return (
        select(*columns)
        .join_from(Post, _posts_fts, _posts_fts.c.rowid == Post.id)
        .where(text("posts_fts MATCH :match").bindparams(match=match))
        .where(Post.pending_delete.is_(False))
        .order_by(_posts_fts.c.rank, Post.id.desc())
    )


def inquiry_matches(
    user_text: str, columns: tuple[Any, ...], condition: ColumnElement[bool]
) -> Select[Any] | None:
    """A select of ``columns`` of the inquiries matching :func:`inquiry_text_condition` and
    ``condition`` (the inbox view), newest first: the inbox's own order, which a user looking
    for a person expects to keep. None when nothing searchable was typed.

    The matches are tested while SQLite walks the view's index in arrival order, which stops at
    the page's end, instead of sorting every match. With 50,000 inquiries a word in most
    messages takes about 15 ms instead of 150.
    """
    matching = inquiry_text_condition(user_text, walk_order=True)
    if matching is None:
        return None
    return (
        select(*columns)
        .where(matching, condition)
        .order_by(Inquiry.received_gmt.desc(), Inquiry.id.desc())
    )


def rebuild(session: Session) -> None:
    """Rebuild the indexes from their tables (repair; the triggers keep them current)."""
    for fts in FTS_TABLES:
        session.execute(text(f"INSERT INTO {fts} ({fts}) VALUES ('rebuild')"))  # noqa: S608 (fixed names)


def check(session: Session) -> None:
    """Raise if an index disagrees with its table (FTS5's ``integrity-check``)."""
    for fts in FTS_TABLES:
        statement = f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)"  # noqa: S608
        session.execute(text(statement))
