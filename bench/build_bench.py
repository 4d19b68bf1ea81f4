"""Engine build and load times (issue 14: a reload < 1 s, a saved engine loaded < 0.3 s).

    .venv/bin/python bench/build_bench.py                        # this checkout, 3 runs
    .venv/bin/python bench/build_bench.py --root ../old --pairs 3  # old and new in turn
    .venv/bin/python bench/build_bench.py --only first --root ../old  # the first reload only

Each run is a fresh process on a copy of ``intents/``: the first build (from scratch, the
language model derived too), two rebuilds after editing one intents file (an example added to
``en/salary.yaml``, as an admin's ``/reload`` after an edit), where the code has it two more
with ``build_engine_staged`` (timed until the engine with the previous calibration answers, and
until the calibrated one is made and saved), a rebuild with nothing changed, a
load of the saved engine in the same process, and a build from scratch once the libraries are
imported (``clear_build_cache``); then two fresh processes load the saved engine (the second is
timed: imports done, ``build_engine`` and a first parse); then a fresh process on a copy of
``content/`` and ``intents/`` times three ``Reloader.reload`` calls after an edit, checks
included, until the new example is answered and until the calibrated engine is live and saved
(the same moment for code that calibrates before the swap); then the first reload after a
start from the saved engine: one process starts as the bot does when the engine must be made
(checks, then training, saving the engine), the next loads that engine and times its first
``Reloader.reload`` after an edit, as above. Wall and CPU seconds (CPU of the
whole process, background threads included); with ``--root``
the checkouts alternate (A/B/A/B) so that they share the machine's load, and the medians and
new/old ratios are printed. The timed code is each checkout's own (it runs with ``cwd`` and
``PYTHONPATH`` there); only public functions are used, so older checkouts work too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import inspect, json, shutil, sys, tempfile, time
from pathlib import Path
root, cache, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
from bot.content.catalog import load_catalog
from bot.nlu import engine as E
catalog = load_catalog(root / "content")
out = {}
def timed(label, build):
    wall, cpu = time.perf_counter(), time.process_time()
    engine = build()
    engine.parse("hello")
    out.setdefault(label, []).append((time.perf_counter() - wall, time.process_time() - cpu))
if mode == "load":
    timed("load_fresh", lambda: E.build_engine(root / "intents", catalog, cache))
elif mode == "first_start":  # a start that checks and trains, saving the engine in work
    from bot.reload import prepare
    work = cache
    for folder in ("content", "intents"):
        shutil.copytree(root / folder, work / folder)
    assert not prepare(work / "content", work / "intents", work / "models").errors
elif mode == "first_reload":  # the next start loads that engine; its first /reload
    import asyncio
    from bot.answer import AnswerService
    from bot.reload import Reloader
    work = cache
    catalog = load_catalog(work / "content")
    service = AnswerService(catalog, E.build_engine(work / "intents", catalog, work / "models"))
    reloader = Reloader(service, work / "content", work / "intents", cache_dir=work / "models",
                        calibrate_after_swap=True)
    path = work / "intents" / "en" / "salary.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "examples:\n", "examples:\n- what is the pay of the first reload\n", 1), encoding="utf-8")

    async def first():
        wall, cpu = time.perf_counter(), time.process_time()
        assert (await reloader.reload("bench")).ok
        service.engine.parse("what is the pay of the first reload")
        out["first_served"] = [(time.perf_counter() - wall, time.process_time() - cpu)]
        await reloader.calibrated()
        out["first_calibrated"] = [(time.perf_counter() - wall, time.process_time() - cpu)]
    asyncio.run(first())
    shutil.rmtree(work)
elif mode == "reload":  # the admin's /reload after an edit, checks included
    import asyncio
    from bot.answer import AnswerService
    from bot.reload import Reloader
    work = Path(tempfile.mkdtemp(prefix="build-bench-"))
    for folder in ("content", "intents"):
        shutil.copytree(root / folder, work / folder)
    service = AnswerService(catalog, E.build_engine(work / "intents", catalog, work / "models"))
    # Older code has no calibrate_after_swap: its reload ends calibrated.
    later = {"calibrate_after_swap": True} if "calibrate_after_swap" in inspect.signature(
        Reloader).parameters else {}
    reloader = Reloader(service, work / "content", work / "intents",
                        cache_dir=work / "models", **later)
    path = work / "intents" / "en" / "salary.yaml"
    text = path.read_text(encoding="utf-8")

    async def reloads():
        for i in range(3):
            path.write_text(text.replace("examples:\n",
                                         f"examples:\n- what is the pay of reload {i}\n", 1),
                            encoding="utf-8")
            wall, cpu = time.perf_counter(), time.process_time()
            assert (await reloader.reload("bench")).ok
            service.engine.parse("what is the pay of reload")
            out.setdefault("reload_served", []).append(
                (time.perf_counter() - wall, time.process_time() - cpu))
            if hasattr(reloader, "calibrated"):
                await reloader.calibrated()
            out.setdefault("reload_calibrated", []).append(
                (time.perf_counter() - wall, time.process_time() - cpu))
    asyncio.run(reloads())
    shutil.rmtree(work)
else:
    work = Path(tempfile.mkdtemp(prefix="build-bench-"))
    intents = work / "intents"
    shutil.copytree(root / "intents", intents)
    timed("first", lambda: E.build_engine(intents, catalog, work / "models"))
    path = intents / "en" / "salary.yaml"
    text = path.read_text(encoding="utf-8")
    def edit(i):
        path.write_text(text.replace("examples:\n",
                                     f"examples:\n- what is the pay of edit number {i}\n", 1),
                        encoding="utf-8")
    for i in range(2):
        edit(i)
        timed("edit", lambda: E.build_engine(intents, catalog, work / "models"))
    if hasattr(E, "build_engine_staged"):  # a reload's rebuild: served, then calibrated
        last = E.build_engine(intents, catalog, work / "models")
        for i in range(2, 4):
            edit(i)
            wall, cpu = time.perf_counter(), time.process_time()
            # The replaced engine, as a reload passes it (older code takes the calibration
            # only: asked of the signature, so that a real error is not taken for that).
            extra = {"previous": last} if "previous" in inspect.signature(
                E.build_engine_staged).parameters else {}
            staged = E.build_engine_staged(intents, catalog, work / "models", None,
                                           last.classifier.calibration, **extra)
            staged.engine.parse("hello")
            out.setdefault("edit_served", []).append(
                (time.perf_counter() - wall, time.process_time() - cpu))
            done = staged.calibrate()
            done.parse("hello")
            staged.save(done)
            out.setdefault("edit_calibrated", []).append(
                (time.perf_counter() - wall, time.process_time() - cpu))
    timed("unchanged", lambda: E.build_engine(intents, catalog, work / "models"))
    E.clear_build_cache()
    timed("load", lambda: E.build_engine(intents, catalog, work / "models"))
    E.clear_build_cache()
    timed("scratch", lambda: E.build_engine(intents, catalog))
    shutil.rmtree(work)
print(json.dumps(out))
"""
ROWS = (("first", "first build in a process (libraries, language model)"),
        ("scratch", "build from scratch (clear_build_cache)"),
        ("edit", "rebuild after editing one intents file"),
        ("edit_served", "... as a reload: served (previous calibration)"),
        ("edit_calibrated", "... as a reload: calibrated and saved"),
        ("unchanged", "rebuild, nothing changed"),
        ("reload_served", "/reload after an edit (checks too): new examples answered"),
        ("reload_calibrated", "/reload after an edit: calibrated engine live and saved"),
        ("first_served", "first /reload after a start from the saved engine: answered"),
        ("first_calibrated", "... its calibrated engine live and saved"),
        ("load", "load the saved engine, same process"),
        ("load_fresh", "load the saved engine, fresh process"))


