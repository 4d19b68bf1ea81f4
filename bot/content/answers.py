"""Build template contexts from a role's facts and text, and render answers.

Numbers are formatted here (per language) and handed to the templates as finished strings, so
templates only arrange and translate; they never compute or convert a figure.
"""

from __future__ import annotations

from typing import Any, Protocol

from jinja2 import Environment
from markupsafe import Markup

from bot.content import formatting as fmt
from bot.content import render
from bot.content.model import Role, TopicText


class Source(Protocol):
    """What the renderers read: a role's facts and text, UI strings, the templates. The
    ``Catalog`` is one; the renderers do not import it (it imports them)."""

    env: Environment

    def role(self, role: str) -> Role: ...
    def role_name(self, role: str, lang: str) -> str: ...
    def facts(self, role: str) -> dict[str, Any]: ...
    def label(self, role: str, key: str, lang: str) -> str: ...
    def topic_text(self, role: str, topic: str, lang: str) -> TopicText | None: ...
    def brief(self, role: str, topic: str, lang: str) -> str | None: ...
    def ui(self, lang: str, key: str, **values: object) -> str: ...
    def has_salary_table(self, role: str) -> bool: ...

TOPIC_TEMPLATES = {"salary": "salary.html.j2", "skills": "skills.html.j2",
                   "career": "career.html.j2"}
MISSING = "–"


class _T:
    """``t("answers.x", ...)`` for templates: the catalog's UI strings in one language."""

    def __init__(self, catalog: Source, lang: str) -> None:
        self.catalog = catalog
        self.lang = lang

    def __call__(self, key: str, **values: object) -> str:
        return self.catalog.ui(self.lang, key, **values)


def source_text(catalog: Source, role: str, lang: str) -> str:
    """``Source: utdanning.no (last quality-assured 3 February 2022 by TietoEVRY)``."""
    src = catalog.facts(role).get("source") or {}
    name = src.get("name")
    if not name:
        return catalog.ui(lang, "answers.source_unnamed", profile=src.get("profile", ""))
    if src.get("date"):
        kind = src.get("date_kind", "updated")
        by = src.get("checked_by")
        key = f"answers.source_dated.{kind}" + ("_by" if by else "")
        return catalog.ui(lang, key, name=name, date=fmt.format_date(str(src["date"]), lang),
                          by=by or "")
    return catalog.ui(lang, "answers.source", name=name)


def _base(catalog: Source, role: str, topic: str, lang: str) -> dict[str, Any]:
    t = _T(catalog, lang)
    return {
        "t": t,
        "lang": lang,
        "role": role,
        "topic": topic,
        "role_name": catalog.role_name(role, lang),
        "topic_title": t(f"answers.topic.{topic}"),
        "source": source_text(catalog, role, lang),
        "facts": catalog.facts(role),
    }


# ---------------------------------------------------------------- pay


def _amount(value: int | None, unit: str, lang: str, approx: bool) -> str:
    return MISSING if value is None else fmt.format_amount(value, unit, lang, approx)


def _row_label(t: _T, row: dict[str, Any]) -> str:
    return t("answers.pay.row", hours=t(f"answers.pay.hours.{row['hours']}"),
             sector=t(f"answers.pay.sector.{row['sector']}"))


def pay_context(catalog: Source, role: str, lang: str) -> dict[str, Any]:
    """Formatted pay figures for the summary (all kinds)."""
    pay = catalog.facts(role).get("pay") or {"kind": "none", "reason_key": "source_has_no_data"}
    t = _T(catalog, lang)
    kind = pay["kind"]
    ctx: dict[str, Any] = {"kind": kind}
    country = catalog.facts(role).get("country")
    ctx["region"] = t(f"answers.country.{country}") if country else ""
    if kind == "table":
        unit = pay["currency"]
        approx = set(pay.get("approx_periods", []))
        rows = pay["rows"]
        main = next(r for r in rows if r["hours"] == "full_time" and r["sector"] == "all")

        def cell(row: dict[str, Any], measure: str, period: str, group: str) -> str:
            return _amount(row[measure][period][group], unit, lang, period in approx)

        ctx.update(
            occupation=pay["occupation"],
            employees=fmt.format_int(main["employees"]["all"], lang),
            monthly=cell(main, "median", "monthly", "all"),
            yearly=cell(main, "median", "yearly", "all"),
            hourly=cell(main, "median", "hourly", "all"),
            women_monthly=cell(main, "median", "monthly", "women"),
            men_monthly=cell(main, "median", "monthly", "men"),
            mean_monthly=cell(main, "mean", "monthly", "all"),
            others=[{"label": _row_label(t, r), "monthly": cell(r, "median", "monthly", "all")}
                    for r in rows if r is not main],
        )
    elif kind == "range":
        ctx.update(range=fmt.format_range(pay["low"], pay["high"], pay["currency"], lang),
                   period=pay.get("period", "monthly"), measure=pay.get("measure", "average"))
    elif kind == "levels":
        unit = t("answers.pay.unit_million") if pay.get("unit_meaning") == "million" else ""
        unit = pay["unit"] if lang == "fa" else (unit or pay["unit"])
        ctx.update(lowest=fmt.format_amount(pay["lowest"], unit, lang),
                   median=fmt.format_amount(pay["median"], unit, lang),
                   highest=fmt.format_amount(pay["highest"], unit, lang))
    else:
        ctx.update(reason=t(f"answers.pay.none.{pay.get('reason_key', 'source_has_no_data')}"))
    return ctx


