"""Numbers, amounts, ranges, durations and dates written as each language writes them."""

from __future__ import annotations

import pytest

from bot.content import formatting as f

NBSP = "\u00a0"


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "43,880"), ("nb", f"43{NBSP}880"), ("nn", f"43{NBSP}880"), ("lv", f"43{NBSP}880"),
    ("fa", "۴۳٬۸۸۰"),
])
def test_format_int(lang: str, expected: str) -> None:
    assert f.format_int(43880, lang) == expected


def test_small_and_large_numbers() -> None:
    assert f.format_int(800, "nb") == "800"
    assert f.format_int(1400, "lv") == f"1{NBSP}400"
    assert f.format_int(526560, "en") == "526,560"
    assert f.format_int(3964, "fa") == "۳٬۹۶۴"


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", f"43,880{NBSP}kr"), ("nb", f"43{NBSP}880{NBSP}kr"), ("nn", f"43{NBSP}880{NBSP}kr"),
    ("lv", f"43{NBSP}880{NBSP}kr"), ("fa", f"۴۳٬۸۸۰{NBSP}کرون"),
])
def test_amount_keeps_the_seed_unit(lang: str, expected: str) -> None:
    assert f.format_amount(43880, "kr", lang) == expected


def test_approximate_amounts() -> None:
    assert f.format_amount(271, "kr", "en", approx=True) == f"about{NBSP}271{NBSP}kr"
    assert f.format_amount(271, "kr", "nn", approx=True) == f"ca.{NBSP}271{NBSP}kr"
    assert f.format_amount(271, "kr", "lv", approx=True).startswith("aptuveni")
    assert f.format_amount(271, "kr", "fa", approx=True).startswith("حدود")


def test_euro_per_language() -> None:
    assert f.format_amount(1400, "€", "en") == "€1,400"
    assert f.format_amount(1400, "€", "lv") == f"1{NBSP}400{NBSP}€"
    assert f.format_range(800, 1400, "€", "en") == "€800–€1,400"
    assert f.format_range(800, 1400, "€", "lv") == f"800–1{NBSP}400{NBSP}€"
    assert f.format_range(800, 1400, "€", "nb") == f"800–1{NBSP}400{NBSP}€"
    assert f.format_range(800, 1400, "€", "fa") == f"۸۰۰ تا ۱٬۴۰۰{NBSP}یورو"


def test_persian_writes_the_currency_name_and_isolates_other_latin_units() -> None:
    """Persian readers get the seed's currency by name; a Latin unit we have no name for is
    isolated so it does not reorder the right-to-left line."""
    assert f.format_amount(43880, "kr", "fa").endswith("کرون")
    assert f.format_amount(5, "USD", "fa").endswith("\u2068USD\u2069")


def test_amount_without_unit() -> None:
    assert f.format_amount(35, None, "en") == "35"
    assert f.format_amount(35, "میلیون", "fa") == f"۳۵{NBSP}میلیون"


def test_percent() -> None:
    assert f.format_percent(80, "en") == "80%"
    assert f.format_percent(80, "nb") == f"80{NBSP}%"
    assert f.format_percent(75, "fa") == "۷۵٪"


@pytest.mark.parametrize(("lang", "months", "years", "one_year"), [
    ("en", f"3–12{NBSP}months", f"1–2{NBSP}years", f"1{NBSP}year"),
    ("nb", f"3–12{NBSP}måneder", f"1–2{NBSP}år", f"1{NBSP}år"),
    ("nn", f"3–12{NBSP}månader", f"1–2{NBSP}år", f"1{NBSP}år"),
    ("lv", f"3–12{NBSP}mēneši", f"1–2{NBSP}gadi", f"1{NBSP}gads"),
    ("fa", "۳ تا ۱۲ ماه", "۱ تا ۲ سال", f"۱{NBSP}سال"),
])
def test_durations(lang: str, months: str, years: str, one_year: str) -> None:
    assert f.format_duration(3, 12, "months", lang) == months
    assert f.format_duration(1, 2, "years", lang) == years
    assert f.format_duration(1, 1, "years", lang) == one_year


def test_latvian_plural_follows_the_last_digit() -> None:
    assert f.format_duration(11, 21, "years", "lv").endswith("gads")
    assert f.format_duration(5, 11, "years", "lv").endswith("gadi")


def test_duration_unit_is_checked() -> None:
    with pytest.raises(ValueError):
        f.format_duration(1, 2, "weeks", "en")


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", "3 February 2022"), ("nb", "3. februar 2022"), ("nn", "3. februar 2022"),
    ("lv", "2022. gada 3. februārī"), ("fa", "۳ فوریهٔ ۲۰۲۲"),
])
def test_dates(lang: str, expected: str) -> None:
    assert f.format_date("2022-02-03", lang) == expected


def test_digits_round_trip() -> None:
    assert f.ascii_digits(f.persian_digits("0123456789")) == "0123456789"
    assert f.ascii_digits("٣٤") == "34"


def test_latin_runs_are_isolated_once() -> None:
    text = "گواهی ITIL Service Desk و HDI - CSR."
    out = f.isolate_latin_runs(text)
    assert out == "گواهی \u2068ITIL Service Desk\u2069 و \u2068HDI - CSR\u2069."
    assert f.isolate_latin_runs(out) == out
    assert f.isolate_latin_runs("فقط فارسی") == "فقط فارسی"