def child(root: Path, cache: Path, mode: str) -> dict[str, list[list[float]]]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(root), str(cache), mode],
                          cwd=root, env=env, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise SystemExit(f"{root}: {done.stderr[-2000:]}")
    found: dict[str, list[list[float]]] = json.loads(done.stdout.splitlines()[-1])
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, help="another checkout to compare with (old)")
    parser.add_argument("--pairs", type=int, default=3, help="runs of each checkout")
    parser.add_argument("--only", choices=("first",),
                        help="time only the first reload after a start (a minute a run)")
    args = parser.parse_args()
    roots = [args.root.resolve(), ROOT] if args.root else [ROOT]
    found: dict[Path, dict[str, list[list[float]]]] = {r: {} for r in roots}
    with tempfile.TemporaryDirectory(prefix="build-bench-") as tmp:
        for run in range(args.pairs):
            for i, root in enumerate(roots):
                print(f"run {run + 1}: {root}", file=sys.stderr, flush=True)
                cache = Path(tmp) / f"models-{i}"
                figures = {}
                if args.only is None:
                    figures.update(child(root, cache, "build"))
                    child(root, cache, "load")  # saves the engine when the cache is cold
                    figures.update(child(root, cache, "load"))
                    figures.update(child(root, cache, "reload"))
                first = Path(tmp) / f"first-{i}"  # the same path at both starts: same keys
                child(root, first, "first_start")
                figures.update(child(root, first, "first_reload"))
                for label, values in figures.items():
                    found[root].setdefault(label, []).extend(values)
    header = "| | " + " | ".join(f"{r.name} wall / cpu s" for r in roots)
    print(header + (" | new/old wall, cpu |" if len(roots) == 2 else " |"))
    print("|---" * (len(roots) + 1 + (len(roots) == 2)) + "|")
    for label, name in ROWS:
        if not any(found[root].get(label) for root in roots):
            continue  # not timed (--only, or code without it)
        medians = []
        cells = []
        for root in roots:
            values = found[root].get(label, [])
            wall = statistics.median(v[0] for v in values) if values else float("nan")
            cpu = statistics.median(v[1] for v in values) if values else float("nan")
            medians.append((wall, cpu))
            cells.append(f"{wall:.3f} / {cpu:.3f}")
        ratio = (f" | {medians[1][0] / medians[0][0]:.2f}, {medians[1][1] / medians[0][1]:.2f}"
                 if len(roots) == 2 else "")
        print(f"| {name} | " + " | ".join(cells) + ratio + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
