from collections.abc import Callable
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.settings import DEFAULT_PROFILE
from handlers.agency import load_profile
from handlers.types import Reply
from messages import Renderer, to_plain, to_telegram_html
from messages.filters import format_decimal, format_long_date, format_percent, format_rupiah, format_time
from messages.markup import split_text
from tests.messages.samples import SAMPLES

WITA = ZoneInfo("Asia/Makassar")
WIB = ZoneInfo("Asia/Pontianak")


def test_long_date_in_indonesian_and_english() -> None:
    assert format_long_date(date(2024, 1, 17), "id", WITA) == "Rabu, 17 Januari 2024"
    assert format_long_date(date(2024, 1, 17), "en", WITA) == "Wednesday, 17 January 2024"


def test_a_utc_time_is_shown_in_the_agency_zone_with_its_abbreviation() -> None:
    at = datetime(2024, 1, 17, 1, 0, tzinfo=UTC)
    assert format_time(at, "id", WITA) == "09.00 WITA"
    assert format_time(at, "en", WIB) == "08:00 WIB"


def test_the_date_follows_the_agency_zone_across_midnight() -> None:
    late_utc = datetime(2024, 1, 16, 17, 30, tzinfo=UTC)  # 01.30 on the 17th in Makassar
    assert format_long_date(late_utc, "id", WITA) == "Rabu, 17 Januari 2024"


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        format_time(datetime(2024, 1, 17, 9, 0), "id", WITA)


@pytest.mark.parametrize(
    ("amount", "text"),
    [(2_100_000, "Rp2.100.000"), (0, "Rp0"), (999, "Rp999"), (1_000, "Rp1.000"), (-5_000, "-Rp5.000")],
)
def test_rupiah(amount: int, text: str) -> None:
    assert format_rupiah(amount) == text


@pytest.mark.parametrize(
    ("written", "indonesian", "english"),
    [
        (lambda locale: format_decimal(4.25, locale), "4,2", "4.2"),
        (lambda locale: format_decimal(0, locale), "0,0", "0.0"),
        (lambda locale: format_decimal(12459.75, locale, 2), "12.459,75", "12,459.75"),
        (lambda locale: format_percent(0.004, locale, 1), "0,4%", "0.4%"),
        (lambda locale: format_percent(0.5, locale), "50%", "50%"),
    ],
)
def test_decimals_are_written_with_the_locales_decimal_mark(
    written: Callable[[str], str], indonesian: str, english: str
) -> None:
    """Indonesian writes a decimal comma and groups thousands with a dot (0,4%; 12.459,75)."""
    assert (written("id"), written("en")) == (indonesian, english)


def test_templates_write_decimals_in_their_locale() -> None:
    renderer = Renderer(WITA)
    rating = {"average": 4.25}
    assert renderer.render("officer/trainings/average_rating", "id", rating) == "4,2"
    assert renderer.render("officer/trainings/average_rating", "en", rating) == "4.2"
    backup = {"path": "umkm.sqlite3", "size": 1_572_864}
    assert "(1,5 MB)" in renderer.render("officer/db/backed_up", "id", backup)
    assert "(1.5 MB)" in renderer.render("officer/db/backed_up", "en", backup)


def test_filters_work_inside_templates() -> None:
    """As an owner reads them: a date in the agency's zone, numbers and money, in the locale of
    the message."""
    renderer = Renderer(WITA, load_profile(DEFAULT_PROFILE).template_values())
    registered = datetime(2024, 1, 16, 17, 30, tzinfo=UTC)  # 01.30 on the 17th in Makassar
    values = {**SAMPLES["registration/profile"], "registered_at": registered, "workers": 12459}
    values["annual_sales"] = 2_100_000
    indonesian = renderer.render("registration/profile", "id", values)
    assert "terdaftar Rabu, 17 Januari 2024" in indonesian
    assert "Tenaga kerja: 12.459 orang" in indonesian and "Omzet setahun: Rp2.100.000" in indonesian
    english = renderer.render("registration/profile", "en", values)
    assert "registered Wednesday, 17 January 2024" in english and "Workers: 12,459" in english
    asked = renderer.render("update_round/ask_still_running", "id", {"deadline": date(2024, 1, 17)})
    assert "(batas Rabu, 17 Januari 2024)" in asked


