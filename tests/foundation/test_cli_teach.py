"""``helpdesk-bot unanswered`` and ``helpdesk-bot teach`` as an admin runs them on the server."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest
import yaml

from bot.answer import AnswerService
from bot.config import PROJECT_ROOT
from bot.storage import Store
from tests.foundation.test_cli import _env, _run
from tests.parallel import private_model_cache

QUESTION = "helpdesk specialist nerves of steel"  # read as an unsure overview today


async def _store_questions(path: Path, *texts: str) -> list[int]:
    store = await Store.open(path, purge_interval=None)
    try:
        for text in texts:
            await store.record_unanswered(7, 7, text, "en", "overview", 0.3, answered=True,
                                          wait=True)
        return [item.id for item in await store.unanswered(50)]
    finally:
        await store.close()


@pytest.fixture
def server(tmp_path: Path, service: AnswerService) -> dict[str, str]:
    """The environment of a server: its database, a copy of intents/ that the bot may not
    write to (a Docker image's), and the learned folder on the data volume. Its model cache is
    its own, holding the run's trained engine (``service`` has saved it): the engine a teach
    saves stays there instead of replacing the run's."""
    intents = tmp_path / "intents"
    shutil.copytree(PROJECT_ROOT / "intents", intents)
    return _env(tmp_path, INTENTS_DIR=str(intents), LEARNED_DIR=str(tmp_path / "data" / "learned"),
                MODEL_CACHE_DIR=str(private_model_cache(tmp_path / "models")))


@pytest.mark.parametrize(("args", "message"), [
    (["teach", "abc", "salary"], "'abc' is not a question id"),
    (["teach", "0", "salary"], "'0' is not a question id"),
    (["teach", "1", "weather"], "unknown intent 'weather'; one of overview, duties"),
    (["teach", "1", "salary", "--role", "astronaut"], "unknown role 'astronaut'; one of "),
    (["teach", "1", "greeting", "--role", "helpdesk-specialist"],
     "--role goes only with a topic intent, not 'greeting'"),
    (["teach", "99", "salary"], "no stored question has id 99 (see helpdesk-bot unanswered)"),
    (["unanswered", "-n", "0"], "-n must be a whole number from 1 to 1000, not 0"),
])
def test_bad_input_is_one_line_and_exit_2(server: dict[str, str], tmp_path: Path,
                                          args: list[str], message: str) -> None:
    asyncio.run(_store_questions(tmp_path / "db.sqlite3", QUESTION))
    done = _run(args, server)
    assert done.returncode == 2, (done.stdout, done.stderr)
    [line] = done.stderr.splitlines()
    assert line.startswith(f"helpdesk-bot {args[0]}: ") and message in line, line
    assert not (tmp_path / "data" / "learned").exists()


def test_unanswered_lists_then_teach_learns_into_the_data_volume(
        server: dict[str, str], tmp_path: Path) -> None:
    [other, row] = asyncio.run(_store_questions(tmp_path / "db.sqlite3", QUESTION, "lol"))
    listed = _run(["unanswered"], server)
    assert listed.returncode == 0, listed.stderr
    lines = listed.stdout.splitlines()
    assert len(lines) == 2 and lines[1].split()[0] == str(row) and lines[1].endswith(QUESTION)
    as_json = [json.loads(x) for x in _run(["unanswered", "--json"], server).stdout.splitlines()]
    assert [x["id"] for x in as_json] == [other, row] and as_json[1]["text"] == QUESTION

    done = _run(["teach", str(row), "qualities", "--role", "helpdesk-specialist"], server)
    assert done.returncode == 0, done.stderr
    first = done.stdout.splitlines()[0]
    assert first.startswith(f"Learned: «{QUESTION}» → qualities (helpdesk-specialist); the same "
                            "question is now answered with "), done.stdout
    taught = tmp_path / "data" / "learned" / "en" / "qualities.learned.yaml"
    assert yaml.safe_load(taught.read_text("utf-8"))["examples"] == [QUESTION]
    assert f"Saved in {taught.relative_to(tmp_path / 'data')}." in done.stdout
    # The learned folder is read with INTENTS_DIR by everything: parse, check, the bot.
    parsed = json.loads(_run(["parse"], server, QUESTION + "\n").stdout)
    assert parsed["intent"] == "qualities"
    assert _run(["check"], server).returncode == 0
    assert [x.split()[0] for x in _run(["unanswered"], server).stdout.splitlines()] == [
        str(other)]
    again = _run(["teach", str(row), "salary", "--role", "helpdesk-specialist"], server)
    assert again.returncode == 1 and "was decided already" in again.stderr
