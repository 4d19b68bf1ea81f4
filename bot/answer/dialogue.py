"""The dialogue: what to answer, from what the engine understood and what the chat remembers.

:func:`plan` is a pure function (no content, no I/O), tested as a table of cases. It keeps the
context of a conversation: a follow-up that changes one thing ("and part-time?", "and for
men?", "and the service manager?") keeps the rest of the last question; "sorry, I meant X"
asks the last question again for X; "and in Latvia?" asks it of the role whose source is from
Latvia; "how does it compare with X?" compares the role in context with X.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from bot.answer.state import ChatState
from bot.constants import TOPIC_INTENTS
from bot.nlu.classifier import OUT_OF_SCOPE
from bot.nlu.result import Parse, PaySlice

META = ("greeting", "help", "roles", "language", "thanks", "goodbye")
SHORT = 6  # words: a message this short leans on the conversation for what it leaves out
OTHER_TOPIC_SURE = 0.9  # a reading this sure of another topic keeps a question away from pay
PAY_SHORT = 9  # "the ICT technician, full-time in the state sector" still continues the pay
# Kinds of answer that are about one role and can be asked again for another.
ABOUT_ONE_ROLE = ("page", "detail", "pay")
OWN_QUESTION = 0.95  # read this surely, a reply to "which role?" asks a question of its own
FOLLOW_UP_VAGUE = 0.5  # a follow-up's own topic read less surely than this is no question
STEP_TOPICS = ("duties", "overview")  # what a question about a career step asks of it
# Topics whose answers list items that "which of them?" can point at.
LISTING_TOPICS = ("skills", "tools", "certifications", "qualities", "duties")
RATED_TOPICS = ("skills",)  # topics whose answers rate their items ("and the lowest?")
NEXT_ROLE = "career.next_role"  # the detail a career move ("can X become Y?") asks about
# Career details that are about one step of the ladder: "and after that?" counts from it.
DETAIL_STEP = {"career.internship": 0, "career.top": -1}
# A step by its place from the start of the ladder ("the third step"); "last" counts from the
# end, "next" and "previous" from a step in context.
PLACES = {"first": 0, "second": 1, "third": 2, "fourth": 3, "fifth": 4, "sixth": 5}


@dataclass(frozen=True)
class World:
    """What the dialogue needs to know about the content: where each role's source is from
    and which roles have pay figures."""

    country_of: Mapping[str, str | None]
    with_pay: frozenset[str]
    ladders: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # role -> step keys

    def roles_in(self, country: str) -> tuple[str, ...]:
        return tuple(r for r, c in self.country_of.items() if c == country)

    @cached_property
    def steps(self) -> frozenset[str]:
        """Every role's step keys (a stored chat's last step is checked against them)."""
        return frozenset(key for keys in self.ladders.values() for key in keys)


@dataclass(frozen=True)
class Plan:
    """What to answer. ``kind``: page (or its one line that answers: passage), detail, pay,
    step (a career step: ``detail`` holds its key), compare, cross, which_role, other_job,
    foreign, did_you_mean, fallback, not_understood, or a meta intent (greeting, help, roles,
    language, thanks, goodbye)."""

    kind: str
    role: str | None = None
    topic: str | None = None
    detail: str | None = None
    pay: PaySlice = field(default_factory=PaySlice)
    more: tuple[PaySlice, ...] = ()  # other slices to show beside ``pay`` ("state vs private")
    roles: tuple[str, ...] = ()  # compare, or a career move: the roles named (first, second)
    occupation: str | None = None  # other_job: the job as the user wrote it
    country: str | None = None  # the country the user asked about (a note in the answer)
    foreign: str | None = None  # foreign: the language's ISO code
    amount: bool = False  # detail, step: a number was asked for ("what share?", "how long?")
    step: str | None = None  # pay: asked of this step of the role's career ladder
    currency: str | None = None  # detail: a currency the user named ("in dollars?")


def last_plan(state: ChatState) -> Plan | None:
    """The chat's last question as a plan, or None when there is none to continue."""
    if state.last_topic not in TOPIC_INTENTS and state.last_kind != "compare":
        return None
    if state.last_kind == "compare":
        roles = tuple(r for r in (state.last_role, state.last_other) if r)
        return Plan("compare", role=state.last_role, roles=roles,
                    topic=state.last_topic if state.last_topic in TOPIC_INTENTS else None)
    kind = state.last_kind if state.last_kind in (*ABOUT_ONE_ROLE, "cross", "which_role") \
        else "page"
    return Plan(kind, role=state.last_role, topic=state.last_topic,
                detail=state.last_detail if kind in ("detail", "cross", "which_role") else None,
                pay=state.last_pay if kind in ("pay", "cross", "detail", "which_role")
                else PaySlice())


