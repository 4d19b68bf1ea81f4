"""The trained engine is saved and reused like a model file: loaded while its inputs are the
same, rebuilt when they change, never trusted when damaged or foreign, and loading it needs
neither scikit-learn nor scipy."""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT, load_settings
from bot.content.catalog import load_catalog
from bot.nlu.engine import Engine, build_engine, engine_key
from bot.nlu.saved import MAGIC, load_or_build

INTENTS = PROJECT_ROOT / "intents"
CONTENT = PROJECT_ROOT / "content"


class Counter:
    """A build function that counts its calls."""

    def __init__(self, value: object) -> None:
        self.value, self.calls = value, 0

    def __call__(self) -> object:
        self.calls += 1
        return self.value


def test_saved_once_then_loaded(tmp_path: Path) -> None:
    build = Counter({"model": [1, 2, 3]})
    first = load_or_build(tmp_path, "m", "a" * 64, build, dict)
    second = load_or_build(tmp_path, "m", "a" * 64, build, dict)
    assert first == second == {"model": [1, 2, 3]}
    assert build.calls == 1
    (saved,) = tmp_path.glob("m-*.pickle")
    assert saved.stat().st_mode & 0o777 == 0o600


def test_folder_is_created_private(tmp_path: Path) -> None:
    load_or_build(tmp_path / "new" / "cache", "m", "a" * 64, Counter([1]), list)
    assert (tmp_path / "new" / "cache").stat().st_mode & 0o777 == 0o700


def test_other_key_is_rebuilt_and_replaces_the_old_file(tmp_path: Path) -> None:
    build = Counter([1])
    load_or_build(tmp_path, "m", "a" * 64, build, list)
    load_or_build(tmp_path, "m", "b" * 64, build, list)
    assert build.calls == 2
    assert [p.name for p in tmp_path.glob("m-*.pickle")] == [f"m-{'b' * 32}.pickle"]


@pytest.mark.parametrize("damage", ["truncated", "garbage", "wrong key inside", "other type"])
def test_damaged_file_is_rebuilt_never_trusted(
    tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    key = "c" * 64
    load_or_build(tmp_path, "m", key, Counter([1, 2]), list)
    (saved,) = tmp_path.glob("m-*.pickle")
    data = saved.read_bytes()
    if damage == "truncated":
        saved.write_bytes(data[: len(data) - 3])
    elif damage == "garbage":
        saved.write_bytes(MAGIC + key.encode() + b"\x80\x05not a pickle")
    elif damage == "wrong key inside":
        saved.write_bytes(data.replace(key.encode(), b"d" * 64, 1))
    else:
        load_or_build(tmp_path / "x", "m", key, Counter({"a": 1}), dict)
        shutil.copy(next((tmp_path / "x").glob("m-*.pickle")), saved)
    build = Counter([7])
    with caplog.at_level(logging.WARNING, logger="bot.nlu.saved"):
        assert load_or_build(tmp_path, "m", key, build, list) == [7]
    assert build.calls == 1
    assert "rebuilding" in caplog.text
    assert load_or_build(tmp_path, "m", key, Counter([8]), list) == [7]  # the rebuilt one


def test_file_writable_by_others_is_not_loaded(tmp_path: Path) -> None:
    load_or_build(tmp_path, "m", "e" * 64, Counter([1]), list)
    (saved,) = tmp_path.glob("m-*.pickle")
    saved.chmod(0o666)
    build = Counter([2])
    assert load_or_build(tmp_path, "m", "e" * 64, build, list) == [2]
    assert build.calls == 1


def test_a_file_in_place_of_the_folder_still_answers(tmp_path: Path) -> None:
    (tmp_path / "cache").write_text("not a folder")
    assert load_or_build(tmp_path / "cache", "m", "f" * 64, Counter([3]), list) == [3]


def test_engine_key_follows_intents_and_aliases(tmp_path: Path) -> None:
    catalog = load_catalog(CONTENT)
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents)
    before = engine_key(intents, catalog)
    assert engine_key(intents, catalog) == before
    target = next(intents.glob("en/*.yaml"))
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert engine_key(intents, catalog) != before

    class MoreAliases:
        role_ids = catalog.role_ids
        details = catalog.details

        def aliases(self) -> dict[str, dict[str, list[str]]]:
            out = catalog.aliases()
            first = next(iter(out))
            out[first] = {lang: [*names, "zz new alias"] for lang, names in out[first].items()}
            return out

        def step_names(self) -> dict[str, dict[str, list[str]]]:
            return catalog.step_names()

        def countries(self) -> dict[str, str | None]:
            return catalog.countries()


    shutil.copy(INTENTS / "en" / target.name, target)
    assert engine_key(intents, catalog) == before
    assert engine_key(intents, MoreAliases()) != before


