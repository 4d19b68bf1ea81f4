"""YAML loading that remembers the line of every key, so admins get ``file:line`` problems.

PyYAML's constructors drop marks; we compose the node graph (fast with libyaml) and convert it
ourselves, recording the 1-based line of each mapping key and sequence item by its path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.problems import Problem

try:  # libyaml makes /reload fast; fall back to pure Python where it is missing.
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Loader = yaml.SafeLoader

Path_ = tuple[str | int, ...]


@dataclass
class YamlDoc:
    """A parsed file: its data plus the line of each key path (``("topics", "salary")``)."""

    path: Path
    display: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, *keys: str | int) -> int:
        """Line of the deepest known prefix of ``keys``; 1 when nothing is known."""
        parts: Path_ = tuple(keys)
        while parts:
            if parts in self.lines:
                return self.lines[parts]
            parts = parts[:-1]
        return self.lines.get((), 1)

    def problem(self, message: str, *keys: str | int) -> Problem:
        """A problem located at ``keys`` in this file."""
        return Problem(self.display, self.line(*keys), message)


_SCALAR_CONSTRUCTOR = yaml.SafeLoader("")


def _scalar(node: yaml.ScalarNode) -> Any:
    build = _SCALAR_CONSTRUCTOR.yaml_constructors.get(node.tag)
    if build is None:
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag {node.tag}")
    return build(_SCALAR_CONSTRUCTOR, node)


def _convert(
    node: yaml.Node, at: Path_, lines: dict[Path_, int], doc: str, problems: list[Problem]
) -> Any:
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _convert(key_node, at, lines, doc, problems)
            if not isinstance(key, (str, int, float, bool)) or key is None:
                problems.append(Problem(doc, key_node.start_mark.line + 1, "invalid key"))
                continue
            skey = str(key) if not isinstance(key, str) else key
            if skey in out:
                problems.append(
                    Problem(doc, key_node.start_mark.line + 1, f"duplicate key {skey!r}")
                )
            lines[(*at, skey)] = key_node.start_mark.line + 1
            out[skey] = _convert(value_node, (*at, skey), lines, doc, problems)
        return out
    if isinstance(node, yaml.SequenceNode):
        items: list[Any] = []
        for i, item in enumerate(node.value):
            lines[(*at, i)] = item.start_mark.line + 1
            items.append(_convert(item, (*at, i), lines, doc, problems))
        return items
    assert isinstance(node, yaml.ScalarNode)
    try:
        return _scalar(node)
    except yaml.YAMLError as exc:
        problems.append(Problem(doc, node.start_mark.line + 1, f"bad value: {exc}"))
        return None


def load_yaml(path: Path, display: str, problems: list[Problem]) -> YamlDoc | None:
    """Parse ``path``; on a syntax error add a located problem and return None."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(Problem(display, 0, f"cannot read file: {exc}"))
        return None
    return parse_yaml(text, path, display, problems)


def parse_yaml(text: str, path: Path, display: str, problems: list[Problem]) -> YamlDoc | None:
    """Parse YAML text; see :func:`load_yaml`."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 0
        message = f"YAML syntax error: {exc.problem or exc}"
        if exc.context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
            message += f" ({exc.context} at line {exc.context_mark.line + 1})"
        problems.append(Problem(display, line, message))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(display, 0, f"YAML error: {exc}"))
        return None
    lines: dict[Path_, int] = {(): 1}
    data = None if node is None else _convert(node, (), lines, display, problems)
    return YamlDoc(path=path, display=display, data=data, lines=lines)
