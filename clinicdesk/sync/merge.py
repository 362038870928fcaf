"""Three-way merges: pure functions, no I/O, no store, no site.

A local edit started from a *base* copy of a record; meanwhile the site may have moved on. The
merge takes the three versions and, field by field:

* a field only one side changed takes that side's value;
* a field both sides changed to the same value takes it;
* a field both sides changed differently is a **conflict**, except:

  - a post body (:func:`merge_body`) is merged by WordPress block, or by paragraph when there is no
    block markup, where the two edits touch different blocks; edits of the same block, or edits
    the merge cannot place unambiguously, are a conflict;
  - a set of ids (categories, tags: :func:`merge_id_sets`) takes the site's set with the local
    additions and removals applied.

A conflict never picks a winner: the caller keeps both versions for the user. Every function is
bounded in time: bodies too large to compare cheaply are simply not merged (a conflict).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "MAX_BODY_CHARS",
    "MAX_BODY_TOKENS",
    "UNKNOWN",
    "Body",
    "FieldMerge",
    "merge_body",
    "merge_fields",
    "merge_id_sets",
    "split_body",
]


class _Unknown:
    """The base value of a field whose starting point is not known (never equal to anything)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


#: Use as a base value when the version an edit started from is not known: a field both sides
#: hold differently is then a conflict, never a guess.
UNKNOWN: Final = _Unknown()

#: Bodies longer than this (characters, any of the three) are not merged: a conflict instead.
MAX_BODY_CHARS: Final = 2_000_000
#: Blocks or paragraphs per body beyond which bodies are not merged.
MAX_BODY_TOKENS: Final = 20_000
# Steps the block diff may take per side (about a second of work at worst); beyond, no merge.
_DIFF_BUDGET: Final = 2_000_000

# "<!-- wp:name {attrs} /-->", "<!-- /wp:name -->": the contents of one HTML comment. Matched only
# against a single comment's text (found with str.find), so hostile input cannot make the regular
# expression scan the whole body from every position.
_DELIMITER = re.compile(
    r"\s+(?P<closer>/)?wp:(?P<name>[a-z][a-z0-9_-]*(?:/[a-z][a-z0-9_-]*)?)"
    r"\s+(?:\{.*\}\s+)?(?P<void>/)?",
    re.DOTALL,
)
_BLANK_LINES = re.compile(r"(?:[ \t]*\r?\n){2,}[ \t]*")
_DEFAULT_SEPARATOR: Final = "\n\n"


# -- fields ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FieldMerge:
    """The result of :func:`merge_fields`.

    Attributes:
        merged: every field's merged value (a conflicting field holds the local value: nothing
            is picked for the user, the caller keeps the site's copy beside it).
        conflicts: the fields both sides changed in ways that could not be combined.
        local_changes: fields whose local value differs from the base.
        site_changes: fields whose site value differs from the base.
    """

    merged: Mapping[str, object]
    conflicts: tuple[str, ...]
    local_changes: frozenset[str]
    site_changes: frozenset[str]

    @property
    def clean(self) -> bool:
        """True when there is no conflict."""
        return not self.conflicts

    def differs_from(self, values: Mapping[str, object]) -> frozenset[str]:
        """The fields whose merged value differs from ``values``."""
        return frozenset(k for k, v in self.merged.items() if values.get(k, UNKNOWN) != v)


def merge_fields(
    base: Mapping[str, object],
    local: Mapping[str, object],
    site: Mapping[str, object],
    *,
    bodies: Collection[str] = (),
    id_sets: Collection[str] = (),
) -> FieldMerge:
    """Merge two edits of a record field by field.

    Args:
        base: the fields as they were when the local edit started. A missing key, or the value
            :data:`UNKNOWN`, means the starting point is not known.
        local: the fields as edited here. Its keys are the fields merged.
        site: the fields as the site has them now (every key of ``local``).
        bodies: fields holding a post body, merged by block/paragraph.
        id_sets: fields holding sets of ids (as sequences), merged element by element.

    Returns:
        The merge. ``site`` missing a key of ``local`` counts as "the site did not change it".
    """
    merged: dict[str, object] = {}
    conflicts: list[str] = []
    local_changes: set[str] = set()
    site_changes: set[str] = set()
    for key, mine in local.items():
        before = base.get(key, UNKNOWN)
        theirs = site.get(key, before)
        if mine != before:
            local_changes.add(key)
        if theirs != before:
            site_changes.add(key)
        if mine == theirs or theirs == before:
            merged[key] = mine
            continue
        if mine == before:
            merged[key] = theirs
            continue
        combined = _combine(key, before, mine, theirs, bodies, id_sets)
        if combined is None:
            conflicts.append(key)
            merged[key] = mine
        else:
            merged[key] = combined
    return FieldMerge(merged, tuple(conflicts), frozenset(local_changes), frozenset(site_changes))