def again_for(last: Plan, role: str) -> Plan:
    """The last question asked again about ``role``."""
    if last.kind == "compare":
        first = last.roles[0] if last.roles else None
        return Plan("compare", role=first, roles=(first, role) if first and first != role
                    else (role,), topic=last.topic)
    if last.kind in ABOUT_ONE_ROLE:
        return replace(last, role=role, country=None)
    if last.topic in TOPIC_INTENTS:  # a question across all roles, now about one
        # (a pay slice kept from "the typical duties" is no pay question)
        kind = "detail" if last.detail else "pay" if last.pay and last.topic == "salary" \
            else "page"
        return Plan(kind, role=role, topic=last.topic, detail=last.detail, pay=last.pay)
    return Plan("page", role=role, topic="overview")


def _asked(p: Parse, state: ChatState, role: str | None, world: World) -> Plan | None:
    """The question this message asks about one role (None when it asks no topic).

    A detail gets its short answer, and pay its figures, unless the message asks for everything
    ("tell me about the pay"): then the page; either way the other is one tap away.
    """
    if role is None:
        return None
    if p.broad and p.intent in TOPIC_INTENTS:  # "tell me about the pay": the whole page
        return Plan("page", role=role, topic=p.intent)
    if p.step and p.role and p.intent in STEP_TOPICS and not p.aspect:
        # "what does a senior support technician do?": that step of the role's career.
        return Plan("step", role=p.role, topic="career", detail=p.step)
    if p.aspect and (p.intent in TOPIC_INTENTS or p.intent == OUT_OF_SCOPE):
        topic = p.aspect.split(".", 1)[0]
        # "is that before tax?" about the part-time pay: the slice stays for the next question.
        keep = state.last_pay if topic == "salary" == state.last_topic else PaySlice()
        return Plan("detail", role=role, topic=topic, detail=p.aspect, pay=keep,
                    amount=p.asks_amount, currency=p.currency)
    if p.intent == "salary":
        # A follow-up changes the slice asked last; a full question asks a slice of its own.
        same = state.last_topic == "salary" and (p.role is None or p.role == state.last_role) \
            and (p.follow_up or p.correction or _short(p))
        plan = _pay_plan(p, role, state.last_pay if same else PaySlice(), state)
        return replace(plan, step=p.step) if p.step and p.role == role else plan
    if p.intent in TOPIC_INTENTS:
        return Plan("page", role=role, topic=p.intent)
    return None


def _pay_plan(p: Parse, role: str | None, base: PaySlice, state: ChatState) -> Plan:
    """A pay question: the slice it names on top of ``base``, and the others it compares with
    ("state vs private"; "and compared with the state?" shows the slice asked before too)."""
    want = base.merged(p.pay)
    more = tuple(base.merged(other) for other in p.pay_more)
    if p.comparing and not more and base and base != want:
        more = (base,)
    if not more and p.pay.overtime and not state.last_pay.overtime \
            and role == state.last_role and state.last_topic == "salary":
        # "is that including overtime?" after a figure without it: that figure beside the
        # one with overtime (which the next follow-up continues from).
        more = (replace(want, overtime=None),)
    if state.last_detail == "salary.gender_gap" and not p.pay.gender and not more \
            and role == state.last_role and (p.follow_up or p.correction or _short(p)):
        # After "do men earn more?", "and part-time?" asks the gap for part-time.
        return Plan("detail", role=role, topic="salary", detail="salary.gender_gap", pay=want)
    return Plan("pay", role=role, topic="salary", pay=want, more=more)


