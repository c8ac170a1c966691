r"""Run a chapter at any profile through papermill.

.. code-block:: bash

   python -m orthontk_lib.book.run book/01-setting.ipynb --profile paper -p widths "[512, 1024]"

Each ``-p NAME VALUE`` overrides one knob of the notebook's ``parameters``
cell; ``VALUE`` is JSON or YAML 1.2 (:func:`read_value`: ``1e-3``, ``.5``, ``-2.5E-4``
are numbers, as in JSON and YAML 1.2, not strings as in PyYAML's YAML 1.1). Before
anything runs, every name is checked against the notebook's parameters cell and
the chapter's ``Config``, and every value against its type and bounds (a number
knob takes finite numbers only): a bad one stops the runner with one line that
names it. The executed notebook goes to
``data/<chapter>/<profile>/runs/<chapter>-<key>.ipynb`` (written atomically);
the chapter's results go to ``data/<chapter>/<profile>/`` point by point, so
running the same command after an interruption resumes from the finished points.

With ``--no-notebook`` the runner calls the chapter's ``compute`` and records its
claims in the ledger itself, without papermill or a kernel: on a machine that has
JAX, Flax and Optax but neither papermill nor neural-tangents (a GPU host), it
leaves the same results and ledger record under ``data/`` as the notebook run.
Running the notebook afterwards, anywhere, reuses them instead of computing.

With ``--saved-only`` the runner redraws a chapter's figures from its saved results and computes nothing: a result
that is not saved is an error, no ledger record is written, and the executed notebook and the figures go to
``_build/redraw/``. Every figure of the book gives this command under it.
"""

import argparse
import json
import math
import os
import pathlib
import re
import sys
import tempfile

import yaml

from orthontk_lib import results
from orthontk_lib.book import build as book, registry as chapters
from orthontk_lib.book.profiles import PROFILE_ENV, PROFILE_NAMES, ConfigError

__all__ = ["main", "prepare", "read_value", "check_clean_tree"]


class RunError(Exception):
    """A bad invocation; its message is the one line the runner prints."""


def prepare(notebook, profile, params):
    """Validate a run before any compute; returns ``(chapter module, cfg, parameters for papermill)``.

    Args:
      notebook: path of a chapter notebook.
      profile: one of ``smoke``, ``quick``, ``paper``.
      params: ``[(name, value text), ...]`` as given on the command line.
    """
    nb = pathlib.Path(notebook)
    if not nb.is_file():
        raise RunError(f"notebook: {nb} does not exist")
    try:
        module = chapters.module_of(nb)
    except ValueError as err:
        raise RunError(str(err)) from err
    declared = {"profile", *module.Config.knobs()}  # the parameters cell is Config's (tests hold it to that)
    overrides = {}
    for name, text in params:
        if name == "profile":
            raise RunError("profile: set it with --profile, not -p")
        if name not in declared:
            raise RunError(f"{name}: unknown parameter; {nb.name} takes {', '.join(sorted(declared - {'profile'}))}")
        try:
            overrides[name] = read_value(text)
        except yaml.YAMLError as err:
            raise RunError(f"{name}: cannot read {text!r} as a value ({err.__class__.__name__})") from err
    try:
        cfg = module.Config.for_profile(profile, **overrides)
    except ConfigError as err:
        raise RunError(str(err)) from err
    return module, cfg, {"profile": profile, **overrides}


