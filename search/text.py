"""Folding Vietnamese text for search: the same rule on every backend, at indexing and at query time."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

_NON_WORD = re.compile(r"[\W_]+")
_QUOTED = re.compile(r'"([^"]*)"')


def fold_search_text(text: str | None) -> str:
    """``"Đình làng HỌC TẬP!"`` -> ``"dinh lang hoc tap"``: no diacritics (đ -> d), lower case, words kept apart.

    NFC and NFD input give the same result: both decompose to the same base letters and marks.
    Punctuation becomes a word boundary, so ``"học-tập"`` matches ``"hoc tap"``.
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    # đ/Đ is a letter of its own, not d plus a mark, so NFD leaves it alone.
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = stripped.replace("đ", "d").replace("Đ", "D").lower()
    return " ".join(_NON_WORD.sub(" ", stripped).split())


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
        words = tuple(fold_search_text(match.group(1)).split())
        if len(words) == 1:
            continue  # a quoted single word is just a word; kept below with the loose ones
        if words:
            phrases.append(words)
    loose = _QUOTED.sub(lambda m: m.group(1) if len(fold_search_text(m.group(1)).split()) == 1 else " ", text)
    terms = tuple(dict.fromkeys(fold_search_text(loose.replace('"', " ")).split()))
    return ParsedQuery(terms=terms, phrases=tuple(dict.fromkeys(phrases)))
