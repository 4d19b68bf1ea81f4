"""matplotlib is loaded by the first chart drawn, not by the bot that only offers chart buttons."""

from __future__ import annotations

import json
import subprocess
import sys

from bot.config import PROJECT_ROOT

PROBE = """
import json, sys
from bot.telegram.runner import run_bot  # everything `helpdesk-bot run` imports
from bot.charts import has_chart, render_chart
from bot.content.catalog import load_catalog
catalog = load_catalog({content!r})
offered = [(r, k) for r in catalog.role_ids for k in ("pay", "career") if has_chart(catalog, r, k)]
before = "matplotlib" in sys.modules
chart = render_chart(catalog, *offered[0], "en")
print(json.dumps([len(offered), before, "matplotlib" in sys.modules, chart.png[:4].hex()]))
"""


def test_offering_charts_does_not_import_matplotlib_but_drawing_one_does() -> None:
    done = subprocess.run([sys.executable, "-c", PROBE.format(content=str(PROJECT_ROOT /
                                                                          "content"))],
                          capture_output=True, text=True, timeout=300, cwd=PROJECT_ROOT)
    assert done.returncode == 0, done.stderr
    offered, before, after, png = json.loads(done.stdout.splitlines()[-1])
    assert offered > 0
    assert before is False
    assert after is True and png == "89504e47"
