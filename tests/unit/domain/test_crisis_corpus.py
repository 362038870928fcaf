"""The crisis-language list against the labelled corpus (tests/fixtures/crisis_corpus.txt:
messages written as people write to the form, English and Spanish), the issue's targets, and
the list's syntax for categories, languages, idioms and long gaps."""

from __future__ import annotations

import io
import re
from collections import Counter
from pathlib import Path

import pytest

from clinicdesk.domain.crisis import CrisisLanguage, default_language
from clinicdesk.domain.crisis_report import (
    LabelledMessage,
    load_corpus,
    main,
    read_corpus,
    report,
    tallies,
)
from clinicdesk.domain.crisis_why import MAX_QUOTE, Match, reasons
from clinicdesk.domain.crisis_words import looks_spanish

CORPUS_PATH = Path(__file__).resolve().parents[2] / "fixtures" / "crisis_corpus.txt"
CORPUS = load_corpus(CORPUS_PATH)
CATEGORIES = {"wish_dead", "ideation", "plan", "preparation", "attempt", "hopelessness"}
#: The issue's targets on the corpus.
EXPLICIT_RECALL = 1.0
INDIRECT_RECALL = 0.95
#: Not a target of the issue (false positives are acceptable), but a guard: a list that flags
#: one ordinary inquiry in ten would teach staff to skim the flag.
MAX_FALSE_POSITIVE_RATE = 0.10


def _id(message: LabelledMessage) -> str:
    return f"line{message.line}-{message.language}-{message.category}"


@pytest.fixture(scope="module")
def language() -> CrisisLanguage:
    return default_language()


def test_the_corpus_has_what_the_issue_asks_for() -> None:
    assert len(CORPUS) >= 300
    negatives = [m for m in CORPUS if m.negative]
    assert len(negatives) >= 100
    assert {m.language for m in negatives} == {"en", "es"}
    shape = Counter((m.category, m.language, m.kind) for m in CORPUS if not m.negative)
    for category in CATEGORIES:
        for lang in ("en", "es"):
            assert shape[(category, lang, "explicit")] >= 1, (category, lang)
            assert shape[(category, lang, "indirect")] >= 4, (category, lang)
    assert {m.category for m in CORPUS} == CATEGORIES | {"negative"}
    # Third person: parents, partners and friends writing about someone else.
    someone = re.compile(
        r"\b(she|he|son|daughter|husband|wife|partner|boyfriend|mother|mom|dad|father|"
        r"brother|sister|friend|teen|hij[oa]|espos[oa]|mam[aá]|pap[aá]|herman[oa]|novio)\b",
        re.IGNORECASE,
    )
    third = [m for m in CORPUS if not m.negative and someone.search(m.text)]
    assert len(third) >= 30
    assert len({m.text for m in CORPUS}) == len(CORPUS), "a message is in the corpus twice"


@pytest.mark.parametrize("message", [m for m in CORPUS if m.kind == "explicit"], ids=_id)
def test_every_explicit_message_is_flagged(
    language: CrisisLanguage, message: LabelledMessage
) -> None:
    assert language.matches(message.text), message.text


def test_recall_per_category_and_kind_meets_the_targets(language: CrisisLanguage) -> None:
    recall, _ = tallies(CORPUS, language)
    rates = {tally.name: tally.rate for tally in recall}
    assert rates["all explicit"] == EXPLICIT_RECALL
    assert rates["all indirect"] >= INDIRECT_RECALL
    for lang in ("en", "es"):
        assert rates[f"all explicit / {lang}"] == EXPLICIT_RECALL
        assert rates[f"all indirect / {lang}"] >= INDIRECT_RECALL
    for category in CATEGORIES:
        assert rates[f"{category} / explicit"] == EXPLICIT_RECALL, category
        assert rates[f"{category} / indirect"] >= INDIRECT_RECALL, category


def test_false_positives_stay_rare(language: CrisisLanguage) -> None:
    _, negatives = tallies(CORPUS, language)
    assert negatives.total >= 100
    assert negatives.rate <= MAX_FALSE_POSITIVE_RATE