def test_telegram_html_escapes_user_text_before_adding_tags() -> None:
    assert to_telegram_html("*Toko <b>Murah</b> & Co*") == "<b>Toko &lt;b&gt;Murah&lt;/b&gt; &amp; Co</b>"
    assert to_telegram_html("_miring_ dan *tebal*") == "<i>miring</i> dan <b>tebal</b>"


def test_markers_inside_words_are_left_alone() -> None:
    assert to_telegram_html("snake_case_name 2*3*4") == "snake_case_name 2*3*4"
    assert to_plain("*Menu utama*: pilih") == "Menu utama: pilih"


def test_split_text_keeps_every_character_and_respects_the_limit() -> None:
    text = "\n\n".join(f"Paragraf {i} " + "kata " * 50 for i in range(40))
    parts = split_text(text, 1000)
    assert all(len(p) <= 1000 for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")
    assert split_text("pendek", 1000) == ["pendek"]


@pytest.mark.parametrize(
    ("now", "id_text", "en_text"),
    [
        (datetime(2026, 3, 24, 1, 0, tzinfo=UTC), "Tinggal 7 hari lagi", "7 days left"),
        # Planned as the 3-days reminder, sent a day late (the bot was down): it says 2.
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "Tinggal 2 hari lagi", "2 days left"),
        (datetime(2026, 3, 30, 1, 0, tzinfo=UTC), "Tinggal 1 hari lagi, besok", "1 day left, tomorrow"),
        # 00.30 WITA on the 31st is still the 30th in UTC: the agency's calendar counts.
        (datetime(2026, 3, 30, 16, 30, tzinfo=UTC), "Hari ini hari terakhir", "Today is the last day"),
    ],
)
def test_a_reminder_counts_the_days_left_when_it_is_sent(now: datetime, id_text: str, en_text: str) -> None:
    renderer = Renderer(WITA, {}, clock=lambda: now)
    reply = Reply("update_round/reminder", {"deadline": date(2026, 3, 31)})
    assert id_text in renderer.render_reply(reply, "id").text
    assert en_text in renderer.render_reply(reply, "en").text


#: 09.00-16.00 WITA on Saturday 14 March 2026, and on to Sunday's 16.00.
ONE_DAY = (datetime(2026, 3, 14, 1, 0, tzinfo=UTC), datetime(2026, 3, 14, 8, 0, tzinfo=UTC))
TWO_DAYS = (ONE_DAY[0], datetime(2026, 3, 15, 8, 0, tzinfo=UTC))


@pytest.mark.parametrize(
    ("days", "locale", "text"),
    [
        (ONE_DAY, "id", "🗓️ Sabtu, 14 Maret 2026, 09.00 – 16.00 WITA"),
        (ONE_DAY, "en", "🗓️ Saturday, 14 March 2026, 09:00 – 16:00 WITA"),
        (TWO_DAYS, "id", "🗓️ Sabtu, 14 Maret 2026, 09.00 WITA s.d. Minggu, 15 Maret 2026, 16.00 WITA"),
        (TWO_DAYS, "en", "🗓️ Saturday, 14 March 2026, 09:00 WITA to Sunday, 15 March 2026, 16:00 WITA"),
    ],
)
def test_a_trainings_time_names_the_zone_once_on_one_day(
    days: tuple[datetime, datetime], locale: str, text: str
) -> None:
    """As the README shows it (*Sabtu, 14 Maret 2026, 09.00 – 16.00 WITA*): the day and the zone
    once when the training starts and ends on the same day, in the agency's zone."""
    training = {
        "starts_at": days[0],
        "ends_at": days[1],
        "online_url": None,
        "venue": "Aula",
        "district": None,
    }
    shown = Renderer(WITA).render("trainings/when_where", locale, {"training": training})
    assert shown.splitlines()[0] == text


def test_officers_read_a_time_range_in_iso_with_the_zone_once_on_one_day() -> None:
    renderer = Renderer(WITA)
    values = {**SAMPLES["officer/trainings/checkin_code"], "opens": ONE_DAY[0], "closes": ONE_DAY[1]}
    assert "Berlaku 2026-03-14 09:00 – 16:00 WITA," in renderer.render(
        "officer/trainings/checkin_code", "id", values
    )
    assert "Valid 2026-03-14 09:00 – 16:00 WITA," in renderer.render(
        "officer/trainings/checkin_code", "en", values
    )
    values["closes"] = TWO_DAYS[1]
    shown = renderer.render("officer/trainings/checkin_code", "id", values)
    assert "Berlaku 2026-03-14 09:00 WITA s.d. 2026-03-15 16:00 WITA," in shown
