"""Parsing a typed search query into folded words and phrases.

Text is folded by ``evaluations.text.fold_words`` (the one folding rule: names in lists and the admin's
searches fold the same way), on every backend, at indexing and at query time."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from evaluations.text import fold_words

_QUOTED = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class ParsedQuery:
    """What the user typed, folded: loose words and ``"quoted phrases"`` (each a tuple of words)."""

    terms: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = field(default_factory=tuple)

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases)

    @property
    def words(self) -> tuple[str, ...]:
        """Every word, loose or in a phrase."""
        return self.terms + tuple(word for phrase in self.phrases for word in phrase)


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
    return ParsedQuery(terms=terms, phrases=tuple(dict.fromkeys(phrases)))