def _combine(
    key: str,
    before: object,
    mine: object,
    theirs: object,
    bodies: Collection[str],
    id_sets: Collection[str],
) -> object | None:
    """Both sides changed ``key`` differently: a combined value, or None for a conflict."""
    if before is UNKNOWN:
        return None
    if key in bodies and isinstance(before, str) and isinstance(mine, str):
        return merge_body(before, mine, theirs) if isinstance(theirs, str) else None
    if key in id_sets and _is_ids(before) and _is_ids(mine) and _is_ids(theirs):
        return merge_id_sets(before, mine, theirs)  # type: ignore[arg-type]
    return None


def _is_ids(value: object) -> bool:
    return isinstance(value, list | tuple) and all(
        isinstance(i, int) and not isinstance(i, bool) for i in value
    )


def merge_id_sets(base: Iterable[int], local: Iterable[int], site: Iterable[int]) -> list[int]:
    """The site's set with the local additions and removals applied, sorted.

    Adding and removing different ids never conflicts; an id one side added and the other
    side never had is kept, one either side removed is gone.
    """
    before, mine, theirs = set(base), set(local), set(site)
    return sorted((theirs | (mine - before)) - (before - mine))


# -- bodies --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Body:
    """A post body cut into blocks (or paragraphs) and the whitespace between them.

    ``lead + tokens[0] + separators[0] + tokens[1] + ... + tokens[-1] + trail`` is the text.

    Attributes:
        lead: whitespace before the first block.
        tokens: the top-level blocks (a whole ``<!-- wp:... -->`` ... ``<!-- /wp:... -->``
            span, nested blocks included), or the paragraphs of text without block markup.
        separators: the whitespace between consecutive tokens (one fewer than ``tokens``).
        trail: whitespace after the last block.
    """

    lead: str
    tokens: tuple[str, ...]
    separators: tuple[str, ...]
    trail: str

    def text(self) -> str:
        """The body put back together."""
        parts = [self.lead]
        for index, token in enumerate(self.tokens):
            if index:
                parts.append(self.separators[index - 1])
            parts.append(token)
        parts.append(self.trail)
        return "".join(parts)


def _delimiters(text: str) -> list[tuple[int, int, str, bool, bool]] | None:
    """Every block delimiter: (start, end, name, closer, void), or None if there is none."""
    found: list[tuple[int, int, str, bool, bool]] = []
    position = 0
    while True:
        start = text.find("<!--", position)
        if start < 0:
            break
        stop = text.find("-->", start + 4)
        if stop < 0:
            break
        match = _DELIMITER.fullmatch(text, start + 4, stop)
        if match is not None:
            found.append(
                (
                    start,
                    stop + 3,
                    match.group("name"),
                    match.group("closer") is not None,
                    match.group("void") is not None,
                )
            )
        position = stop + 3
    return found or None


def _block_spans(text: str) -> list[tuple[int, int]] | None:
    """The (start, end) of each top-level block, or None when the markup is absent or broken."""
    delimiters = _delimiters(text)
    if delimiters is None:
        return None
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    top_start = 0
    for start, end, name, closer, void in delimiters:
        if closer:
            if not stack or stack[-1] != name:
                return None  # a closer that closes nothing: not markup we can trust
            stack.pop()
            if not stack:
                spans.append((top_start, end))
        elif void:
            if not stack:
                spans.append((start, end))
        else:
            if not stack:
                top_start = start
            stack.append(name)
    return None if stack else spans


