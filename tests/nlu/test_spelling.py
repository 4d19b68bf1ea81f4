"""One typo in a topic word: read as the word meant, never guessed between two."""

from __future__ import annotations

import copy
from functools import lru_cache

import pytest

from bot.config import PROJECT_ROOT
from bot.content.catalog import load_catalog
from bot.nlu.engine import Engine, build_engine
from bot.nlu.spelling import Speller

EN, NB = frozenset({"en"}), frozenset({"nb"})


def test_one_letter_left_out_added_or_changed() -> None:
    speller = Speller({"salary": EN, "tjener": NB, "prosjekt": NB, "skills": EN})
    assert speller.correct("tjner", "nb") == "tjener"  # left out
    assert speller.correct("prosjekkt", "nb") == "prosjekt"  # one too many
    assert speller.correct("salery", "en") == "salary"  # changed
    assert speller.correct("salary", "en") == "salary"


def test_no_guess_between_two_words_nor_across_languages() -> None:
    speller = Speller({"tjener": NB, "tener": frozenset({"nn"}), "skills": EN, "skill": EN,
                       "nervos": NB, "داره": frozenset({"fa"})})
    assert speller.correct("tjner", "nb") == "tjener"  # dropping a letter is the likelier typo
    assert speller.correct("nerves", "en") == "nerves"  # no typo of the Norwegian "nervøs"
    assert speller.correct("nervs", "nb") == "nervos"
    two = {"lonnen": NB, "lannex": NB}
    assert Speller(two).correct("lonnex", "nb") == "lonnex"  # two one change away
    assert Speller({"lonnen": NB, "lonnet": NB}).correct("lonnex", "nb") == "lonnex"
    assert speller.correct("skil", "en") == "skil"  # too short to tell
    assert speller.correct("نداره", "fa") == "نداره"  # a Persian prefix is no typo
    assert speller.correct("skills2", "en") == "skills2"


def test_words_of_role_names_are_no_typos() -> None:
    lv = frozenset({"lv"})
    assert Speller({"specialistus": lv}).correct("specialists", "lv") == "specialistus"
    kept = Speller({"specialistus": lv}, keep=frozenset({"specialists"}))
    assert kept.correct("specialists", "lv") == "specialists"
    # The engine keeps every role name's words: the classifier reads them as written.
    assert engine().parse("atbalsta speciālists").masked == "atbalsta specialists"


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


def test_a_rebuilt_engine_takes_the_speller_only_when_made_from_the_same_words() -> None:
    made = engine()
    speller = made.speller
    same = copy.copy(made)  # a copy leaves the speller out, as a saved engine does
    same.adopt_speller(made)
    assert same.speller is speller
    other = copy.copy(made)
    other.vocabulary = {**made.vocabulary, "zebrawrangler": EN}  # an edit brought a new word
    other.adopt_speller(made)
    assert other.speller is not speller
    assert other.speller.correct("zebrawrangle", "en") == "zebrawrangler"
