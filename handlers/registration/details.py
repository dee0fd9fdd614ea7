"""Shared constants and the display values of a registration (summary, "Data saya")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from handlers.context import Context
from handlers.rules import display_phone, mask_nik, region_name, size_class

NOTICE_VERSION = "2026-11-v1"
"""Version of the personal-data notice (pemberitahuan data pribadi) the owner agreed to."""

DECLINED = "declined"
NO_NIB = "none"


def masked(nik: str) -> str:
    return mask_nik(nik)


def display(ctx: Context, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Words-free display values for the summary and the profile; templates add the words."""
    sector = ctx.agency.sector(str(answers.get("sector", "")))
    sales, capital = answers.get("annual_sales"), answers.get("capital")
    nik = answers.get("nik")
    return {
        "full_name": answers.get("full_name"),
        "nik_masked": masked(ctx.tx.cipher.decrypt(str(nik))) if nik else None,
        "phone": display_phone(str(answers["phone"])) if answers.get("phone") else None,
        "business_name": answers.get("business_name"),
        "sector_name": sector.name(ctx.locale) if sector else answers.get("sector"),
        "kbli": answers.get("kbli"),
        "district_name": _region(answers.get("district")),
        "village_name": _region(answers.get("village")),
        "street": answers.get("street"),
        "year_started": answers.get("year_started"),
        "workers": answers.get("workers"),
        "annual_sales": sales,
        "capital": capital,
        "size_class": size_class(int(capital), int(sales))
        if sales is not None and capital is not None
        else None,
        "nib": None if answers.get("nib") in (None, NO_NIB) else answers.get("nib"),
        "nib_help": bool(answers.get("nib_help")),
    }


def _region(code: object) -> str | None:
    return (region_name(str(code)) or str(code)) if code else None
