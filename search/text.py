"""Parsing a typed search query into folded words and phrases, and the marks that rank exact spellings first.

Text is folded by ``evaluations.text.fold_words`` (the one folding rule: names in lists and the admin's
searches fold the same way), on every backend, at indexing and at query time: that decides what matches.
What ranks first is decided by *marks*: besides the folded words, the index keeps one token per word for
its diacritics (``đình``) and one for its capitals (``Đình``), so "Đình" typed finds "Đình" first, then
"đình", then words that only fold to "dinh".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from hashlib import blake2b
from itertools import chain

from evaluations.text import fold_words

_QUOTED = re.compile(r'"([^"]*)"')
#: What separates words, as in ``evaluations.text`` ("học-tập" is two words).
_NON_WORD = re.compile(r"[\W_]+")
#: Marks of words seen, remembered (texts are made of few distinct words); bounded, any text passes here.
_WORD_MARKS: dict[str, tuple[str | None, str | None]] = {}
_WORD_MARKS_MAX = 200_000


def _word_marks(word: str) -> tuple[str | None, str | None]:
    """``(marked, cased)`` tokens of one NFC word: ``marked`` when its lower case differs from its folded
    form (it has diacritics or đ), ``cased`` when it has capitals. Hex keeps any letter a plain token for
    SQLite's tokenizer and PostgreSQL's parser alike; the prefixes keep the two apart."""
    marks = _WORD_MARKS.get(word)
    if marks is None:
        lower = word.lower()
        marked = "l" + lower.encode().hex() if lower != fold_words(word) else None
        cased = "c" + word.encode().hex() if word != lower else None
        marks = (marked, cased)
        if len(_WORD_MARKS) < _WORD_MARKS_MAX:
            _WORD_MARKS[word] = marks
    return marks


def _words(text: str) -> list[str]:
    return [word for word in _NON_WORD.split(unicodedata.normalize("NFC", text or "")) if word]


#: Marks tokens of a word as written between spaces ("Đình," -> its tokens), remembered like ``_WORD_MARKS``.
_SPACED_MARKS: dict[str, tuple[str, ...]] = {}


def _spaced_marks(spaced: str) -> tuple[str, ...]:
    tokens = _SPACED_MARKS.get(spaced)
    if tokens is None:
        tokens = tuple(token for word in _words(spaced) for token in _word_marks(word) if token)
        if len(_SPACED_MARKS) < _WORD_MARKS_MAX:
            _SPACED_MARKS[spaced] = tokens
    return tokens


def marked_words(text: str | None) -> str:
    """The marks tokens of ``text`` for the index (``SearchEntry.marks``): one per distinct word with
    diacritics, one more per distinct word with capitals; plain lower-case words add none. Once each: a
    tier asks only whether a row holds the spelling."""
    spaced = dict.fromkeys((text or "").split())
    return " ".join(dict.fromkeys(chain.from_iterable(map(_spaced_marks, spaced))))


#: Tokens of word pairs seen, remembered (bounded like ``_WORD_MARKS``).
_PAIRS: dict[tuple[str, str], str] = {}


def pair_token(first: str, second: str) -> str:
    """The token of two adjacent folded words: a 40-bit hash (a collision only makes a phrase check one
    more text; the phrase itself still decides)."""
    token = _PAIRS.get((first, second))
    if token is None:
        token = "p" + blake2b(f"{first} {second}".encode(), digest_size=5).hexdigest()
        if len(_PAIRS) < _WORD_MARKS_MAX:
            _PAIRS[first, second] = token
    return token


def word_pairs(*folded_texts: str) -> str:
    """The pairs tokens of folded texts (``SearchEntry.pairs``): one per distinct pair of adjacent words
    in each text."""
    tokens: dict[str, None] = {}
    for text in folded_texts:
        words = text.split()
        tokens.update(dict.fromkeys(map(pair_token, words, words[1:])))
    return " ".join(tokens)


@dataclass(frozen=True)
class ParsedQuery:
    """What the user typed, folded: loose words and ``"quoted phrases"`` (each a tuple of words), and the
    marks tokens of the words as typed (``exact``: diacritics and capitals; ``marked``: diacritics only)."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = field(default_factory=tuple)
    exact: tuple[str, ...] = ()
    marked: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)

    @property
    def words(self) -> tuple[str, ...]:
        """Every word, loose or in a phrase."""
        return self.terms + tuple(word for phrase in self.phrases for word in phrase)

    @property
    def tiers(self) -> tuple[tuple[str, ...], ...]:
        """Marks tokens a match must hold to rank in each tier, best first: the words as typed (capitals
        and diacritics), then with the same diacritics in any case; every other match ranks after them.
        Lower-case words typed without diacritics give no tiers (every match spells them alike)."""
        tiers = []
        for tokens in (self.exact, self.marked):
            if tokens and tokens not in tiers:
                tiers.append(tokens)
        return tuple(tiers)


def parse_query(text: str | None) -> ParsedQuery:
    """Split a typed query into loose words and quoted phrases, each folded; an unclosed quote is ignored."""
    text = unicodedata.normalize("NFC", text or "")
    phrases = []
    for match in _QUOTED.finditer(text):
        words = tuple(fold_words(match.group(1)).split())
        if len(words) == 1:
            continue  # a quoted single word is just a word; kept below with the loose ones
        if words:
            phrases.append(words)
    loose = _QUOTED.sub(lambda m: m.group(1) if len(fold_words(m.group(1)).split()) == 1 else " ", text)
    terms = tuple(dict.fromkeys(fold_words(loose.replace('"', " ")).split()))
    exact, marked = [], []
    for word in _words(text.replace('"', " ")):
        word_marked, word_cased = _word_marks(word)
        if word_cased or word_marked:
            exact.append(word_cased or word_marked)
        if word_marked:
            marked.append(word_marked)
    return ParsedQuery(
        terms=terms,
        phrases=tuple(dict.fromkeys(phrases)),
        exact=tuple(dict.fromkeys(exact)),
        marked=tuple(dict.fromkeys(marked)),
    )