def table_context(catalog: Source, role: str, lang: str) -> dict[str, Any]:
    """Every cell of a ``table`` pay, formatted; missing cells are ``–``."""
    pay = catalog.facts(role)["pay"]
    t = _T(catalog, lang)
    unit = pay["currency"]
    approx = set(pay.get("approx_periods", []))
    rows = []
    any_missing = False
    for row in pay["rows"]:
        emp = {g: (MISSING if v is None else fmt.format_int(v, lang))
               for g, v in row["employees"].items()}
        lines = []
        for measure in ("median", "median_overtime", "mean", "mean_overtime"):
            for period in ("hourly", "monthly", "yearly"):
                cells = {g: _amount(v, unit, lang, period in approx)
                         for g, v in row[measure][period].items()}
                any_missing = any_missing or MISSING in cells.values()
                lines.append({"measure": t(f"answers.pay.measure.{measure}"),
                              "period": t(f"answers.pay.period.{period}"), **cells})
        any_missing = any_missing or MISSING in emp.values()
        rows.append({"label": _row_label(t, row), "employees": emp, "lines": lines})
    return {"occupation": pay["occupation"], "rows": rows, "any_missing": any_missing,
            "missing": MISSING}


# ---------------------------------------------------------------- skills and career


def skills_context(catalog: Source, role: str, lang: str) -> list[dict[str, str]]:
    """Rated skills with labels in ``lang`` (empty when the source rates none)."""
    rated = catalog.facts(role).get("skills_rated") or {}
    return [{"label": catalog.label(role, f"skills.{key}", lang),
             "value": fmt.format_percent(value, lang)}
            for key, value in (rated.get("items") or {}).items()]


def ladder_context(catalog: Source, role: str, lang: str) -> list[dict[str, Any]]:
    """Career ladder steps with labels, descriptions and durations in ``lang``."""
    facts = catalog.facts(role)
    steps = []
    for i, step in enumerate(facts.get("career_ladder") or [], start=1):
        span = "lasts" if step.get("lasts") else "after" if step.get("experience") else None
        dur = step.get("lasts") or step.get("experience")
        key = step["key"]
        desc_key = f"career.{key}.desc"
        steps.append({
            "key": key,
            "number": fmt.persian_digits(str(i)) if lang == "fa" else str(i),
            "label": catalog.label(role, f"career.{key}", lang),
            "desc": catalog.label(role, desc_key, lang) if _has_label(catalog, role, desc_key)
            else "",
            "duration": catalog.ui(lang, f"answers.career.{span}", span=fmt.format_duration(
                dur["min"], dur["max"], dur["unit"], lang)) if dur and span else "",
            "current": key == facts.get("career_position"),
        })
    return steps


def _has_label(catalog: Source, role: str, key: str) -> bool:
    return any(key in text.labels for text in catalog.role(role).texts.values())


# ---------------------------------------------------------------- public renderers


def _messages(catalog: Source, template: str, ctx: dict[str, Any], lang: str) -> list[str]:
    return render.split_messages(render.render_template(catalog.env, template, ctx, lang))


