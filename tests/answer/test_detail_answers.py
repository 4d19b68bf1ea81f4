"""Detail answers as a user reads them: the answer once, right under the title."""

from __future__ import annotations

import pytest

from bot.answer.compose import Composer
from bot.answer.dialogue import Plan
from bot.answer.service import AnswerService
from bot.answer.state import ChatState
from bot.textfmt import html_to_text

LANGS = ("en", "nb", "nn", "lv", "fa")


@pytest.mark.parametrize("lang", LANGS)
def test_where_the_information_comes_from_names_the_source_once(service: AnswerService,
                                                                lang: str) -> None:
    """"Where is this from?" is answered by the source line itself, so the usual source footer
    would only repeat it."""
    for role in service.catalog.role_ids:
        composer = Composer(service.catalog, ChatState(), lang)
        reply = composer.answer(Plan("detail", role=role, topic="overview",
                                     detail="overview.source"))
        text = html_to_text(reply.messages[0])
        source = html_to_text(service.catalog.source_line(role, lang))
        lines = [x for x in text.split("\n") if x.strip()]
        assert source in lines[1], (role, lang, text)
        assert text.count(source) == 1, (role, lang, text)


def test_a_role_the_content_no_longer_has_is_forgotten_not_a_crash(
        service: AnswerService) -> None:
    """A stored chat may remember a role that a reload removed: the follow-up asks which role
    is meant instead of failing."""
    state = ChatState(last_role="removed-role", last_topic="salary", last_kind="pay",
                      last_other="gone-too", last_detail="salary.gone")
    reply = service.answer("and part-time?", state)
    assert reply.kind == "which_role" and reply.state.last_role is None
    assert reply.state.last_other is None
    pressed = service.press("x", state)  # stale button data with the same state
    assert pressed.messages


def test_two_pay_slices_of_one_role_are_shown_side_by_side(service: AnswerService) -> None:
    """"state vs private" compares two slices of one role, not the role with another."""
    reply = service.answer("ICT service technician median pay, state vs private sector?",
                           ChatState())
    text = html_to_text(reply.messages[0])
    assert reply.kind == "pay", text
    assert "state sector: 44,330" in text and "private sector: 43,750" in text
    both_lowest = service.answer("and the lowest in the state vs the private sector?",
                                 reply.state)
    note = "not the lowest or the highest"
    assert html_to_text(both_lowest.messages[0]).count(note) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_the_career_ladder_line_gives_every_steps_time(service: AnswerService, lang: str) -> None:
    """"How long until …?" is answered in the page's first lines: the one-line ladder carries
    each step's time, as the source gives it (the internship lasts 3-12 months)."""
    composer = Composer(service.catalog, ChatState(), lang)
    reply = composer.answer(Plan("page", role="helpdesk-specialist", topic="career"))
    text = html_to_text(reply.messages[0]).translate(str.maketrans("۰۱۲۳۴۵۶۷۸۹", "0123456789"))
    ladder_line = next(x for x in text.split("\n") if x.count("12") and ("3" in x))
    assert text.index(ladder_line) < 350, text[:400]
    for span in ("3", "12", "1", "2", "4", "5", "8"):
        assert span in ladder_line, (lang, ladder_line)


def test_the_gender_gap_carries_over_to_the_next_slice(service: AnswerService) -> None:
    """"Do men earn more?" then "and part-time?" asks the gap for part-time: both figures of
    the part-time row and their difference, not the part-time figure for everyone."""
    first = service.answer("do men earn more than women as ICT service technicians?",
                           ChatState())
    text = html_to_text(first.messages[0]).replace("\u00a0", " ").replace(",", " ")
    assert "42 540" in text and "44 340" in text and "1 800" in text
    second = service.answer("and part-time?", first.state)
    text = html_to_text(second.messages[0]).replace("\u00a0", " ").replace(",", " ")
    assert "33 580" in text and "35 120" in text and "1 540" in text, text
    assert "34 100" not in text  # the part-time median of everyone
    fresh = service.answer("what does an ICT service technician earn in the state sector?",
                           second.state)
    text = html_to_text(fresh.messages[0])
    assert "gap" not in text.lower() and "no figure for women" not in text, text