@pytest.mark.parametrize(
    "text",
    [
        # The issue's idioms.
        "this traffic is killing me",
        "I'm dying to start",
        "my phone died",
        "dead tired",
        # Clearly not about the writer.
        "I work in suicide prevention and want to refer clients to you",
        "I'm a school counsellor asking for a referral for a student",
        "Our church is organising a suicide awareness evening",
        "I'm not suicidal, just exhausted by my divorce",
        "Trabajo en prevención del suicidio en una escuela",
        "Me muero de ganas de empezar la terapia",
        "Me corté el pelo y me arrepiento",
        "¡Qué lástima que no tengan citas los sábados!",
        # Ordinary exits and gifts beside the lines added for held-out set 8 ("I keep planning
        # my exit", "regaló su consola").
        "I'm planning my exit interview and I'm anxious about it",
        "I keep planning my exit from the company but I'm scared to quit",
        "I need help planning my exit from a toxic relationship",
        "I missed my exit on the highway, can we reschedule?",
        "Regalé mis libros viejos a la iglesia y me sentí bien",
        "Le regalé mi consola a mi sobrino por su cumpleaños",
        # Set 9's false positives fixed in 2026-12-07.2 (a typo of "dye", a denial, a search
        # for a therapist, a clinician's shift), and ordinary wording beside the lines added for
        # set 9's misses ("charcoal and tape", "set it for after ... ruin", "won't make it to 30",
        # "thought about driving off the road", "azotea ... viendo para abajo", "en paz, ya lo
        # decidí", "terapia intensiva por lo que hizo").
        "My daughter wants to die her hair purple for prom and we argue about it",
        "To be clear, no self harm or anything, just a lot of stress at work",
        "I feel hopeless about finding a therapist who takes Medicaid",
        "A patient overdosed during my shift and I keep replaying it, I'm a nurse",
        "I can't make it to 30 minute sessions on weekdays, do you have 50 minutes on Saturday?",
        "We bought charcoal for the grill this weekend, can we move my session?",
        "My daughter's graduation is in June, can we set the first session for after that?",
        "I drove off the road in the snow last winter and now I'm scared to drive",
        "My new psychiatrist has never met me in person",
        "Ya tengo decidido que quiero terapia en línea",
        "Vivo en un edificio alto y me da miedo mirar hacia abajo desde el balcón",
        "Estoy en paz con mi decisión de cambiar de trabajo",
        "Mi hija estuvo en urgencias por una alergia",
    ],
)
def test_idioms_and_non_personal_mentions_are_not_flagged(
    language: CrisisLanguage, text: str
) -> None:
    assert not language.matches(text), reasons(language.explain(text))


@pytest.mark.parametrize(
    "text",
    [
        # An idiom or a denial does not hide crisis words elsewhere in the message.
        "I work in suicide prevention, but lately I think about suicide myself",
        "I'm not suicidal but some nights I want to die",
        "Trabajo en prevención del suicidio y ya no quiero vivir",
        "After my exit interview I went home and I keep planning my exit",
        "Regalé mis libros a la iglesia y ya repartí mis cosas entre mis amigos",
        # The 2026-12-07.2 set-asides are narrow: a crisis line beside them still reads.
        "I'm dying my hair pink and honestly I want to die",
        "No self harm or anything, but I've been thinking about killing myself",
        "I feel hopeless about finding a therapist and hopeless about everything else",
        "I can't make it to 30 minute sessions and honestly I don't think I'll make it to 30",
        "A patient overdosed during my shift and that night I took a handful of pills",
        # A family history may be flagged: clinicians want to know.
        "my father died by suicide when I was ten",
    ],
)
def test_crisis_words_beside_an_idiom_are_still_flagged(
    language: CrisisLanguage, text: str
) -> None:
    assert language.matches(text)


@pytest.mark.parametrize(
    ("with_accents", "without"),
    [
        ("Ya no aguanto más", "ya no aguanto mas"),
        ("Todos estarían mejor sin mí", "todos estarian mejor sin mi"),
        ("Pienso en quitarme la vida", "PIENSO EN QUITARME LA VIDA"),
        ("Me hago daño cuando estoy sola", "me hago dano cuando estoy sola"),
        ("Intenté suicidarme el año pasado", "intente suicidarme el ano pasado"),
        ("Mi hijo dice que se quiere morir", "mi hijo dise que se quiere morir"),
        ("Escribí una carta de despedida", "escribi una carta de despedida"),
    ],
)
def test_spanish_is_found_with_and_without_accents(
    language: CrisisLanguage, with_accents: str, without: str
) -> None:
    found = reasons(language.explain(with_accents))
    assert found
    assert reasons(language.explain(without)) == found


