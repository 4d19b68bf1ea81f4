"""The terminal chat (issue 14): the pure helpers of bot/terminal.py."""

from __future__ import annotations

import itertools

import pytest

from bot.terminal import (
    BOLD,
    NORMAL,
    Look,
    button_rows,
    display_width,
    label_choice,
    show_html,
    terminal_does_bidi,
    typed_number,
    wants_bidi,
    wants_colour,
)

ISOLATES_AND_MARKS = "\u2066\u2067\u2068\u2069\u200e\u200f"
LABELS = ["📄 Pay", "Overview", "Duties", "Skills", "Interview", "Education", "Career",
          "Workplace", "Qualities", "Tools", "Certificates", "Job market", "Compare with…",
          "👍", "👎"]


# ------------------------------------------------------------------ pure helpers


@pytest.mark.parametrize("width", [12, 20, 35, 60, 80, 200])
def test_button_rows_fit_the_width_and_keep_every_label_whole(width: int) -> None:
    rows = button_rows(LABELS, width)
    items = [f"[{n}] {label}" for n, label in enumerate(LABELS, 1)]
    assert "  ".join(rows) == "  ".join(items)  # all of them, in order, none cut
    for row in rows:
        assert display_width(row) <= width or row in items  # only a lone item may be wider
    if width >= 80:
        assert len(rows) <= 3
    # Each row is as full as it can be: the next row's first item would not have fitted.
    for row, following in itertools.pairwise(rows):
        first = following.split("  ")[0]
        assert display_width(f"{row}  {first}") > width


def test_a_label_wider_than_the_terminal_gets_its_own_row() -> None:
    assert button_rows(["a", "x" * 30, "b"], 10) == ["[1] a", "[2] " + "x" * 30, "[3] b"]


def test_display_width_counts_wide_and_invisible_characters() -> None:
    assert display_width("👍") == 2
    assert display_width("Pay") == 3
    assert display_width("می\u200cخواهم") == 7  # the non-joiner takes no column
    assert display_width("e\u0301") == 1  # a combining accent neither


@pytest.mark.parametrize(("text", "number"), [
    ("3", 3), (" 12 ", 12), ("۳", 3), ("٣", 3), ("0", 0), ("99", 99),
    ("²", None), ("-1", None), ("3a", None), ("3.0", None), ("", None), ("three", None)])
def test_typed_number(text: str, number: int | None) -> None:
    assert typed_number(text) == number


@pytest.mark.parametrize(("text", "number"), [
    ("Skills", 4), ("skills", 4), ("  SKILLS ", 4), ("pay", 1), ("📄 Pay", 1),
    ("compare with", 13), ("Compare with…", 13), ("job market", 12), ("👍", 14), ("👎", 15),
    ("skill", None), ("what are the skills", None), ("", None), ("…", None),
    ("pay?", None), ("skills?", None)])  # a question mark makes it a question
def test_a_typed_label_names_its_button(text: str, number: int | None) -> None:
    assert label_choice(text, LABELS) == number


def test_text_for_the_terminal_loses_marks_and_controls_and_gets_bold() -> None:
    markup = ("<b>Pay</b>\n\u200fLowest \u2068IT\u2069 &amp; more\x1b[2J\x07\n"
              "<i>Source</i>: <a href='x'>site</a>")
    plain = show_html(markup, Look(colour=False))
    assert plain == "Pay\nLowest IT & more[2J\nSource: site"
    coloured = show_html(markup, Look(colour=True))
    assert coloured.startswith(f"{BOLD}Pay{NORMAL}\n")
    assert coloured.count("\x1b") == 2  # ours only: the text's ESC is gone
    # A bold span over two lines is closed at the end of each line.
    assert show_html("<b>a\nb</b>", Look(colour=True)) == f"{BOLD}a{NORMAL}\n{BOLD}b{NORMAL}"


def test_persian_in_visual_order_only_when_bidi_is_on() -> None:
    line = "<b>\u200fحقوق \u2068IT Service Desk\u2069 (ایران)</b>"
    logical = show_html(line, Look(bidi=False), rtl=True)
    assert logical == "حقوق IT Service Desk (ایران)"
    visual = show_html(line, Look(bidi=True), rtl=True)
    assert not set(visual) & set(ISOLATES_AND_MARKS)
    # Drawn left to right: the bracketed country comes first, mirrored so it still reads
    # "(...)", the Latin name keeps its own order, the first word is at the right end.
    assert visual.startswith("(") and ")" in visual[:8]
    assert "IT Service Desk" in visual
    assert visual.index("IT Service Desk") < len(visual) - 6
    assert "حقوق" not in visual  # joined: presentation forms, in reverse
    bold = show_html(line, Look(bidi=True, colour=True), rtl=True)
    assert bold == f"{BOLD}{visual}{NORMAL}"  # a whole bold line stays bold
    assert show_html("Pay (Iran)", Look(bidi=True)) == "Pay (Iran)"  # no Persian: untouched


@pytest.mark.parametrize(("env", "tty", "expected"), [
    ({"TERM": "xterm-256color"}, True, True),
    ({"TERM": "xterm-256color", "NO_COLOR": "1"}, True, False),
    ({"TERM": "xterm-256color", "NO_COLOR": ""}, True, True),
    ({"TERM": "dumb"}, True, False),
    ({"TERM": "xterm-256color"}, False, False),
])
def test_colour_only_on_a_terminal_without_no_color(env: dict[str, str], tty: bool,
                                                    expected: bool) -> None:
    assert wants_colour(env, tty) is expected


@pytest.mark.parametrize(("env", "does"), [
    ({"TERM": "xterm"}, False),
    ({"TERM": "linux"}, False),
    ({"TERM": "xterm-256color", "VTE_VERSION": "7600"}, True),
    ({"TERM": "xterm-256color", "VTE_VERSION": "5202"}, False),  # before VTE's bidi
    ({"TERM": "tmux-256color", "VTE_VERSION": "7600", "TMUX": "/tmp/t,1,0"}, False),
    ({"TERM": "screen", "VTE_VERSION": "7600"}, False),
    ({"TERM": "xterm-256color", "KONSOLE_VERSION": "230800"}, True),
    ({"TERM": "mlterm"}, True),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "Apple_Terminal"}, True),
    ({"TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"}, False),
])
def test_which_terminals_lay_out_persian_themselves(env: dict[str, str], does: bool) -> None:
    assert terminal_does_bidi(env) is does
    assert wants_bidi("auto", env, True) is not does
    assert wants_bidi("auto", env, False) is False  # piped: logical order for programs
    assert wants_bidi("on", env, False) is True and wants_bidi("off", env, True) is False
