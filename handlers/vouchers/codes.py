"""Voucher codes a person can read aloud and type: `ONG-7KQ4M-9XTRH`.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L), nine random and
the last a check character (a weighted sum mod 31), after the fixed prefix ONG (ongkir). A code
typed with one character wrong, or two neighbours swapped, fails the check: it is
recognised as mistyped ("kode salah ketik"), not looked up as unknown. 31⁹ ≈ 2.6·10¹³
random codes, drawn with `secrets`: unguessable, and never sequential.
"""

from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PREFIX = "ONG"
RANDOM_LENGTH = 9
LENGTH = RANDOM_LENGTH + 1
GROUP = 5
# Characters that are never in a code: typed, they can only be a slip.
LOOK_ALIKES = frozenset("01OIL")
_INDEX = {ch: i for i, ch in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The character that makes sum(position × value) ≡ 0 (mod 31) over the whole code, with
    positions 1…10: 31 is prime and the weights differ, so every single substitution and every
    swap of two neighbours changes the sum."""
    n = len(ALPHABET)
    total = sum(weight * _INDEX[ch] for weight, ch in enumerate(body, start=1))
    weight = len(body) + 1
    return ALPHABET[(-total * pow(weight, -1, n)) % n]


def new_code() -> str:
    """A fresh random code, in its canonical form (no prefix, no dashes)."""
    body = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return body + check_character(body)


def display(code: str) -> str:
    """`7KQ4M9XTRH` -> `ONG-7KQ4M-9XTRH`."""
    return f"{PREFIX}-{code[:GROUP]}-{code[GROUP:]}"


@dataclass(frozen=True, slots=True)
class Typed:
    """What a person typed, read as a code: `code` is canonical when `ok`."""

    code: str
    ok: bool
    mistyped: bool  # right length but a look-alike character or a failed check


def read_code(text: str) -> Typed:
    """Any case, with or without the ONG prefix, spaces, dashes or dots."""
    folded = unicodedata.normalize("NFKC", text).upper()
    kept = "".join(ch for ch in folded if ch.isalnum())
    if kept.startswith(PREFIX) and len(kept) == len(PREFIX) + LENGTH:
        kept = kept[len(PREFIX) :]
    if len(kept) != LENGTH:
        return Typed(kept, ok=False, mistyped=False)
    if any(ch in LOOK_ALIKES or ch not in _INDEX for ch in kept):
        return Typed(kept, ok=False, mistyped=True)
    if check_character(kept[:-1]) != kept[-1]:
        return Typed(kept, ok=False, mistyped=True)
    return Typed(kept, ok=True, mistyped=False)
