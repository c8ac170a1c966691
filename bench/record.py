"""Shared helpers: timing medians and merging numbers into bench/results.json atomically."""

import json
import os
import pathlib
import platform
import tempfile
import time

import numpy as np

RESULTS = pathlib.Path(__file__).with_name("results.json")


def median_seconds(fn, repeats=7):
    """Median wall time of ``fn()`` over ``repeats`` calls, after one warm-up call (compilation)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def machine():
    import jax

    return {"cpu_count": os.cpu_count(), "platform": platform.platform(), "jax": jax.__version__, "device": str(jax.devices()[0])}


def record(key, entry, machine_info=None):
    """Set ``results[key] = entry`` (with the machine and date) in bench/results.json.

    ``machine_info`` describes the machine that measured ``entry`` when it is not this one.
    """
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[key] = {**entry, "machine": machine_info or machine(), "date": time.strftime("%Y-%m-%d")}
    fd, tmp = tempfile.mkstemp(dir=RESULTS.parent, suffix=".tmp")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, RESULTS)
