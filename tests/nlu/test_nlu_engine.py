"""The engine on the shipped intents and content: rules, output format, confidence."""

from __future__ import annotations

import json
from functools import lru_cache

import pytest

from bot.config import PROJECT_ROOT
from bot.content.catalog import load_catalog
from bot.nlu.engine import Engine, build_engine
from bot.nlu.result import LangHints, Parse


@lru_cache(maxsize=1)
def shipped() -> Engine:
    return build_engine(PROJECT_ROOT / "intents", load_catalog(PROJECT_ROOT / "content"))


def parse(text: str, telegram: str | None = None, chat: str | None = None) -> Parse:
    return shipped().parse(text, LangHints(telegram=telegram, chat=chat))


@pytest.mark.parametrize(
    ("text", "intent", "role"),
    [
        ("how much does an it project manager earn", "salary", "it-project-manager"),
        ("hvor mye tjener en IT-prosjektleder", "salary", "it-project-manager"),
        ("kva gjer ein IKT-servicemedarbeidar", "duties", "ict-service-technician"),
        ("cik pelna lietotaju atbalsta specialiste", "salary", "user-support-specialist"),
        ("حقوق کارشناس پشتیبانی فنی چقدر است", "salary", "helpdesk-specialist"),
        ("what skills does an IT projekt manger need", "skills", "it-project-manager"),
    ],
)
def test_topic_and_role(text: str, intent: str, role: str) -> None:
    result = parse(text)
    assert (result.intent, result.role) == (intent, role)


def test_follow_up_without_role_keeps_role_empty() -> None:
    result = parse("and the skills?")
    assert (result.intent, result.role, result.roles) == ("skills", None, ())


def test_bare_role_name_means_overview() -> None:
    result = parse("IT-prosjektleder")
    assert (result.intent, result.role) == ("overview", "it-project-manager")


def test_two_roles_mean_compare_with_both_roles() -> None:
    result = parse("it project manager vs helpdesk specialist")
    assert result.intent == "compare"
    assert result.role == "it-project-manager"
    assert result.roles == ("it-project-manager", "helpdesk-specialist")


def test_unknown_role_gets_no_role_never_a_wrong_one() -> None:
    assert parse("how much does a dentist earn").role is None
    assert parse("what does a pilot do all day").role is None


@pytest.mark.parametrize(
    "text", ["my printer is broken", "what's the weather tomorrow", "tell me a joke"]
)
def test_out_of_scope(text: str) -> None:
    assert parse(text).intent == "out_of_scope"


def test_empty_or_emoji_message_is_out_of_scope() -> None:
    assert parse("🙂🙂").intent == "out_of_scope"
    assert parse("").intent == "out_of_scope"


def test_reply_language_rule() -> None:
    assert parse("hvor mye tjener en IT-prosjektleder").lang == "nb"
    assert parse("kor mykje tener ein IT-prosjektleiar").lang == "nn"
    assert parse("ok", telegram="nb").lang == "nb"
    assert parse("ok", telegram="nb", chat="lv").lang == "lv"
    assert parse("ok", telegram="de").lang == "en"
    assert parse("cik pelna helpdesk speciālists").lang == "lv"  # the role name decides


def test_confidence_and_alternatives_are_sane() -> None:
    result = parse("what does a helpdesk specialist earn")
    assert 0.0 <= result.confidence <= 1.0
    assert result.alternatives, "runner-up readings are offered"
    assert all(a.intent != result.intent for a in result.alternatives)
    assert all(0.0 <= a.confidence <= result.confidence for a in result.alternatives)
    probs = [result.confidence, *(a.confidence for a in result.alternatives)]
    assert sum(probs) <= 1.0 + 1e-6


def test_ambiguous_only_when_top_two_are_close() -> None:
    result = parse("how much does an it project manager earn")
    assert not result.ambiguous
    engine = shipped()
    for text in ["salary or skills", "pay and skills and tools", "education career"]:
        r = engine.parse(text)
        if r.ambiguous:
            assert r.alternatives
            assert r.confidence - r.alternatives[0].confidence < engine.classifier.margin


def test_parse_json_has_the_spec_fields() -> None:
    obj = parse("hvor mye tjener en IT-prosjektleder").to_json()
    json.dumps(obj)
    for key in ("text", "lang", "intent", "role", "confidence", "alternatives"):
        assert key in obj
    for alt in obj["alternatives"]:  # type: ignore[attr-defined]
        assert set(alt) == {"intent", "role", "confidence"}


@pytest.mark.parametrize(
    ("text", "role"),
    [
        # Support work named generically: the country asked about (or else the message's
        # language's country) decides which source's support role is meant.
        ("what do people in IT support earn in Latvia?", "user-support-specialist"),
        ("is a support role in Iran stressful?", "helpdesk-specialist"),
        ("supportjobb i Latvia, hva tjener man?", "user-support-specialist"),
        # Norway's source is the pay table of "Brukerstøtte, IKT": user support there.
        ("what does ICT support pay in Norway?", "ict-service-technician"),
        ("is IT support in Norway a good job?", "ict-service-technician"),
        # A role named by its own words stays that role, wherever it is asked about.
        ("what does a helpdesk specialist earn in Latvia?", "helpdesk-specialist"),
        ("tehniskā atbalsta speciālista alga", "helpdesk-specialist"),
        ("what does IT support earn?", "helpdesk-specialist"),
    ],
)
def test_generic_support_work_is_the_support_role_of_the_country_asked_about(
        text: str, role: str) -> None:
    assert parse(text).role == role