@pytest.mark.parametrize(("text", "kind"), [
    ("what do women earn as user support specialist compared with helpdesk specialist?",
     "compare"),
    ("which of the five roles pays women the most?", "cross"),
])
def test_side_by_side_pay_says_when_it_leaves_the_slice_out(service: AnswerService, text: str,
                                                             kind: str) -> None:
    """Side by side there is one figure per role; a question about women's pay is told so
    instead of getting everyone's figures as if they answered it."""
    reply = service.answer(text, ChatState())
    assert reply.kind == kind
    assert "for gender, ask about one role at a time" in html_to_text(reply.messages[0])
    plain = service.answer(text.replace("women", "people").replace("pays people", "pays"),
                           ChatState())
    assert "ask about one role at a time" not in html_to_text(plain.messages[0])


NUMBER_ASKED = {
    "en": "what share of user support specialists work remotely?",
    "nb": "hvor stor andel av brukerstøttespesialistene jobber hjemmefra?",
    "nn": "kor stor del av brukarstøttespesialistane jobbar heimanfrå?",
    "lv": "cik procentu lietotāju atbalsta speciālistu strādā attālināti?",
    "fa": "چند درصد کارشناسان پشتیبانی فنی دورکار هستند؟",
}


@pytest.mark.parametrize("lang", LANGS)
def test_a_number_the_source_does_not_give_is_said_plainly_first(
        service: AnswerService, lang: str) -> None:
    """"What share works from home?": the sources give no share, so the answer says that
    before what the source does say (instead of an answer that reads like the number)."""
    reply = service.answer(NUMBER_ASKED[lang], ChatState())
    text = html_to_text(reply.messages[0])
    lines = [x for x in text.split("\n") if x.strip()]
    assert reply.kind == "detail" and reply.detail == "workplace.remote", text
    assert lines[1].startswith(html_to_text(service.catalog.ui(lang, "dialogue.no_number"))), text


def test_a_number_the_source_gives_is_answered_without_the_no_number_line(
        service: AnswerService) -> None:
    reply = service.answer("how long does the helpdesk support internship last?", ChatState())
    text = html_to_text(reply.messages[0]).replace("\xa0", " ")
    assert reply.detail == "career.internship" and "3–12 months" in text, text
    assert "gives no number" not in text


@pytest.mark.parametrize("text", [
    "cik gadu pieredzes vajag, lai strādātu par atbalsta nodaļas vadītāju?",
    "how many years before you can be one of the support team supervisors?",
])
def test_a_career_step_named_in_an_inflected_form_is_its_ladders_role(
        service: AnswerService, text: str) -> None:
    """A step's name in another case or number ("vadītāju", "supervisors") still names the
    helpdesk ladder, and the years to it are answered."""
    reply = service.answer(text, ChatState())
    assert reply.role == "helpdesk-specialist" and reply.detail == "career.years"
    assert "3–5" in html_to_text(reply.messages[0])


def test_a_pay_cell_gives_the_period_asked_first_and_the_month_and_year_too(
        service: AnswerService) -> None:
    """After "per hour?", "and the mean with overtime?" may mean the hour or the month: the
    one line gives the period asked first, then the month and the year."""
    hourly = service.answer("hourly wage of an ICT service technician?", ChatState())
    reply = service.answer("and the mean with overtime?", hourly.state)
    text = html_to_text(reply.messages[0]).replace("\xa0", " ")
    line = next(x for x in text.split("\n") if "an hour" in x)
    assert line.index("290 kr an hour") < line.index("47,830 kr a month") \
        < line.index("573,960 kr a year"), text


def test_back_to_the_manager_answers_for_the_manager_talked_about_before(
        service: AnswerService) -> None:
    """Two roles into a conversation, "the manager" is the manager talked about, not the role
    of the last answer; the roles remembered survive the chat state's storage form."""
    state = ChatState()
    for text in ("how does an IT service manager's career go?",
                 "and the helpdesk specialist's career?",
                 "will AI change that job?"):
        state = service.answer(text, state).state
    stored = ChatState()
    stored.load_context(state.context_json())
    stored.last_role, stored.last_topic = state.last_role, state.last_topic
    reply = service.answer("ok, back to the manager: which certificates help him?", stored)
    assert reply.role == "it-service-manager", html_to_text(reply.messages[0])
    assert "ITIL" in html_to_text(reply.messages[0])



