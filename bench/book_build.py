"""Book build times on this machine: cold build (no cache) and cached rebuild with no change.

Goals (issue 3): quick profile cold build <= 15 minutes (the opening chapter <= 1 minute);
cached rebuild <= 60 seconds. Run: python -m bench.book_build [--profile quick]
"""

import argparse
import shutil
import time

from bench.record import record
from orthontk_lib.book import build as book


def timed_build(profile):
    start = time.perf_counter()
    book.build(profile)
    return time.perf_counter() - start


def chapter_times(profile):
    """Per-notebook execution seconds, from Jupyter's execution cache."""
    from jupyter_cache import get_cache

    cache = get_cache(str(book.output_dir(profile) / "_build" / ".jupyter_cache"))
    return {r.uri.split("/")[-1]: round(r.data.get("execution_seconds", float("nan")), 1) for r in cache.list_cache_records()}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="quick", choices=["smoke", "quick"])
    profile = parser.parse_args().profile
    shutil.rmtree(book.output_dir(profile) / "_build", ignore_errors=True)
    cold = timed_build(profile)
    cached = timed_build(profile)
    entry = {
        "cold_build_s": round(cold, 1),
        "cached_rebuild_s": round(cached, 1),
        "notebook_execution_s": chapter_times(profile),
        "goals": "cold <= 900 s (opening chapter <= 60 s), cached <= 60 s",
        "met": cold <= 900 and cached <= 60,
    }
    record(f"book_build_{profile}", entry)
    print(entry)


if __name__ == "__main__":
    main()
