r"""Build the book: ``python -m orthontk_lib.book --profile quick`` (what ``make book`` runs).

Runs Jupyter Book 1 on the repository with warnings as errors (``-W``), so a
cell error, a broken reference or a missing figure fails the build. Per build
folder it sets

* ``ORTHONTK_PROFILE``: the profile every chapter runs at (``quick`` or ``smoke``);
* ``ORTHONTK_DATA_DIR``: ``<out>/_build/data``, where this build's results and
  ledger records go (the repository's ``data/`` is only read, for paper results);
* ``ORTHONTK_FIGURE_DIR``: ``<out>/_build/extra/figures``, published at
  ``<site>/figures/`` through Sphinx's ``html_extra_path``;
* JAX's persistent compilation cache in ``<repo>/_build/jax-cache`` (:func:`jax_cache_env`), so a
  program compiled by one chapter (or one build) is not compiled again by the next. Its entries are
  keyed on the program, JAX's version and flags: a changed library cannot hit a stale entry.

The quick build goes to ``_build/html``; any other profile to
``_build/<profile>/_build/html``, with its own execution cache. Jupyter's
execution cache keys a notebook on its code cells only, so when the library's
sources change the build drops the cache (and the build's saved results):
a page never shows outputs of code that is no longer there.
"""

import argparse
import hashlib
import os
import shutil
import pathlib
import subprocess
import sys

import yaml

from orthontk_lib.book.profiles import PROFILE_ENV, PROFILE_NAMES

REPO = pathlib.Path(__file__).resolve().parents[2]


JAX_CACHE = REPO / "_build" / "jax-cache"
"""JAX's persistent compilation cache, shared by builds, the runner and the tests."""


def jax_cache_env(folder=JAX_CACHE):
    """Environment variables that turn on JAX's persistent compilation cache in ``folder``, for every program.

    JAX caches only programs that took over a second to compile by default; most of the book's
    compile time is in many small programs (the per-shape random draws of eager initialization take
    0.2 to 1 s each), so every program is cached.
    """
    return {"JAX_COMPILATION_CACHE_DIR": str(folder), "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
            "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "0"}


def enable_jax_cache(folder=JAX_CACHE):
    """Turn the persistent compilation cache on in this process (for processes where JAX is already imported)."""
    import jax

    jax.config.update("jax_compilation_cache_dir", str(folder))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
    jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


def output_dir(profile):
    """Where a build of ``profile`` goes (its ``_build/html`` is below it)."""
    return REPO if profile == "quick" else REPO / "_build" / profile


def build(profile="quick", extra_args=()):
    """Build the site; returns the path of its ``html`` folder. Raises ``CalledProcessError`` on failure."""
    if profile not in PROFILE_NAMES[:2]:
        raise ValueError(f"profile: the book is built at smoke or quick; got {profile!r} (use the runner for paper)")
    out = output_dir(profile)
    build_dir = out / "_build"
    _drop_cache_if_library_changed(build_dir)
    extra = build_dir / "extra"
    (extra / "figures").mkdir(parents=True, exist_ok=True)
    config = yaml.safe_load((REPO / "_config.yml").read_text())
    config["sphinx"]["config"]["html_extra_path"] = [str(extra)]
    generated = build_dir / "_config.generated.yml"
    generated.write_text(yaml.safe_dump(config, sort_keys=False))
    env = {
        **jax_cache_env(),
        **os.environ,  # a cache folder set by the user wins
        PROFILE_ENV: profile,
        "ORTHONTK_DATA_DIR": str(build_dir / "data"),
        "ORTHONTK_FIGURE_DIR": str(extra / "figures"),
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    cmd = [str(pathlib.Path(sys.executable).parent / "jupyter-book"), "build", str(REPO), "--path-output", str(out),
           "--config", str(generated), "-W", "--keep-going", *extra_args]
    subprocess.run(cmd, env=env, check=True, cwd=REPO)
    return build_dir / "html"


def library_hash():
    """SHA-256 over what a cached page depends on beyond its code cells: the library's Python sources and the
    committed paper-profile summaries and ledger records (names and contents)."""
    h = hashlib.sha256()
    paper = [*(REPO / "data").glob("*/paper/summary/*.json"), *(REPO / "data" / "ledger" / "paper").glob("*.json")]
    for path in sorted([*(REPO / "orthontk_lib").rglob("*.py"), *paper]):
        h.update(str(path.relative_to(REPO)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def _drop_cache_if_library_changed(build_dir):
    stamp = build_dir / "library.sha256"
    current = library_hash()
    if stamp.is_file() and stamp.read_text() == current:
        return
    # Sphinx's environment (.doctrees) too: it rebuilds only pages whose source changed, and a page's source (the
    # notebook) does not change when the library or a committed result does
    for stale in (build_dir / ".jupyter_cache", build_dir / "jupyter_execute", build_dir / "data",
                  build_dir / ".doctrees"):
        shutil.rmtree(stale, ignore_errors=True)
    build_dir.mkdir(parents=True, exist_ok=True)
    stamp.write_text(current)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m orthontk_lib.book", description="Build the orthontk book.")
    parser.add_argument("--profile", default="quick", choices=PROFILE_NAMES[:2])
    args = parser.parse_args(argv)
    try:
        html = build(args.profile)
    except subprocess.CalledProcessError as err:
        sys.exit(f"orthontk book: the build failed (exit {err.returncode}); the first error is above")
    print(f"orthontk book: built {html / 'index.html'}")


if __name__ == "__main__":
    main()