def _paragraphs(text: str, offset: int, into: list[tuple[int, int]]) -> None:
    """Append the spans of the blank-line separated paragraphs of ``text`` (non-blank only)."""
    position = 0
    for separator in _BLANK_LINES.finditer(text):
        if text[position : separator.start()].strip():
            into.append((offset + position, offset + separator.start()))
        position = separator.end()
    if text[position:].strip():
        into.append((offset + position, offset + len(text)))


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without leading and trailing whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_body(text: str) -> Body:
    """Cut a body into top-level blocks, or paragraphs when it has no (sound) block markup.

    Text between blocks that is not whitespace (WordPress's "classic" content) becomes tokens of
    its own, one per paragraph.
    """
    spans: list[tuple[int, int]] = []
    blocks = _block_spans(text)
    if blocks is None:
        _paragraphs(text, 0, spans)
    else:
        position = 0
        for start, end in blocks:
            _paragraphs(text[position:start], position, spans)
            spans.append((start, end))
            position = end
        _paragraphs(text[position:], position, spans)
    spans = [_trimmed(text, start, end) for start, end in spans]
    spans = [(start, end) for start, end in spans if end > start]
    if not spans:
        return Body(text, (), (), "")
    tokens = tuple(text[start:end] for start, end in spans)
    separators = tuple(text[spans[i][1] : spans[i + 1][0]] for i in range(len(spans) - 1))
    return Body(text[: spans[0][0]], tokens, separators, text[spans[-1][1] :])


@dataclass(frozen=True, slots=True)
class _Hunk:
    """One side's change: base tokens [start, stop) replaced by ``tokens`` (with separators)."""

    start: int
    stop: int
    tokens: tuple[str, ...]
    # The separator after each replacement token in its own version (None after its last token).
    after: tuple[str | None, ...]


def _matches(a: Sequence[int], b: Sequence[int], budget: int) -> list[tuple[int, int]] | None:
    """The pairs (i, j) with ``a[i] == b[j]`` of a shortest edit script (Myers' O(ND) diff).

    Returns None when working it out would take more than ``budget`` steps: typical edits touch
    a few blocks (D is small and this is fast), while hostile bodies built to make a diff slow
    (thousands of identical blocks, everything changed) simply are not merged.
    """
    n, m = len(a), len(b)
    limit = n + m
    offset = limit + 1
    frontier = [0] * (2 * limit + 3)
    trace: list[list[int]] = []
    steps = 0
    for d in range(limit + 1):
        trace.append(frontier[offset - d - 1 : offset + d + 2])
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and frontier[offset + k - 1] < frontier[offset + k + 1]):
                x = frontier[offset + k + 1]  # a step down: b[y] inserted
            else:
                x = frontier[offset + k - 1] + 1  # a step right: a[x] deleted
            y = x - k
            snake_start = x
            while x < n and y < m and a[x] == b[y]:
                x += 1
                y += 1
            steps += x - snake_start + 1
            frontier[offset + k] = x
            if steps > budget:
                return None
            if x >= n and y >= m:
                return _backtrack(trace, a, b, d, k)
    return None  # unreachable: d = n + m always reaches the end


def _backtrack(
    trace: list[list[int]], a: Sequence[int], b: Sequence[int], d: int, k: int
) -> list[tuple[int, int]]:
    """Walk the frontiers back from the end, collecting the diagonal (equal) steps."""
    pairs: list[tuple[int, int]] = []
    x, y = len(a), len(b)
    while d > 0:
        before = trace[d]  # the frontier as it was when round d started (index: k + d + 1)

        def reach(diagonal: int, row: list[int] = before, depth: int = d) -> int:
            return row[diagonal + depth + 1]

        down = k == -d or (k != d and reach(k - 1) < reach(k + 1))
        previous = k + 1 if down else k - 1
        start_x = reach(previous)
        start_y = start_x - previous
        mid_x, mid_y = (start_x, start_y + 1) if down else (start_x + 1, start_y)
        while x > mid_x and y > mid_y:
            x -= 1
            y -= 1
            pairs.append((x, y))
        x, y, k, d = start_x, start_y, previous, d - 1
    while x > 0 and y > 0:
        x -= 1
        y -= 1
        pairs.append((x, y))
    pairs.reverse()
    return pairs


