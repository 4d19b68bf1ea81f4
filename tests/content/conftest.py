"""Fixtures for the content tests: the real shipped content, loaded once, and broken copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.catalog import Catalog, load_catalog

ROOT = Path(__file__).resolve().parents[2]
CONTENT = ROOT / "content"
SEEDS = ROOT.parent / "shared" / "seeds"


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The real content of the repository."""
    return load_catalog(CONTENT)


@pytest.fixture
def content_copy(tmp_path: Path) -> Path:
    """A private copy of the real content to break on purpose."""
    dst = tmp_path / "content"
    shutil.copytree(CONTENT, dst)
    return dst
