"""Text helpers for matching Vietnamese names typed with or without diacritics."""

import re
import unicodedata

#: The combining diacritical marks blocks (Vietnamese tones and vowel marks are all in the first).
_MARKS = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]+")
#: Folded words, remembered: names are made of few distinct words (Nguyễn, Văn, Thị, Gia, đình...),
#: so an import of 164,000 households folds each once. Bounded, since any text may pass here.
_FOLDED_WORDS: dict[str, str] = {}
_FOLDED_WORDS_MAX = 100_000


def _stripped(text: str) -> str:
    # đ/Đ is a letter of its own, not d plus a mark, so NFD leaves it alone.
    decomposed = unicodedata.normalize("NFD", text)
    return _MARKS.sub("", decomposed).replace("đ", "d").replace("Đ", "D").lower()


def fold(text: str) -> str:
    """``"Xã Phước Hải"`` -> ``"xaphuochai"``: no diacritics (đ -> d), lower case, no spaces.

    Works the same on NFC and NFD input, since both decompose to the same base letters.
    """
    return "".join(_stripped(text or "").split())


def _fold_word(word: str) -> str:
    folded = _FOLDED_WORDS.get(word)
    if folded is None:
        folded = _stripped(word)
        if len(_FOLDED_WORDS) < _FOLDED_WORDS_MAX:
            _FOLDED_WORDS[word] = folded
    return folded


def fold_words(text: str) -> str:
    """``"Gia đình ông Nguyễn Văn A"`` -> ``"gia dinh ong nguyen van a"``: like ``fold`` but keeps single spaces.

    Stored beside a display name (``Subject.name_folded``) so that a search typed without diacritics
    matches with a plain ``contains`` on SQLite and PostgreSQL alike.
    """
    return " ".join([_fold_word(word) for word in (text or "").split()])