def _hunks(base: Sequence[int], side: Body, ids: Sequence[int]) -> list[_Hunk] | None:
    """One side's changes against the base, or None when too costly to work out.

    Args:
        base: the base's tokens, as ids (equal tokens, equal ids).
        side: the side's body.
        ids: the side's tokens, as ids.
    """
    prefix = 0
    limit = min(len(base), len(ids))
    while prefix < limit and base[prefix] == ids[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and base[len(base) - 1 - suffix] == ids[len(ids) - 1 - suffix]:
        suffix += 1
    middle_base = base[prefix : len(base) - suffix]
    middle_side = ids[prefix : len(ids) - suffix]
    if not middle_base and not middle_side:
        return []
    pairs = _matches(middle_base, middle_side, _DIFF_BUDGET)
    if pairs is None:
        return None
    hunks = []
    i = j = 0
    for stop_i, stop_j in [*pairs, (len(middle_base), len(middle_side))]:
        if stop_i > i or stop_j > j:
            if stop_i - i == stop_j - j:
                # As many blocks out as in: each was edited in place. Kept apart, so that an
                # edit of the block next to one the other side edited is not taken for overlap.
                pieces = [(i + n, i + n + 1, j + n, j + n + 1) for n in range(stop_i - i)]
            else:
                pieces = [(i, stop_i, j, stop_j)]
            for start, stop, first, last in pieces:
                first, last = prefix + first, prefix + last
                after = tuple(
                    side.separators[t] if t < len(side.separators) else None
                    for t in range(first, last)
                )
                hunks.append(_Hunk(prefix + start, prefix + stop, side.tokens[first:last], after))
        i, j = stop_i + 1, stop_j + 1
    return hunks


def _overlap(a: _Hunk, b: _Hunk) -> bool:
    """Whether two changes touch the same base blocks (or insert at the same place)."""
    if a.start == a.stop and b.start == b.stop:
        return a.start == b.start
    if a.start == a.stop:
        return b.start < a.start < b.stop
    if b.start == b.stop:
        return a.start < b.start < a.stop
    return max(a.start, b.start) < min(a.stop, b.stop)


def merge_body(base: str, local: str, site: str) -> str | None:
    """Merge two edits of a post body where they touch different blocks or paragraphs.

    Blocks are WordPress's top-level ``<!-- wp:... -->`` ... ``<!-- /wp:... -->`` spans (a
    nested block belongs to its parent); without block markup, paragraphs separated by a blank
    line. Two edits of the same block, two insertions at the same place, or a change and a
    deletion around the same block are a conflict. Whitespace between blocks is not content.

    Returns:
        The merged body, or None for a conflict (also for bodies too large to compare).
    """
    if local == site or site == base:
        return local
    if local == base:
        return site
    if max(len(base), len(local), len(site)) > MAX_BODY_CHARS:
        return None
    base_body, local_body, site_body = split_body(base), split_body(local), split_body(site)
    if max(len(base_body.tokens), len(local_body.tokens), len(site_body.tokens)) > MAX_BODY_TOKENS:
        return None
    numbering: dict[str, int] = {}
    base_ids = [numbering.setdefault(t, len(numbering)) for t in base_body.tokens]
    local_ids = [numbering.setdefault(t, len(numbering)) for t in local_body.tokens]
    site_ids = [numbering.setdefault(t, len(numbering)) for t in site_body.tokens]
    mine = _hunks(base_ids, local_body, local_ids)
    theirs = _hunks(base_ids, site_body, site_ids)
    if mine is None or theirs is None:
        return None
    kept: list[_Hunk] = list(mine)
    for hunk in theirs:
        clashing = [other for other in mine if _overlap(hunk, other)]
        if not clashing:
            kept.append(hunk)
            continue
        same = clashing[0]
        if len(clashing) == 1 and (same.start, same.stop, same.tokens) == (
            hunk.start,
            hunk.stop,
            hunk.tokens,
        ):
            continue  # both made the same change: keep it once
        return None  # both changed the same blocks, differently
    # At one position an insertion goes before a change that starts there.
    kept.sort(key=lambda h: (h.start, h.stop != h.start))
    out: list[tuple[str, str | None]] = []
    position = 0
    base_after = [*base_body.separators, None]
    for hunk in kept:
        out += [(base_body.tokens[i], base_after[i]) for i in range(position, hunk.start)]
        out += list(zip(hunk.tokens, hunk.after, strict=True))
        position = hunk.stop
    out += [(base_body.tokens[i], base_after[i]) for i in range(position, len(base_body.tokens))]
    lead = local_body.lead if local_body.lead != base_body.lead else site_body.lead
    trail = local_body.trail if local_body.trail != base_body.trail else site_body.trail
    tokens = tuple(token for token, _ in out)
    separators = tuple(after or _DEFAULT_SEPARATOR for _, after in out[:-1])
    return Body(lead, tokens, separators, trail).text()