def read_value(text):
    r"""A ``-p`` value: JSON if it is JSON, else YAML under the YAML 1.2 core schema.

    Scalars resolve as YAML 1.2 (and JSON) read them, not as PyYAML's YAML 1.1:
    ``1e-3``, ``1E3``, ``-2.5e-4``, ``.5``, ``5.`` are floats; ``10``, ``-3``, ``0x1F``,
    ``0o17`` are integers (``010`` is ten); ``.inf``, ``-.inf``, ``.nan`` are the
    non-finite floats (which number knobs then refuse); only ``true``/``false`` (any of
    ``True``, ``TRUE``, ...) are booleans and ``null``, ``~`` or nothing is ``None``.
    Anything else is a string: ``1_000``, ``yes``, ``on``, ``1:30``, ``2024-01-01``.
    Lists resolve item by item, ``[1e-3, 2e-3]`` to ``[0.001, 0.002]``.

    Raises:
      yaml.YAMLError: if ``text`` is neither JSON nor YAML.

    >>> read_value("1e-3"), read_value(".5"), read_value("[1E3, -2.5e-4]"), read_value("1_000")
    (0.001, 0.5, [1000.0, -0.00025], '1_000')
    """
    try:
        return json.loads(text)  # Python's json also reads NaN, Infinity and 1e999 (inf): refused by the knob's check
    except ValueError:
        return yaml.load(text, Loader=_Yaml12Loader)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m orthontk_lib.book.run", description="Run a book chapter through papermill.")
    parser.add_argument("notebook", help="book/<chapter>.ipynb")
    parser.add_argument("--profile", default="quick", help=f"one of {', '.join(PROFILE_NAMES)} (default quick)")
    parser.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="override a knob of the parameters cell; VALUE is JSON or YAML 1.2 (1e-3 is a number)")
    parser.add_argument("--no-notebook", action="store_true",
                        help="compute and record the claims without papermill (results and ledger as a notebook run)")
    parser.add_argument("--saved-only", action="store_true",
                        help="redraw the chapter's figures from its saved results, computing and recording nothing "
                             "(the notebook and figures go to _build/redraw/; an unsaved result is an error)")
    parser.add_argument("--allow-dirty", action="store_true",
                        help="run a paper profile into the repository's data/ from a tree with uncommitted changes "
                             "(refused otherwise; the results record the commit as '<sha>-dirty' and the page says so)")
    parser.add_argument("--distributed", action="store_true",
                        help="one of several processes (jax.distributed.initialize; with --no-notebook): the grids "
                             "are laid out over every process's devices, process 0 writes the results")
    parser.add_argument("--coordinator", help="with --distributed: host:port of process 0 (default: auto-detected)")
    parser.add_argument("--num-processes", type=int, help="with --distributed: how many processes")
    parser.add_argument("--process-id", type=int, help="with --distributed: this process's index, from 0")
    argv, parameters = _take_parameters(sys.argv[1:] if argv is None else list(argv))
    args = parser.parse_args(argv)
    args.parameter += parameters
    if args.distributed:
        if not args.no_notebook:
            sys.exit("orthontk run: --distributed: several processes run the chapter's compute with --no-notebook only")
        _initialize_distributed(args.coordinator, args.num_processes, args.process_id)
    try:
        module, cfg, parameters = prepare(args.notebook, args.profile, args.parameter)
    except RunError as err:
        sys.exit(f"orthontk run: {err}")
    if args.saved_only and args.no_notebook:
        sys.exit("orthontk run: --saved-only redraws a notebook's figures; it cannot go with --no-notebook")
    try:
        if not args.saved_only:  # a redraw writes nothing into data/
            check_clean_tree(cfg.profile, args.allow_dirty)
    except RunError as err:
        sys.exit(f"orthontk run: {err}")
    slug = chapters.slug_of(args.notebook)
    out_dir = results.data_dir() / slug / cfg.profile / "runs"
    if args.saved_only:
        out_dir = pathlib.Path(__file__).resolve().parents[2] / "_build" / "redraw"
        os.environ[chapters.SAVED_ONLY_ENV] = "1"
        os.environ.setdefault("ORTHONTK_FIGURE_DIR", str(out_dir / "figures"))
    target = out_dir / f"{slug}-{results.key_of(cfg.asdict())}.ipynb"
    os.environ.pop(PROFILE_ENV, None)  # the runner's --profile is obeyed as given
    os.environ[chapters.OWN_PROFILE_ENV] = "1"  # ... and run, even where a committed paper run exists
    # the notebook's kernel imports this checkout's library, not whichever one is installed
    root = str(pathlib.Path(__file__).resolve().parents[2])
    os.environ["PYTHONPATH"] = os.pathsep.join([root] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])
    os.environ.setdefault("ORTHONTK_FIGURE_DIR", str(results.data_dir() / slug / cfg.profile / "figures"))
    for name, value in book.jax_cache_env().items():  # the notebook's kernel inherits these
        os.environ.setdefault(name, value)
    print(f"orthontk run: {slug} at profile {cfg.profile}: {cfg}", flush=True)
    print(f"orthontk run: expected cost: {expected_cost(module, slug, cfg.profile)}", flush=True)
    if args.no_notebook:
        _compute_and_record(module, cfg)
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    _execute(args.notebook, target, parameters)
    done = "figures redrawn from" if args.saved_only else "results in"
    print(f"orthontk run: executed notebook {target}; {done} {results.data_dir() / slug / cfg.profile}")


def check_clean_tree(profile, allow_dirty=False):
    """Refuse a paper run that would write into the repository's ``data/`` from a tree with uncommitted changes.

    A committed paper result names the commit it came from; from a dirty tree that commit does not hold the code
    that made it. Runs into another data folder (``$ORTHONTK_DATA_DIR``: tests, trials) and other profiles pass.

    Raises:
      RunError: naming the problem and the two ways out (commit first, or ``--allow-dirty``).
    """
    if profile != "paper" or allow_dirty:
        return
    if results.data_dir().resolve() != results.REPO_DATA.resolve():
        return
    commit = results._git_commit() or ""
    if commit.endswith("-dirty"):
        raise RunError(f"the working tree has uncommitted changes (commit {commit[:7]}): a committed paper run comes "
                       "from a clean commit; commit first, or pass --allow-dirty (the page then says so)")