def render_topic(catalog: Source, role: str, topic: str, lang: str) -> list[str]:
    """See ``Catalog.render_topic``."""
    ctx = _base(catalog, role, topic, lang)
    tt = catalog.topic_text(role, topic, lang)
    ctx["general"] = bool(tt and tt.general)
    ctx["body"] = render.text_to_html(tt.text) if tt and tt.text else Markup("")
    # The answer first: the role's one-line brief on the topic leads the page.
    ctx["lead"] = catalog.brief(role, topic, lang) or ""
    if tt is None or tt.unavailable is not None:
        ctx["reason"] = tt.unavailable if tt and tt.unavailable else catalog.ui(
            lang, "answers.no_text")
        ctx["see_also"] = [catalog.ui(lang, f"answers.topic.{s}") for s in
                           (tt.see_also if tt else ())]
        return _messages(catalog, "unavailable.html.j2", ctx, lang)
    if topic == "salary":
        ctx["pay"] = pay_context(catalog, role, lang)
        ctx["has_table"] = catalog.has_salary_table(role)
    elif topic == "skills":
        ctx["rated"] = skills_context(catalog, role, lang)
    elif topic == "career":
        ctx["ladder"] = ladder_context(catalog, role, lang)
    return _messages(catalog, TOPIC_TEMPLATES.get(topic, "topic.html.j2"), ctx, lang)


def render_salary_table(catalog: Source, role: str, lang: str) -> list[str]:
    """See ``Catalog.render_salary_table``."""
    if not catalog.has_salary_table(role):
        return render_topic(catalog, role, "salary", lang)
    ctx = _base(catalog, role, "salary", lang)
    ctx["table"] = table_context(catalog, role, lang)
    return _messages(catalog, "salary_table.html.j2", ctx, lang)


def _short(item: str, limit: int = 80) -> str:
    """``"Change management: assessing risk, ..."`` -> ``"Change management"`` when long."""
    head, colon, _ = item.partition(":")
    return head.strip() if colon and len(item) > limit and head.strip() else item


def _compare_side(catalog: Source, role: str, lang: str) -> dict[str, Any]:
    sep = "؛ " if lang == "fa" else "; "
    not_in_source = catalog.ui(lang, "answers.compare.not_in_source")

    def text(topic: str) -> str:
        tt = catalog.topic_text(role, topic, lang)
        return tt.text if tt and tt.text else ""

    def from_source(topic: str, value: str) -> str:
        """Compare shows what the source says; a general-guidance topic says nothing there."""
        tt = catalog.topic_text(role, topic, lang)
        return not_in_source if tt and tt.general else value

    duties = [_short(b) for b in render.first_bullets(text("duties"), 3)]
    if not duties and text("duties"):
        duties = [render.summary(text("duties"), sep=sep)]
    rated = skills_context(catalog, role, lang)
    skills = [r["label"] for r in rated[:3]] or [
        _short(b) for b in render.first_bullets(text("skills"), 3)]
    if not skills and text("skills"):
        skills = [render.summary(text("skills"), sep=sep)]
    ladder = ladder_context(catalog, role, lang)
    next_step = ""
    for i, step in enumerate(ladder):
        if step["current"] and i + 1 < len(ladder):
            nxt = ladder[i + 1]
            next_step = nxt["label"] + (f" ({nxt['duration']})" if nxt["duration"] else "")
    if not next_step:
        next_step = from_source("career", render.summary(text("career"), 160, sep=sep))
    return {
        "name": catalog.role_name(role, lang),
        "pay": pay_context(catalog, role, lang),
        "duties": duties,
        "skills": skills,
        "sep": sep,
        "education": from_source("education", render.summary(text("education"), 200, sep=sep)),
        "next_step": next_step,
        "source": source_text(catalog, role, lang),
    }


def render_compare(catalog: Source, role_a: str, role_b: str, lang: str) -> list[str]:
    """See ``Catalog.render_compare``: one message, shortened if it would not fit."""
    ctx: dict[str, Any] = {"t": _T(catalog, lang), "lang": lang,
                           "a": _compare_side(catalog, role_a, lang),
                           "b": _compare_side(catalog, role_b, lang)}
    html = render.render_template(catalog.env, "compare.html.j2", ctx, lang)
    while render.text_length(html) > render.MAX_MESSAGE_LENGTH:
        shrunk = False
        for side in (ctx["a"], ctx["b"]):
            if len(side["duties"]) > 1:
                side["duties"] = side["duties"][:-1]
                shrunk = True
            if len(side["skills"]) > 1:
                side["skills"] = side["skills"][:-1]
                shrunk = True
        if not shrunk:
            return render.split_messages(html)
        html = render.render_template(catalog.env, "compare.html.j2", ctx, lang)
    return [html]
