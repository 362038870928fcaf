"""The crisis check of arrivals: every inquiry the site sends is read for crisis language once,
and those in crisis are flagged urgent with a note saying why.

The matcher itself is pure (:mod:`clinicdesk.domain.crisis`); this is the clinic's policy of
applying it to what the cache received, exactly once per inquiry, surviving a crash in between.
Nothing here logs the text it reads (only counts).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from clinicdesk.domain.crisis import CrisisLanguage, default_language
from clinicdesk.domain.crisis_why import AUTO_FLAG_AUTHOR, auto_flag_note
from clinicdesk.model.records import SYSTEM_AUTHOR
from clinicdesk.store import Cache
from clinicdesk.store.inbox import ArrivalText

logger = logging.getLogger(__name__)


def flag_new_arrivals(
    cache: Cache,
    inquiry_ids: Iterable[int],
    *,
    language: CrisisLanguage | None = None,
    author: int = SYSTEM_AUTHOR,
    author_name: str = AUTO_FLAG_AUTHOR,
) -> int:
    """Flag urgent the inquiries just pulled whose reason or message holds crisis language.

    Meant for the sync engine, after a pull stored new inquiries (and, in the same round, the
    notes). Each match is flagged urgent locally, with a timeline note saying why (the
    categories and words found, and the list's version: :func:`auto_flag_note`), in one
    transaction; the next push sends the flag, and the
    push itself records the ``urgent``/``on`` entry the contract asks for once the site has
    accepted it (so the event is never written twice). Every other copy of the app then sees
    the flag.

    An inquiry is left alone when it is already urgent, when its timeline already has an
    "urgent" entry (someone, or another copy of the app, already decided: a flag removed by hand
    stays removed), or when it is no longer "new" (a first download of an old inbox does not
    flag inquiries that were handled long ago). So calling it twice flags nothing twice.

    Args:
        cache: the open cache.
        inquiry_ids: **site** ids of the inquiries the pull inserted (what
            ``InquiryStore.upsert_from_site`` reported "inserted"); unknown ids are skipped.
        language: the list to use (the shipped one by default).
        author: who the flag is written as: ClinicDesk itself (``SYSTEM_AUTHOR``, sent with
            ``by: "system"``), never the signed-in person.
        author_name: the name shown until the site's answer names it.

    Returns:
        How many inquiries were flagged.
    """
    arrivals = cache.inquiries.arrival_texts(list(inquiry_ids))
    flagged = _flag(cache, arrivals, language or default_language(), author, author_name)
    if flagged:
        logger.info("%d new inquiries flagged urgent for crisis language", flagged)  # a count
    return flagged


def check_arrivals(
    cache: Cache,
    *,
    language: CrisisLanguage | None = None,
    author: int = SYSTEM_AUTHOR,
    author_name: str = AUTO_FLAG_AUTHOR,
    batch: int = 500,
) -> int:
    """Check every inquiry stored since the last check, and flag those in crisis (as
    :func:`flag_new_arrivals` does).

    What to check is kept in the cache with each inquiry (stored "unchecked" in the same
    transaction as the inquiry itself), so the app quitting or crashing between a sync storing
    an inquiry and this check never leaves it unread: the next call reads it. Meant to run
    after every sync round; it costs one indexed read when nothing arrived.

    Returns:
        How many inquiries were flagged.
    """
    language = language or default_language()
    flagged = 0
    while arrivals := cache.inquiries.unchecked_arrivals(batch):
        flagged += _flag(cache, arrivals, language, author, author_name)
        # After the flags: a crash in between reads these again (flagging twice is a no-op).
        cache.inquiries.mark_arrivals_checked([arrival.id for arrival in arrivals])
    if flagged:
        logger.info("%d new inquiries flagged urgent for crisis language", flagged)  # a count
    return flagged


def _flag(
    cache: Cache,
    arrivals: Iterable[ArrivalText],
    language: CrisisLanguage,
    author: int,
    author_name: str,
) -> int:
    flagged = 0
    for arrival in arrivals:
        if not arrival.to_check:  # already urgent, already decided, or no longer new
            continue
        found = language.explain(arrival.reason, arrival.message)
        if not found:
            continue
        cache.inquiries.record_triage(
            arrival.id,
            {"urgent": True},
            [("note", auto_flag_note(found, language.version))],
            author=author,
            author_name=author_name,
        )
        flagged += 1
    return flagged