def _ladder_step(p: Parse, state: ChatState, role: str | None, world: World) -> Plan | None:
    """A step of the role's career ladder by its place: "the first step", "the third step",
    "and the step after?", "what is the last step?", in a career question or a conversation
    about careers ("the first step when a user calls" is about the work). "Next" and
    "before" count from the step the message names, else from the one talked about last (or
    the detail about one: the internship); without either, "what comes next?" is the career
    detail it always was, and so is a question naming a career detail ("how high can you
    go?") unless a step is in context. A role whose source has no ladder gets its career
    page; a place past the ladder's end, the whole ladder."""
    if p.ladder is None or role is None:
        return None
    on_career = p.intent == "career" or state.last_topic == "career"
    if not on_career or (p.intent not in ("career", OUT_OF_SCOPE)
                         and p.confidence >= OTHER_TOPIC_SURE):
        return None  # "and after that, how much do they earn?": the pay
    keys = world.ladders.get(role, ())
    if not keys:
        return Plan("page", role=role, topic="career")
    here = keys.index(p.step) if p.step in keys and p.role is not None else None
    if here is None and state.last_role == role and state.last_topic == "career":
        if state.last_kind == "step" and state.last_detail in keys:
            here = keys.index(state.last_detail)
        elif state.last_detail in DETAIL_STEP:
            here = DETAIL_STEP[state.last_detail] % len(keys)
    # "how long does step two take?" asks that step's time: the step, its time first.
    if p.aspect and p.aspect != "career.years" \
            and (here is None or p.ladder not in ("next", "previous")):
        return None
    if p.ladder in ("next", "previous"):
        if here is None:
            return None
        at = min(here + 1, len(keys) - 1) if p.ladder == "next" else max(here - 1, 0)
    else:
        at = PLACES.get(p.ladder, len(keys) - 1)
        if at >= len(keys):  # "the fourth step" of a ladder of three: the whole ladder
            return Plan("page", role=role, topic="career")
    return Plan("step", role=role, topic="career", detail=keys[at], amount=p.asks_amount)


def _stat_only(p: Parse) -> bool:
    """The only pay word of the message is a statistic's ("highest", "the lowest"), which
    other topics use too."""
    return set(p.pay.to_json()) == {"stat"}


def _vague(p: Parse) -> bool:
    """The message's own words ask nothing clearly: no detail, page or pay slice named, and
    the model unsure of its topic (a follow-up then re-asks the last question). In a
    correction a detail's word read unsurely describes the role rather than asking ("sorry,
    I meant the service manager, the ITIL one")."""
    return (not p.aspect or p.correction) and not p.broad and not p.pay \
        and p.confidence < FOLLOW_UP_VAGUE


def _context_cue(p: Parse, state: ChatState) -> tuple[str, str] | None:
    """A detail the message names but is not read as asking, which the conversation does, in
    a message whose own reading is unsure: a detail of the topic talked about ("says who?
    where does that rating come from?" after the job outlook), the detail just answered
    first; so does a short follow-up read as no more than an overview ("Kva med det
    offentlege?" after the employers). A sure reading of another topic keeps it ("which AI
    tools do they use?" after the answer on AI asks the tools). Only about the role talked
    about; a question read as pay is left to pay. The role and the detail, or None."""
    role = state.last_role
    if p.aspect or not p.cues or len(p.roles) >= 2 or role is None \
            or p.role not in (None, role) or state.last_kind not in ABOUT_ONE_ROLE \
            or p.intent == "salary" \
            or (p.confidence >= FOLLOW_UP_VAGUE and p.intent != OUT_OF_SCOPE
                and not (p.follow_up and _short(p) and p.intent == "overview")):
        return None
    if state.last_detail in p.cues:
        return role, state.last_detail
    cue = next((c for c in p.cues if c.split(".", 1)[0] == state.last_topic), None)
    return (role, cue) if cue is not None else None


