"""Understanding benchmark: accuracy on tests/nlu/*.jsonl, parse speed, build time, memory.

Parse speed: the own set cold (a fresh engine) and warm, the independent set cold, and 50
messages of 4,096 characters (issue 11: >= 2,000 msg/s on one core, no message over 5 ms).

Run: .venv/bin/python bench/nlu_bench.py [--repeat N] [--json PATH]
Timings are per process on one core; the machine may be shared, so CPU time is shown beside
wall time and ratios within one run are what to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psutil  # noqa: E402

from bot.content.catalog import load_catalog  # noqa: E402
from bot.nlu.engine import build_engine, clear_build_cache  # noqa: E402
from bot.nlu.evaluate import evaluate, format_report, load_items  # noqa: E402
from bot.nlu.langid import preload  # noqa: E402
from bot.nlu.result import LangHints  # noqa: E402


def rss_mb() -> float:
    return float(psutil.Process(os.getpid()).memory_info().rss) / 2**20


def speed(engine: Any, messages: list[tuple[str, LangHints]], repeat: int) -> dict[str, float]:
    """Throughput (wall and CPU) and per-call latency percentiles of ``engine.parse``: wall
    time, and the thread's CPU time (what other processes on a shared machine do not inflate).
    """
    latencies: list[float] = []
    cpu_latencies: list[float] = []
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(repeat):
        for text, hints in messages:
            started, started_cpu = time.perf_counter(), time.thread_time()
            engine.parse(text, hints)
            cpu_latencies.append(time.thread_time() - started_cpu)
            latencies.append(time.perf_counter() - started)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    latencies.sort()
    cpu_latencies.sort()
    n = len(latencies)
    return {
        "messages": n,
        "per_second_wall": n / wall,
        "per_second_cpu": n / cpu,
        "p50_ms": latencies[n // 2] * 1000,
        "p99_ms": latencies[min(n - 1, int(n * 0.99))] * 1000,
        "max_ms": latencies[-1] * 1000,
        "p99_cpu_ms": cpu_latencies[min(n - 1, int(n * 0.99))] * 1000,
        "max_cpu_ms": cpu_latencies[-1] * 1000,
    }


LONG_CHARS = 4096  # Telegram's longest message


def long_messages(texts: list[str], count: int = 50) -> list[str]:
    """``count`` messages of LONG_CHARS characters: labelled questions of every language run
    together in a fixed random order (many roles, details and sentences: the slow case)."""
    rng = random.Random(4096)
    out = []
    for _ in range(count):
        parts: list[str] = []
        while sum(len(p) + 1 for p in parts) <= LONG_CHARS:
            parts.append(rng.choice(texts))
        out.append(" ".join(parts)[:LONG_CHARS])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=8, help="passes over the set for speed")
    parser.add_argument("--json", type=Path, help="write all figures here")
    args = parser.parse_args()

    figures: dict[str, Any] = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cpu, "
        f"Python {platform.python_version()}",
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }
    rss_start = rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    catalog = load_catalog(ROOT / "content")
    preload()
    engine = build_engine(ROOT / "intents", catalog)
    figures["first_build_s"] = {
        "wall": time.perf_counter() - wall,
        "cpu": time.process_time() - cpu,
    }

    for name, clear in (("rebuild_s", True), ("rebuild_unchanged_s", False)):
        rebuilds = []
        for _ in range(5):
            if clear:
                clear_build_cache()
            wall, cpu = time.perf_counter(), time.process_time()
            engine = build_engine(ROOT / "intents", catalog)
            rebuilds.append((time.perf_counter() - wall, time.process_time() - cpu))
        figures[name] = {
            "wall": statistics.median(r[0] for r in rebuilds),
            "cpu": statistics.median(r[1] for r in rebuilds),
        }
    figures["rss_mb"] = {"start": rss_start, "loaded": rss_mb()}

    items = load_items(sorted((ROOT / "tests" / "nlu").glob("*.jsonl")))
    clear_build_cache()
    fresh = build_engine(ROOT / "intents", catalog)  # cold caches for the accuracy pass
    report = evaluate(fresh, items)
    del fresh
    figures["accuracy"] = {k: v for k, v in report.items() if k not in ("errors",)}

    messages = [(i.text, LangHints(telegram=i.hint_lang)) for i in items]
    independent = load_items(sorted((ROOT / "tests" / "nlu" / "independent").glob("*.jsonl")))
    # Pass 1 on a fresh engine is cold (no fuzzy-match cache); later passes see the same words
    # again, as a running bot does. The independent set and the long messages each get a fresh
    # engine too.
    clear_build_cache()
    engine = build_engine(ROOT / "intents", catalog)
    figures["parse"] = {
        "cold": speed(engine, messages, 1),
        "warm": speed(engine, messages, args.repeat),
    }
    clear_build_cache()
    engine = build_engine(ROOT / "intents", catalog)
    figures["parse"]["indep"] = speed(
        engine, [(i.text, LangHints(telegram=i.hint_lang)) for i in independent], 1)
    clear_build_cache()
    engine = build_engine(ROOT / "intents", catalog)
    figures["parse"]["long"] = speed(
        engine, [(t, LangHints()) for t in long_messages([i.text for i in items + independent])],
        1)
    figures["rss_mb"]["after_parse"] = rss_mb()

    print(format_report(report, show_errors=0))
    print()
    print("speed and size                       value")
    print(
        f"build (first, incl. langid)  {figures['first_build_s']['wall']:8.2f} s wall "
        f"{figures['first_build_s']['cpu']:6.2f} s cpu"
    )
    print(
        f"rebuild from scratch         {figures['rebuild_s']['wall']:8.2f} s wall "
        f"{figures['rebuild_s']['cpu']:6.2f} s cpu"
    )
    print(
        f"rebuild, intents unchanged   {figures['rebuild_unchanged_s']['wall']:8.2f} s wall "
        f"{figures['rebuild_unchanged_s']['cpu']:6.2f} s cpu"
    )
    for name, p in figures["parse"].items():
        print(
            f"parse {name:<5} throughput     {p['per_second_wall']:8.0f} msg/s wall "
            f"{p['per_second_cpu']:6.0f} msg/s cpu ({p['messages']:.0f} messages)"
        )
        print(f"parse {name:<5} p50 / p99 / max  {p['p50_ms']:8.3f} / {p['p99_ms']:.3f} / "
              f"{p['max_ms']:.3f} ms wall, p99 / max {p['p99_cpu_ms']:.3f} / "
              f"{p['max_cpu_ms']:.3f} ms cpu")
    print(
        f"RSS start / loaded / after   {figures['rss_mb']['start']:6.0f} / "
        f"{figures['rss_mb']['loaded']:.0f} / {figures['rss_mb']['after_parse']:.0f} MB"
    )
    print(f"machine                      {figures['machine']}, {figures['date']}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
