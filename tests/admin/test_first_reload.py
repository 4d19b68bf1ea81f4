"""The first reload of a bot started from the saved engine reads the memos saved with it, so
it redoes only what the edit changed; memos that cannot be read are ignored, not trusted."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import PROJECT_ROOT
from bot.content.catalog import load_catalog
from bot.nlu import memos
from bot.nlu.engine import Engine, build_engine, has_build_memos
from bot.nlu.roles import RoleMatch, RoleMatcher
from bot.reload import prepare

NEW = "what is the pay of the first reload"


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of content/ and intents/ whose model cache a checked start has filled."""
    root = tmp_path_factory.mktemp("first-reload")
    for folder in ("content", "intents"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    assert not prepare(root / "content", root / "intents", root / "models").errors
    return root


def _fresh_start(started: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                 ) -> tuple[Path, Engine]:
    """The started copy as a new process sees it (no memos in memory), and its engine."""
    root = tmp_path / "copy"
    shutil.copytree(started, root)
    for module, name in memos.MEMOS:
        held = importlib.import_module(module)
        monkeypatch.setattr(held, name, {} if isinstance(getattr(held, name), dict) else None)
    engine = build_engine(root / "intents", load_catalog(root / "content"), root / "models")
    assert not has_build_memos()  # loaded, not trained
    return root, engine


def _masked_while_reloading(root: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
                            ) -> int:
    """How many example texts the first reload after an edit masks (training masks them
    with remember=False)."""
    path = root / "intents" / "en" / "salary.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("examples:\n", f"examples:\n- {NEW}\n", 1), encoding="utf-8")
    masked: list[int] = []
    find_many = RoleMatcher.find_many

    def counting(self: RoleMatcher, texts: list[list[str]], *, remember: bool = True
                 ) -> list[list[RoleMatch]]:
        if not remember:
            masked.append(len(texts))
        return find_many(self, texts, remember=remember)

    monkeypatch.setattr(RoleMatcher, "find_many", counting)
    prepared = prepare(root / "content", root / "intents", root / "models",
                       interim=engine.classifier.calibration, previous=engine)
    assert not prepared.errors and prepared.engine is not None
    assert prepared.engine.parse(NEW).intent == "salary"
    return sum(masked)


def test_first_reload_masks_only_the_new_example(
        started: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, engine = _fresh_start(started, tmp_path, monkeypatch)
    assert _masked_while_reloading(root, engine, monkeypatch) == 1


def test_unreadable_memos_are_ignored(
        started: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root, engine = _fresh_start(started, tmp_path, monkeypatch)
    [memo] = (root / "models").glob(f"{memos.NAME}-*.pickle")
    memo.write_bytes(memo.read_bytes()[:-100])  # truncated
    assert _masked_while_reloading(root, engine, monkeypatch) > 1000  # made again, all of them
    assert not memo.exists()


_NO_SKLEARN = """
import sys
from pathlib import Path
from bot.content.catalog import load_catalog
from bot.nlu.engine import build_engine
from bot.reload import prepare
root, new = Path(sys.argv[1]), sys.argv[2]
engine = build_engine(root / "intents", load_catalog(root / "content"), root / "models")
path = root / "intents" / "en" / "salary.yaml"
text = path.read_text(encoding="utf-8")
path.write_text(text.replace("examples:\\n", f"examples:\\n- {new}\\n", 1), encoding="utf-8")
prepared = prepare(root / "content", root / "intents", root / "models",
                   interim=engine.classifier.calibration, previous=engine)
assert not prepared.errors and prepared.engine is not None, prepared.errors
print(prepared.engine.parse(new).intent)
print(sorted(name for name in sys.modules if name.split(".")[0] == "sklearn"))
"""


def test_first_reload_answers_without_importing_sklearn(started: Path, tmp_path: Path) -> None:
    """Importing scikit-learn took most of the first reload's time: until the new examples
    are answered (the interim engine) nothing imports it; only the calibration after may."""
    root = tmp_path / "copy"
    shutil.copytree(started, root)
    done = subprocess.run([sys.executable, "-c", _NO_SKLEARN, str(root), NEW],
                          env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    intent, imported = done.stdout.splitlines()[-2:]
    assert intent == "salary"
    assert imported == "[]"
