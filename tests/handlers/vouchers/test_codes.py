"""Voucher codes: read aloud, typed back in any form, and a slip is caught as a slip."""

from __future__ import annotations

import pytest

from handlers.vouchers.codes import ALPHABET, LENGTH, LOOK_ALIKES, display, new_code, read_code


def test_the_alphabet_has_no_look_alikes() -> None:
    assert not set(ALPHABET) & LOOK_ALIKES and len(set(ALPHABET)) == len(ALPHABET) == 31


@pytest.mark.parametrize("typed", ["{d}", "{d_lower}", "{bare}", "ONG {a} {b}", "ong.{a}.{b}", " ONG{bare} "])
def test_a_code_reads_back_in_any_case_with_or_without_prefix_and_separators(typed: str) -> None:
    code = new_code()
    shown = display(code)
    text = typed.format(d=shown, d_lower=shown.lower(), bare=code, a=code[:5], b=code[5:])
    read = read_code(text)
    assert read.ok and read.code == code


def test_every_single_slip_and_every_swap_of_neighbours_is_caught() -> None:
    for _ in range(200):
        code = new_code()
        for i in range(LENGTH):
            for ch in ALPHABET:
                if ch != code[i]:
                    slipped = read_code(code[:i] + ch + code[i + 1 :])
                    assert not slipped.ok and slipped.mistyped
            if i + 1 < LENGTH and code[i] != code[i + 1]:
                swapped = read_code(code[:i] + code[i + 1] + code[i] + code[i + 2 :])
                assert not swapped.ok and swapped.mistyped


def test_look_alikes_are_slips_and_a_short_code_is_not_a_code() -> None:
    code = new_code()
    assert read_code("0" + code[1:]).mistyped
    short = read_code(code[:-1])
    assert not short.ok and not short.mistyped


def test_codes_are_random_not_sequential() -> None:
    drawn = {new_code() for _ in range(2000)}
    assert len(drawn) == 2000
    firsts = {c[0] for c in drawn}
    assert len(firsts) > 25  # every position is drawn from the whole alphabet