def expected_cost(module, slug, profile, bench=None):
    """The chapter's stated cost of ``profile``, and the measured one where ``bench`` (bench/results.json) has it."""
    import json

    stated = module.Config.COST.get(profile)
    text = str(stated) if stated else "not stated for this profile"
    bench = pathlib.Path(bench or pathlib.Path(__file__).resolve().parents[2] / "bench" / "results.json")
    measured = json.loads(bench.read_text()).get("paper_cost", {}).get(slug) if bench.is_file() else None
    if profile == "paper" and measured:
        text += (f"; measured: {measured['minutes']:g} minutes on {measured['device']} ({measured['date']}, "
                 "bench/results.json paper_cost)")
    return text


def _take_parameters(argv):
    """``(argv without its -p NAME VALUE triples, [[NAME, VALUE], ...])``, VALUE taken verbatim.

    argparse would read a VALUE such as ``-1e-3``, ``-2.5e-4`` or ``-.inf`` as an option (its
    negative-number pattern knows only ``-12`` and ``-1.5``) and refuse the command; ``-p`` is
    therefore taken apart here. An incomplete ``-p`` at the end is left to argparse's message.
    """
    rest, parameters, i = [], [], 0
    while i < len(argv):
        if argv[i] == "--":
            rest += argv[i:]
            break
        if argv[i] in ("-p", "--parameter") and i + 2 < len(argv):
            parameters.append([argv[i + 1], argv[i + 2]])
            i += 3
            continue
        rest.append(argv[i])
        i += 1
    return rest, parameters


class _Yaml12Loader(yaml.SafeLoader):
    """PyYAML's safe loader with the YAML 1.2 core schema's scalars (null, bool, int, float) in place of YAML 1.1's."""


_Yaml12Loader.yaml_implicit_resolvers = {}  # YAML 1.1's (1_000, 010 octal, yes/no, sexagesimals, timestamps) dropped
for _tag, _pattern, _first in [  # YAML 1.2.2, 10.3.2 (core schema); int before float, whose pattern also matches 10
    ("null", r"~|null|Null|NULL|", ["~", "n", "N", ""]),
    ("bool", r"true|True|TRUE|false|False|FALSE", list("tTfF")),
    ("int", r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+", list("-+0123456789")),
    ("float", r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN)",
     list("-+.0123456789")),
]:
    _Yaml12Loader.add_implicit_resolver(f"tag:yaml.org,2002:{_tag}", re.compile(f"^(?:{_pattern})$"), _first)


def _yaml12_int(loader, node):
    text = loader.construct_scalar(node)
    base = {"0o": 8, "0x": 16}.get(text[:2], 10)
    return int(text[2:] if base != 10 else text, base)  # base 10: a leading 0 is not octal


def _yaml12_float(loader, node):
    text = loader.construct_scalar(node).lower()
    if text.lstrip("+-") == ".inf":
        return -math.inf if text.startswith("-") else math.inf
    return math.nan if text == ".nan" else float(text)


_Yaml12Loader.add_constructor("tag:yaml.org,2002:int", _yaml12_int)
_Yaml12Loader.add_constructor("tag:yaml.org,2002:float", _yaml12_float)


def _initialize_distributed(coordinator, num_processes, process_id):
    """JAX's multi-process runtime; on CPU its collectives go through gloo."""
    import jax

    jax.config.update("jax_cpu_collectives_implementation", "gloo")
    jax.distributed.initialize(coordinator_address=coordinator, num_processes=num_processes, process_id=process_id)


def _compute_and_record(module, cfg):
    """The notebook's ``page.run`` and ``page.record`` without a kernel: the chapter's results, then its ledger."""
    from orthontk_lib.book import page

    result = chapters.summary(module.SLUG, cfg, module.compute)
    for claim, rec in page.ledger_records(module, result, cfg):
        print(f"orthontk run: {claim.id}: {rec['verdict']}", flush=True)
    print(f"orthontk run: results in {results.data_dir() / module.SLUG / cfg.profile}; "
          f"ledger in {results.data_dir() / 'ledger' / cfg.profile}")


def _execute(notebook, target, parameters):
    """papermill into a temporary file next to ``target``, renamed into place once complete."""
    import papermill

    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}.", suffix=".ipynb")
    os.close(fd)
    try:
        papermill.execute_notebook(
            str(notebook), tmp, parameters=parameters, cwd=str(pathlib.Path(notebook).parent),
            log_output=True, progress_bar=False, kernel_name="python3",
        )
        os.replace(tmp, target)
    except papermill.PapermillExecutionError as err:
        os.replace(tmp, target.with_suffix(".failed.ipynb"))
        sys.exit(f"orthontk run: cell {err.exec_count} failed with {err.ename}: {err.evalue} "
                 f"(executed notebook: {target.with_suffix('.failed.ipynb')})")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


if __name__ == "__main__":
    main()
