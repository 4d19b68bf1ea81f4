"""A reload that calibrates after the swap: the new examples are answered at once (with the
previous calibration), and the engine it ends with is the one a build from scratch gives."""

from __future__ import annotations

import asyncio
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from bot.answer import AnswerService
from bot.config import PROJECT_ROOT
from bot.content.catalog import load_catalog
from bot.nlu import engine as engine_module
from bot.nlu.classifier import IntentClassifier
from bot.nlu.engine import Engine, build_engine, engine_key
from bot.nlu.evaluate import load_items
from bot.nlu.result import LangHints
from bot.nlu.saved import load_saved
from bot.reload import Reloader

SALARY = "intents/en/salary.yaml"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "copy"
    for folder in ("content", "intents"):
        shutil.copytree(PROJECT_ROOT / folder, root / folder)
    return root


def _add_example(root: Path, example: str) -> None:
    path = root / SALARY
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("examples:\n", f"examples:\n- {example}\n", 1),
                    encoding="utf-8")


def _from_scratch(root: Path) -> Engine:
    engine_module.clear_build_cache()  # nothing of the earlier builds reused
    return build_engine(root / "intents", load_catalog(root / "content"))


def _assert_same(engine: Engine, reference: Engine) -> None:
    """The same model, and the same parse of every 5th labelled message."""
    got, want = engine.classifier, reference.classifier
    assert got.labels == want.labels
    assert got.weights.dtype == want.weights.dtype and np.array_equal(got.weights, want.weights)
    assert np.array_equal(got.bias, want.bias)
    assert got.calibration == want.calibration
    assert got.featurizer.vocab == want.featurizer.vocab
    assert engine.vocabulary == reference.vocabulary
    assert engine.variant.llr == reference.variant.llr
    items = load_items(sorted((PROJECT_ROOT / "tests/nlu").glob("*.jsonl")))[::5]
    for item in items:
        hints = LangHints(telegram=item.hint_lang)
        assert engine.parse(item.text, hints) == reference.parse(item.text, hints), item.text


def _saved(root: Path, cache: Path) -> Engine | None:
    catalog = load_catalog(root / "content")
    key = engine_key(root / "intents", catalog)
    return load_saved(cache, "engine", key, Engine)


async def test_new_examples_are_served_first_and_the_final_engine_is_a_fresh_builds(
        own_service: AnswerService, copy: Path, tmp_path: Path) -> None:
    before = own_service.engine.classifier.calibration
    reloader = Reloader(own_service, copy / "content", copy / "intents",
                        cache_dir=tmp_path / "models", calibrate_after_swap=True)
    new = "how do i become a zebra wrangler"  # the previous engine: education
    assert own_service.engine.parse(new).intent != "salary"
    _add_example(copy, new)
    result = await reloader.reload("test")
    assert result.ok and result.calibrating
    interim = own_service.engine
    assert interim.classifier.calibration == before  # live before its own calibration
    await reloader.calibrated()
    final = own_service.engine
    assert final is not interim and not reloader._calibrating
    reference = _from_scratch(copy)
    # The interim engine (the previous weights, the salary intent refitted) answers the new
    # example as the final one does.
    assert interim.classifier.featurizer.vocab == reference.classifier.featurizer.vocab
    assert interim.parse(new).intent == reference.parse(new).intent == "salary"
    _assert_same(final, reference)
    saved = _saved(copy, tmp_path / "models")
    assert saved is not None  # saved once calibrated, and calibrated as it
    assert saved.classifier.calibration == reference.classifier.calibration


async def test_a_second_reload_during_calibration_wins(
        own_service: AnswerService, copy: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The first reload's calibration is held until the second reload is live and calibrated.
    held, calls = threading.Event(), []
    calibrate = IntentClassifier._calibrate

    def gated(*args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 1:
            assert held.wait(120)
        return calibrate(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(IntentClassifier, "_calibrate", gated)
    reloader = Reloader(own_service, copy / "content", copy / "intents",
                        cache_dir=tmp_path / "models", calibrate_after_swap=True)
    _add_example(copy, "what does the gnu wrangler take home")  # not the test above's
    first = await reloader.reload("first")
    _add_example(copy, "and what does the yak herder take home")
    second = await reloader.reload("second")
    assert first.calibrating and second.calibrating
    interim = own_service.engine
    for _ in range(600):  # the second calibration, not held, swaps its engine in
        if own_service.engine is not interim:
            break
        await asyncio.sleep(0.1)
    settled = own_service.engine
    assert settled is not interim
    held.set()
    await reloader.calibrated()  # the first one ends now: too late, it is dropped
    assert own_service.engine is settled
    reference = _from_scratch(copy)
    _assert_same(settled, reference)
    saved = _saved(copy, tmp_path / "models")
    assert saved is not None and saved.classifier.calibration == reference.classifier.calibration
