"""Child process of the SIGKILL test: writes through the store until killed.

Usage: ``crash_writer.py DB BASE``. Prints ``ready`` after opening, then each update id on its
own line once ``claim_update`` has committed it; the parent checks that each is in the file.
"""

from __future__ import annotations

import asyncio
import sys
from datetime import date

from bot.storage import CountAnswer, FinishUpdate, RecordUnanswered, SetContext, SetUserLang, Store

WORKERS = 4


async def main(path: str, base: int) -> None:
    store = await Store.open(path, purge_interval=None)
    print("ready", flush=True)

    async def worker(w: int) -> None:
        i = 0
        while True:
            update_id = base + w * 1_000_000 + i
            claimed = await store.claim_update(
                update_id,
                SetContext(update_id, "it-service-manager", "tools"),
                SetUserLang(update_id, "nb"),
                CountAnswer(date(2026, 3, 10), "tools", "it-service-manager", "nb"),
            )
            assert claimed
            sys.stdout.write(f"{update_id}\n")
            sys.stdout.flush()
            # Not acknowledged: queued analytics interleave with the acknowledged writes.
            store.submit(
                RecordUnanswered(update_id, update_id, "x" * 300, "nb", None, None),
                FinishUpdate(update_id),
            )
            i += 1

    await asyncio.gather(*(worker(w) for w in range(WORKERS)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
