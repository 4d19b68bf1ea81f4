"""Sub-commands ``parse``, ``classify`` and ``eval`` (registered by bot/cli.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cliargs import count, input_file, output_file, report_content_error, share
from bot.problems import ContentError, describe_os_error


def register(sub: Any) -> None:
    """Add the NLU sub-commands to the ``helpdesk-bot`` argparse sub-parsers."""
    parse = sub.add_parser(
        "parse", help="understand messages from stdin, one JSON object per line on stdout",
        description="Understand messages: one message a line on standard input, each as the "
                    "first of a conversation; one JSON object a line on standard output.",
    )
    parse.add_argument("--lang", help="Telegram language code of the user (a hint only)")
    parse.set_defaults(func=cmd_parse)

    classify = sub.add_parser(
        "classify", help="train the intent classifier on a JSONL file and classify stdin",
        description="The intent engine on its own: train on a JSONL file of "
                    "{\"text\", \"intent\"} lines, then classify standard input.",
    )
    classify.add_argument("--train", required=True, type=input_file,
                          help='lines {"text", "intent"}')
    classify.add_argument(
        "--fallback-rate",
        type=share,
        default=0.05,
        help="share of in-scope queries the out-of-scope threshold may refuse on held-out data "
        "(default 0.05); 0 disables the threshold",
    )
    classify.add_argument(
        "--validation",
        type=input_file,
        help='lines {"text", "intent"} to fit the confidence and the out-of-scope threshold on '
        "(out-of-scope queries as intent out_of_scope) instead of a held-out part of --train; "
        "the model then learns from both files",
    )
    classify.add_argument(
        "--svm-only",
        action="store_true",
        help="skip the logistic regression blended into the SVM: ~40%% faster training, "
        "~0.5 points less accurate on large sets",
    )
    classify.set_defaults(func=cmd_classify)

    ev = sub.add_parser("eval", help="accuracy report on labelled JSONL files (tests/nlu/*.jsonl)",
                        description="Accuracy report on labelled JSONL files: intent, role, "
                                    "reply language, per language, kind and half.")
    ev.add_argument("files", nargs="+", type=input_file)
    ev.add_argument("--json", type=output_file, help="also write the full report as JSON here")
    ev.add_argument("--errors", type=count, default=20, help="how many errors to list")
    ev.add_argument(
        "--show-held",
        action="store_true",
        help="also list errors of the held-out half (read them only to report, never to tune)",
    )
    ev.set_defaults(func=cmd_eval)


def _engine() -> Any:
    """The engine, after the content and intents passed the checks a start runs."""
    from bot.bootstrap import build_checked_service
    from bot.config import offline_settings

    return build_checked_service(offline_settings(), charts=False).engine


def _content_error(exc: ContentError) -> int:
    for problem in exc.problems[:20]:
        print(f"helpdesk-bot: {problem}", file=sys.stderr)
    return 1


def _stdin_lines() -> Any:
    stream = sys.stdin
    if hasattr(stream, "reconfigure"):
        stream.reconfigure(encoding="utf-8", errors="replace")
    for line in stream:
        yield line.rstrip("\r\n")


def _print(obj: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")


def cmd_parse(args: argparse.Namespace) -> int:
    """One JSON line per input line: lang, intent, role, confidence, alternatives."""
    from bot.nlu.result import LangHints

    try:
        engine = _engine()
    except ContentError as exc:
        return report_content_error(exc)
    hints = LangHints(telegram=args.lang)
    interactive = sys.stdin.isatty()
    for text in _stdin_lines():
        _print(engine.parse(text, hints).to_json())
        if interactive:
            sys.stdout.flush()
    sys.stdout.flush()
    return 0


def read_training(path: Path) -> tuple[list[str], list[str]]:
    """``{"text", "intent"}`` lines; a bad line is a ContentError naming file:line."""
    from bot.problems import Problem

    texts: list[str] = []
    labels: list[str] = []
    problems: list[Problem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise ContentError([Problem(str(path), 0, "cannot read: not UTF-8 text")]) from exc
    except OSError as exc:
        raise ContentError([Problem(str(path), 0, f"cannot read: {describe_os_error(exc)}")]
                           ) from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            texts.append(str(obj["text"]))
            labels.append(str(obj["intent"]))
        except (ValueError, KeyError, TypeError, IndexError):  # not JSON, or another shape
            problems.append(Problem(str(path), n, 'expected a JSON object with "text" and '
                                    '"intent", e.g. {"text": "hi", "intent": "greeting"}'))
    if problems:
        raise ContentError(problems)
    if not texts:
        raise ContentError([Problem(str(path), 0, "no training examples")])
    return texts, labels


def cmd_classify(args: argparse.Namespace) -> int:
    """Train on ``--train`` then print intent, top_intent and score for each stdin line."""
    from bot.nlu.classifier import IntentClassifier
    from bot.nlu.validation import train_validated

    try:
        texts, labels = read_training(args.train)
        validation = read_training(args.validation) if args.validation else None
    except ContentError as exc:
        return _content_error(exc)
    if validation is None:
        model = IntentClassifier.train(
            texts, labels, max_false_fallback=args.fallback_rate, blend=not args.svm_only
        )
    else:
        try:
            model = train_validated(texts, labels, *validation,
                                    max_false_fallback=args.fallback_rate,
                                    blend=not args.svm_only)
        except ValueError as exc:  # no validation item of a trained intent
            print(f"helpdesk-bot classify: {args.validation}: {exc}", file=sys.stderr)
            return 1
    interactive = sys.stdin.isatty()
    for text in _stdin_lines():
        d = model.decide(text)
        score = round(d.score, 4)
        _print({"text": text, "intent": d.intent, "top_intent": d.top_intent, "score": score})
        if interactive:
            sys.stdout.flush()
    sys.stdout.flush()
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Accuracy table on stdout; ``--json`` writes every figure and the errors."""
    from bot.nlu.evaluate import evaluate, format_report, load_items

    try:
        items = load_items(args.files)
    except ContentError as exc:
        return _content_error(exc)
    try:
        engine = _engine()
    except ContentError as exc:
        return report_content_error(exc)
    report = evaluate(engine, items)
    print(format_report(report, show_errors=args.errors, show_held=args.show_held))
    if args.json:
        try:
            args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2),
                                 encoding="utf-8")
        except OSError as exc:  # checked before the run; the disk can still say no
            print(f"helpdesk-bot eval: cannot write {args.json}: {describe_os_error(exc)}",
                  file=sys.stderr)
            return 1
    return 0
