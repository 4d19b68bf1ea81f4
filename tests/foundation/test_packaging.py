"""What the wheel ships: every package of ``bot/`` and every content and intents file, and where
an installed bot looks for them. (``.ci/run`` installs the wheel in a fresh environment and
runs ``parse`` and ``chat`` from outside the checkout; here the rules behind it.)"""

from __future__ import annotations

import tomllib
from pathlib import Path

from bot.config import PROJECT_ROOT, default_database, in_checkout, shipped

SETUPTOOLS = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_package_of_bot_is_listed() -> None:
    found = {".".join(p.parent.relative_to(PROJECT_ROOT).parts)
             for p in (PROJECT_ROOT / "bot").rglob("__init__.py")}
    listed = set(SETUPTOOLS["packages"])
    assert found <= listed, f"add to pyproject.toml [tool.setuptools] packages: {found - listed}"


def test_every_content_and_intents_file_is_shipped() -> None:
    for package, folder in SETUPTOOLS["package-dir"].items():
        patterns = SETUPTOOLS["package-data"][package]
        root = PROJECT_ROOT / folder
        files = {p for p in root.rglob("*") if p.is_file()}
        matched = {p for pattern in patterns for p in root.glob(pattern)}
        assert files and files == matched, f"{folder}: not shipped: {sorted(files - matched)}"
        assert package == f"bot.shipped.{folder}"


def test_a_checkout_uses_its_own_folders() -> None:
    assert in_checkout() and shipped("content") == PROJECT_ROOT / "content"
    assert default_database({"XDG_DATA_HOME": "/elsewhere"}) == Path("data/bot.sqlite3")


def test_an_installed_bot_uses_the_shipped_copy_and_a_user_data_folder(tmp_path: Path) -> None:
    site = tmp_path / "site-packages"  # a wheel install: no pyproject.toml, no content/
    (site / "bot").mkdir(parents=True)
    assert not in_checkout(site)
    assert shipped("intents", site).parts[-3:] == ("bot", "shipped", "intents")
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}  # as load_settings reads it (.env too)
    assert default_database(env, site) == tmp_path / "data" / "helpdesk-bot" / "bot.sqlite3"
