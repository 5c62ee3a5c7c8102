"""Text helpers for matching Vietnamese names typed with or without diacritics."""

import unicodedata


def fold(text: str) -> str:
    """``"Xã Phước Hải"`` -> ``"xaphuochai"``: no diacritics (đ -> d), lower case, no spaces.

    Works the same on NFC and NFD input, since both decompose to the same base letters.
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    # đ/Đ is a letter of its own, not d plus a mark, so NFD leaves it alone.
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")
    return "".join(stripped.lower().split())


def fold_words(text: str) -> str:
    """``"Gia đình ông Nguyễn Văn A"`` -> ``"gia dinh ong nguyen van a"``: like ``fold`` but keeps single spaces.

    Stored beside a display name (``Subject.name_folded``) so that a search typed without diacritics
    matches with a plain ``contains`` on SQLite and PostgreSQL alike.
    """
    decomposed = unicodedata.normalize("NFD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("đ", "d").replace("Đ", "D")
    return " ".join(stripped.lower().split())
