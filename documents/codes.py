"""Random codes printed on paper and typed back by hand or read from a QR: the certificates' verification
codes and the self-assessment slips' codes. One alphabet, one generator, one way to read a typed code and one
way to print it."""

from __future__ import annotations

import secrets

#: Letters and digits that cannot be misread for one another (no 0/O, 1/I/L): a code is typed by hand too.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
#: 10 characters of 31: about 8·10^14 codes, so that at a public page's rate limit guessing one is hopeless.
CODE_LENGTH = 10


def new_code(length: int = CODE_LENGTH) -> str:
    """A random code (never sequential, never derived from the record): ``K7M2QX9DRT``."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def normalised_code(typed: str | None) -> str:
    """A code as typed or read from a QR (``k7m2q-x9drt``, spaces, dashes) in its stored form."""
    return "".join(ch for ch in (typed or "").upper() if ch.isalnum())


def code_display(code: str) -> str:
    """``K7M2Q-X9DRT``: the code as printed, in two halves to read aloud."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"
