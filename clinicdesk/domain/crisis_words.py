"""How the crisis matcher reads a text: its words, their regular inflections, look-alike
symbols, and whether it reads as Spanish.

- **Case, accents, apostrophes, invisible characters.** Text is NFKD-normalised, accents and
  format characters (zero-width spaces) dropped, case folded, and apostrophes removed inside
  words, so "DON'T", "don't" (with any apostrophe) and "dont" are one word.
- **Contractions and spelling variants.** "do not" reads as "dont", "cannot" as "cant",
  "wanna" as "want to", "my self" as "myself" (:data:`_JOIN`, :data:`_SPLIT`); letters spaced
  out ("s u i c i d e") as one word.
- **Inflection.** :func:`inflections` gives a word's regular forms ("cut": cuts, cutting).
- **Look-alike symbols.** :func:`leet_stretches` finds the stretches around words such as
  "k!ll" or "mys3lf", to be read again through :data:`LEET`.

Reading a message's words is nearly half the cost of checking it, so each step is done word by word
only when the message needs it. Nothing here logs or keeps the text it reads.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence

_APOSTROPHES = re.compile("['\u2019\u2018`\u00b4\u02bc\u2032]")
_WORD = re.compile(r"[^\W_]+")
# A letter next to a digit or symbol people use for a letter: worth a second, de-obfuscated pass.
# Written to start with the symbol (the letter before it is looked behind for) so that the regex
# engine skips quickly to the next symbol: most text has few, and a pattern starting with "a
# letter" tried at every letter cost a sixth of reading a message.
_LEET_HINT = re.compile("[0-9@$!|\u20ac](?:(?<=[^\\W\\d_].)|(?=[^\\W\\d_]))")
#: Look-alike symbols read as the letters they stand for ("k!ll" is "kill").
LEET = str.maketrans(
    {
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "@": "a",
        "$": "s",
        "!": "i",
        "|": "i",
        "\u20ac": "e",
    }
)
#: How far around a look-alike symbol the de-obfuscated reading goes (in characters): more
#: than the longest phrase with its gaps.
_LEET_REACH = 160


_SPACES = " \t\n\r"


def _token_at(text: str, at: int) -> tuple[int, int]:
    """Where the run of non-space characters around ``at`` begins and ends."""
    start = max(text.rfind(space, 0, at) for space in _SPACES) + 1
    ends = [end for space in _SPACES if (end := text.find(space, at)) != -1]
    return start, min(ends, default=len(text))


def leet_stretches(text: str, known: Callable[[str], bool]) -> list[str]:
    """The stretches of ``text`` around words that, de-obfuscated, are words of the list
    (``known``): "k!ll" is "kill", while "Thanks!" ("thanksi") or "3pm" ("epm") are nothing.
    Overlapping stretches are joined, each cut at spaces so that no word is split."""
    spans: list[list[int]] = []
    token_end = -1
    for found in _LEET_HINT.finditer(text):
        if found.start() < token_end:
            continue  # the same word again ("su1c1de")
        token_start, token_end = _token_at(text, found.start())
        token = text[token_start:token_end]
        if not any(known(word) for word in words(token.translate(LEET))):
            continue
        start = max(0, token_start - _LEET_REACH)
        end = min(len(text), token_end + _LEET_REACH)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = end
        else:
            spans.append([start, end])
    stretches = []
    for start, end in spans:
        if start > 0:
            space = text.find(" ", start)
            start = space if space != -1 and space < end else start
        if end < len(text):
            space = text.rfind(" ", start, end)
            end = space if space > start else end
        stretches.append(text[start:end])
    return stretches


#: Two words read as one.
_JOIN: dict[tuple[str, str], str] = {
    ("do", "not"): "dont",
    ("does", "not"): "dont",
    ("did", "not"): "dont",
    ("can", "not"): "cant",
    ("could", "not"): "cant",
    ("will", "not"): "wont",
    ("is", "not"): "isnt",
    ("i", "am"): "im",
    ("my", "self"): "myself",
    ("him", "self"): "himself",
    ("her", "self"): "herself",
    ("them", "self"): "themself",
    ("them", "selves"): "themselves",
    ("your", "self"): "yourself",
}
#: One word read as others.
_SPLIT: dict[str, tuple[str, ...]] = {
    "cannot": ("cant",),
    # "I've" is "I have" (and not the other way round, so "have the pills" reads in both).
    "ive": ("i", "have"),
    "couldnt": ("cant",),
    "doesnt": ("dont",),
    "didnt": ("dont",),
    "wanna": ("want", "to"),
    "gonna": ("going", "to"),
    "gotta": ("got", "to"),
}
_SPLITS = frozenset(_SPLIT)
#: Two words of :data:`_JOIN` side by side, in the words joined by single spaces with one more
#: space in front (a pattern starting with a plain space is skipped along quickly by the regex
#: engine). No second word of a pair is the first of another, so replacing every such pair at
#: once reads as the pairs joined one after the other from the left.
_PAIR = re.compile(
    " ({}) ({})(?![^ ])".format(
        "|".join(sorted({first for first, _ in _JOIN}, key=len, reverse=True)),
        "|".join(sorted({second for _, second in _JOIN}, key=len, reverse=True)),
    )
)
#: Three one-letter words in a row, in the words joined by single spaces with one more at each
#: end ("s u i c i d e").
_SPACED_OUT = re.compile(r" \S \S \S ")
_VOWELS = frozenset("aeiou")


def _clean(text: str) -> str:
    """Case-folded text without accents, format characters or apostrophes."""
    if not text.isascii():
        # Only the characters outside ASCII are looked at one by one (most text is ASCII).
        text = _NON_ASCII.sub(_drop_marks, unicodedata.normalize("NFKD", text))
    return _APOSTROPHES.sub("", text.casefold())


_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def _drop_marks(found: re.Match[str]) -> str:
    """An accent (combining mark) or an invisible format character is dropped."""
    c = found.group()
    return "" if unicodedata.combining(c) or unicodedata.category(c) == "Cf" else c


def words(text: str) -> list[str]:
    """The normalised words of ``text`` as the matcher reads them.

    Args:
        text: any text.

    Returns:
        Lower-case words without accents, with contractions joined ("do not" -> "dont"),
        a few spellings expanded ("wanna" -> "want", "to") and runs of three or more single
        letters joined ("s u i c i d e" -> "suicide").
    """
    raw = _WORD.findall(_clean(text))
    spaced = " ".join(raw)
    # Each step is done word by word only when the message needs it: most messages hold no
    # letters spaced out and none of the few words read as others.
    if _SPACED_OUT.search(f" {spaced} "):
        joined = _spaced_out_joined(raw)
        spaced = " ".join(joined)
    elif not _SPLITS.isdisjoint(raw):
        joined = [part for word in raw for part in _SPLIT.get(word, (word,))]
        spaced = " ".join(joined)
    else:
        joined = raw
    if not _PAIR.search(f" {spaced}"):
        return joined
    return _PAIR.sub(_joined_pair, f" {spaced}")[1:].split(" ")


def _spaced_out_joined(raw: Sequence[str]) -> list[str]:
    """``raw`` with runs of three or more one-letter words joined and :data:`_SPLIT` applied."""
    joined: list[str] = []
    run: list[str] = []
    for word in [*raw, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        if len(run) >= 3:
            joined.append("".join(run))
        else:
            joined.extend(run)
        run = []
        if word:
            joined.extend(_SPLIT.get(word, (word,)))
    return joined


def _joined_pair(found: re.Match[str]) -> str:
    """Two words found by :data:`_PAIR` as one, when :data:`_JOIN` joins them."""
    pair = (found.group(1), found.group(2))
    return f" {_JOIN[pair]}" if pair in _JOIN else found.group()


def inflections(word: str) -> frozenset[str]:
    """``word`` and its regular inflections (plural or third person, past, -ing).

    Irregular forms ("took", "lives") are written as alternatives in the list instead.
    """
    forms = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing"}
    if word.endswith("e"):
        forms.add(word[:-1] + "ing")
    if word.endswith("ie"):
        forms.add(word[:-2] + "ying")
    if word.endswith("y") and len(word) > 2:
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if (
        len(word) >= 3
        and word[-1] not in _VOWELS
        and word[-1] not in "wxy"
        and word[-2] in _VOWELS
        and word[-3] not in _VOWELS
    ):
        # cut -> cutting, stop -> stopped
        forms |= {word + word[-1] + "ing", word + word[-1] + "ed"}
    return frozenset(forms)


#: Common words of each language, to tell a Spanish message from an English one (words that
#: are common in both, like "a", "me", "no", are in neither).
_SPANISH_WORDS = frozenset(
    "de la que el en y los se del las por un para con una su al lo como mas pero sus le ya "
    "o este porque esta entre cuando muy sin sobre tambien hasta hay donde quien desde todo "
    "nos durante todos uno les ni contra otros ese eso ante ellos esto mi antes algunos unos "
    "yo otro otras otra tanto esa estos mucho nada muchos cual poco ella estar estas algo "
    "mis tu te ti tus estoy tengo quiero necesito puedo soy hijo hija esposo esposa mama "
    "papa ayuda vida gracias hola buenas tiene tienen estado siento pienso creo".split()
)
_ENGLISH_WORDS = frozenset(
    "the and to of i is in my it that for have with be this was not but are im dont you "
    "he she we they what just been about want so do at on or if would can an from "
    "your our their her his him them there here feel need help am will has had".split()
)


def looks_spanish(*texts: str) -> bool:
    """Whether ``texts`` read as Spanish rather than English (more common Spanish words than
    English ones), e.g. to give the 988 Lifeline's Spanish options."""
    spanish = english = 0
    for text in texts:
        for word in words(text):
            spanish += word in _SPANISH_WORDS
            english += word in _ENGLISH_WORDS
    return spanish > english