@pytest.mark.parametrize(("text", "role", "says"), [
    ("what does a senior support technician do?", "helpdesk-specialist",
     ["network and server", "Step 3 of 5", "after 2–4 years"]),
    ("hva gjør en IT Service Desk-leder?", "it-service-manager",
     ["servicedesk-analytikere", "Trinn 2 av 6"]),
])
def test_a_career_step_asked_about_gets_what_the_source_says_of_that_step(
        service: AnswerService, text: str, role: str, says: list[str]) -> None:
    """A step of a ladder is not the role's page: "what does a senior support technician do?"
    is answered with that step's description and its place on the path (the career page one
    tap away), and the chat goes on about the role."""
    reply = service.answer(text, ChatState())
    shown = html_to_text(reply.messages[0]).replace("\xa0", " ")
    assert (reply.kind, reply.role, reply.topic) == ("step", role, "career"), shown
    for part in says:
        assert part in shown, (part, shown)
    follow = service.answer("and the skills?" if role == "helpdesk-specialist"
                            else "og ferdighetene?", reply.state)
    assert (follow.role, follow.topic) == (role, "skills")


@pytest.mark.parametrize("text", ["what does an IT service manager do?",
                                  "kva gjer ein helpdesk-spesialist?"])
def test_the_role_itself_named_as_a_step_gets_the_role_page(service: AnswerService,
                                                           text: str) -> None:
    """Each ladder has a step named like its role: asking about the role is no step."""
    reply = service.answer(text, ChatState())
    assert (reply.kind, reply.topic) == ("page", "duties")


def test_the_pay_of_a_career_step_says_the_figures_are_the_whole_roles(
        service: AnswerService) -> None:
    """The Iranian source gives one pay range for the occupation: asked what a senior support
    technician earns, the bot says first that the step has no figures of its own."""
    reply = service.answer("what does a senior support technician earn?", ChatState())
    text = html_to_text(reply.messages[0])
    lines = [x for x in text.split("\n") if x.strip()]
    assert (reply.kind, reply.role) == ("pay", "helpdesk-specialist"), text
    assert lines[1].startswith("The source gives no pay for the step “Senior support"), text
    assert "35" in text  # and the role's figures follow
    plain = html_to_text(service.answer("what does a helpdesk specialist earn?",
                                        ChatState()).messages[0])
    assert "no pay for the step" not in plain


@pytest.mark.parametrize("lang", LANGS)
def test_across_all_roles_the_roles_whose_source_says_nothing_come_last_in_one_line(
        service: AnswerService, lang: str) -> None:
    """"Which of them can work from home?": the answers first, the silent sources after."""
    composer = Composer(service.catalog, ChatState(), lang)
    reply = composer.answer(Plan("cross", topic="workplace", detail="workplace.remote"))
    lines = html_to_text(reply.messages[0]).split("\n")
    silent = [r for r in service.catalog.role_ids
              if service.catalog.detail_text(r, "workplace.remote", lang) is None]
    said = [r for r in service.catalog.role_ids if r not in silent]
    assert silent and said
    names = [service.catalog.role_name(r, lang) for r in said]
    for line in lines[1:1 + len(said)]:
        assert any(line.startswith(f"• {n}:") for n in names), line
    last = lines[1 + len(said)]
    assert all(service.catalog.role_name(r, lang) in last for r in silent), last
    assert sum(x.startswith("•") for x in lines) == len(said)


@pytest.mark.parametrize("lang", LANGS)
def test_a_detail_the_source_does_not_give_says_so_then_what_it_does_say(
        service: AnswerService, lang: str) -> None:
    """"How many years to move up?" where the source gives no years: that plainly first,
    then the one line it has on the career."""
    role = "user-support-specialist"
    assert service.catalog.detail_text(role, "career.years", lang) is None
    composer = Composer(service.catalog, ChatState(), lang)
    reply = composer.answer(Plan("detail", role=role, topic="career", detail="career.years"))
    lines = [x for x in html_to_text(reply.messages[0]).split("\n") if x.strip()]
    brief = service.catalog.brief(role, "career", lang)
    assert brief and brief in lines[2], lines
    assert lines[1] == html_to_text(composer.h(
        "dialogue.not_in_source", question=composer.t("details.career.years.question")))


