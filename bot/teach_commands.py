"""``helpdesk-bot unanswered`` and ``helpdesk-bot teach ID INTENT [--role ROLE]``.

The same decisions as the teach buttons of ``/unanswered`` (see :mod:`bot.teach`), for admins who
prefer the server. Bad input (an id, intent or role that does not exist) is one line on stderr
and exit status 2; a teach that is refused or kept aside exits 1. A bot that is running picks a
taught example up on its next reload (``/reload``, ``SIGHUP``, ``CONTENT_AUTORELOAD=1``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from bot.constants import INTENTS, ROLE_IDS, TOPIC_INTENTS
from bot.numbers import whole_number
from bot.storage.schema import StorageError

MAX_ID = 10 ** 9 - 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``unanswered`` and ``teach`` to the ``helpdesk-bot`` parser."""
    unanswered = sub.add_parser(
        "unanswered", help="list the stored questions the bot could not answer well, with ids",
        description="List the latest stored questions the bot could not answer, or answered "
                    "with low confidence, with the id that 'helpdesk-bot teach' takes. "
                    "Questions already taught or ignored are left out.")
    unanswered.add_argument("-n", type=int, default=20, help="how many (default 20)")
    unanswered.add_argument("--json", action="store_true", help="print JSON lines")
    unanswered.set_defaults(func=cmd_unanswered)
    teach = sub.add_parser(
        "teach", help="make a stored question an example of an intent (as /unanswered's buttons)",
        description="Make stored question ID (see 'helpdesk-bot unanswered') an example of "
                    "INTENT in its language, in <lang>/<intent>.learned.yaml of the learned "
                    "folder. The change must pass every 'check' rule and keep every accuracy "
                    "floor of tests/nlu, else it is refused (exit 1). Intents: "
                    + ", ".join(INTENTS) + ".")
    teach.add_argument("id", help="the question's id")
    teach.add_argument("intent", help="the intent it asks about (out_of_scope: a job we do not "
                                      "cover)")
    teach.add_argument("--role", help="the role it asks about (topic intents only): "
                                      + ", ".join(ROLE_IDS))
    teach.set_defaults(func=cmd_teach)


def _bad(command: str, message: str) -> int:
    print(f"helpdesk-bot {command}: {message}", file=sys.stderr)
    return 2


def cmd_unanswered(args: argparse.Namespace) -> int:
    from bot.config import load_settings

    if not 1 <= args.n <= 1000:
        return _bad("unanswered", f"-n must be a whole number from 1 to 1000, not {args.n}")
    settings = load_settings()
    if not settings.database_path.is_file():
        print(f"helpdesk-bot unanswered: no database at {settings.database_path}",
              file=sys.stderr)
        return 1
    try:
        items = asyncio.run(_unanswered(settings.database_path, args.n))
    except (StorageError, OSError) as exc:
        print(f"helpdesk-bot unanswered: {exc}", file=sys.stderr)
        return 1
    for item in items:
        if args.json:
            print(json.dumps({"id": item.id, "text": item.text, "count": item.count,
                              "lang": item.lang, "intent": item.intent,
                              "last_seen": item.last_seen.isoformat(),
                              "low_confidence": item.answered and not item.disliked,
                              "disliked": item.disliked, "role": item.role},
                             ensure_ascii=False))
        else:
            mark = "👎" if item.disliked else "  "
            print(f"{item.id:>6}  {item.count:>3}×  {item.lang or '?':<2}  "
                  f"{item.intent or '?':<14}  {item.last_seen:%Y-%m-%d %H:%M}  {mark} "
                  f"{item.text}")
    if not items and not args.json:
        print("No unanswered questions are stored at the moment.", file=sys.stderr)
    return 0


async def _unanswered(path: Path, n: int) -> list[Any]:
    from bot.storage import Store

    store = await Store.open(path, purge_interval=None)
    try:
        return await store.unanswered(n)
    finally:
        await store.close()


def cmd_teach(args: argparse.Namespace) -> int:
    row_id = whole_number(args.id, 1, MAX_ID)
    if row_id is None:
        return _bad("teach", f"{args.id!r} is not a question id (see helpdesk-bot unanswered)")
    if args.intent not in INTENTS:
        return _bad("teach", f"unknown intent {args.intent!r}; one of {', '.join(INTENTS)}")
    if args.role is not None and args.role not in ROLE_IDS:
        return _bad("teach", f"unknown role {args.role!r}; one of {', '.join(ROLE_IDS)}")
    if args.role is not None and args.intent not in TOPIC_INTENTS:
        return _bad("teach", f"--role goes only with a topic intent, not {args.intent!r}")
    from bot.config import load_settings

    settings = load_settings()
    if not settings.database_path.is_file():
        return _bad("teach", f"no database at {settings.database_path}")
    return asyncio.run(_teach(settings, row_id, args.intent, args.role))


async def _teach(settings: Any, row_id: int, intent: str, role: str | None) -> int:
    from bot.bootstrap import build_service
    from bot.reload import Reloader
    from bot.storage import Store
    from bot.teach import Teacher

    store = await Store.open(settings.database_path, retention_days=settings.retention_days,
                             purge_interval=None)
    try:
        if await store.unanswered_item(row_id) is None:
            return _bad("teach", f"no stored question has id {row_id} "
                                 "(see helpdesk-bot unanswered)")
        service = await asyncio.to_thread(build_service, settings)
        reloader = Reloader(service, settings.content_dir, settings.intents_dir,
                            cache_dir=settings.model_cache_dir, learned_dir=settings.learned_dir)
        outcome = await Teacher(store, reloader).teach(row_id, intent, role)
    finally:
        await store.close()

    def t(key: str, **values: object) -> str:
        return service.catalog.ui("en", f"admin.teach.{key}", **values).replace("**", "")

    conf = f"{outcome.confidence:.2f}" if outcome.confidence is not None else "?"
    answered = f"{outcome.answered_intent}" + (f" ({outcome.answered_role})"
                                                if outcome.answered_role else "")
    values = {"text": outcome.text, "target": outcome.target, "answered": answered,
              "confidence": conf}
    floors = outcome.floors
    if outcome.kind == "learned":
        same = outcome.answered_intent == outcome.intent
        print(t("learned" if same else "learned_other", **values))
        print(t("saved", file=outcome.file))
        if floors is not None and floors.skipped:
            print(t("skipped"))
        elif floors is not None and floors.broken:
            print(t("changes", count=len(floors.broken)))
            print("\n".join(f"  {b}" for b in floors.broken))
        print("A running bot answers with it after its next reload (/reload, SIGHUP, or "
              "CONTENT_AUTORELOAD=1).")
        return 0
    if outcome.kind == "held" and floors is not None:
        print(t("held", **values), file=sys.stderr)
        print("\n".join(f"  {m}" for m in floors.misses), file=sys.stderr)
        if floors.broken:
            print(t("breaks", count=len(floors.broken)), file=sys.stderr)
            print("\n".join(f"  {b}" for b in floors.broken), file=sys.stderr)
        return 1
    if outcome.kind in ("refused", "failed"):
        print(t(outcome.kind, **values), file=sys.stderr)
        print("\n".join(f"  {p}" for p in outcome.problems), file=sys.stderr)
        return 1
    if outcome.kind == "decided":
        print(t("decided", **values).replace("/learned", "the bot's /learned"),
              file=sys.stderr)
        return 1
    print(t(outcome.kind, **values), file=sys.stderr)
    return 2 if outcome.kind == "invalid" else 1


__all__ = ["register"]
