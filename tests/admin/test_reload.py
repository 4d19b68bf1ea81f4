"""/reload with broken copies of content/ and intents/ while questions keep arriving."""

from __future__ import annotations

import asyncio
import re
import shutil
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from pathlib import Path

import pytest

from bot.answer import AnswerService, ChatState
from bot.config import PROJECT_ROOT, Settings
from bot.reload import Prepared, Reloader, prepare
from bot.storage import Store
from bot.telegram import admin
from tests.admin.conftest import ADMIN_ID, Harness, admin_user, make_harness
from tests.fakes.telegram_server import text_message, user

QUESTION = "what does a helpdesk specialist earn?"
ROLE_FILE = "content/roles/helpdesk-specialist/en.yaml"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def bad_yaml(root: Path) -> None:
    _edit(root / ROLE_FILE, "aliases:\n", "aliases: [unclosed\n")


def missing_language(root: Path) -> None:
    (root / "content/roles/it-project-manager/lv.yaml").unlink()


def template_error(root: Path) -> None:
    _edit(root / "content/templates/salary.html.j2", "\n", "\n{% if %}\n")


def undefined_variable(root: Path) -> None:
    path = root / "content/templates/topic.html.j2"
    path.write_text(path.read_text(encoding="utf-8") + "\n{{ no_such_variable }}\n",
                    encoding="utf-8")


def bad_html(root: Path) -> None:
    path = root / "content/templates/topic.html.j2"
    path.write_text(path.read_text(encoding="utf-8") + "\n<blink>new!</blink>\n",
                    encoding="utf-8")


def alias_collision(root: Path) -> None:
    _edit(root / ROLE_FILE, "aliases:\n", "aliases:\n  - IT project manager\n")


def bad_intents_yaml(root: Path) -> None:
    _edit(root / "intents/en/salary.yaml", "examples:", "examples: [oops")


BROKEN: dict[str, tuple[Callable[[Path], None], str]] = {
    "bad YAML": (bad_yaml, rf"{re.escape(ROLE_FILE)}:[1-9]\d*: "),
    "missing language": (missing_language,
                         r"content/roles/it-project-manager/lv\.yaml:0: missing language"),
    "template error": (template_error,
                       r"content/templates/salary\.html\.j2:[1-9]\d*: template syntax error"),
    "undefined variable": (undefined_variable,
                           r"content/templates/topic\.html\.j2:[1-9]\d*: undefined variable"),
    "bad HTML": (bad_html, r"content/\S+:[1-9]\d*: [^\n]*invalid Telegram HTML"),
    "alias collision": (alias_collision,
                        rf"{re.escape(ROLE_FILE)}:[1-9]\d*: alias 'IT project manager' of "
                        "helpdesk-specialist collides with it-project-manager"),
    "bad intents YAML": (bad_intents_yaml, r"intents/en/salary\.yaml:[1-9]\d*: YAML error"),
}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One copy of the shipped content and intents; each test copies it again."""
    root = tmp_path_factory.mktemp("pristine")
    shutil.copytree(PROJECT_ROOT / "content", root / "content")
    shutil.copytree(PROJECT_ROOT / "intents", root / "intents")
    return root


@pytest.fixture
def copy(pristine: Path, tmp_path: Path) -> Path:
    root = tmp_path / "copy"
    shutil.copytree(pristine, root)
    return root


class Gate:
    """Holds a reload after its new content is built and checked, before the swap."""

    def __init__(self) -> None:
        self.built = threading.Event()
        self.release = threading.Event()

    def __call__(self, content_dir: Path, intents_dir: Path) -> Prepared:
        prepared = prepare(content_dir, intents_dir)
        self.built.set()
        self.release.wait(60)
        return prepared

    async def wait_built(self) -> None:
        assert await asyncio.to_thread(self.built.wait, 60), "the reload never got built"


@pytest.fixture
async def copied_harness(admin_settings: Settings, own_service: AnswerService, store: Store,
                         copy: Path) -> AsyncIterator[Harness]:
    settings = replace(admin_settings, content_dir=copy / "content",
                       intents_dir=copy / "intents")
    h = await make_harness(settings, own_service, store)
    reloader: Reloader = h.app.bot_data["reloader"]
    assert reloader.content_dir == copy / "content"
    try:
        yield h
    finally:
        await admin.drain(h.app)
        await h.app.shutdown()


async def _reload_while_asking(h: Harness, gate: Gate, chats: range) -> list[str]:
    """Send /reload, ask from each chat while it runs, then let it finish; admin's texts."""
    reloader: Reloader = h.app.bot_data["reloader"]
    reloader.preparer = gate
    await h.send({"message": {**text_message("/reload", chat_id=ADMIN_ID,
                                             from_user=admin_user())["message"]}})
    await gate.wait_built()
    assert reloader.busy
    for chat_id in chats:
        await h.send(text_message(QUESTION, chat_id=chat_id, from_user=user(chat_id)))
    gate.release.set()
    await admin.drain(h.app)
    return h.texts(ADMIN_ID)