def test_why_names_the_category_and_the_words(language: CrisisLanguage) -> None:
    found = language.explain("", "I have the pills. Ya no aguanto. Quiero morir.")
    # In the list's order: its English lines come before its Spanish ones.
    assert reasons(found) == (
        "plan / means: \u201chave the pills\u201d",
        "wish to be dead: \u201cquiero morir\u201d",
        "hopelessness / burden: \u201cya no aguanto\u201d",
    )
    assert {match.language for match in found} == {"en", "es"}


def test_a_list_with_categories_idioms_long_gaps_and_mid_word_prefixes() -> None:
    language = CrisisLanguage(
        [
            "@version 7",
            "@language en",
            "harm myself",
            "[plan / means]",
            "calm ... decided",
            "[wish to be dead]",
            "@language es",
            "cansad* de vivir",
            "[not crisis]",
            "harm myself awareness",
        ]
    )
    assert language.version == "7"
    assert language.categories == ("crisis language", "plan / means", "wish to be dead")
    assert language.explain("I feel calm for the first time in months because I decided") == (
        Match(
            "plan / means",
            "calm ... decided",
            "calm for the first time in months because i decided",
            "en",
        ),
    )
    assert not language.matches("calm " + "word " * 13 + "decided")  # too far apart
    assert language.find("Estoy cansadísima de vivir así") == ("cansad* de vivir",)
    assert language.find("a harm myself awareness class") == ()
    assert language.find("harm myself awareness, and I harm myself") == ("harm myself",)


@pytest.mark.parametrize(
    ("text", "spanish"),
    [
        ("Hola, mi hijo tiene ansiedad y necesito ayuda", True),
        ("ya no aguanto mas", True),
        ("quiero morir", True),
        ("I want to die", False),
        ("Hi, I'm looking for help with anxiety, my son has ADHD", False),
        ("Aetna", False),
        ("", False),
    ],
)
def test_spanish_messages_are_told_from_english_ones(text: str, spanish: bool) -> None:
    assert looks_spanish(text) is spanish


def test_the_report_prints_recall_per_category_and_the_false_positive_rate(
    language: CrisisLanguage,
) -> None:
    corpus = read_corpus(
        [
            "# a comment",
            "plan | en | indirect | I have the pills",
            "plan | en | explicit | the weather is nice",
            "negative | en | - | my phone died",
            "negative | es | - | me quiero morir",
        ]
    )
    out = io.StringIO()
    report(corpus, language, out, misses=True)
    text = out.getvalue()
    assert f"list version: {language.version}" in text
    assert "plan / indirect                         1      1  100.0%" in text
    assert "plan / explicit                         0      1    0.0%" in text
    assert "false positives (negatives)             1      2   50.0%" in text
    assert "MISSED line 3 (plan/explicit/en): the weather is nice" in text
    assert "FALSE POSITIVE line 5: me quiero morir" in text


def test_the_report_command_reads_the_corpus(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(CORPUS_PATH)]) == 0
    out = capsys.readouterr().out
    for category in CATEGORIES:
        assert f"\n{category} " in out
    assert "false positives (negatives)" in out


@pytest.mark.parametrize(
    "line", ["plan | en | message without kind", "plan | en | sometimes | text"]
)
def test_a_malformed_corpus_line_is_refused(line: str) -> None:
    with pytest.raises(ValueError, match="line 1"):
        read_corpus([line])


def test_a_long_match_is_quoted_short(language: CrisisLanguage) -> None:
    # "calm ... decided" may stand a dozen words apart: the quote keeps the gist, cut at a word.
    text = (
        "I feel calm, completely and wonderfully, surprisingly, unexpectedly, extraordinarily "
        "peaceful, since yesterday, because I decided"
    )
    (why,) = reasons(language.explain(text))
    quote = why.split("\u201c", 1)[1].rstrip("\u201d")
    assert why.startswith("preparing (goodbyes, giving things away): \u201ccalm completely")
    assert quote.endswith("\u2026") and len(quote) <= MAX_QUOTE