def test_engine_key_covers_every_file_the_engine_reads(tmp_path: Path) -> None:
    """A ".yml" examples file and the lexicons count too: an edit to any file the engine is
    trained from is a new model, never the old one served after a "successful" reload."""
    catalog = load_catalog(CONTENT)
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents)
    (intents / "en" / "thanks.yaml").rename(intents / "en" / "thanks.yml")
    before = engine_key(intents, catalog)
    with (intents / "en" / "thanks.yml").open("a", encoding="utf-8") as handle:
        handle.write("- zorblax quuxification, much obliged\n")
    assert engine_key(intents, catalog) != before
    middle = engine_key(intents, catalog)
    with (intents / "nb" / "lexicon" / "slots.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\n")
    assert engine_key(intents, catalog) != middle


def test_a_saved_model_holds_nothing_users_typed(tmp_path: Path) -> None:
    """The role matcher, featuriser and variant model cache words they have seen; those caches
    are left out of the file (a reload saves the model while the old one keeps answering)."""
    engine = build_engine(INTENTS, load_catalog(CONTENT))
    engine.parse("my name is Kristoffersenqx and I call from 98765432 about helpdeskz pay")
    load_or_build(tmp_path, "engine", "k" * 64, lambda: engine, Engine)
    data = next(tmp_path.glob("engine-*.pickle")).read_bytes()
    assert b"kristoffersenqx" not in data.lower() and b"98765432" not in data
    assert b"helpdeskz" not in data


def test_loaded_engine_answers_exactly_like_the_trained_one(tmp_path: Path) -> None:
    catalog = load_catalog(CONTENT)
    trained = build_engine(INTENTS, catalog)
    saved = build_engine(INTENTS, catalog, tmp_path)  # trains (or reuses the memo) and saves
    (path,) = tmp_path.glob("engine-*.pickle")
    loaded = build_engine(INTENTS, catalog, tmp_path)
    assert isinstance(loaded, Engine) and loaded is not saved  # read back from the file
    assert path.exists()
    lines = [json.loads(line)["text"] for line in
             (PROJECT_ROOT / "tests" / "nlu" / "en.jsonl").read_text(encoding="utf-8")
             .splitlines()[:40]]
    lines += ["hvor mye tjener en IT-prosjektleder?", "kas ir lietotāju atbalsts?",
              "حقوق کارشناس پشتیبانی چقدره", "salam", "what does a nurse earn?"]
    for text in lines:
        assert loaded.parse(text).to_json() == trained.parse(text).to_json(), text


def test_second_start_loads_without_training_libraries(tmp_path: Path) -> None:
    """A start with a saved model imports neither scikit-learn nor scipy and writes nothing."""
    env = {**os.environ, "MODEL_CACHE_DIR": str(tmp_path / "cache")}
    probe = ("import sys, json; from bot.bootstrap import build_service; "
             "from bot.config import load_settings; "
             "s = build_service(load_settings(check_database=False), charts=False); "
             "print(json.dumps(sorted(m for m in ('sklearn', 'scipy', 'matplotlib') "
             "if m in sys.modules)))")

    def start() -> list[str]:
        done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                              text=True, timeout=300, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return list(json.loads(done.stdout.splitlines()[-1]))

    assert "sklearn" in start()  # the first start trains
    files = sorted((tmp_path / "cache").iterdir())
    stamps = [f.stat().st_mtime_ns for f in files]
    assert start() == []
    assert sorted((tmp_path / "cache").iterdir()) == files
    assert [f.stat().st_mtime_ns for f in files] == stamps


@pytest.mark.parametrize(("raw", "expected"), [
    ("off", None), ("none", None), ("/x/models", Path("/x/models")),
])
def test_model_cache_dir_setting(raw: str, expected: Path | None) -> None:
    settings = load_settings({"MODEL_CACHE_DIR": raw}, dotenv=Path("/nonexistent/.env"),
                             check_database=False)
    assert settings.model_cache_dir == expected


def test_model_cache_dir_defaults_to_the_user_cache() -> None:
    settings = load_settings({"XDG_CACHE_HOME": "/x/cache"}, dotenv=Path("/nonexistent/.env"),
                             check_database=False)
    assert settings.model_cache_dir == Path("/x/cache/helpdesk-bot")


def test_engine_key_covers_taught_examples_in_either_place(tmp_path: Path) -> None:
    """A taught example is a new model, whether it sits in intents/ or in the learned folder."""
    catalog = load_catalog(CONTENT)
    intents = tmp_path / "intents"
    shutil.copytree(INTENTS, intents)
    learned = tmp_path / "learned"
    before = engine_key(intents, catalog, learned)
    taught = learned / "en" / "salary.learned.yaml"
    taught.parent.mkdir(parents=True)
    taught.write_text("intent: salary\nexamples:\n- zorblax pay\n", encoding="utf-8")
    assert engine_key(intents, catalog, learned) != before
    assert engine_key(intents, catalog) == before  # a folder not configured is not read
    taught.unlink()
    assert engine_key(intents, catalog, learned) == before
    (intents / "en" / "salary.learned.yaml").write_text(
        "intent: salary\nexamples:\n- zorblax pay\n", encoding="utf-8")
    assert engine_key(intents, catalog, learned) != before
