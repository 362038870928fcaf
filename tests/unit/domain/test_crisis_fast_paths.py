"""The crisis matcher's shortcuts find exactly what the plain reading of the list finds.

A wrong shortcut would miss a person in crisis without any other test noticing (the corpus
checks rates, not every match), so every message of the corpus, the hold-out set and the demo
inquiries, and a few hundred made-up messages built from the list's own words (spaced out,
run together, with look-alike symbols, contractions and idioms), are read both ways: the
phrases found, where, and the words quoted must be the same.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from clinicdesk.domain.crisis import CrisisLanguage
from clinicdesk.domain.crisis_list import DEFAULT_LIST_NAME, read_list
from clinicdesk.domain.crisis_words import words
from clinicdesk.model.resources import resource_path
from tests.fixtures.crisis_plain import Found, plain_explain, plain_words

ROOT = Path(__file__).resolve().parents[3]
LIST_LINES = resource_path(DEFAULT_LIST_NAME).read_text(encoding="utf-8").splitlines()
LIST = read_list(LIST_LINES)
_LOOK_ALIKES = str.maketrans({"i": "1", "e": "3", "o": "0", "a": "@", "s": "$"})
_FILLER = (
    "I have been feeling low since my job ended and do not know what to do about it, "
    "can you help me find a therapist who takes my insurance on weekday evenings please"
).split()


def _corpus_messages(name: str) -> list[str]:
    lines = (ROOT / "tests" / "fixtures" / name).read_text(encoding="utf-8").splitlines()
    return [line.split(" | ")[-1] for line in lines if " | " in line and not line.startswith("#")]


def _made_up(count: int) -> list[str]:
    """Messages mixing ordinary words with the list's words, in the ways people write them:
    spaced out, with look-alike symbols, run together, split in two, with contractions."""
    rng = random.Random(20261207)
    list_words = [
        w.strip("*")
        for line in LIST_LINES
        if line.strip() and not line.startswith(("#", "@", "["))
        for part in line.split()
        for w in part.split("|")
        if w != "..."
    ]
    texts = []
    for _ in range(count):
        chosen = [rng.choice(list_words if rng.random() < 0.5 else _FILLER) for _ in range(40)]
        shaped = []
        for word in chosen:
            roll = rng.random()
            if roll < 0.05:
                shaped.append(" ".join(word))  # s u i c i d e
            elif roll < 0.10:
                shaped.append(word.translate(_LOOK_ALIKES))  # k1ll
            elif roll < 0.15 and shaped:
                shaped[-1] += word  # run together
            elif roll < 0.22 and len(word) >= 4:
                cut = rng.randrange(1, len(word))
                shaped.append(f"{word[:cut]} {word[cut:]}")  # sui cide
            elif roll < 0.27:
                shaped.append(rng.choice(["do not", "I am", "my self", "cannot", "wanna", "I've"]))
            else:
                shaped.append(word)
        texts.append(" ".join(shaped))
    return texts


MESSAGES = [
    *_corpus_messages("crisis_corpus.txt"),
    *_corpus_messages("crisis_holdout.txt"),
    *(
        str(item["message"])
        for item in json.loads(
            (ROOT / "resources" / "demo" / "inquiries.json").read_text(encoding="utf-8")
        )
    ),
    *_made_up(300),
    "thinking about s u i c i d e a lot",
    "I want to k!ll mys3lf",
    "selfharm again last night",
    "thinking of sui cide",
    "we support suicide prevention month, but honestly I want to die",
]


@pytest.fixture(scope="module")
def language() -> CrisisLanguage:
    return CrisisLanguage(LIST_LINES)


def _fast(language: CrisisLanguage, *texts: str) -> list[Found]:
    return [(m.category, m.phrase, m.words, m.language, m.at) for m in language.explain(*texts)]


def test_the_messages_hold_what_the_shortcuts_must_get_right(language: CrisisLanguage) -> None:
    """Not a vacuous comparison: many messages are flagged, some only through the run-together
    or look-alike readings, and some hold idioms."""
    flagged = [text for text in MESSAGES if language.explain(text)]
    assert len(flagged) > 400
    assert sum(bool(re.search(r"(?<!\S)\S \S \S(?!\S)", text)) for text in flagged) > 20
    assert sum(bool(re.search(r"[a-z][1@$30]|[1@$30][a-z]", text)) for text in flagged) > 20
    assert "I want to k!ll mys3lf" in flagged
    assert "thinking of sui cide" in flagged
    assert language.find("we support suicide prevention month, but honestly I want to die") == (
        "want to die",
    )


def test_words_are_read_as_the_plain_reading_reads_them() -> None:
    for text in MESSAGES:
        assert words(text) == plain_words(text), text


def test_every_message_finds_what_the_plain_reading_finds(language: CrisisLanguage) -> None:
    for text in MESSAGES:
        assert _fast(language, text) == plain_explain(LIST, text), text


def test_a_reason_and_a_message_together_find_what_the_plain_reading_finds(
    language: CrisisLanguage,
) -> None:
    for reason, message in zip(MESSAGES[::7], MESSAGES[3::7], strict=False):
        assert _fast(language, reason, message) == plain_explain(LIST, reason, message)
