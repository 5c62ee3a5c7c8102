"""Folding Vietnamese text: the one rule by which names typed with or without diacritics, in any case, with
spaces or punctuation between words, match. Subject names (``Subject.name_folded``), the admin's searches, the
search index and the imports' matching of names and headings all fold through here, and so do new pages'
addresses (``slug_of``: "Xã Ninh Phước" -> ``xa-ninh-phuoc``)."""

import re
import unicodedata

from django.utils.text import slugify

#: The combining diacritical marks blocks (Vietnamese tones and vowel marks are all in the first).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
#: What separates words: anything but letters and digits ("học-tập" is two words, as "học tập").
_NON_WORD = re.compile(r"[\W_]+")
#: Folded words, remembered: names are made of few distinct words (Nguyễn, Văn, Thị, Gia, đình...),
#: so an import of 164,000 households folds each once. Bounded, since any text may pass here.
_FOLDED_WORDS: dict[str, str] = {}
_FOLDED_WORDS_MAX = 100_000


def _stripped(text: str) -> str:
    # đ/Đ is a letter of its own, not d plus a mark, so NFD leaves it alone.
    decomposed = unicodedata.normalize("NFD", text)
    return _MARKS.sub("", decomposed).replace("đ", "d").replace("Đ", "D").lower()


def fold(text: str) -> str:
    """``"Xã Phước Hải"`` -> ``"xaphuochai"``: no diacritics (đ -> d), lower case, no spaces, punctuation kept
    (for callers that keep some of it: the dots of indicator codes "1.1").

    Works the same on NFC and NFD input, since both decompose to the same base letters.
    """
    return "".join(_stripped(text or "").split())


def _fold_word(word: str) -> str:
    folded = _FOLDED_WORDS.get(word)
    if folded is None:
        folded = " ".join(_NON_WORD.sub(" ", _stripped(word)).split())
        if len(_FOLDED_WORDS) < _FOLDED_WORDS_MAX:
            _FOLDED_WORDS[word] = folded
    return folded


def fold_words(text: str | None) -> str:
    """``"Gia đình ông Nguyễn Văn-An!"`` -> ``"gia dinh ong nguyen van an"``: like ``fold``, with words kept
    apart by single spaces and punctuation a word boundary (``"học-tập"`` folds as ``"học tập"``).

    Stored beside a display name (``Subject.name_folded``) so that a search typed without diacritics
    matches with a plain ``contains`` on SQLite and PostgreSQL alike; the search index folds the same way.
    """
    words = (text or "").split()
    if len(words) < 64:
        return " ".join([folded for folded in map(_fold_word, words) if folded])
    # A long text (an evidence file's pages) repeats its words: fold each distinct one once, and let
    # C loops do the rest (the second split drops words that fold to nothing).
    folded = {word: _fold_word(word) for word in set(words)}
    return " ".join(" ".join(map(folded.__getitem__, words)).split())


def fold_key(text: str | None) -> str:
    """``"Số nhân khẩu (*)"`` -> ``"sonhankhau"``: the folded words run together, for matching headings, unit
    names and names in imports whatever the spacing and punctuation."""
    return fold_words(text).replace(" ", "")


def slug_of(text: str | None) -> str:
    """``"Xã Ninh Phước - Đình làng"`` -> ``"xa-ninh-phuoc-dinh-lang"``: an ASCII address (slug) for a page, folded
    as ``fold`` does (no diacritics, đ -> d), words joined by hyphens."""
    return slugify(_stripped(text or ""))


#: The letters (Latin, with the Vietnamese ones in Latin Extended Additional) that ``slug_of`` folds to ASCII.
_FOLDABLE = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]


def folded_letters() -> dict[str, str]:
    """ASCII letter -> every letter that folds to it (``"d"`` -> ``"đĐ"``, ``"a"`` -> ``"àáảãạăằ…"``): the table
    the admin's slug field applies as you type, so that it writes what ``slug_of`` would."""
    table: dict[str, str] = {}
    for letter in map(chr, _FOLDABLE):
        folded = _stripped(letter)
        if letter.isalpha() and folded != letter.lower() and len(folded) == 1 and folded.isascii():
            table[folded] = table.get(folded, "") + letter
    return table