@pytest.mark.parametrize("lang", LANGS)
def test_pay_asked_in_another_currency_says_first_that_the_source_does_not_convert(
        service: AnswerService, lang: str) -> None:
    """"What is that in Norwegian kroner?" of pay given in euros."""
    composer = Composer(service.catalog, ChatState(), lang)
    plan = Plan("detail", role="user-support-specialist", topic="salary",
                detail="salary.currency", currency="nok")
    lines = [x for x in html_to_text(composer.answer(plan).messages[0]).split("\n") if x]
    assert lines[1] == html_to_text(composer.h(
        "dialogue.no_conversion", given="€", asked=composer.t("dialogue.currency.nok")))
    # Asked in the source's own currency: only the answer.
    same = Composer(service.catalog, ChatState(), lang).answer(
        Plan("detail", role="user-support-specialist", topic="salary",
             detail="salary.currency", currency="eur"))
    own = html_to_text(composer.h("dialogue.no_conversion", given="€",
                                  asked=composer.t("dialogue.currency.eur")))
    assert own not in html_to_text(same.messages[0])


def test_the_currency_a_message_names_reaches_the_answer(service: AnswerService) -> None:
    for text, code in (("what's that in dollars?", "usd"), ("cik tas ir eiro?", "eur"),
                       ("به تومان چقدر میشه؟", "irr"), ("i norske kroner?", "nok")):
        assert service.engine.parse(text).currency == code, text
    reply = service.answer("and how much is that in US dollars?",
                           ChatState(last_role="user-support-specialist", last_topic="salary",
                                     last_kind="pay"))
    assert "does not convert it to US dollars" in html_to_text(reply.messages[0])


def test_a_follow_up_naming_a_line_of_the_page_just_shown_gets_that_line(
        service: AnswerService) -> None:
    """"and what about collaboration within the team?" after the tools: the tools page's
    collaboration line, not the detail "alone or in a team" of the workplace."""
    tools = ChatState(last_role="it-service-manager", last_topic="tools", last_kind="page")
    reply = service.answer("and what about collaboration within the team?", tools)
    assert (reply.kind, reply.topic) == ("passage", "tools")
    assert "Slack" in html_to_text(reply.messages[0])
    # After a topic whose page has no such line it is the workplace detail it names.
    education = ChatState(last_role="it-service-manager", last_topic="education",
                          last_kind="page")
    assert service.answer("and what about collaboration within the team?",
                          education).topic == "workplace"


@pytest.mark.parametrize(("text", "detail", "says"), [
    ("how long does the course take?", "certifications.duration",
     "The source does not say how long a certificate or its course takes."),
    ("and what does the exam cost?", "certifications.cost",
     "The source does not say what a certificate, its course or its exam costs."),
    ("hva koster sertifiseringen?", "certifications.cost",
     "Kilden sier ikke hva en sertifisering, kurset eller eksamen koster."),
])
def test_what_no_source_says_of_certificates_is_said_plainly(
        service: AnswerService, text: str, detail: str, says: str) -> None:
    """How long a certificate takes and what it costs: no source says; the answer says so
    first, then what the source does say about certificates."""
    first = service.answer("which certificates help a user support specialist?", ChatState())
    reply = service.answer(text, first.state)
    shown = html_to_text(reply.messages[0])
    assert (reply.kind, reply.role, reply.detail) == (
        "detail", "user-support-specialist", detail), shown
    assert says in shown and "HDI" in shown, shown


def test_the_second_of_two_roles_compared_survives_the_stored_state(
        service: AnswerService) -> None:
    """"Compare X and Y", then "and the second one's tools?": the pair survives the chat
    state's storage form, and "the first one" after that is still X."""
    state = service.answer("compare the IT project manager and the IT service manager",
                           ChatState()).state
    stored = ChatState()
    stored.load_context(state.context_json())
    stored.last_role, stored.last_topic = state.last_role, state.last_topic
    second = service.answer("which tools does the second one use?", stored)
    assert (second.role, second.topic) == ("it-service-manager", "tools"), second.kind
    first = service.answer("and the first one?", second.state)
    assert (first.role, first.topic) == ("it-project-manager", "tools"), first.kind


