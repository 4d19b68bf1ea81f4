"""Schema of ``content/roles/<role>/facts.yaml``: the figures every language renders.

Hand-written rather than a schema library so each problem points at the exact key and line.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.content.yamlsrc import YamlDoc
from bot.numbers import whole_number
from bot.problems import Problem

HOURS = ("full_time", "part_time")
SECTORS = ("all", "private", "state")
MEASURES = ("median", "median_overtime", "mean", "mean_overtime")
PERIODS = ("hourly", "monthly", "yearly")
GROUPS = ("all", "women", "men")
DURATION_UNITS = ("months", "years")
COUNTRIES = ("norway", "latvia", "iran")
PAY_NONE_REASONS = ("source_has_no_data", "source_has_no_figures")
LANGS = ("en", "nb", "nn", "lv", "fa")

_TOP_KEYS = {"role", "source", "country", "pay", "skills_rated", "career_ladder",
             "career_position", "figures", "details"}
STEP_SPANS = ("lasts", "experience")  # how long a step lasts / experience needed to reach it


def _is_count(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and v >= 0


def _not_count(what: str, v: Any) -> str:
    """Why ``v`` is not a count: a negative figure is named as such, not as a non-number."""
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{what} is negative ({v}): pay and counts cannot be below 0"
    return f"{what} must be a whole number"


class _Order:
    """Checks that figures rise where they must (lowest <= median <= highest, monthly <=
    yearly). A figure already found out of order is not compared again, so one bad value is
    one problem, not one per comparison it takes part in."""

    def __init__(self, doc: YamlDoc, problems: list[Problem]) -> None:
        self.doc = doc
        self.problems = problems
        self.flagged: set[tuple[str | int, ...]] = set()

    def at_most(self, low: Any, low_at: tuple[str | int, ...], high: Any,
                high_at: tuple[str | int, ...], low_name: str, high_name: str) -> None:
        """``low`` must not exceed ``high``; the problem sits on ``low``'s line and names both
        figures, since either may be the mistyped one."""
        if not (_is_count(low) and _is_count(high)) or low <= high:
            return
        if low_at in self.flagged or high_at in self.flagged:
            return
        self.flagged |= {low_at, high_at}
        self.problems.append(self.doc.problem(
            f"{low_name} ({low}) is above {high_name} ({high})", *low_at))


def _groups(doc: YamlDoc, value: Any, at: tuple[str | int, ...], problems: list[Problem]) -> None:
    if not isinstance(value, dict) or set(value) != set(GROUPS):
        problems.append(doc.problem("expected {all, women, men} (null where missing)", *at))
        return
    for g in GROUPS:
        v = value[g]
        if v is not None and not _is_count(v):
            problems.append(doc.problem(_not_count(g, v) + ("" if isinstance(v, int) else
                                                            " or null"), *at, g))
        if v == 0:
            problems.append(doc.problem(f"{g} is 0: write null for a value the source lacks",
                                        *at, g))


def _pay(doc: YamlDoc, pay: Any, problems: list[Problem]) -> None:
    if not isinstance(pay, dict):
        problems.append(doc.problem("'pay' must be a mapping with a kind", "pay"))
        return
    kind = pay.get("kind")
    allowed: set[str] = {"kind"}
    if kind == "table":
        allowed |= {"occupation", "currency", "approx_periods", "rows"}
        for key in ("occupation", "currency"):
            if not isinstance(pay.get(key), str) or not pay[key].strip():
                problems.append(doc.problem(f"'{key}' is required text", "pay", key))
        approx = pay.get("approx_periods", [])
        if not isinstance(approx, list) or any(p not in PERIODS for p in approx):
            problems.append(doc.problem(f"approx_periods must list of {PERIODS}",
                                        "pay", "approx_periods"))
        rows = pay.get("rows")
        if not isinstance(rows, list) or not rows:
            problems.append(doc.problem("'rows' must be a non-empty list", "pay", "rows"))
            rows = []
        seen: set[tuple[Any, Any]] = set()
        for i, row in enumerate(rows):
            at: tuple[str | int, ...] = ("pay", "rows", i)
            if not isinstance(row, dict):
                problems.append(doc.problem("a row must be a mapping", *at))
                continue
            extra = set(row) - {"hours", "sector", "employees", *MEASURES}
            for key in sorted(extra):
                problems.append(doc.problem(f"unknown key {key!r}", *at, key))
            if row.get("hours") not in HOURS:
                problems.append(doc.problem(f"hours must be one of {HOURS}", *at, "hours"))
            if row.get("sector") not in SECTORS:
                problems.append(doc.problem(f"sector must be one of {SECTORS}", *at, "sector"))
            pair = (row.get("hours"), row.get("sector"))
            if pair in seen:
                problems.append(doc.problem(f"duplicate row {pair}", *at))
            seen.add(pair)
            _groups(doc, row.get("employees"), (*at, "employees"), problems)
            for m in MEASURES:
                mv = row.get(m)
                if not isinstance(mv, dict) or set(mv) != set(PERIODS):
                    problems.append(doc.problem(f"{m} needs hourly, monthly, yearly", *at, m))
                    continue
                for p in PERIODS:
                    _groups(doc, mv[p], (*at, m, p), problems)
            _row_order(doc, row, at, problems)
        if not any(isinstance(r, dict) and r.get("hours") == "full_time"
                   and r.get("sector") == "all" for r in rows):
            problems.append(doc.problem("the summary needs a full_time/all row", "pay", "rows"))
    elif kind == "range":
        allowed |= {"measure", "period", "low", "high", "currency"}
        for key in ("low", "high"):
            if not _is_count(pay.get(key)):
                problems.append(doc.problem(_not_count(f"'{key}'", pay.get(key)), "pay", key))
        _Order(doc, problems).at_most(pay.get("low"), ("pay", "low"), pay.get("high"),
                                      ("pay", "high"), "low", "high")
        if pay.get("measure") not in ("average", "median", None):
            problems.append(doc.problem("measure must be average or median", "pay", "measure"))
        if pay.get("period") not in ("monthly", "yearly", "hourly", None):
            problems.append(doc.problem("period must be hourly, monthly or yearly",
                                        "pay", "period"))
        if not isinstance(pay.get("currency"), str):
            problems.append(doc.problem("'currency' is required (as the source writes it)",
                                        "pay", "currency"))
    elif kind == "levels":
        allowed |= {"lowest", "median", "highest", "unit", "unit_meaning"}
        for key in ("lowest", "median", "highest"):
            if not _is_count(pay.get(key)):
                problems.append(doc.problem(_not_count(f"'{key}'", pay.get(key)), "pay", key))
        order = _Order(doc, problems)
        # The median is the figure most often mistyped: it is compared first with each end,
        # so a median above the highest pay is named as that.
        order.at_most(pay.get("median"), ("pay", "median"), pay.get("highest"),
                      ("pay", "highest"), "median", "highest")
        order.at_most(pay.get("lowest"), ("pay", "lowest"), pay.get("median"),
                      ("pay", "median"), "lowest", "median")
        order.at_most(pay.get("lowest"), ("pay", "lowest"), pay.get("highest"),
                      ("pay", "highest"), "lowest", "highest")
        if not isinstance(pay.get("unit"), str):
            problems.append(doc.problem("'unit' is required (as the source writes it)",
                                        "pay", "unit"))
        if pay.get("unit_meaning") not in ("million", None):
            problems.append(doc.problem("unit_meaning must be 'million'", "pay", "unit_meaning"))
    elif kind == "none":
        allowed |= {"reason", "reason_key"}
        if pay.get("reason_key") not in PAY_NONE_REASONS:
            problems.append(doc.problem(f"reason_key must be one of {PAY_NONE_REASONS}",
                                        "pay", "reason_key"))
    else:
        problems.append(doc.problem("pay kind must be table, range, levels or none",
                                    "pay", "kind"))
        return
    for key in pay:
        if key not in allowed:
            problems.append(doc.problem(f"unknown key {key!r} for pay kind {kind}", "pay", key))


def _cell(row: dict[str, Any], *keys: str) -> Any:
    node: Any = row
    for key in keys:
        node = node.get(key) if isinstance(node, dict) else None
    return node


def _row_order(doc: YamlDoc, row: dict[str, Any], at: tuple[str | int, ...],
               problems: list[Problem]) -> None:
    """What must hold in every pay table row: a group is part of everyone (women <= all), a
    month's pay is below a year's, pay with overtime is not below pay without it."""
    order = _Order(doc, problems)
    for g in ("women", "men"):
        order.at_most(_cell(row, "employees", g), (*at, "employees", g),
                      _cell(row, "employees", "all"), (*at, "employees", "all"),
                      f"employees {g}", "employees all")
    for m in MEASURES:
        for g in GROUPS:
            for shorter, longer in (("hourly", "monthly"), ("monthly", "yearly")):
                order.at_most(_cell(row, m, shorter, g), (*at, m, shorter, g),
                              _cell(row, m, longer, g), (*at, m, longer, g),
                              f"{m} {shorter} {g}", f"{m} {longer} {g}")
    for m in ("median", "mean"):
        for p in PERIODS:
            for g in GROUPS:
                order.at_most(_cell(row, m, p, g), (*at, m, p, g),
                              _cell(row, f"{m}_overtime", p, g), (*at, f"{m}_overtime", p, g),
                              f"{m} {p} {g}", f"{m}_overtime {p} {g}")


def validate(doc: YamlDoc, role_id: str, problems: list[Problem]) -> None:
    """Add a located problem for everything wrong in one facts file."""
    data = doc.data
    if not isinstance(data, dict):
        problems.append(doc.problem("facts.yaml must be a mapping"))
        return
    for key in data:
        if key not in _TOP_KEYS:
            problems.append(doc.problem(f"unknown key {key!r}", key))
    if data.get("role") != role_id:
        problems.append(doc.problem(f"role must be {role_id!r} (the folder name)", "role"))
    src = data.get("source")
    if not isinstance(src, dict):
        problems.append(doc.problem("'source' is required", "source"))
    else:
        extra = set(src) - {"name", "profile", "language", "seed", "date", "date_kind",
                            "checked_by"}
        for key in sorted(extra):
            problems.append(doc.problem(f"unknown key {key!r}", "source", key))
        name = src.get("name")
        if name is None and not isinstance(src.get("profile"), str):
            problems.append(doc.problem("an unnamed source needs 'profile'", "source"))
        if name is not None and (not isinstance(name, str) or not name.strip()):
            problems.append(doc.problem("'name' must be text or null", "source", "name"))
        if src.get("language") not in LANGS:
            problems.append(doc.problem("'language' must be a language id", "source",
                                        "language"))
        if "date" in src:
            try:
                date.fromisoformat(str(src["date"]))
            except ValueError:
                problems.append(doc.problem("'date' must be YYYY-MM-DD", "source", "date"))
            if src.get("date_kind") not in ("quality_assured", "updated", "published"):
                problems.append(doc.problem("date_kind must be quality_assured, updated or "
                                            "published", "source", "date_kind"))
    if data.get("country") not in (*COUNTRIES, None):
        problems.append(doc.problem(f"country must be one of {COUNTRIES} or null", "country"))
    _pay(doc, data.get("pay"), problems)
    skills = data.get("skills_rated")
    if skills is not None:
        items = skills.get("items") if isinstance(skills, dict) else None
        if not isinstance(items, dict) or not items or skills.get("unit") != "percent":
            problems.append(doc.problem("skills_rated needs unit: percent and items",
                                        "skills_rated"))
        else:
            for key, value in items.items():
                if not _is_count(value) or value > 100:
                    problems.append(doc.problem("a rating must be 0-100",
                                                "skills_rated", "items", key))
    ladder = data.get("career_ladder")
    keys: list[str] = []
    if ladder is not None:
        if not isinstance(ladder, list) or not ladder:
            problems.append(doc.problem("career_ladder must be a list", "career_ladder"))
            ladder = []
        for i, step in enumerate(ladder):
            if not isinstance(step, dict) or not isinstance(step.get("key"), str):
                problems.append(doc.problem("a step needs a key", "career_ladder", i))
                continue
            keys.append(step["key"])
            for key in step:
                if key not in ("key", *STEP_SPANS):
                    problems.append(doc.problem(f"unknown key {key!r}", "career_ladder", i, key))
            if all(k in step for k in STEP_SPANS):
                problems.append(doc.problem("a step has 'lasts' or 'experience', not both",
                                            "career_ladder", i))
            for span in STEP_SPANS:
                if step.get(span) is not None:
                    _duration(doc, step[span], ("career_ladder", i, span), problems)
    pos = data.get("career_position")
    if pos is not None and pos not in keys:
        problems.append(doc.problem("career_position must be a key of career_ladder",
                                    "career_position"))


    figures = data.get("figures")
    if figures is not None:
        if not isinstance(figures, dict):
            problems.append(doc.problem("'figures' must map names to values", "figures"))
        else:
            for name, value in figures.items():
                if isinstance(value, dict):
                    _duration(doc, value, ("figures", name), problems)
                elif not (_is_count(value) or (isinstance(value, str) and value.strip())):
                    problems.append(doc.problem(
                        "a figure is a whole number, a text (codes, dates) or a duration",
                        "figures", name))
    details = data.get("details")
    if details is not None:
        if not isinstance(details, dict):
            problems.append(doc.problem("'details' must map detail ids to entries", "details"))
        else:
            for detail, entry in details.items():
                _detail(doc, data, detail, entry, problems)


def _duration(doc: YamlDoc, dur: Any, at: tuple[str | int, ...], problems: list[Problem]
              ) -> None:
    if (not isinstance(dur, dict) or dur.get("unit") not in DURATION_UNITS
            or not all(_is_count(dur.get(k)) for k in ("min", "max"))
            or set(dur) - {"min", "max", "unit"}):
        problems.append(doc.problem("a duration needs min, max and unit (months or years)", *at))
    elif dur["min"] > dur["max"]:
        problems.append(doc.problem("duration min is above max", *at))


def resolve(facts: dict[str, Any], path: str) -> Any:
    """The value at a dotted path (``career_ladder.0.lasts``); KeyError when there is none."""
    node: Any = facts
    for part in path.split("."):
        index = whole_number(part, 0, len(node) - 1) if isinstance(node, list) else None
        if index is not None:
            node = node[index]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            raise KeyError(path)
    return node


def _detail(doc: YamlDoc, facts: dict[str, Any], detail: str, entry: Any,
            problems: list[Problem]) -> None:
    at = ("details", detail)
    if not isinstance(entry, dict):
        problems.append(doc.problem("a detail needs 'seed' (and 'values' for figures)", *at))
        return
    for key in entry:
        if key not in ("seed", "values"):
            problems.append(doc.problem(f"unknown key {key!r}", *at, key))
    if not isinstance(entry.get("seed"), str) or not entry["seed"].strip():
        problems.append(doc.problem("'seed' must quote the seed's words", *at, "seed"))
    values = entry.get("values") or {}
    if not isinstance(values, dict):
        problems.append(doc.problem("'values' must map placeholders to fact paths", *at,
                                    "values"))
        return
    for name, path in values.items():
        try:
            value = resolve(facts, str(path))
        except KeyError:
            problems.append(doc.problem(f"{path!r} is not a path in this facts.yaml",
                                        *at, "values", name))
            continue
        if value is None or isinstance(value, list) or (
                isinstance(value, dict) and set(value) != {"min", "max", "unit"}):
            problems.append(doc.problem(f"{path!r} is not a single figure",
                                        *at, "values", name))


def label_keys(facts: dict[str, Any]) -> list[str]:
    """Label keys every language file must define for these facts."""
    keys: list[str] = []
    for step in facts.get("career_ladder") or []:
        if isinstance(step, dict) and isinstance(step.get("key"), str):
            keys += [f"career.{step['key']}", f"career.{step['key']}.desc"]
    skills = facts.get("skills_rated")
    if isinstance(skills, dict) and isinstance(skills.get("items"), dict):
        keys += [f"skills.{k}" for k in skills["items"]]
    return keys
