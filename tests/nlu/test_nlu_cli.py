"""The command-line contract of SPEC.md: parse, classify and eval as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

ENV = {k: v for k, v in os.environ.items() if not k.startswith("TELEGRAM_")}


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=PROJECT_ROOT,
        env=ENV,
        timeout=120,
        check=False,
    )


def test_parse_writes_one_json_object_per_line_without_a_token() -> None:
    lines = ["hvor mye tjener en IT-prosjektleder?", "and the skills?", "my printer is broken"]
    done = run("parse", stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["text"] for o in out] == lines
    first = out[0]
    assert (first["lang"], first["intent"], first["role"]) == ("nb", "salary", "it-project-manager")
    assert 0.0 <= first["confidence"] <= 1.0
    for alt in first["alternatives"]:
        assert set(alt) == {"intent", "role", "confidence"}
    assert (out[1]["intent"], out[1]["role"]) == ("skills", None)
    assert out[2]["intent"] == "out_of_scope"


def test_classify_trains_on_a_file_and_answers_stdin(tmp_path: Path) -> None:
    train = tmp_path / "train.jsonl"
    rows = []
    for intent, words in {
        "greet": ["hello", "hi there", "good morning", "hey", "good evening"],
        "bye": ["goodbye", "see you", "bye bye", "farewell", "see you later"],
        "pay": ["what is the salary", "how much is the pay", "wages", "income", "earnings"],
    }.items():
        for w in words:
            for suffix in ("", " friend", " please", "!"):
                rows.append(json.dumps({"text": w + suffix, "intent": intent}))
    train.write_text("\n".join(rows) + "\n", encoding="utf-8")
    done = run("classify", "--train", str(train), stdin="hello friend\nwhat is the pay\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [set(o) for o in out] == [{"text", "intent", "top_intent", "score"}] * 2
    assert [o["top_intent"] for o in out] == ["greet", "pay"]
    assert all(o["intent"] in (o["top_intent"], "out_of_scope") for o in out)
    assert all(0.0 <= o["score"] <= 1.0 for o in out)


def test_classify_calibrates_on_a_validation_file(tmp_path: Path) -> None:
    from tests.nlu.test_nlu_classifier import dataset
    from tests.nlu.test_nlu_validation import VALIDATION

    def write(name: str, pairs: list[tuple[str, str]]) -> Path:
        path = tmp_path / name
        path.write_text("".join(json.dumps({"text": t, "intent": i}) + "\n" for t, i in pairs),
                        encoding="utf-8")
        return path

    train = write("train.jsonl", list(zip(*dataset(), strict=True)))
    validation = write("val.jsonl", VALIDATION)
    done = run("classify", "--train", str(train), "--validation", str(validation),
               "--fallback-rate", "0.15", "--svm-only",  # as train_validated by default
               stdin="what is my balance\ntell me the weather in bergen\n")
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert [o["intent"] for o in out] == ["balance", "out_of_scope"]
    only_oos = write("oos.jsonl", [("tell me a joke", "out_of_scope")])
    done = run("classify", "--train", str(train), "--validation", str(only_oos))
    assert done.returncode == 1
    assert "no validation item" in done.stderr and "Traceback" not in done.stderr


def test_classify_reports_a_bad_training_line(tmp_path: Path) -> None:
    train = tmp_path / "bad.jsonl"
    train.write_text('{"text": "hi", "intent": "greet"}\nnot json\n', encoding="utf-8")
    done = run("classify", "--train", str(train))
    assert done.returncode == 1
    assert f"{train}:2:" in done.stderr
    assert "Traceback" not in done.stderr


def test_eval_prints_a_table_and_writes_json(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    items.write_text(
        json.dumps(
            {
                "text": "hvor mye tjener en IT-prosjektleder",
                "lang": "nb",
                "intent": "salary",
                "role": "it-project-manager",
                "hint_lang": None,
            }
        )
        + "\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    done = run("eval", str(items), "--json", str(report))
    assert done.returncode == 0, done.stderr
    assert "intent+role accuracy" in done.stdout
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["items"] == 1
    assert data["intent_role_accuracy"] == 1.0
    for key in ("per_intent", "confused", "per_language", "latency_ms", "oos_recall"):
        assert key in data