@pytest.mark.parametrize("kind", list(BROKEN))
async def test_broken_content_is_refused_and_the_old_content_keeps_serving(
        copied_harness: Harness, copy: Path, kind: str) -> None:
    h = copied_harness
    old_catalog = h.service.catalog
    expected_answer = h.service.answer(QUESTION, ChatState()).messages
    breaker, problem = BROKEN[kind]
    breaker(copy)
    admin_texts = await _reload_while_asking(h, Gate(), range(2001, 2004))
    for chat_id in range(2001, 2004):  # every question answered, with the old content
        assert h.texts(chat_id) == expected_answer
    assert h.service.catalog is old_catalog
    assert len(admin_texts) == 1
    assert admin_texts[0].startswith("Reload refused because of"), admin_texts
    assert re.search(problem, admin_texts[0]), admin_texts[0]
    await h.send(text_message(QUESTION, chat_id=2009, from_user=user(2009)))
    assert h.texts(2009) == expected_answer  # and after the refusal too


async def test_good_reload_swaps_in_edited_aliases_and_text(copied_harness: Harness,
                                                            copy: Path) -> None:
    h = copied_harness
    _edit(copy / ROLE_FILE, "aliases:\n", "aliases:\n  - zebracorn\n")
    _edit(copy / "intents/en/thanks.yaml", "examples:\n",
          "examples:\n- thanks a lot, zebra\n- Thanks a lot zebra\n")  # only a warning
    _edit(copy / ROLE_FILE, "A helpdesk specialist, or technical support specialist,",
          "A helpdesk specialist, also called a zebracorn in this test,")
    await h.send(text_message("tell me about the zebracorn", chat_id=2100,
                              from_user=user(2100)))
    assert "zebracorn in this test" not in h.texts(2100)[0]
    admin_texts = await _reload_while_asking(h, Gate(), range(2101, 2103))
    for chat_id in (2101, 2102):  # asked while reloading: the old text, answered
        assert len(h.texts(chat_id)) == 1 and "zebracorn" not in h.texts(chat_id)[0]
    assert admin_texts[0].startswith("Content reloaded in"), admin_texts
    assert re.search(r"5 roles, 5 languages, 20 intents, \d+ examples, [1-9]\d* warnings",
                     admin_texts[0]), admin_texts[0]
    assert re.search(r"First warnings:\n<code>intents/en/thanks\.yaml:\d+: 'Thanks a lot zebra' "
                     "duplicates", admin_texts[0]), admin_texts[0]
    await h.send(text_message("tell me about the zebracorn", chat_id=2110,
                              from_user=user(2110)))
    answer = h.texts(2110)[0]
    assert "zebracorn in this test" in answer  # the edited alias and the edited text, live


async def test_reloads_are_serialised_and_a_crashing_loader_keeps_the_content(
        own_service: AnswerService, tmp_path: Path) -> None:
    calls: list[int] = []

    def boom(content_dir: Path, intents_dir: Path) -> Prepared:
        calls.append(1)
        return prepare(tmp_path / "nowhere", tmp_path / "nowhere")

    reloader = Reloader(own_service, tmp_path, tmp_path, preparer=boom)
    before = own_service.catalog
    results = await asyncio.gather(reloader.reload("a"), reloader.reload("b"))
    assert [r.ok for r in results] == [False, False] and len(calls) == 2
    assert "content directory not found" in str(results[0].errors[0])
    assert own_service.catalog is before


def test_unchanged_content_is_not_checked_again_but_any_change_is(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An edit of intents/ alone skips the content check the same files passed before (it
    is most of a reload's checking time); an edited content file is checked again, and a
    broken one is still refused."""
    import bot.content.check as content_check
    import bot.reload as reload_module

    for folder in ("content", "intents"):
        shutil.copytree(PROJECT_ROOT / folder, tmp_path / folder)
    content, intents, cache = tmp_path / "content", tmp_path / "intents", tmp_path / "models"
    monkeypatch.setattr(reload_module, "_clean_content", None)
    calls: list[str] = []
    real = content_check.check_catalog

    def counted(catalog: object) -> object:
        calls.append("check")
        return real(catalog)  # type: ignore[arg-type]

    monkeypatch.setattr(content_check, "check_catalog", counted)
    assert not prepare(content, intents, cache).errors
    assert len(calls) == 1
    _edit(intents / "en" / "salary.yaml", "examples:\n", "examples:\n- how fat is the pay packet\n")
    edited = prepare(content, intents, cache)
    assert not edited.errors and edited.engine is not None
    assert len(calls) == 1  # the same content files: not checked again
    _edit(tmp_path / ROLE_FILE, "aliases:\n", "# edited\naliases:\n")
    assert not prepare(content, intents, cache).errors
    assert len(calls) == 2  # a content file changed: checked again
    undefined_variable(tmp_path)
    broken = prepare(content, intents, cache)
    assert broken.errors and len(calls) == 3, broken.errors
