"""The dialogue as a table of cases: (what the engine understood, what the chat remembers) ->
what to answer. Pure: no content, no engine."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from bot.answer.dialogue import Plan, World, plan
from bot.answer.state import ChatState
from bot.nlu.result import Alternative, Parse, PaySlice

ICT, PM, USS, HD, ITSM = ("ict-service-technician", "it-project-manager",
                          "user-support-specialist", "helpdesk-specialist", "it-service-manager")
WORLD = World({ICT: "norway", PM: "norway", USS: "latvia", HD: "iran", ITSM: None},
              frozenset({ICT, USS, HD}))


def parse(intent: str = "out_of_scope", role: str | None = None, **fields: Any) -> Parse:
    roles = fields.pop("roles", (role,) if role else ())
    masked = fields.pop("masked", "a b c d e f g h")  # long enough not to count as short
    return Parse("…", "en", True, intent, role, roles, 0.9, (), False, masked=masked, **fields)


def state(**fields: Any) -> ChatState:
    return ChatState(**fields)


PAY_CONTEXT = state(last_role=ICT, last_topic="salary", last_kind="pay",
                    last_pay=PaySlice(hours="part_time"))

CASES: list[tuple[str, Parse, ChatState, Plan]] = [
    ("two pay dimensions in a pay conversation are a pay question, whatever the topic read",
     parse("workplace", aspect="workplace.hours",
           masked="how does the state figure compare with the private sector full time then",
           pay=PaySlice(sector="state", hours="full_time")),
     PAY_CONTEXT,
     Plan("pay", role=ICT, topic="salary", pay=PaySlice(sector="state", hours="full_time"))),
    ("a broad question gets the page",
     parse("workplace", HD), state(), Plan("page", role=HD, topic="workplace")),
    ("a detail question gets the detail",
     parse("workplace", HD, aspect="workplace.shifts"), state(),
     Plan("detail", role=HD, topic="workplace", detail="workplace.shifts")),
    ("'tell me about' a detail's topic gets the page",
     parse("workplace", HD, aspect="workplace.shifts", broad=True), state(),
     Plan("page", role=HD, topic="workplace")),
    ("a pay question is answered with the figures",
     parse("salary", ICT), state(), Plan("pay", role=ICT, topic="salary")),
    ("'tell me about the pay' gets the page",
     parse("salary", ICT, broad=True), state(), Plan("page", role=ICT, topic="salary")),
    ("a role without pay figures gets the short honest answer",
     parse("salary", PM), state(), Plan("pay", role=PM, topic="salary")),
    ("a pay slice asks that cell",
     parse("salary", ICT, pay=PaySlice(sector="state", gender="women")), state(),
     Plan("pay", role=ICT, topic="salary", pay=PaySlice(sector="state", gender="women"))),
    ("'and for men?' keeps the rest of the slice",
     parse("salary", pay=PaySlice(gender="men"), follow_up=True, masked="and for men"),
     PAY_CONTEXT, Plan("pay", role=ICT, topic="salary",
                       pay=PaySlice(hours="part_time", gender="men"))),
    ("'is that monthly?' keeps the slice even when the words suggest another topic",
     parse("workplace", pay=PaySlice(period="monthly"), masked="is that monthly"),
     PAY_CONTEXT, Plan("pay", role=ICT, topic="salary",
                       pay=PaySlice(hours="part_time", period="monthly"))),
    ("a new pay question without the role keeps the figure asked last, not its cell",
     parse("salary", pay=PaySlice(sector="private"),
           masked="is that any better than what they get in the private sector then"),
     state(last_role=ICT, last_topic="salary", last_kind="pay",
           last_pay=PaySlice(sector="state", gender="women", stat="mean", overtime=True)),
     Plan("pay", role=ICT, topic="salary",
          pay=PaySlice(sector="private", stat="mean", overtime=True))),
    ("a statistic named anew comes without the overtime of the one asked last",
     parse("salary", pay=PaySlice(sector="state", stat="median", period="yearly"),
           masked="right so for everyone in the state sector the median per year"),
     state(last_role=ICT, last_topic="salary", last_kind="pay",
           last_pay=PaySlice(gender="women", stat="mean", overtime=True)),
     Plan("pay", role=ICT, topic="salary",
          pay=PaySlice(sector="state", stat="median", period="yearly"))),
    ("a full new pay question asks a slice of its own",
     parse("salary", pay=PaySlice(sector="private", period="hourly"),
           masked="what is the median pay per hour in the private sector full time"),
     PAY_CONTEXT, Plan("pay", role=ICT, topic="salary",
                       pay=PaySlice(sector="private", period="hourly"))),
    ("'and the service manager?' asks the last question of that role",
     parse("overview", ITSM, follow_up=True, role_only=True), PAY_CONTEXT,
     Plan("pay", role=ITSM, topic="salary", pay=PaySlice(hours="part_time"))),
    ("a role alone without a follow-up is its overview",
     parse("overview", ITSM, role_only=True), PAY_CONTEXT,
     Plan("page", role=ITSM, topic="overview")),
    ("'sorry, I meant the project manager' re-asks the last question for it",
     parse("overview", PM, correction=True, role_only=True),
     state(last_role=ITSM, last_topic="skills", last_kind="page"),
     Plan("page", role=PM, topic="skills")),
    ("'no, I meant men' corrects the slice",
     parse("salary", pay=PaySlice(gender="men"), correction=True),
     state(last_role=ICT, last_topic="salary", last_kind="pay",
           last_pay=PaySlice(gender="women", period="yearly")),
     Plan("pay", role=ICT, topic="salary", pay=PaySlice(gender="men", period="yearly"))),
    ("'and in Latvia?' answers for the role whose source is Latvian, saying so",
     parse("out_of_scope", country="latvia", follow_up=True),
     state(last_role=HD, last_topic="salary", last_kind="pay"),
     Plan("pay", role=USS, topic="salary", country="latvia")),
    ("'and in Norway?' prefers the Norwegian role that has pay figures",
     parse("salary", country="norway", follow_up=True),
     state(last_role=HD, last_topic="salary", last_kind="pay"),
     Plan("pay", role=ICT, topic="salary", country="norway")),
    ("a role named with another country keeps the role and notes the country",
     parse("salary", HD, country="norway"), state(),
     Plan("pay", role=HD, topic="salary", country="norway")),
    ("'how does it compare with X' compares the role in context",
     parse("compare", ITSM), state(last_role=PM, last_topic="overview"),
     Plan("compare", role=PM, roles=(PM, ITSM))),
    ("a comparison continues the topic talked about",
     parse("compare", ITSM), state(last_role=PM, last_topic="career", last_kind="page"),
     Plan("compare", role=PM, roles=(PM, ITSM), topic="career")),
    ("two roles named compare them",
     parse("compare", HD, roles=(HD, ITSM)), state(),
     Plan("compare", role=HD, roles=(HD, ITSM))),
    ("'which of them earns most?' answers across all roles",
     parse("salary", all_roles=True), state(last_role=HD, last_topic="skills"),
     Plan("cross", topic="salary")),
    ("'which of them can work from home?' answers the detail across all roles",
     parse("workplace", all_roles=True, aspect="workplace.remote"), state(),
     Plan("cross", topic="workplace", detail="workplace.remote")),
    ("a job we do not cover is named back",
     parse("out_of_scope", occupation="pharmacist"), state(last_role=HD, last_topic="salary"),
     Plan("other_job", occupation="pharmacist")),
    ("a language we do not speak gets the notice",
     parse("salary", HD, foreign="ru"), state(), Plan("foreign", foreign="ru")),
    ("a topic without a role in message or chat asks which role",
     parse("education"), state(), Plan("which_role", topic="education")),
    ("a topic without a role uses the chat's role",
     parse("education"), state(last_role=USS, last_topic="salary"),
     Plan("page", role=USS, topic="education")),
    ("a detail out of scope on its own is the chat role's detail in a conversation",
     parse("out_of_scope", aspect="workplace.employer_list", masked="how often is it updated"),
     state(last_role=PM, last_topic="workplace", last_kind="detail"),
     Plan("detail", role=PM, topic="workplace", detail="workplace.employer_list")),
    ("greetings and thanks are meta answers",
     parse("thanks"), state(last_role=HD, last_topic="salary"), Plan("thanks")),
    ("a role named with nothing understood is its overview",
     parse("out_of_scope", HD), state(), Plan("page", role=HD, topic="overview")),
    ("a career move between two roles asks where the first one leads",
     parse("career", USS, roles=(USS, PM)), state(),
     Plan("detail", role=USS, topic="career", detail="career.next_role", roles=(USS, PM))),
    ("'compare the two' after a career move compares the roles of that question",
     parse("roles", comparing=True),
     state(last_role=USS, last_other=PM, last_topic="career", last_kind="detail"),
     Plan("compare", role=USS, roles=(USS, PM))),
    ("'the one in Iran' answers 'which role?': the question asked before stays",
     parse("workplace", country="iran", masked="the one that works in iran"),
     state(last_kind="which_role", last_topic="overview"),
     Plan("page", role=HD, topic="overview", country="iran")),
    ("a follow-up naming a role and asking nothing clear of its own continues the question",
     replace(parse("duties", PM, follow_up=True, masked="and if i apply for xrolex"),
             confidence=0.3),
     state(last_role=USS, last_topic="interview", last_kind="page"),
     Plan("page", role=PM, topic="interview")),
    ("a follow-up that clearly asks a topic of its own is that question",
     replace(parse("duties", PM, follow_up=True, masked="and what does xrolex do all day"),
             confidence=0.9),
     state(last_role=USS, last_topic="interview", last_kind="page"),
     Plan("page", role=PM, topic="duties")),
    ("after 'which role?', a country with a clear question of its own asks that",
     replace(parse("salary", country="iran", masked="the salary in iran"), confidence=1.0),
     state(last_kind="which_role", last_topic="duties"),
     Plan("pay", role=HD, topic="salary", country="iran")),
    ("a pay word in a question about duties does not make its answer a pay answer",
     parse("out_of_scope", HD, follow_up=True, role_only=True, masked="and xrolex"),
     state(last_kind="which_role", last_topic="duties", last_pay=PaySlice(stat="median")),
     Plan("page", role=HD, topic="duties", pay=PaySlice(stat="median"))),
    ("generic support work in a fresh chat is the local support role",
     parse("education", local_role=USS), state(), Plan("page", role=USS, topic="education")),
    ("generic support work after a role points back to that role",
     parse("education", local_role=USS), state(last_role=HD, last_topic="salary"),
     Plan("page", role=HD, topic="education")),
    ("generic support work right after the list of roles asks which one",
     parse("education", local_role=USS), state(last_kind="roles"),
     Plan("which_role", topic="education")),
    ("a share of another detail asked in a pay conversation is that detail, not pay",
     parse("workplace", aspect="workplace.hours", asks_amount=True, masked="what share full time",
           pay=PaySlice(hours="full_time")),
     PAY_CONTEXT,
     Plan("detail", role=ICT, topic="workplace", detail="workplace.hours", amount=True)),
    ("a detail that asks for a number says so to the answer",
     parse("career", HD, aspect="career.internship", asks_amount=True), state(),
     Plan("detail", role=HD, topic="career", detail="career.internship", amount=True)),
    ("'which role?' answered with a role without pay figures: the short honest pay answer",
     parse("out_of_scope", PM, role_only=True, masked="xrolex"),
     state(last_kind="which_role", last_topic="salary"),
     Plan("pay", role=PM, topic="salary")),
    ("a follow-up naming sector and hours asks that row afresh, not for the last group",
     parse("salary", follow_up=True, masked="what about private full time",
           pay=PaySlice(sector="private", hours="full_time")),
     state(last_role=ICT, last_topic="salary", last_kind="pay",
           last_pay=PaySlice(gender="women", stat="mean")),
     Plan("pay", role=ICT, topic="salary", pay=PaySlice(sector="private", hours="full_time"))),
    ("a follow-up naming group and statistic keeps the row asked last",
     parse("salary", follow_up=True, masked="and men but the mean",
           pay=PaySlice(gender="men", stat="mean")),
     state(last_role=ICT, last_topic="salary", last_kind="pay",
           last_pay=PaySlice(sector="state", hours="part_time")),
     Plan("pay", role=ICT, topic="salary",
          pay=PaySlice(sector="state", hours="part_time", gender="men", stat="mean"))),
    ("a generic title word points back at the latest role it fits",
     parse("certifications", head_roles=(PM, ITSM)),
     state(last_role=HD, last_topic="outlook", last_kind="page", recent=(HD, ITSM, PM)),
     Plan("page", role=ITSM, topic="certifications")),
    ("a generic title word that fits one role only is that role",
     parse("duties", head_roles=(ICT,)), state(), Plan("page", role=ICT, topic="duties")),
    ("a generic title word that fits two roles and none talked about asks which",
     parse("duties", head_roles=(PM, ITSM)), state(recent=(HD,)),
     Plan("which_role", topic="duties")),
    ("'tell me about the pay' of a role without figures: the same honest pay answer",
     parse("salary", PM, broad=True), state(), Plan("pay", role=PM, topic="salary")),
    ("comparing with the job of a country compares the role talked about with that country's",
     parse("out_of_scope", country="latvia", comparing=True,
           masked="and how does that compare with the one over in latvia"),
     state(last_role=HD, last_topic="workplace", last_kind="detail",
           last_detail="workplace.remote"),
     Plan("compare", role=HD, roles=(HD, USS), topic="workplace")),
    ("'which of them' after one role's tools points at the tools: the role stays",
     replace(parse("certifications", all_roles=True, which_of=True,
                   masked="and which of them would you say is the most useful one"),
             confidence=0.4),
     state(last_role=ITSM, last_topic="tools", last_kind="detail", last_detail="tools.named"),
     Plan("detail", role=ITSM, topic="tools", detail="tools.named")),
    ("'which of them' after the list of roles asks across the roles",
     parse("salary", all_roles=True, which_of=True, masked="which of them pays the most"),
     state(last_kind="roles"), Plan("cross", topic="salary")),
    ("'which of the jobs' asks across the roles whatever was talked about",
     parse("certifications", all_roles=True, masked="which of the jobs wants the most"),
     state(last_role=ITSM, last_topic="tools", last_kind="detail", last_detail="tools.named"),
     Plan("cross", topic="certifications")),
    ("'the first' of two roles named together is the first, on the topic asked",
     parse("compare", HD, roles=(ICT, HD), pick="first", about="duties",
           masked="torn between the xrolex and the xrolex what does the first do all day"),
     state(), Plan("page", role=ICT, topic="duties", roles=(ICT, HD))),
    ("'and the second?' after a comparison is the second role on the compared topic",
     replace(parse("workplace", pick="second", follow_up=True, masked="and the second"),
             confidence=0.2),
     state(last_role=ICT, last_other=HD, last_topic="skills", last_kind="compare",
           pair=(ICT, HD)),
     Plan("page", role=HD, topic="skills", roles=(ICT, HD))),
    ("'and for the other one?' after a detail about the first asks it again for the second",
     replace(parse("overview", pick="second", follow_up=True, masked="og for den andre"),
             confidence=0.54),
     state(last_role=PM, last_other=ITSM, last_topic="tools", last_kind="detail",
           last_detail="tools.named", pair=(PM, ITSM)),
     Plan("detail", role=ITSM, topic="tools", detail="tools.named", roles=(PM, ITSM))),
    ("without a pair, 'the first one' is the earlier of the last two roles talked about",
     parse("qualities", pick="first", masked="what qualities should the first one have then"),
     state(last_role=ITSM, last_topic="overview", last_kind="page", recent=(ITSM, PM)),
     Plan("page", role=PM, topic="qualities", roles=(PM, ITSM))),
    ("a role named in answer to 'which role?' asks the question asked before, for it",
     replace(parse("compare", ICT, masked="som xrolex"), confidence=0.92),
     state(last_topic="education", last_kind="which_role", last_detail="education.duration"),
     Plan("detail", role=ICT, topic="education", detail="education.duration")),
    ("a role named in answer to 'which role?' with a sure question of its own asks that",
     replace(parse("salary", ICT, masked="what does an xrolex earn"), confidence=0.99),
     state(last_topic="education", last_kind="which_role"),
     Plan("pay", role=ICT, topic="salary")),
    ("'and the highest?' after the skills' ratings is about the skills, not the pay",
     replace(parse("salary", follow_up=True, masked="and the highest",
                   pay=PaySlice(stat="highest")), confidence=0.4),
     state(last_role=HD, last_topic="skills", last_kind="page"),
     Plan("page", role=HD, topic="skills")),
    ("'and the highest?' after a pay figure is the highest pay",
     replace(parse("salary", follow_up=True, masked="and the highest",
                   pay=PaySlice(stat="highest")), confidence=0.4),
     state(last_role=HD, last_topic="salary", last_kind="pay"),
     Plan("pay", role=HD, topic="salary", pay=PaySlice(stat="highest"))),
    ("'and the highest?' after an overview is the highest pay",
     replace(parse("salary", follow_up=True, masked="and the highest",
                   pay=PaySlice(stat="highest")), confidence=0.77),
     state(last_role=ICT, last_topic="overview", last_kind="page"),
     Plan("pay", role=ICT, topic="salary", pay=PaySlice(stat="highest"))),
    ("comparing with a country's job, on a topic read unsurely, stays on the topic talked about",
     replace(parse("outlook", country="norway", comparing=True,
                   masked="how does that compare with the job over there in norway"),
             confidence=0.14),
     state(last_role=HD, last_topic="salary", last_kind="pay"),
     Plan("compare", role=HD, roles=(HD, ICT), topic="salary")),
    ("a correction naming a role, its other words unsure, re-asks the question for it",
     replace(parse("salary", HD, correction=True,
                   masked="no wait i meant the xrolex from that persian website"),
             confidence=0.3),
     state(last_role=USS, last_topic="duties", last_kind="page"),
     Plan("page", role=HD, topic="duties")),
    ("a correction whose words surely ask something asks that",
     replace(parse("salary", HD, correction=True, masked="sorry i meant what does xrolex earn"),
             confidence=0.97),
     state(last_role=USS, last_topic="duties", last_kind="page"),
     Plan("pay", role=HD, topic="salary")),
    ("a correction whose detail word is read unsurely re-asks the last question for the role",
     replace(parse("certifications", ITSM, correction=True, aspect="certifications.itil",
                   masked="sorry no i meant the xrolex the itil one"), confidence=0.39),
     state(last_role=PM, last_topic="duties", last_kind="detail",
           last_detail="duties.typical_day"),
     Plan("detail", role=ITSM, topic="duties", detail="duties.typical_day")),
    ("a correction surely asking a detail asks it",
     replace(parse("certifications", ITSM, correction=True, aspect="certifications.itil",
                   masked="sorry i meant does the xrolex need itil"), confidence=0.8),
     state(last_role=PM, last_topic="duties", last_kind="detail",
           last_detail="duties.typical_day"),
     Plan("detail", role=ITSM, topic="certifications", detail="certifications.itil")),
    ("'is that including overtime?' after a figure without it shows both",
     parse("salary", pay=PaySlice(overtime=True), follow_up=True,
           masked="is that including overtime"),
     state(last_role=ICT, last_topic="salary", last_kind="pay",
           last_pay=PaySlice(sector="state")),
     Plan("pay", role=ICT, topic="salary", pay=PaySlice(sector="state", overtime=True),
          more=(PaySlice(sector="state"),))),
    ("overtime named again after a figure with overtime shows that figure alone",
     parse("salary", pay=PaySlice(overtime=True, gender="men"), follow_up=True,
           masked="and for men with overtime"),
     state(last_role=ICT, last_topic="salary", last_kind="pay",
           last_pay=PaySlice(sector="state", overtime=True)),
     Plan("pay", role=ICT, topic="salary",
          pay=PaySlice(sector="state", overtime=True, gender="men"))),
    ("'which earns more?' after two roles asked about in turn compares the last two",
     parse("salary", both=True, masked="which one earns more"),
     state(last_role=ICT, last_topic="salary", last_kind="detail", last_detail="salary.currency",
           recent=(ICT, USS)),
     Plan("compare", role=USS, roles=(USS, ICT), topic="salary")),
    ("the detail just answered, named again in an unsure message, is asked again",
     replace(parse("duties", cues=("outlook.ai",), masked="so what about the ai thing"),
             confidence=0.3),
     state(last_role=HD, last_topic="outlook", last_kind="detail", last_detail="outlook.ai"),
     Plan("detail", role=HD, topic="outlook", detail="outlook.ai")),
    ("a short follow-up read only as an overview, naming the detail just answered, asks it",
     replace(parse("overview", cues=("workplace.employers",), follow_up=True,
                   masked="kva med det offentlege"), confidence=0.98),
     state(last_role=ICT, last_topic="workplace", last_kind="detail",
           last_detail="workplace.employers"),
     Plan("detail", role=ICT, topic="workplace", detail="workplace.employers")),
    ("the detail just answered, named in a sure question of another topic, is that topic",
     replace(parse("tools", cues=("outlook.ai",), masked="which ai tools do they use"),
             confidence=1.0),
     state(last_role=HD, last_topic="outlook", last_kind="detail", last_detail="outlook.ai"),
     Plan("page", role=HD, topic="tools")),
    ("an unsure message naming a detail of the topic talked about asks that detail",
     replace(parse("career", cues=("outlook.rating",),
                   masked="says who where does that rating come from"), confidence=0.47),
     state(last_role=USS, last_topic="outlook", last_kind="page"),
     Plan("detail", role=USS, topic="outlook", detail="outlook.rating")),
    ("a sure message naming a detail of the topic talked about asks its own question",
     replace(parse("career", cues=("outlook.rating",),
                   masked="what job can i get after this one with my rating"), confidence=0.93),
     state(last_role=USS, last_topic="outlook", last_kind="page"),
     Plan("page", role=USS, topic="career")),
    ("a detail's word in a question read as pay is left to pay",
     replace(parse("salary", cues=("outlook.ai",), masked="and do they earn less because of ai"),
             confidence=0.4),
     state(last_role=HD, last_topic="outlook", last_kind="detail", last_detail="outlook.ai"),
     Plan("pay", role=HD, topic="salary")),
    ("a detail's word about another role named is that role's question",
     replace(parse("duties", ICT, cues=("outlook.ai",),
                   masked="which tasks does ai take from xrolex"), confidence=0.4),
     state(last_role=HD, last_topic="outlook", last_kind="detail", last_detail="outlook.ai"),
     Plan("page", role=ICT, topic="duties")),
]


@pytest.mark.parametrize(("why", "p", "s", "expected"), CASES, ids=[c[0] for c in CASES])
def test_plan(why: str, p: Parse, s: ChatState, expected: Plan) -> None:
    assert plan(p, s, WORLD) == expected


def test_ambiguous_reading_asks_which_one() -> None:
    p = replace(parse("skills", HD), ambiguous=True,
                alternatives=(Alternative("qualities", HD, 0.4),))
    assert plan(p, state(), WORLD).kind == "did_you_mean"


def test_an_unsure_follow_up_on_the_topic_talked_about_stays_with_it() -> None:
    p = replace(parse("skills", masked="and problem solving", follow_up=True), ambiguous=True,
                confidence=0.35, alternatives=(Alternative("qualities", None, 0.3),))
    talked = state(last_role=HD, last_topic="skills", last_kind="page")
    assert plan(p, talked, WORLD) == Plan("page", role=HD, topic="skills")
    # Without that context it is still a question to ask back.
    assert plan(p, state(last_role=HD, last_topic="salary"), WORLD).kind == "did_you_mean"


def test_a_statistic_word_in_a_question_of_another_topic_is_no_pay_question() -> None:
    p = replace(parse("skills", masked="which skills are valued highest there",
                      pay=PaySlice(stat="highest")), confidence=0.97)
    talked = state(last_role=HD, last_topic="salary", last_kind="pay")
    assert plan(p, talked, WORLD) == Plan("page", role=HD, topic="skills")
    # Read as pay, or unsure, it still changes the figure asked.
    unsure = replace(p, confidence=0.5)
    assert plan(unsure, talked, WORLD).kind == "pay"


def test_how_many_people_after_a_pay_figure_is_that_figures_head_count() -> None:
    p = replace(parse("career", masked="on how many people is this statistic based",
                      asks_amount=True), confidence=0.35, ambiguous=True)
    talked = state(last_role=ICT, last_topic="salary", last_kind="pay",
                   last_pay=PaySlice(hours="part_time"))
    assert plan(p, talked, WORLD) == Plan("pay", role=ICT, topic="salary",
                                          pay=PaySlice(hours="part_time"))
    # About another topic, "how long" is that topic's.
    assert plan(p, state(last_role=ICT, last_topic="education"), WORLD).kind != "pay"


def test_how_many_women_after_the_womens_figure_is_that_figures_head_count() -> None:
    women = PaySlice(sector="private", gender="women", stat="mean", overtime=True)
    talked = state(last_role=ICT, last_topic="salary", last_kind="pay", last_pay=women)
    p = replace(parse("salary", masked="how many women is that based on", asks_amount=True,
                      pay=PaySlice(gender="women")), confidence=0.7)
    assert plan(p, talked, WORLD) == Plan("pay", role=ICT, topic="salary", pay=women)
    # Another dimension named widens or changes the slice: not the same figure's count.
    part_time = replace(p, pay=PaySlice(hours="part_time"))
    assert plan(part_time, talked, WORLD).pay != women


def test_out_of_scope_is_told_apart_from_not_understood() -> None:
    refused = replace(parse("out_of_scope"), confidence=0.9)
    unclear = replace(parse("out_of_scope"), confidence=0.3,
                      alternatives=(Alternative("skills", None, 0.5),))
    assert plan(refused, state(), WORLD).kind == "fallback"
    assert plan(unclear, state(), WORLD).kind == "not_understood"
