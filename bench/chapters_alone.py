"""Each chapter's own quick profile, alone and cold: what a reader re-executing one notebook on a laptop waits.

A book build shows a committed paper run where one exists and computes nothing for that chapter; this measures the
chapter's own quick profile instead (``$ORTHONTK_OWN_PROFILE``), each notebook through nbmake in a fresh process
with an empty JAX compilation cache and an empty results folder, so no chapter profits from another's programs.

    python -m bench.chapters_alone [NOTEBOOK ...]    # default: the pairs of issue 16's budget
"""

import os
import subprocess
import sys
import tempfile
import time

from bench.record import record

PAIRS = (("04-constancy.ipynb", "05-linearity.ipynb"), ("08-edge-of-chaos.ipynb", "09-condensation.ipynb"))
GOAL = 180


def seconds_alone(notebook):
    """Wall seconds of one notebook's own quick profile through nbmake, cold."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "ORTHONTK_PROFILE": "quick", "ORTHONTK_OWN_PROFILE": "1",
               "ORTHONTK_DATA_DIR": os.path.join(scratch, "data"), "ORTHONTK_FIGURE_DIR": os.path.join(scratch, "fig"),
               "JAX_COMPILATION_CACHE_DIR": os.path.join(scratch, "jax-cache")}
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pytest", "-q", f"book/{notebook}",
                        "-o", "addopts=--import-mode=importlib -p no:cacheprovider --nbmake"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        return round(time.perf_counter() - start, 1)


def main():
    notebooks = sys.argv[1:] or [nb for pair in PAIRS for nb in pair]
    times = {nb: seconds_alone(nb) for nb in notebooks}
    pairs = {" + ".join(p): round(sum(times[nb] for nb in p), 1) for p in PAIRS if all(nb in times for nb in p)}
    entry = {"notebooks": times, "pairs": pairs, "goal": f"each pair's own quick profiles <= {GOAL} s",
             "met": bool(pairs) and all(t <= GOAL for t in pairs.values()),
             "note": "each notebook alone through nbmake (process start included), its own quick profile even where "
                     "a paper run is committed, with an empty JAX compilation cache and results folder"}
    record("chapters_alone_quick_cold", entry)
    print(entry)


if __name__ == "__main__":
    main()
