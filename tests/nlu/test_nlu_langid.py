"""Language id: script first, then langid restricted to our languages, marker words for nn/nb."""

from __future__ import annotations

import pytest

from bot.constants import map_telegram_language
from bot.nlu.langid import Detection, VariantModel, detect, reply_language
from bot.nlu.normalize import normalize
from bot.nlu.result import LangHints


def lang_of(text: str) -> Detection:
    return detect(normalize(text))


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("what does a helpdesk specialist do every day", "en"),
        ("hvor mye tjener en prosjektleder i året", "nb"),
        ("kva tener ein prosjektleiar i året", "nn"),
        ("korleis blir eg ikt-servicemedarbeidar", "nn"),
        ("hvordan blir jeg ikt-servicemedarbeider", "nb"),
        ("eg lurer på kor mykje løn dei får", "nn"),
        ("cik pelna lietotāju atbalsta speciāliste", "lv"),
        ("cik pelna lietotaju atbalsta specialiste", "lv"),  # without diacritics
        ("حقوق کارشناس پشتیبانی چقدر است", "fa"),
        ("حقوق كارشناس پشتيباني", "fa"),  # Arabic letter variants
    ],
)
def test_detects_language_confidently(text: str, lang: str) -> None:
    detection = lang_of(text)
    assert detection.lang == lang
    assert detection.confident


@pytest.mark.parametrize("text", ["ok", "salary", "hei", "alga", "hi there", "🙂"])
def test_short_messages_are_not_confident(text: str) -> None:
    assert not lang_of(text).confident


def test_short_message_falls_back_to_chat_then_telegram_then_en() -> None:
    short = lang_of("ok")
    assert reply_language(short, LangHints(telegram="lv", chat="nn")) == ("nn", False)
    assert reply_language(short, LangHints(telegram="lv")) == ("lv", False)
    assert reply_language(short, LangHints(telegram="no")) == ("nb", False)
    assert reply_language(short, LangHints(telegram="de")) == ("en", False)
    assert reply_language(short, None) == ("en", False)


def test_confident_detection_beats_hints() -> None:
    detection = lang_of("cik pelna lietotāju atbalsta speciāliste")
    assert reply_language(detection, LangHints(telegram="en", chat="nb")) == ("lv", True)


def test_norwegian_without_variant_markers_follows_a_norwegian_hint() -> None:
    detection = lang_of("er det behov for flere i framtiden")
    assert detection.lang in ("nb", "nn")
    assert reply_language(detection, LangHints(telegram="nn")) == ("nn", True)
    assert reply_language(detection, LangHints(chat="nb")) == ("nb", True)


def test_marker_words_beat_the_hint() -> None:
    detection = lang_of("kva gjer ein prosjektleiar ikkje")
    assert reply_language(detection, LangHints(telegram="nb")) == ("nn", True)


def test_alias_language_decides_a_bare_role_name() -> None:
    assert detect("", alias_langs=frozenset({"nn"})).lang == "nn"
    assert detect("", alias_langs=frozenset({"en", "nb"})).lang is None


def test_learned_variant_model_uses_examples() -> None:
    model = VariantModel(
        [("kva slags oppgåver har dei", "nn"), ("hva slags oppgaver har de", "nb")]
    )
    assert model.score(["oppgåvene"]) > 0
    assert model.score(["oppgavene"]) < 0


@pytest.mark.parametrize(
    ("code", "lang"),
    [
        ("nb", "nb"),
        ("no", "nb"),
        ("nn", "nn"),
        ("en-US", "en"),
        ("lv", "lv"),
        ("fa", "fa"),
        ("de", None),
        (None, None),
        ("", None),
    ],
)
def test_map_language_code(code: str | None, lang: str | None) -> None:
    assert map_telegram_language(code) == lang


def test_compact_model_scores_exactly_like_py3langid() -> None:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from bot.nlu.langid import _identifier

    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(["en", "no", "lv"])
    compact = _identifier()
    for text in [
        "how much does it pay",
        "kor mykje tener ein prosjektleiar",
        "cik pelna lietotāju atbalsta speciāliste",
        "HELLO",
        "æøå",
        "",
        "x",
        "a rather long sentence that walks deep into the automaton of byte n-grams",
        "sveiki, kāda ir alga? lønn og arbeidstid, حقوق چقدر است، and the hours",
    ]:
        ours = dict(compact.rank(text))
        theirs = dict(reference.rank(text))
        assert ours.keys() == theirs.keys()
        for lang in ours:
            assert ours[lang] == pytest.approx(theirs[lang], abs=1e-5), (text, lang)
    # Scoring resumes each search where the last match began: right only if every prefix of
    # an n-gram is one too.
    assert all(gram[:-1] in compact.states for gram in compact.states if len(gram) > 1)



@pytest.mark.parametrize(("words", "nynorsk"), [
    (["timeløn"], True), (["startløna"], True), (["månadsløn", "i", "staten"], True),
    (["timelønn"], False), (["startlønnen"], False), (["månedslønn", "i", "staten"], False),
])
def test_a_compound_ending_in_a_marker_word_is_a_marker(words: list[str], nynorsk: bool) -> None:
    """"timeløn" is as Nynorsk as "løn"; "timelønn" as Bokmål as "lønn" (pay is asked about
    in compounds more often than in the bare word)."""
    score = VariantModel().score(words)
    assert (score >= 1) if nynorsk else (score <= -1), score
