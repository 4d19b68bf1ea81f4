"""A narrower question about a page with labelled lines gets that one line."""

from __future__ import annotations

from bot.answer.passages import labelled_line
from bot.answer.service import AnswerService
from bot.answer.state import ChatState
from bot.nlu.normalize import folded
from bot.textfmt import html_to_text

PAGE = """Tools the profile names:
- ITSM tools: ServiceNow and Cherwell
- Monitoring and alerting: Nagios and Zabbix
- Configuration management databases (CMDB): Jira Service Management
- Collaboration: Slack and Zoom
"""


def line(question: str) -> str | None:
    return labelled_line(PAGE, folded(question).split())


def test_a_label_named_by_its_first_word_an_acronym_or_a_compound() -> None:
    assert line("what do they use for monitoring?") == \
        "Monitoring and alerting: Nagios and Zabbix"
    assert line("which CMDB?") == "Configuration management databases (CMDB): Jira Service " \
        "Management"
    assert line("collaborationtools?") == "Collaboration: Slack and Zoom"


def test_a_long_label_word_in_another_case_names_it() -> None:
    """Latvian changes a word's ending by case: "uzraudzības" (of monitoring) names
    "Uzraudzība"; a short word must still match exactly, and English has no such cases."""
    lv = "Rīki:\n- Uzraudzība: Nagios\n- Atskaites un analītika: Power BI\n"
    assert labelled_line(lv, folded("un uzraudzības rīki?").split(), "lv") == \
        "Uzraudzība: Nagios"
    assert labelled_line(lv, folded("un atskaitēm?").split(), "lv") == \
        "Atskaites un analītika: Power BI"
    assert labelled_line("T:\n- Chat: Slack\n", ["chit"]) is None
    # Only where case endings change words: "customise" is no case of "customer".
    en = "Skills:\n- Customer orientation: users first\n- Leadership: a team\n"
    assert labelled_line(en, folded("skills to customise reports?").split(), "en") is None


def test_no_label_or_two_labels_named_is_a_question_for_the_whole_page() -> None:
    assert line("which tools do they use?") is None  # "tools" is no label's first word
    assert line("monitoring and collaboration?") is None
    assert line("ok") is None


def test_a_follow_up_about_one_kind_of_tool_gets_its_line(service: AnswerService) -> None:
    page = service.answer("which tools does an IT service manager work with?", ChatState())
    assert page.kind == "page" and page.topic == "tools"
    reply = service.answer("og samarbeidsverktøy?", page.state)
    text = html_to_text(reply.messages[0])
    assert (reply.kind, reply.role, reply.topic) == ("passage", "it-service-manager", "tools")
    assert "Slack, Microsoft Teams og Zoom" in text and "Nagios" not in text, text
    # The chat stays on the page's topic: the next kind of tool is a line of the same page.
    after = service.answer("and for monitoring?", reply.state)
    assert after.kind == "passage" and "Zabbix" in html_to_text(after.messages[0])
    # A detail of another topic named in another case: still the page's line ("reports").
    reports = service.answer("un atskaitēm?", after.state)
    assert reports.kind == "passage" and "Power BI" in html_to_text(reports.messages[0])
    # Asking for everything ("tell me about the tools") is still the page.
    assert service.answer("tell me about the IT service manager's tools", after.state).kind \
        == "page"