def _short(p: Parse, words: int = 0) -> bool:
    return len(p.masked.split()) <= (words or SHORT)


def _country_role(country: str, topic: str | None, state: ChatState, world: World) -> str | None:
    """The role whose source is from ``country`` that suits the question best."""
    roles = world.roles_in(country)
    if topic == "salary":
        roles = tuple(r for r in roles if r in world.with_pay) or roles
    if state.last_role in roles:
        return state.last_role
    return roles[0] if roles else None


def plan(p: Parse, state: ChatState, world: World) -> Plan:
    """Decide what to answer (see the module docstring)."""
    decided = _plan(p, state, world)
    if decided.kind in ABOUT_ONE_ROLE and decided.role is None:
        # Never an answer about nobody: after a question across all roles, "and part-time?"
        # asks which role.
        return Plan("which_role", topic=decided.topic, detail=decided.detail, pay=decided.pay)
    if decided.kind == "page" and decided.topic == "salary" and decided.role is not None \
            and decided.role not in world.with_pay:
        # A role without pay figures: its pay question gets the short honest answer (the
        # source has no figures, these roles do), not a page that says the same at length.
        return replace(decided, kind="pay")
    return decided


def _plan(p: Parse, state: ChatState, world: World) -> Plan:
    if p.foreign:
        return Plan("foreign", foreign=p.foreign)
    if p.occupation and not p.roles:
        return Plan("other_job", occupation=p.occupation)
    if p.role is None and p.local_role is not None and state.last_role is None \
            and state.last_kind != "roles":
        # "IT atbalsta speciālists" with nothing in context: the support role of the language's
        # country. After a role or the list of roles, "that support specialist" points back.
        p = replace(p, role=p.local_role, roles=(p.local_role,))
    if p.role is None and p.head_roles:
        # "back to the manager": the latest role talked about that the title word fits (or
        # the only role it fits).
        back = next((r for r in state.recent if r in p.head_roles), None) \
            or (p.head_roles[0] if len(p.head_roles) == 1 else None)
        if back is not None:
            p = replace(p, role=back, roles=(back,))
    last = last_plan(state)
    one_role = p.role if len(p.roles) == 1 else None
    # A topic of its own, read well enough, is a question of its own ("what does the
    # Norwegian technician earn?" after "which role do you mean for careers?").
    own_topic = p.intent in TOPIC_INTENTS and p.intent != state.last_topic \
        and p.confidence >= OTHER_TOPIC_SURE and not p.role_only
    if state.last_kind == "which_role" and last is not None and one_role is not None \
            and _short(p) and not p.aspect and not p.pay and not own_topic \
            and (p.intent in ("compare", "overview", OUT_OF_SCOPE) or p.confidence < OWN_QUESTION):
        # "Som IKT-servicemedarbeider." answers "which role do you mean?": the question asked
        # before, for that role ("som", "as", reads like a comparison).
        return again_for(last, one_role)
    # The two roles "the first" and "the second" count: named together in the message, or
    # compared (or named together) before, or else the last two talked about, in that order.
    # (The engine reports a bare ordinal only opening or closing a message: "in the first
    # year" picks nothing.)
    pair = p.roles[:2] if len(p.roles) == 2 else () if p.roles else state.pair or (
        (state.recent[1], state.recent[0]) if len(state.recent) >= 2 else ())
    if p.pick and len(pair) == 2:
        # "What does the first actually do?", "and the second one?", "اولی چه ویژگی‌هایی
        # ...": one of the two; a short follow-up asks the last question again for it, else
        # its own question, else the topic talked about. The pair stays for "the other one".
        picked = pair[0 if p.pick == "first" else 1]
        topic = p.about or (p.intent if p.intent in TOPIC_INTENTS else None)
        p = replace(p, role=picked, roles=(picked,), intent=topic or p.intent)
        again = last is not None and last.kind in ABOUT_ONE_ROLE and p.follow_up and _short(p)
        asked = _asked(p, state, picked, world) if topic and not again and (
            p.confidence >= FOLLOW_UP_VAGUE or p.aspect or p.pay or p.about) else None
        if asked is None and last is not None and last.kind in ABOUT_ONE_ROLE:
            asked = again_for(last, picked)
        talked = last.topic if last is not None and last.topic in TOPIC_INTENTS else "overview"
        return replace(asked or Plan("page", role=picked, topic=talked), roles=pair)

    # A correction, or a follow-up that only names another role, re-asks the last question;
    # so does a follow-up naming a role whose words ask nothing clearly of their own ("un ja
    # piesakos uz IT projektu vadītāju?": "and if I apply for ...?").
    # So does a correction naming a role ("sorry, I meant the helpdesk one from the Iranian
    # site"): the rest of its words ask nothing the model is sure of.
    vague = (p.follow_up or p.correction) and one_role is not None and _vague(p)
    if last is not None and (p.correction or (p.follow_up and p.role_only) or vague):
        if vague and not p.role_only and one_role is not None:
            return again_for(last, one_role)
        if one_role is not None and (p.role_only or p.intent in ("overview", "compare")):
            return again_for(last, one_role)
        if p.pay and last.topic == "salary" and not p.role:
            return Plan("pay", role=last.role, topic="salary", pay=last.pay.merged(p.pay))
        asked = _asked(p, state, one_role or last.role, world)
        if asked is not None and p.intent != "overview":
            return asked
        if one_role is not None:
            return again_for(last, one_role)

    # "and in Latvia?": the role whose source is from that country.
    if p.country and not p.roles and p.intent != "language":
        topic = p.intent if p.intent in TOPIC_INTENTS else state.last_topic
        answering = state.last_kind == "which_role" and last is not None \
            and state.last_topic in TOPIC_INTENTS and not p.aspect \
            and (p.intent == state.last_topic or p.confidence < OWN_QUESTION)
        if answering:
            # The answer to "which role do you mean?": "the one in Iran" ("To, kas strādā
            # Irānā") picks the role; the question asked before stays the question.
            topic = state.last_topic
        role = _country_role(p.country, topic, state, world)
        if role is not None and (p.comparing or p.intent == "compare") and state.last_role \
                and state.last_role != role and state.last_kind in ABOUT_ONE_ROLE \
                and not p.aspect and not p.pay.gender:
            # "how does that compare with the Latvian job?": the role talked about and the
            # country's, on the topic the message surely names, else the one talked about.
            sure = p.intent if p.intent in TOPIC_INTENTS \
                and p.confidence >= OTHER_TOPIC_SURE else None
            on = p.about or sure or state.last_topic
            return Plan("compare", role=state.last_role, roles=(state.last_role, role),
                        topic=on if on in TOPIC_INTENTS else None)
        # "Un Norvēģijā par līdzīgu darbu?" (and in Norway, for similar work?): a follow-up
        # whose own words ask nothing clearly re-asks the last question there.
        vague = p.follow_up and _vague(p)
        if role is not None:
            asked = again_for(last, role) if (answering or vague) and last is not None \
                else _asked(p, state, role, world)
            if asked is None and last is not None and (p.follow_up or p.intent == OUT_OF_SCOPE
                                                       or p.intent == "overview"):
                asked = again_for(last, role)
            asked = asked or Plan("page", role=role, topic="overview")
            return replace(asked, country=p.country)

    # "compare these two" after "can a user support specialist become a project manager?";
    # "کدوم بیشتر درآمد داره؟" (which earns more?) after two roles asked about in turn: the
    # last two talked about.
    together = (state.last_role, state.last_other) if (p.both or p.comparing) \
        and state.last_role and state.last_other else pair if p.both else ()
    if len(together) == 2 and not p.roles and (last is None or last.kind != "compare"):
        topic = p.intent if p.intent in TOPIC_INTENTS else None
        return Plan("compare", role=together[0], roles=together, topic=topic, pay=p.pay)
    if p.both and last is not None and last.kind == "compare" \
            and len(last.roles) == 2:
        # "and the pay, which of the two earns more?" after comparing two roles
        topic = p.intent if p.intent in TOPIC_INTENTS else last.topic
        return Plan("compare", role=last.roles[0], roles=last.roles, topic=topic, pay=p.pay)
    if p.which_of and last is not None and last.role is not None \
            and last.kind in ("page", "detail") and last.topic in LISTING_TOPICS \
            and (p.intent in (last.topic, OUT_OF_SCOPE) or p.confidence < FOLLOW_UP_VAGUE):
        # "which of them is rated lowest?" after one role's skills points at the skills
        # listed, not at the five roles: the same answer again, the chat stays on the role.
        return again_for(last, last.role)
    if p.all_roles:
        topic = p.intent if p.intent in TOPIC_INTENTS else (
            state.last_topic if state.last_topic in TOPIC_INTENTS else None)
        if topic is not None:
            return Plan("cross", topic=topic, detail=p.aspect, pay=p.pay)
        return Plan("roles")

    # In a conversation about pay, a pay slice continues the pay question: "and part-time?",
    # "is that monthly?", "and compared with the state sector?" (even when its words also
    # suggest another topic: "part-time" is about working hours too). A short or follow-up
    # message changes the slice asked last; a full question asks a slice of its own.
    # Two pay dimensions ("the state sector, full-time") are about pay whatever else their
    # words suggest ("full-time" also names working hours). "What share works full-time?"
    # asks a number of another detail than pay.
    two_dims = len(p.pay.to_json()) >= 2
    # "how many women is that based on?" after the women's figure names nothing new; "how
    # many work part-time in all?" after the men's part-time figure widens the slice.
    pay_known = not p.pay or p.pay == PaySlice(gender=state.last_pay.gender)
    if p.asks_amount and pay_known and not p.aspect and state.last_topic == "salary" \
            and state.last_role and p.role in (None, state.last_role) and len(p.roles) < 2 \
            and _short(p, PAY_SHORT) \
            and (p.intent == "salary" or p.confidence < OTHER_TOPIC_SURE):
        # "how many people is this based on?" after a pay figure: the figure's head-count,
        # which the pay answer gives ("how many women ...?" after the women's figure too).
        return _pay_plan(p, state.last_role, state.last_pay, state)
    # "which skills are weighted highest there?": a statistic's word alone, in a question
    # surely about another topic, asks nothing about pay.
    other_topic = _stat_only(p) and p.intent in TOPIC_INTENTS \
        and p.intent != "salary" and p.confidence >= OTHER_TOPIC_SURE
    if p.pay and not other_topic and (p.role or state.last_role) \
            and state.last_topic == "salary" and (
            not p.aspect or (not p.aspect.startswith("salary.") and not p.asks_amount)) and (
            p.intent == "salary" or p.follow_up or two_dims or _short(p, PAY_SHORT)) \
            and len(p.roles) < 2:
        # A follow-up changes the slice asked last ("and for men, the average?"); naming the
        # table's row, sector and hours both, asks that row afresh ("what about the private
        # sector, full-time?").
        row = p.pay.sector is not None and p.pay.hours is not None
        keep = (p.follow_up or p.correction or _short(p)) and not row
        base = PaySlice()
        if keep and p.role in (None, state.last_role):
            base = state.last_pay
        elif p.role is None and not row:
            # Without the role named again, the question stays with the figure asked last
            # ("is that better than in the private sector?" after the mean with overtime).
            # A statistic named anew comes without the overtime of the old one.
            was = state.last_pay
            base = PaySlice(period=was.period) if p.pay.stat else \
                PaySlice(stat=was.stat, period=was.period, overtime=was.overtime)
        return _pay_plan(p, p.role or state.last_role, base, state)

    if len(p.roles) >= 2 and p.intent == "career" and not p.comparing and not p.both:
        # "can a user support specialist become a project manager?": where the first role
        # leads; the second is remembered, so that "compare these two" can follow.
        return Plan("detail", role=p.roles[0], topic="career",
                    detail=p.aspect or NEXT_ROLE, roles=p.roles[:2])
    if len(p.roles) >= 2:
        return Plan("compare", role=p.roles[0], roles=p.roles[:2], topic=p.about, pay=p.pay)
    if p.intent == "compare":
        # "how does it compare with the service manager?": the role in context is the first.
        first = state.last_role if state.last_role and state.last_role != one_role else None
        roles = tuple(r for r in (first, one_role) if r)
        # Without a topic of its own, the comparison continues the topic talked about.
        topic = p.about or (state.last_topic if state.last_topic in TOPIC_INTENTS
                            and state.last_topic != "overview" else None)
        return Plan("compare", role=roles[0] if roles else None, roles=roles, topic=topic)

    role = p.role or state.last_role
    if p.role_only and one_role is not None:
        if last is not None and (p.follow_up or state.last_kind == "which_role"):
            # "and for an X?", or the answer to "which role do you mean?"
            return again_for(last, one_role)
        return Plan("page", role=one_role, topic="overview")

    step = _ladder_step(p, state, role, world)
    if step is not None:
        return step
    if p.follow_up and _short(p) and _stat_only(p) and p.role is None \
            and last is not None and last.role and last.kind in ABOUT_ONE_ROLE \
            and state.last_topic in RATED_TOPICS and p.confidence < OTHER_TOPIC_SURE:
        # "and the lowest?" after the skills' ratings: the lowest of what was just shown, not
        # the pay (a statistic's word alone is what makes it read as pay).
        return again_for(last, last.role)

    in_context = _context_cue(p, state)
    if in_context is not None:
        role, cue = in_context
        return _asked(replace(p, aspect=cue, intent=cue.split(".", 1)[0]), state, role,
                      world) or Plan("fallback")

    # "and critical thinking?" after the skills: a follow-up the model reads as the topic
    # talked about stays with it, however unsure.
    continues = p.follow_up and state.last_role is not None and p.intent == state.last_topic
    if p.ambiguous and p.alternatives and p.intent != OUT_OF_SCOPE and not p.aspect \
            and not continues:
        return Plan("did_you_mean", role=p.role, topic=p.intent)
    if p.intent == OUT_OF_SCOPE and p.aspect and p.role is None and state.last_role \
            and (_short(p) or p.follow_up):
        # "how often is it updated?" in a conversation about a role: that role's detail; so
        # is a longer one that says it goes on ("and who wrote the text you build on?").
        return _asked(p, state, state.last_role, world) or Plan("fallback")
    if p.intent in TOPIC_INTENTS:
        asked = _asked(p, state, role, world)
        if asked is None:
            return Plan("which_role", topic=p.intent, detail=p.aspect, pay=p.pay)
        if p.role is not None and p.country and world.country_of.get(p.role) != p.country:
            asked = replace(asked, country=p.country)
        return asked
    if p.intent == OUT_OF_SCOPE and p.role is not None:
        return Plan("page", role=p.role, topic="overview")
    if p.intent in META:
        return Plan(p.intent)
    return Plan("fallback" if p.confidence > 0 and p.intent == OUT_OF_SCOPE
                and _understood_as_other(p) else "not_understood")


def _understood_as_other(p: Parse) -> bool:
    """The out-of-scope class itself won (e.g. an IT support request), rather than nothing
    reaching the threshold."""
    best_other = max((a.confidence for a in p.alternatives), default=0.0)
    return p.confidence > best_other