@pytest.mark.parametrize(("text", "lang", "detail"), [
    ("which city has the most jobs for an ICT service technician?", "en",
     "workplace.location"),
    ("kva fag bør eg velje først for å bli IKT-servicemedarbeidar?", "nn",
     "education.subjects"),
    ("در کدوم شهر به کارشناس پشتیبانی فنی حقوق بیشتری میدن؟", "fa", "salary.factors"),
])
def test_advice_the_sources_cannot_give_is_said_plainly(
        service: AnswerService, text: str, lang: str, detail: str) -> None:
    """Which city, which school subjects, which city pays more: no source says; the answer
    says so first, in the question's words, then what the source does say."""
    reply = service.answer(text, ChatState())
    shown = html_to_text(reply.messages[0])
    assert (reply.kind, reply.detail, reply.lang) == ("detail", detail, lang), shown
    topic, _, name = detail.partition(".")
    question = service.catalog.ui(lang, f"details.{topic}.{name}.question")
    assert service.catalog.ui(lang, "dialogue.not_in_source", question=question) in shown, shown


@pytest.mark.parametrize(("first", "then"), [
    ("what does a user support specialist do?",
     "which would suit me better, this one or the helpdesk job in Iran?"),
    ("kva gjer ein brukarstøttespesialist i Latvia?",
     "kva passar best for meg, helpdesk-jobben i Iran eller denne?"),
    ("ko dara lietotāju atbalsta speciālists?", "kas man labāk der — šī vai helpdesk Irānā?"),
])
def test_this_one_or_another_role_compares_it_with_the_role_talked_about(
        service: AnswerService, first: str, then: str) -> None:
    """"this one or X?" offers the role talked about beside the one named: a comparison."""
    asked = service.answer(first, ChatState())
    assert asked.role == "user-support-specialist"
    reply = service.answer(then, asked.state)
    assert reply.kind == "compare", html_to_text(reply.messages[0])
    assert set(reply.roles) == {"user-support-specialist", "helpdesk-specialist"}


@pytest.mark.parametrize(("first", "then", "role"), [
    ("Cik pelna lietotāju atbalsta speciāliste?", "Un Norvēģijā par līdzīgu darbu?",
     "ict-service-technician"),
    ("kor mykje tener ein brukarstøttespesialist?", "og i Iran, for liknande arbeid?",
     "helpdesk-specialist"),
])
def test_a_vague_follow_up_naming_a_country_asks_the_last_question_there(
        service: AnswerService, first: str, then: str, role: str) -> None:
    """"and in Norway, for similar work?": the words besides the country ask nothing surely,
    so the pay question is asked again for that country's role."""
    asked = service.answer(first, ChatState())
    reply = service.answer(then, asked.state)
    assert (reply.kind, reply.role, reply.topic) == ("pay", role, "salary")


def test_a_long_follow_up_naming_a_detail_is_asked_of_the_role_talked_about(
        service: AnswerService) -> None:
    """"Og kven har skrive teksten du byggjer på?" reads as out of scope on its own; in a
    conversation about a role it asks that role's source."""
    asked = service.answer("kva gjer ein IT-tenesteleiar?", ChatState())
    reply = service.answer("Og kven har skrive teksten du byggjer på?", asked.state)
    assert (reply.kind, reply.role, reply.detail) == (
        "detail", "it-service-manager", "overview.source")


@pytest.mark.parametrize("then", [
    "which would suit me better, this one or the technician in Norway?",
    "کدوم برام بهتره، این یا تکنسین نروژ؟",
])
def test_this_one_or_a_title_word_in_a_country_compares_with_that_countrys_role(
        service: AnswerService, then: str) -> None:
    """"this one or the technician in Norway?": a title word and a country, no role's name,
    still offer a second role to compare with (the country's)."""
    asked = service.answer("what does an IT service manager do?", ChatState())
    reply = service.answer(then, asked.state)
    assert reply.kind == "compare", html_to_text(reply.messages[0])
    assert set(reply.roles) == {"it-service-manager", "ict-service-technician"}


