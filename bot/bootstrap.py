"""Builds the answer service from settings: content catalogue, then the engine over it."""

from __future__ import annotations

from pathlib import Path

from bot.answer import AnswerService
from bot.config import Settings
from bot.content.catalog import load_catalog
from bot.nlu.engine import build_engine
from bot.problems import ContentError


def build_service(settings: Settings, *, charts: bool = True) -> AnswerService:
    """Load ``content/`` and ``intents/``; raises ``ContentError`` listing every problem.

    ``charts``: whether the front end can draw charts (Telegram can, the terminal cannot).
    """
    catalog = load_catalog(settings.content_dir)
    engine = build_engine(settings.intents_dir, catalog, settings.model_cache_dir,
                          settings.learned_dir)
    return AnswerService(catalog, engine, charts=charts)


def build_checked_service(settings: Settings, *, charts: bool = True) -> AnswerService:
    """The service, once the content and intents pass every rule ``/reload`` applies
    (:func:`bot.reload.prepare`: the ``check`` rules, errors only); raises ``ContentError``
    with every error, so a broken template stops the start instead of a later answer.

    The checks take seconds, so passing them is remembered in ``MODEL_CACHE_DIR`` under a key
    of the content and intents files and the code (as the trained engine is): an unchanged
    start only loads. ``MODEL_CACHE_DIR=off``: checked at every start.
    """
    from bot.nlu.saved import load_or_build
    from bot.reload import Prepared, prepare

    checked: list[Prepared] = []

    def check() -> str:
        prepared = prepare(settings.content_dir, settings.intents_dir,
                           settings.model_cache_dir, settings.learned_dir)
        if prepared.errors:
            raise ContentError(prepared.errors)
        checked.append(prepared)
        return "passed"

    try:
        key = checked_key(settings.content_dir, settings.intents_dir, settings.learned_dir)
    except OSError:  # a file that cannot be read: the check names it
        key = None
    if key is None or settings.model_cache_dir is None:
        check()
    else:
        load_or_build(settings.model_cache_dir, "checked", key, check, str)
    if checked:  # checked just now: the catalogue and engine are built already
        catalog, engine = checked[0].catalog, checked[0].engine
        assert catalog is not None and engine is not None
        return AnswerService(catalog, engine, charts=charts)
    return build_service(settings, charts=charts)


def checked_key(content_dir: Path, intents_dir: Path, learned_dir: Path | None = None) -> str:
    """What a passed check depends on: every file of both folders, the taught examples of a
    separate learned folder, and the code."""
    from bot.nlu.data import learned_files
    from bot.nlu.saved import Key

    key = Key("checked")
    for folder in (content_dir, intents_dir):
        key.add(str(folder.name)).add_files(
            sorted(p for p in folder.rglob("*") if p.is_file()), folder)
    learned = learned_files(intents_dir, learned_dir)
    if learned_dir is not None:
        key.add(f"learned {len(learned)}").add_files(learned, learned_dir)
    return key.hexdigest()