def test_another_jobs_support_title_is_not_our_support_role() -> None:
    assert parse("what does a sales support specialist in Latvia earn?").role is None


def test_support_work_without_title_or_country_is_left_to_the_dialogue() -> None:
    """"atbalsta speciālists" alone: the Latvian source's role, unless the chat's context
    says otherwise, so the engine reports it as the local role, not as the role."""
    result = parse("kāda ir IT atbalsta speciālista alga?")
    assert (result.role, result.local_role) == (None, "user-support-specialist")
    assert parse("tehniskā atbalsta speciālista alga").local_role is None


def test_figures_and_filler_do_not_hide_a_plainly_named_detail() -> None:
    # Eight words, but "20" and the filler add nothing: the currency is named twice.
    result = parse("er de 20 millionene oppgitt i rial eller toman")
    assert (result.intent, result.aspect) == ("salary", "salary.currency")


@pytest.mark.parametrize(("text", "foreign"), [
    # One or two words are too few for the detector: the courtesy lexicon knows them.
    ("Danke schön!", "de"), ("muchas gracias", "es"), ("Dziękuję", "pl"), ("merhaba", "tr"),
    # ... but not the words our own users write: Persian "merci", Norwegian "hallo".
    ("merci", None), ("hallo", None), ("takk skal du ha", None),
])
def test_a_greeting_or_thanks_in_a_language_we_do_not_speak(text: str, foreign: str | None
                                                            ) -> None:
    assert parse(text).foreign == foreign


@pytest.mark.parametrize(
    ("text", "foreign"),
    [
        # Short words German shares with English or Nynorsk ("was", "in", "ein") claim nothing.
        ("Wie viel verdient man in Lettland?", "de"),
        ("Was macht ein IT-Servicemanager den ganzen Tag?", "de"),
        ("was tjener en it-prosjektleder i norge?", None),
        ("kan man jobbe hjemmefra?", None),
    ],
)
def test_a_language_we_do_not_speak_is_noticed_despite_shared_short_words(
        text: str, foreign: str | None) -> None:
    assert parse(text).foreign == foreign


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        # A greeting, then context but no question yet: welcome them.
        ("Hello! I'm 40 and want to change careers into IT.", "greeting"),
        ("Good morning! I am a parent from Tromsø.", "greeting"),
        # A greeting, then a question or a plain request: that counts.
        ("Hello there! What does a helpdesk specialist earn?", "salary"),
        ("Hi! I'd like to know more about the pay.", "salary"),
        ("Hello. My password expired.", "out_of_scope"),
    ],
)
def test_a_greeting_followed_by_context_is_a_greeting(text: str, intent: str) -> None:
    assert parse(text).intent == intent


def test_finglish_spoken_verbs_make_a_finglish_message_persian() -> None:
    # "be dard ... mikhore" (is it useful): spoken Persian verb forms in Latin letters.
    result = parse("baraye project manager, PMP be dard mikhore?")
    assert (result.lang, result.intent, result.role) == (
        "fa", "certifications", "it-project-manager")


def test_finglish_pronoun_forms_of_az_are_read() -> None:
    # "azat" (ازت, from you): "how do I use you?" is the help, not the tools of a job.
    result = parse("che tori bayad azat estefade konam?")
    assert (result.lang, result.intent) == ("fa", "help"), result


@pytest.mark.parametrize(("text", "lang"), [("ok, ha det då", "nn"),
                                             ("fint, ha det då", "nn"),
                                             ("ok, ha det da", "nb")])
def test_nynorsk_and_bokmal_words_of_their_own_decide(text: str, lang: str) -> None:
    assert parse(text).lang == lang


@pytest.mark.parametrize("text", ["are there many women working in helpdesk?",
                                  "vai IT atbalstā ir daudz sieviešu?"])
def test_how_many_women_is_the_gender_mix_not_their_pay(text: str) -> None:
    result = parse(text)
    assert (result.intent, result.aspect) == ("workplace", "workplace.gender_mix")


@pytest.mark.parametrize(("text", "intent"), [
    ("can a helpdesk specialist move on to be an IT service manager?", "career"),
    ("the career paths of a helpdesk specialist and an ICT service technician", "compare"),
])
def test_a_move_from_one_role_to_another_is_career_two_roles_alike_compare(
        text: str, intent: str) -> None:
    assert parse(text).intent == intent


@pytest.mark.parametrize("text", ["which occupations have no pay figures?",
                                  "hvilke yrker har ingen lønnstall?",
                                  "kuras profesijas prasa sertifikātus?"])
def test_which_professions_asks_across_all_roles(text: str) -> None:
    result = parse(text)
    assert result.all_roles and result.intent in ("salary", "certifications")


def test_a_long_message_sure_of_its_topic_outweighs_a_vaguer_question_sentence() -> None:
    """The question sentence of a long message leans less when it is read less surely than
    the whole: "What should I focus on?" alone reads as skills, the interview is the topic."""
    p = parse("I've got an interview on Monday for a first-line support job in Riga. "
              "Never worked in IT before and I'm a bit anxious. What should I focus on?")
    assert (p.intent, p.role) == ("interview", "user-support-specialist"), p


def test_numbers_for_a_role_are_its_pay() -> None:
    """"Any numbers on X?": in a question about a job, the figures people want are the pay."""
    p = parse("got any numbers on the helpdesk specialist?")
    assert (p.intent, p.role) == ("salary", "helpdesk-specialist"), p