@pytest.mark.parametrize(("text", "says"), [
    ("does an ICT service technician get a pension or other perks?",
     "The source does not say whether the job comes with a pension"),
    ("Får en IT-prosjektleder bonus eller andre frynsegoder?",
     "Kilden sier ikke om jobben gir pensjon, bonus"),
    ("Får ein IKT-servicemedarbeidar tenestepensjon?",
     "Kjelda seier ikkje om jobben gir pensjon, bonus"),
    ("vai lietotāju atbalsta speciālistam ir veselības apdrošināšana?",
     "vai darbā ir pensiju iemaksas, prēmijas, apdrošināšana"),
    ("کارشناس هلپ دسک بیمه تکمیلی و عیدی داره؟", "بیمه، بازنشستگی، پاداش"),
])
def test_benefits_besides_pay_are_said_plainly_to_be_missing_from_the_source(
        service: AnswerService, text: str, says: str) -> None:
    """No seed mentions a pension, bonuses or insurance: the question gets that plain answer,
    not the pay figures (which would answer another question)."""
    reply = service.answer(text, ChatState())
    first = html_to_text(reply.messages[0]).split("\n")
    assert reply.kind == "detail", first
    assert any(says in line for line in first[:3]), first


def test_bonuses_counted_in_a_pay_figure_ask_the_figure(service: AnswerService) -> None:
    """"with bonuses" is the pay figure's overtime and extras, not a question about benefits."""
    reply = service.answer("ICT service technician median pay with bonuses included?",
                           ChatState())
    assert reply.kind == "pay", html_to_text(reply.messages[0])


@pytest.mark.parametrize(("text", "says"), [
    ("how long does the first step last for a helpdesk specialist?", "lasts 3–12"),
    ("cik ilgi ilgst helpdesk speciālista pats pirmais posms?", "ilgums: 3–12"),
    ("قدم دوم کارشناس هلپ دسک چقدر طول میکشه؟", "۱ تا ۲ سال"),
])
def test_how_long_a_career_step_lasts_is_answered_first(service: AnswerService, text: str,
                                                        says: str) -> None:
    """The step's place and time come before what the step is about when the time is asked."""
    reply = service.answer(text, ChatState())
    lines = [x for x in html_to_text(reply.messages[0]).split("\n") if x.strip()]
    assert reply.kind == "step" and says in lines[1], lines


@pytest.mark.parametrize(("text", "step"), [
    ("and what is the third step?", "senior_support_technician"),
    ("un kas ir trešais solis?", "senior_support_technician"),
    ("و مرحله سوم چیه؟", "senior_support_technician"),
    ("og kva er det fjerde steget?", "support_supervisor"),
    ("and the fifth step?", "user_services_manager"),
])
def test_a_career_step_by_its_number_in_a_conversation_about_the_ladder(
        service: AnswerService, text: str, step: str) -> None:
    """After a role's career path, "the third step" is that step of its ladder."""
    state = service.answer("helpdesk specialist career path", ChatState()).state
    reply = service.answer(text, state)
    assert (reply.kind, reply.state.last_detail) == ("step", step), \
        html_to_text(reply.messages[0])


@pytest.mark.parametrize("text", [
    "Jeg jobber i et forsikringsselskap, kan jeg bli IT-prosjektleder?",
    "I work at an insurance company helpdesk, what does a helpdesk specialist earn?",
    "what are the benefits of becoming an IT project manager?",
])
def test_insurance_and_benefits_in_other_senses_ask_no_benefits(service: AnswerService,
                                                                text: str) -> None:
    """An insurance company is a workplace, and "the benefits of" a job are its advantages."""
    reply = service.answer(text, ChatState())
    assert reply.state.last_detail != "salary.benefits", html_to_text(reply.messages[0])


def test_the_other_steps_are_no_second_step(service: AnswerService) -> None:
    """Norwegian "andre" is "second" and "other": "de andre trinnene" are the other steps."""
    state = service.answer("helpdesk-spesialist karrierevei", ChatState()).state
    reply = service.answer("hva er de andre trinnene?", state)
    assert reply.kind != "step", html_to_text(reply.messages[0])


@pytest.mark.parametrize("lang", LANGS)
def test_a_typical_day_the_source_does_not_describe_still_names_the_usual_tasks(
        service: AnswerService, lang: str) -> None:
    """Every role's typical-day answer says what the work is, where the source describes no
    day: a user asking about a day wants to know what they would do."""
    words = {"en": "networks", "nb": "nettverk", "nn": "nettverk", "lv": "tīklus", "fa": "شبکه"}
    composer = Composer(service.catalog, ChatState(), lang)
    reply = composer.answer(Plan("detail", role="ict-service-technician", topic="duties",
                                 detail="duties.typical_day"))
    assert words[lang] in html_to_text(reply.messages[0])
