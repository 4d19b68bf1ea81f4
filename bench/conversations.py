"""Dialogue benchmark: the independently written conversations, judged turn by turn.

Run: .venv/bin/python bench/conversations.py [--failures dev|all|none] [--json PATH]
Each conversation goes through the terminal chat's code path (bot.chat.TerminalChat); a turn
is right when the reply is the kind of answer expected, about the expected role and topic, in
the conversation's language, with every expected fact in its first 350 characters. Prints a
table per language, per expected answer and per half (dev/held); failures of the dev half only
unless asked (the held half keeps measuring what nobody tuned for).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.answer.evaluate import (  # noqa: E402
    ANSWER_WITHIN,
    DETAIL_FIRST_MESSAGE,
    load_conversations,
    run,
    summary,
)
from bot.bootstrap import build_service  # noqa: E402
from bot.config import load_settings  # noqa: E402

DEFAULT = sorted((ROOT / "tests" / "conversations" / "independent").glob("*.jsonl"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--failures", choices=("dev", "all", "none"), default="dev")
    parser.add_argument("--json", type=Path, help="write every verdict here")
    args = parser.parse_args()
    service = build_service(load_settings(), charts=False)
    verdicts = run(service, load_conversations(args.files))
    result = summary(verdicts)
    print(f"turns {result['turns']}, right {result['right']} ({result['rate']:.1%}); "
          f"answer expected within the first {ANSWER_WITHIN} characters")
    for key, title in (("lang", "language"), ("answer", "expected answer"), ("split", "half")):
        print(f"\n{title:<16} turns  right")
        for name, row in result["per"][key].items():
            print(f"{name:<16} {row['turns']:>5}  {row['rate']:6.1%}")
    print(f"\nshort answers: longest first message {result['detail_first_message_max']} "
          f"characters, {result['detail_first_message_over']} over {DETAIL_FIRST_MESSAGE}")
    if args.failures != "none":
        print("\nfailures" + (" (dev half)" if args.failures == "dev" else ""))
        for v in verdicts:
            if not v.ok and (args.failures == "all" or v.split == "dev"):
                print(f"  {v.conversation}#{v.turn} {v.user!r}: {'; '.join(v.reasons)}")
                print(f"      got {v.kind} {v.role} {v.topic} {v.lang}: {v.reply_start[:120]!r}")
    if args.json:
        args.json.write_text(json.dumps([vars(v) for v in verdicts], ensure_ascii=False,
                                        indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
