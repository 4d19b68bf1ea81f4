"""Start-up runs the checks /reload applies, and remembers that unchanged files passed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot import reload
from bot.answer import AnswerService
from bot.bootstrap import build_checked_service, checked_key
from bot.config import PROJECT_ROOT, Settings


def test_a_passed_check_is_remembered_until_a_file_changes(
        tmp_path: Path, model_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    content = tmp_path / "content"
    shutil.copytree(PROJECT_ROOT / "content", content)
    cache = tmp_path / "cache"
    calls: list[Path] = []
    real = reload.prepare

    def counting(content_dir: Path, intents_dir: Path, cache_dir: Path | None = None,
                 learned_dir: Path | None = None) -> reload.Prepared:
        calls.append(content_dir)
        # The engine is trained once per test session (the shared model cache).
        return real(content_dir, intents_dir, model_cache, learned_dir)

    monkeypatch.setattr(reload, "prepare", counting)
    settings = Settings(content_dir=content, intents_dir=PROJECT_ROOT / "intents",
                        model_cache_dir=cache)
    first = build_checked_service(settings, charts=False)
    assert len(calls) == 1 and first.catalog.role_ids
    assert [p.name for p in cache.glob("checked-*")]  # the verdict is saved
    build_checked_service(settings, charts=False)
    assert len(calls) == 1  # unchanged files: loaded, not checked again
    # An edited file (content or intents) is another key: checked again at the next start.
    before = checked_key(content, PROJECT_ROOT / "intents")
    facts = content / "roles" / "helpdesk-specialist" / "facts.yaml"
    facts.write_text(facts.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert checked_key(content, PROJECT_ROOT / "intents") != before
    intents = tmp_path / "intents"
    shutil.copytree(PROJECT_ROOT / "intents", intents)
    assert checked_key(content, intents) == checked_key(content, PROJECT_ROOT / "intents")
    example = next(intents.rglob("*.yaml"))
    example.write_text(example.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert checked_key(content, intents) != checked_key(content, PROJECT_ROOT / "intents")


def test_the_check_at_start_covers_a_separate_learned_folder(
        tmp_path: Path, service: AnswerService, monkeypatch: pytest.MonkeyPatch) -> None:
    """With LEARNED_DIR, the start's check reads the taught examples with intents/ (it used to
    build an engine without them when no passed check was remembered: `parse` right after a
    `teach` answered as before the teach), and a taught example is a new key."""
    learned = tmp_path / "learned"
    seen: list[Path | None] = []

    def recording(content_dir: Path, intents_dir: Path, cache_dir: Path | None = None,
                  learned_dir: Path | None = None) -> reload.Prepared:
        seen.append(learned_dir)
        return reload.Prepared(catalog=service.catalog, engine=service.engine)

    monkeypatch.setattr(reload, "prepare", recording)
    content, intents = PROJECT_ROOT / "content", PROJECT_ROOT / "intents"
    settings = Settings(content_dir=content, intents_dir=intents,
                        model_cache_dir=tmp_path / "cache", learned_dir=learned)
    build_checked_service(settings, charts=False)
    assert seen == [learned]
    before = checked_key(content, intents, learned)
    assert before == checked_key(content, intents, tmp_path / "elsewhere")  # both empty
    taught = learned / "en" / "qualities.learned.yaml"
    taught.parent.mkdir(parents=True)
    taught.write_text("intent: qualities\nexamples:\n- nerves of steel\n", encoding="utf-8")
    assert checked_key(content, intents, learned) != before
    build_checked_service(settings, charts=False)
    assert seen == [learned, learned]  # checked again, with the taught example
