"""Labelled data files: a malformed line is reported with its file and line, every one of
them; the dev/held split is fixed by the key alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answer.evaluate import load_conversations
from bot.labelled import half
from bot.nlu.evaluate import load_items
from bot.problems import ContentError


def test_bad_lines_are_reported_with_file_and_line(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text('{"text": "hi", "lang": "en", "intent": "greeting"}\n\n'
                     '{"text": "no intent", "lang": "en"}\n'
                     'not json\n', encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_items([items])
    lines = [(p.file, p.line) for p in caught.value.problems]
    assert lines == [(str(items), 3), (str(items), 4)]
    conversations = tmp_path / "conv.jsonl"
    conversations.write_text('{"id": "c1", "lang": "en", "turns": [{"user": "hi"}]}\n',
                             encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_conversations([conversations])
    assert "bad conversation" in caught.value.problems[0].message


def test_a_missing_or_binary_file_is_a_problem_not_a_traceback(tmp_path: Path) -> None:
    binary = tmp_path / "latin1.jsonl"
    binary.write_bytes(b'{"text": "l\xf8nn", "lang": "nb", "intent": "salary"}\n')
    with pytest.raises(ContentError) as caught:
        load_items([tmp_path / "missing.jsonl", binary])
    found = {p.file: p.message for p in caught.value.problems}
    assert set(found) == {str(tmp_path / "missing.jsonl"), str(binary)}
    # Said in words, not as Python's exception names.
    assert found[str(tmp_path / "missing.jsonl")] == "cannot read items: no such file or directory"
    assert found[str(binary)] == "cannot read items: not UTF-8 text"


def test_good_lines_load_with_where_they_came_from(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text('{"text": "hi", "lang": "en", "intent": "greeting", "kind": "short"}\n',
                     encoding="utf-8")
    [item] = load_items([items])
    assert item.where == f"{items}:1" and item.kind == "short" and item.split == half("hi")


def test_the_split_is_stable_and_roughly_even() -> None:
    keys = [f"message {i}" for i in range(2000)]
    assert [half(k) for k in keys] == [half(k) for k in keys]
    assert 900 < sum(half(k) == "dev" for k in keys) < 1100
