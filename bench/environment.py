"""The set-up cost of an environment: the time `pip install -r <lock>` takes into a new venv and the venv's size.

    python -m bench.environment                          # the repository's requirements-lock.txt
    python -m bench.environment --lock old.txt --key environment_before   # another lock, under another key

Results go to bench/results.json under ``--key`` (default ``environment``). The time depends on pip's download
cache: the entry says whether the cache held the wheels (``--cold`` empties a private cache first).
"""

import argparse
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

from bench.record import record

ROOT = pathlib.Path(__file__).resolve().parents[1]


def size_bytes(folder):
    """Bytes of the files under ``folder`` (links not followed)."""
    return sum(p.lstat().st_size for p in pathlib.Path(folder).rglob("*") if p.is_file() and not p.is_symlink())


def measure(lock, cold=False):
    """``{"install_s", "venv_bytes", "packages"}`` for a new venv with ``lock`` installed."""
    with tempfile.TemporaryDirectory() as tmp:
        venv, env = pathlib.Path(tmp) / "venv", None
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        if cold:
            env = {"PIP_CACHE_DIR": str(pathlib.Path(tmp) / "pip-cache"), "PATH": "/usr/bin:/bin"}
        start = time.perf_counter()
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-r", str(lock)],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        packages = sum(1 for line in pathlib.Path(lock).read_text().splitlines() if "==" in line)
        out = {"install_s": round(seconds, 1), "venv_bytes": size_bytes(venv), "packages": packages}
        shutil.rmtree(venv)
        return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", default=str(ROOT / "requirements-lock.txt"))
    parser.add_argument("--key", default="environment")
    parser.add_argument("--cold", action="store_true", help="an empty pip cache (downloads every wheel)")
    args = parser.parse_args(argv)
    got = measure(args.lock, args.cold)
    lock = pathlib.Path(args.lock).read_text()
    pins = {line.split("==")[0].lower(): line.split("==")[1] for line in lock.splitlines() if "==" in line}
    record(args.key, {**got, "pip_cache": "empty" if args.cold else "warm",
                      "stack": {k: pins.get(k) for k in ("jax", "jaxlib", "flax", "optax", "neural-tangents",
                                                         "tensorflow")}})
    print(got)
    return 0


if __name__ == "__main__":
    sys.exit(main())
