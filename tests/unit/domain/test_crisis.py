"""Crisis language: the shipped list against the demo's records and many ways people write, and
flagging new arrivals in a real cache (no site, no Qt)."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from clinicdesk.domain.crisis import CrisisLanguage, default_language
from clinicdesk.domain.crisis_list import DEFAULT_LIST_NAME
from clinicdesk.domain.crisis_why import AUTO_FLAG_NOTE, reasons
from clinicdesk.domain.crisis_words import inflections, words
from clinicdesk.model.resources import resource_path
from clinicdesk.services.arrivals import check_arrivals, flag_new_arrivals
from clinicdesk.store import Cache
from tests.fixtures.store import T0, opened, site_inquiry, site_note

DEMO = json.loads(
    (Path(__file__).resolve().parents[3] / "resources/demo/inquiries.json").read_text("utf-8")
)
#: The demo's people writing in crisis (resources/demo/README.md).
DEMO_CRISIS = {"Jordan Pruitt", "Alexis Garza", "Raymond Castellanos", "Tiffany Oduya"}


@pytest.fixture(scope="module")
def language() -> CrisisLanguage:
    return default_language()


def _name(item: dict[str, str]) -> str:
    return f"{item['first_name']} {item['last_name']}".strip()


def test_the_shipped_list_loads_and_is_substantial(language: CrisisLanguage) -> None:
    assert resource_path(DEFAULT_LIST_NAME).is_file()
    assert len(language.phrases) > 80
    assert "suicid*" in language.phrases
    assert language.version  # shown in the timeline with each automatic flag
    assert set(language.categories) == {
        "wish to be dead",
        "thoughts of suicide",
        "plan / means",
        "preparing (goodbyes, giving things away)",
        "attempts / self-harm",
        "hopelessness / burden",
    }


def test_exactly_the_demos_crisis_records_are_found(language: CrisisLanguage) -> None:
    found = {_name(item) for item in DEMO if language.matches(item["reason"], item["message"])}
    assert found == DEMO_CRISIS


@pytest.mark.parametrize(
    ("name", "category", "said"),
    [
        ("Jordan Pruitt", "hopelessness / burden", "reason to live"),
        ("Alexis Garza", "attempts / self-harm", "cutting myself again"),
        ("Raymond Castellanos", "thoughts of suicide", "ending my life"),
        ("Tiffany Oduya", "hopelessness / burden", "better off without me"),
    ],
)
def test_each_demo_crisis_record_says_why(
    language: CrisisLanguage, name: str, category: str, said: str
) -> None:
    item = next(i for i in DEMO if _name(i) == name)
    why = reasons(language.explain(item["reason"], item["message"]))
    assert any(r.startswith(f"{category}: \u201c") and said in r for r in why), why


@pytest.mark.parametrize(
    "text",
    [
        # The demo's wording and close variants.
        "Honestly I don't see a reason to live anymore",
        "I dont see any reason to live",
        "no reason at all to live",
        "I've been thinking about ending my life",
        "thinking about ending my own life",
        "I've been cutting myself again",
        "I have been cutting myself",
        "i cut myself last night",
        "my family would honestly be better off without me",
        "everyone would be better off without me",
        # The listed words, with case, inflection and spacing.
        "suicide",
        "I'm SUICIDAL",
        "suicidal thoughts",
        "I attempted suicide in 2019",
        "I want to kill myself",
        "I keep thinking of killing myself",
        "I want to kill my self",
        "kill   my-self",
        "killmyself",
        "I want to end my life",
        "I just want to die",
        "I want to just die",
        "i wanna die",
        "self-harm",
        "self harm",
        "selfharm",
        "history of self harming",
        "self-injury",
        "I overdosed last year",
        "thinking about an overdose",
        "I keep hurting myself",
        "I hurt myself on purpose",
        "there's no reason to live",
        "no reason to go on",
        "I'd be better off dead",
        "I wish I were dead",
        "I wish I was dead",
        "I do not want to live anymore",
        "I don\u2019t want to be here anymore",
        "I cannot go on like this",
        "I can't do this anymore",
        "I feel like ending it all",
        "I've thought about taking my own life",
        "I took all my pills",
        "my life isn't worth living",
        "life is not worth it",
        "nothing to live for",
        "I don't want to wake up tomorrow",
        "I'm a burden to everyone",
        "I want to unalive myself",
        # Obfuscation and spacing.
        "s u i c i d e",
        "S U I C I D A L",
        "sui-cide",
        "su1c1dal",
        "k!ll mys3lf",
        "SeLf HaRm",
        "suicide\u200b",
        "sui\u200bcide",
        "ending\nmy\nlife",
        "KILL MYSELF",
        # Spanish.
        "quiero morir",
        "ya no quiero vivir",
        "pienso en quitarme la vida",
        "he pensado en el suicidio",
        "me quiero matar",
        # Explicit misses found by the held-out sets (tests/fixtures/crisis_holdout.txt).
        "Me he lastimado a propósito muchas veces",
        "Mi hijo se intentó ahorcar",
        "se quería matar",
        "Most nights I lie there wishing I would just die",
        "Honestly I'd be happy to die.",
        "Me siento una carga",
    ],
)
def test_crisis_wording_is_found(language: CrisisLanguage, text: str) -> None:
    assert language.matches(text), text
    assert language.find(text), text


@pytest.mark.parametrize(
    "text",
    [
        "deadlines are killing me",
        "I want to be clear that I'm not in any danger, I'm just tired",
        "I want to diet and exercise more",
        "Looking for help with social anxiety. Aetna. Flexible schedule.",
        "I spend my lifetime worrying",
        "My husband and I are looking for couples counseling.",
        "Hola, busco terapia en español para depresión.",
        "",
    ],
)
def test_ordinary_wording_is_not_flagged(language: CrisisLanguage, text: str) -> None:
    assert not language.matches(text), language.find(text)


def test_words_normalise_case_accents_apostrophes_and_contractions() -> None:
    assert words("I\u2019m   NOT, don't; DO NOT cannot wanna my-self Ýo") == [
        "im",
        "not",
        "dont",
        "dont",
        "cant",
        "want",
        "to",
        "myself",
        "yo",
    ]
    assert words("s u i c i d e a b") == ["suicideab"]
    assert words("a b") == ["a", "b"]


def test_inflections_cover_regular_forms() -> None:
    assert {"cut", "cuts", "cutting"} <= inflections("cut")
    assert {"die", "dies", "died", "dying"} <= inflections("die")
    assert {"end", "ends", "ended", "ending"} <= inflections("end")
    assert {"overdose", "overdosed", "overdosing"} <= inflections("overdose")


def test_a_custom_list_with_alternatives_prefixes_and_gaps() -> None:
    language = CrisisLanguage(["# comment", "", "hurt|harm myself", "hopeles*"])
    assert language.phrases == ("hurt|harm myself", "hopeles*")
    assert language.find("I harmed my whole self") == ()
    assert language.find("I harmed myself") == ("hurt|harm myself",)
    assert language.find("I want to hurt, honestly, myself") == ("hurt|harm myself",)
    assert language.find("hurt them so much it is too far from myself") == ()  # gap too long
    assert language.find("feeling hopelessness") == ("hopeles*",)


@pytest.mark.parametrize("bad", ["... suicide", "self-harm|cut", "want to ...", "@colour red"])
def test_unreadable_lines_are_refused(bad: str) -> None:
    # The message names the line, for whoever edits the list.
    with pytest.raises(ValueError, match=r"^line 3: .*(\.\.\.|word|directive)"):
        CrisisLanguage(["# a comment", "kill myself", bad])


def test_an_empty_list_is_refused() -> None:
    with pytest.raises(ValueError, match="empty"):
        CrisisLanguage(["# nothing"])


# -- flagging new arrivals ------------------------------------------------------------------------


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Cache]:
    with opened(tmp_path / "cache.db") as cache:
        yield cache


def test_new_crisis_arrivals_are_flagged_urgent_with_a_note(cache: Cache) -> None:
    cache.inquiries.upsert_from_site(
        [
            site_inquiry(1, message="Thinking about ending my life."),
            site_inquiry(2, message="Deadlines are killing me."),
            site_inquiry(3, message="I have been cutting myself", triage_status="closed"),
            site_inquiry(4, message="i want to die", urgent=True),
        ]
    )
    assert flag_new_arrivals(cache, [1, 2, 3, 4, 99], author=6, author_name="Marisol") == 1
    first = cache.inquiries.local_id(1)
    assert first is not None
    assert cache.inquiries.get(first).triage.urgent
    notes = cache.inquiries.notes(first)
    # The note says why, in words staff can judge, and which version of the list decided.
    version = default_language().version
    why = f"{AUTO_FLAG_NOTE} (list {version}). thoughts of suicide: \u201cending my life\u201d."
    assert [(n.kind, n.content, n.pending, n.author) for n in notes] == [("note", why, True, 6)]
    # One outbox entry for the flag, one for the note: both reach the site.
    entries = {(e.entity, e.op) for e in cache.outbox.entries()}
    assert entries == {("inquiry", "update"), ("note", "note")}
    for other in (2, 3):  # not crisis language; no longer "new"
        local = cache.inquiries.local_id(other)
        assert local is not None and not cache.inquiries.get(local).triage.urgent
    # A second call (the next round pulling the same ids) changes nothing.
    assert flag_new_arrivals(cache, [1, 2, 3, 4]) == 0
    assert len(cache.inquiries.notes(first)) == 1


def test_a_flag_removed_by_hand_stays_removed(cache: Cache) -> None:
    cache.inquiries.upsert_from_site([site_inquiry(1, message="I want to kill myself")])
    # Someone (on another computer) flagged it, then took the flag off: both are in the timeline.
    cache.inquiries.upsert_notes([dataclasses.replace(site_note(1, 1, "off"), kind="urgent")])
    assert flag_new_arrivals(cache, [1]) == 0


def test_flagging_logs_a_count_and_nothing_of_the_inquiry(
    cache: Cache, caplog: pytest.LogCaptureFixture
) -> None:
    cache.inquiries.upsert_from_site(
        [site_inquiry(1, first_name="Zebulon", message="no reason to live qqzzx")]
    )
    with caplog.at_level(logging.DEBUG):
        assert flag_new_arrivals(cache, [1]) == 1
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "1 new inquiries flagged" in logged
    for secret in ("Zebulon", "qqzzx", "reason to live", "zebulon.1@example.org"):
        assert secret not in logged


def test_an_inquiry_stored_before_a_crash_is_still_checked_at_the_next_round(
    cache: Cache,
) -> None:
    # A round stored these, then the app stopped before checking them (the report that named
    # them as new is lost): the next round's check still reads them, once.
    cache.inquiries.upsert_from_site(
        [
            site_inquiry(1, message="Thinking about ending my life."),
            site_inquiry(2, message="Deadlines are killing me."),
        ]
    )
    assert check_arrivals(cache, author=6, author_name="Marisol") == 1
    first = cache.inquiries.local_id(1)
    assert first is not None and cache.inquiries.get(first).triage.urgent
    assert cache.inquiries.unchecked_arrivals() == []
    # The next round brings one more: only it is read.
    cache.inquiries.upsert_from_site([site_inquiry(3, message="I keep hurting myself")])
    assert [a.remote_id for a in cache.inquiries.unchecked_arrivals()] == [3]
    assert check_arrivals(cache) == 1
    assert check_arrivals(cache) == 0
    assert len(cache.inquiries.notes(first)) == 1


def test_checking_in_batches_reads_every_arrival_once(cache: Cache) -> None:
    cache.inquiries.upsert_from_site(
        [
            site_inquiry(n, message="i want to die" if n % 4 == 0 else "Anxiety at work.")
            for n in range(1, 24)
        ]
    )
    assert check_arrivals(cache, batch=5) == 5  # 4, 8, 12, 16, 20
    urgent = {
        remote
        for remote in range(1, 24)
        if cache.inquiries.get(cache.inquiries.local_id(remote) or 0).triage.urgent
    }
    assert urgent == {4, 8, 12, 16, 20}
    # Site updates of checked inquiries are not arrivals: nothing is read again.
    cache.inquiries.upsert_from_site(
        [site_inquiry(5, message="i want to die", modified=T0 + timedelta(hours=1))]
    )
    local = cache.inquiries.local_id(5)
    assert local is not None and "want to die" in cache.inquiries.get(local).message
    assert cache.inquiries.unchecked_arrivals() == []


@pytest.mark.parametrize("at", [0, 0.5, 1])
def test_look_alike_symbols_are_found_anywhere_in_a_long_message(
    language: CrisisLanguage, at: float
) -> None:
    # Only the stretches around digits and symbols are read again, de-obfuscated: the words
    # around them must be whole, wherever they are.
    filler = "I'm 19, thanks! I would like an appointment on a Tuesday afternoon please. " * 40
    cut = filler.find(" ", int(len(filler) * at)) if at < 1 else len(filler)
    text = f"{filler[:cut]} i want to k!ll mys3lf {filler[cut:]}"
    assert reasons(language.explain(text)) == ("thoughts of suicide: \u201ckill myself\u201d",)
    assert not language.matches(filler)
