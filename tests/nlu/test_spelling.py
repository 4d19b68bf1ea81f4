"""One typo in a topic word: read as the word meant, never guessed between two."""

from __future__ import annotations

from functools import lru_cache

import pytest

from bot.config import PROJECT_ROOT
from bot.content.catalog import load_catalog
from bot.nlu.engine import Engine, build_engine
from bot.nlu.spelling import Speller


def test_one_letter_left_out_added_or_changed() -> None:
    speller = Speller(["salary", "tjener", "prosjekt", "skills"])
    assert speller.correct("tjner") == "tjener"  # left out
    assert speller.correct("prosjekkt") == "prosjekt"  # one too many
    assert speller.correct("salery") == "salary"  # changed
    assert speller.correct("salary") == "salary"


def test_no_guess_between_two_words_nor_for_short_persian_or_digit_words() -> None:
    speller = Speller(["tjener", "tener", "skills", "skill", "داره"])
    assert speller.correct("tjner") == "tjener"  # dropping a letter is the likelier typo
    assert Speller(["lonnen", "lannex"]).correct("lonnex") == "lonnex"  # two one change away
    assert Speller(["lonnen", "lonnet"]).correct("lonnex") == "lonnex"
    assert speller.correct("skil") == "skil"  # too short to tell
    assert speller.correct("نداره") == "نداره"  # a Persian prefix is no typo
    assert speller.correct("skills2") == "skills2"


@lru_cache(maxsize=1)
def engine() -> Engine:
    return build_engine(PROJECT_ROOT / "intents", load_catalog(PROJECT_ROOT / "content"))


@pytest.mark.parametrize(("text", "intent", "role"), [
    ("hva tjner en helpdesk-spesialist", "salary", "helpdesk-specialist"),
    ("whats the salery of a project manager", "salary", "it-project-manager"),
])
def test_a_typo_in_the_topic_word_keeps_the_topic(text: str, intent: str, role: str) -> None:
    parse = engine().parse(text)
    assert (parse.intent, parse.role) == (intent, role), parse
