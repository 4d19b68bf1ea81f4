"""Normalisation: the same string for every way users type the same words."""

from __future__ import annotations

import pytest

from bot.nlu.normalize import fold, folded, has_arabic_script, normalize


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Hvor mye TJENER en IT-prosjektleder?!", "hvor mye tjener en it prosjektleder"),
        ("what's the pay like 😀👍", "whats the pay like"),
        ("  many\tspaces\n here ", "many spaces here"),
        ("ﬁle Ｆｕｌｌｗｉｄｔｈ", "file fullwidth"),  # NFKC: ligature and fullwidth letters
        ("حقوق ۱۲۳ و ٤٥", "حقوق 123 و 45"),  # Persian and Arabic-Indic digits
        ("كارشناس پشتيباني", "کارشناس پشتیبانی"),  # Arabic kaf and yeh -> Persian
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("خانۀ", "خانه"),  # heh with hamza above
        ("أحمد إيران آب", "احمد ایران اب"),  # hamza and madda forms of alef
        ("عَلِيّ", "علی"),  # harakat removed
        ("کـــار", "کار"),  # tatweel removed
        ("می\u200cخواهم", "می خواهم"),  # ZWNJ separates like a space ...
        ("می خواهم", "می خواهم"),  # ... so both spellings agree
        ("a\u200bb\u200fc", "abc"),  # zero-width space and direction marks vanish
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("lietotāju atbalsta speciāliste", "lietotaju atbalsta specialiste"),
        ("lønn for IKT-servicemedarbeidar", "lonn for ikt servicemedarbeidar"),
        ("Kārlis ŠĶŪŅ", "karlis skun"),
        ("æ ø å ß", "ae o a ss"),
        ("کارشناس پشتیبانی", "کارشناس پشتیبانی"),  # Persian letters are left alone
    ],
)
def test_folded_removes_latin_diacritics(raw: str, expected: str) -> None:
    assert folded(raw) == expected


def test_fold_is_idempotent_and_keeps_word_count() -> None:
    text = normalize("Ko dara IKT servisa tehniķis ikdienā? Lønn")
    once = fold(text)
    assert fold(once) == once
    assert len(once.split()) == len(text.split())


def test_emoji_only_message_becomes_empty() -> None:
    assert normalize("👋🙂!!") == ""


def test_has_arabic_script() -> None:
    assert has_arabic_script("حقوق")
    assert not has_arabic_script("lønn")


def test_folded_text_is_returned_as_it_is_only_when_folding_would_not_change_it() -> None:
    for text in ["salary of a xrolex", "a1 2b", "", " a", "a ", "a  b", "A b", "it's", "a_b",
                 "a-b", "lønn", "cik pelna", "حقوق", "ｆｕｌｌ", "x\u200bx"]:
        assert folded(text) == fold(normalize(text)), text
