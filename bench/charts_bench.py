"""Chart timings: a fresh render (build the figure + PNG) and a cached one, per chart.

Targets (issue 8): rendering < 300 ms, a cached chart < 5 ms. Run:
    .venv/bin/python bench/charts_bench.py [--repeat N] [--langs en,nb,fa]
Prints a Markdown table (median and worst of N runs) for BENCHMARKS.md. Wall time is what a user
waits on a shared machine; CPU time (this process) is the cost of the chart itself, without the
waiting for a core that other processes cause. The target is judged on the median wall time.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.charts import KINDS, has_chart, render_chart  # noqa: E402
from bot.charts.cache import ChartCache  # noqa: E402
from bot.content.catalog import LANGS, load_catalog  # noqa: E402

RENDER_TARGET_MS = 300.0
CACHED_TARGET_MS = 5.0


def _ms(seconds: float) -> float:
    return seconds * 1000.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--langs", default=",".join(LANGS))
    args = parser.parse_args()
    langs = [lang for lang in args.langs.split(",") if lang]
    catalog = load_catalog(ROOT / "content")
    charts = [(r, k) for r in catalog.role_ids for k in KINDS if has_chart(catalog, r, k)]

    # Warm-up: the first render in a process loads fonts (reported separately).
    start = time.perf_counter()
    render_chart(catalog, charts[0][0], charts[0][1], "en")
    first = _ms(time.perf_counter() - start)

    print(
        f"Machine: {platform.processor() or platform.machine()}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}"
    )
    print(f"First render in a fresh process (font loading included): {first:.0f} ms\n")
    print(
        "| chart | lang | render median ms | render max ms | render CPU ms | cached median ms "
        "| cached max ms | PNG kB |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    worst_render = worst_cached = 0.0
    for role, kind in charts:
        for lang in langs:
            renders: list[float] = []
            cpu: list[float] = []
            size = 0
            for _ in range(args.repeat):
                t0, c0 = time.perf_counter(), time.process_time()
                chart = render_chart(catalog, role, kind, lang)
                renders.append(_ms(time.perf_counter() - t0))
                cpu.append(_ms(time.process_time() - c0))
                size = len(chart.png)
            cache = ChartCache()
            cache.render(catalog, role, kind, lang)

            async def cached_once(
                cache: ChartCache = cache, role: str = role, kind: str = kind, lang: str = lang
            ) -> float:
                t0 = time.perf_counter()
                await cache.chart(catalog, role, kind, lang)
                return _ms(time.perf_counter() - t0)

            async def cached_all() -> list[float]:
                return [await cached_once() for _ in range(max(args.repeat, 20))]

            cached = asyncio.run(cached_all())
            assert cache.renders == 1
            worst_render = max(worst_render, statistics.median(renders))
            worst_cached = max(worst_cached, max(cached))
            print(
                f"| {kind} {role} | {lang} | {statistics.median(renders):.0f} | "
                f"{max(renders):.0f} | {statistics.median(cpu):.0f} | "
                f"{statistics.median(cached):.3f} | {max(cached):.3f} | "
                f"{size // 1024} |"
            )
    ok = worst_render < RENDER_TARGET_MS and worst_cached < CACHED_TARGET_MS
    print(
        f"\nWorst median render {worst_render:.0f} ms (target < {RENDER_TARGET_MS:.0f}), "
        f"worst cached {worst_cached:.3f} ms (target < {CACHED_TARGET_MS:.0f}): "
        f"{'OK' if ok else 'OVER TARGET'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
