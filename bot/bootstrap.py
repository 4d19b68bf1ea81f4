"""Builds the answer service from settings: content catalogue, then the engine over it."""

from __future__ import annotations

from bot.answer import AnswerService
from bot.config import Settings
from bot.content.catalog import load_catalog
from bot.nlu.engine import build_engine


def build_service(settings: Settings, *, charts: bool = True) -> AnswerService:
    """Load ``content/`` and ``intents/``; raises ``ContentError`` listing every problem.

    ``charts``: whether the front end can draw charts (Telegram can, the terminal cannot).
    """
    catalog = load_catalog(settings.content_dir)
    engine = build_engine(settings.intents_dir, catalog, settings.model_cache_dir,
                          settings.learned_dir)
    return AnswerService(catalog, engine, charts=charts)
