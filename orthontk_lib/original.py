r"""The authors' own numbers behind the main paper's figures, read from their public repository.

Huang, Du and Xu published the results behind Figs. 2, 3, 3 (supplement) and 4 of *On the Neural Tangent Kernel of
Deep Networks with Orthogonal Initialization* (IJCAI 2021) in the GitHub repository :data:`REPOSITORY`, under
``data/``. This module reads a clone of it (``root``: a path, or ``$ORTHONTK_ORIGINAL_DIR``) into arrays shaped like
the book's own statistics take them:

* :func:`learning_speed` (the paper's Fig. 4): per setting, τ by seed and learning rate, with NaN where a seed did not
  reach the target at that rate (its row is missing from the authors' file). Rows are grouped by the learning-rate
  index ``k`` (η = 10^(−1−k/10)), never by position: the files of different seeds hold different rates.
* :func:`weight_change` (Fig. 2): per init, the relative change of each layer's weights and of the NTK, by width and run.
* :func:`curves` (Fig. 3 from ``full_batch/``, its supplement from ``sgd/``): per setting, the accuracy and loss on
  the training and test sets, by seed and step.

The repository carries no license, so the book commits only the derived arrays its figures and statistics need
(:func:`derive`, :func:`save`; ``python -m orthontk_lib.original --root <clone>``), each with its source files'
SHA-256, and builds from them with no clone (:func:`load`).

Every malformed or missing file raises :class:`OriginalError` naming the file.
"""

import argparse
import dataclasses
import hashlib
import json
import os
import pathlib
import re
import subprocess
import sys

import numpy as np

__all__ = ["REPOSITORY", "COMMIT", "ROOT_ENV", "OriginalError", "LearningSpeed", "WeightChange", "Curves",
           "eta_of", "learning_speed", "weight_change", "curves", "derive", "save", "load", "source", "copies", "main"]

REPOSITORY = "WeiHuang05/Neural-Tangent-Kernel-with-Orthogonal-Initialization"
"""The authors' repository on GitHub."""
COMMIT = "443223b632d7142444aba0ef83f2a603b5665c2a"
"""The commit the committed summaries were derived from."""
ROOT_ENV = "ORTHONTK_ORIGINAL_DIR"
"""Environment variable naming a clone of :data:`REPOSITORY` (its working tree)."""
SAVED = pathlib.Path(__file__).resolve().parents[1] / "data" / "original"
"""Where the derived arrays are committed."""
CURVE_RECORDS = 50
"""Records per curve kept for the statistics, evenly spaced (step T/50, 2T/50, …, T), as the book's own runs record."""
CURVE_LOG_STEPS = 48
"""Further steps kept per curve for drawing on a log step axis: log-spaced from the first."""


class OriginalError(ValueError):
    """A file of the authors' repository is missing or not in the format the figure's notebook reads."""


def eta_of(k):
    """The learning rate of index ``k`` in the authors' Fig. 4 grid: η = 10^(−1−k/10)."""
    return 10.0 ** (-1.0 - np.asarray(k, dtype=float) / 10.0)


def _root(root):
    root = root or os.environ.get(ROOT_ENV)
    if not root:
        raise OriginalError(f"no clone of {REPOSITORY}: pass root= or set ${ROOT_ENV}")
    root = pathlib.Path(root)
    if not (root / "data").is_dir():
        raise OriginalError(f"{root}: no data/ folder; expected a clone of {REPOSITORY}")
    return root


def _rows(path, n_columns):
    """The rows of a space-separated file as a float array ``(rows, n_columns)`` (``(0, n_columns)`` if empty)."""
    try:
        text = path.read_text()
    except OSError as err:
        raise OriginalError(f"{path}: cannot be read ({err.strerror or err})") from err
    rows = []
    for i, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        fields = line.split()
        if len(fields) != n_columns:
            raise OriginalError(f"{path}, line {i}: {len(fields)} columns where {n_columns} are expected")
        try:
            rows.append([float(f) for f in fields])
        except ValueError as err:
            raise OriginalError(f"{path}, line {i}: not a number ({err})") from err
    out = np.asarray(rows, dtype=float).reshape(-1, n_columns)
    if not np.all(np.isfinite(out)):
        raise OriginalError(f"{path}: holds a NaN or an infinite value")
    return out


def _seed_files(folder, pattern):
    """``[(seed, path)]`` of the files in ``folder`` whose name matches ``pattern`` (one group: the seed), by seed."""
    if not folder.is_dir():
        raise OriginalError(f"{folder}: missing")
    found = sorted((int(m.group(1)), p) for p in folder.iterdir() if (m := re.fullmatch(pattern, p.name)))
    if not found:
        raise OriginalError(f"{folder}: no file matching {pattern}")
    seeds = [s for s, _ in found]
    if seeds != list(range(len(seeds))):
        raise OriginalError(f"{folder}: seeds {seeds} are not 0 … {len(seeds) - 1}")
    return found


# THE LEARNING-SPEED FIGURE (the paper's Fig. 4)


@dataclasses.dataclass(frozen=True)
class LearningSpeed:
    """τ (steps to the target accuracy) by seed and learning rate for one setting of the paper's Fig. 4.

    Attributes:
      depth, width: the network's.
      init: ``"gaussian"`` or ``"orthogonal"``.
      k: ``(K,)`` int, the learning-rate indices any seed reached the target at, ascending (η falls as k grows).
      eta: ``(K,)`` the learning rates, :func:`eta_of` ``(k)``.
      tau: ``(S, K)`` steps to the target; NaN where seed ``s`` did not reach it at rate ``k`` (no row in its file).
      accuracy: ``(S, K)`` the accuracy at τ (a fraction for the training mini-batch, per cent for the test set, as
        the authors wrote it); NaN where ``tau`` is.
    """

    depth: int
    width: int
    init: str
    k: np.ndarray
    eta: np.ndarray
    tau: np.ndarray
    accuracy: np.ndarray


_SPEED = re.compile(r"tanh2_(gau|orth)_L(\d+)_N(\d+)")


def learning_speed(root=None, split="train"):
    """``{(init, depth, width): LearningSpeed}`` from ``data/learning_<split>/`` of a clone (``split``: ``"train"``
    or ``"test"``). Each file is one seed, one row per learning rate it reached the target at: ``k η τ accuracy``.

    Raises:
      OriginalError: a missing folder, a malformed row, an η that is not ``eta_of(k)``, or a rate listed twice in one
        seed's file, naming the file.
    """
    if split not in ("train", "test"):
        raise OriginalError(f"split must be 'train' or 'test', not {split!r}")
    base = _root(root) / "data" / f"learning_{split}"
    out = {}
    for folder in sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []:
        m = _SPEED.fullmatch(folder.name)
        if not m:
            continue
        init = {"gau": "gaussian", "orth": "orthogonal"}[m.group(1)]
        depth, width = int(m.group(2)), int(m.group(3))
        files = _seed_files(folder, rf"tanh2_{init}_L{depth}_N{width}_lr_(\d+)\.csv")
        per_seed = []
        for _, path in files:
            rows = _rows(path, 4)
            k = rows[:, 0].astype(int)
            if not np.array_equal(k, rows[:, 0]) or len(set(k)) != len(k):
                raise OriginalError(f"{path}: learning-rate indices must be distinct integers, found {rows[:, 0]}")
            if not np.allclose(rows[:, 1], eta_of(k), rtol=1e-9):
                raise OriginalError(f"{path}: η is not 10^(−1−k/10) on every row")
            per_seed.append((k, rows[:, 2], rows[:, 3]))
        ks = np.unique(np.concatenate([k for k, _, _ in per_seed]))
        tau = np.full((len(per_seed), len(ks)), np.nan)
        acc = np.full_like(tau, np.nan)
        for s, (k, t, a) in enumerate(per_seed):
            at = np.searchsorted(ks, k)
            tau[s, at], acc[s, at] = t, a
        out[(init, depth, width)] = LearningSpeed(depth, width, init, ks, eta_of(ks), tau, acc)
    if not out:
        raise OriginalError(f"{base}: no setting folder (tanh2_<gau|orth>_L<depth>_N<width>)")
    return out


# THE WEIGHT- AND NTK-CHANGE FIGURE (the paper's Fig. 2)


@dataclasses.dataclass(frozen=True)
class WeightChange:
    """The relative change over training of each layer's weights and of the NTK, as the paper's Fig. 2 draws it.

    Attributes:
      widths: ``(W,)`` the hidden widths, 16 … 4096 (2^(4+i), as the authors' notebook reads its files).
      layers: ``{init: (4, W, R)}`` ‖W_T − W_0‖_F/‖W_0‖_F of layers 1 … 4 (4: the readout) by width and run.
      ntk: ``{init: (W, R)}`` ‖Θ_T − Θ_0‖_F/‖Θ_0‖_F by width and run.
    """

    widths: np.ndarray
    layers: dict
    ntk: dict


def weight_change(root=None, n_widths=9, runs_per_file=5):
    """:class:`WeightChange` from ``data/ntk_change/`` of a clone: files ``<init>_wch<l>_<f>.csv`` and
    ``<init>_ntkc_<f>.csv`` (f = 1, 2, 3), one value a line, width-major (``n_widths`` widths × ``runs_per_file``
    runs), as the authors' notebook reshapes them.

    Raises:
      OriginalError: a missing file or one without ``n_widths * runs_per_file`` values, naming it.
    """
    base = _root(root) / "data" / "ntk_change"

    def read(name):
        blocks = []
        for f in (1, 2, 3):
            path = base / f"{name}_{f}.csv"
            values = _rows(path, 1)[:, 0]
            if values.size != n_widths * runs_per_file:
                raise OriginalError(f"{path}: {values.size} values where {n_widths} widths × {runs_per_file} runs "
                                    f"= {n_widths * runs_per_file} are expected")
            blocks.append(values.reshape(n_widths, runs_per_file))
        return np.concatenate(blocks, axis=1)

    inits = ("gaussian", "orthogonal")
    layers = {i: np.stack([read(f"{i}_wch{layer}") for layer in (1, 2, 3, 4)]) for i in inits}
    ntk = {i: read(f"{i}_ntkc") for i in inits}
    return WeightChange(2.0 ** (4 + np.arange(n_widths)), layers, ntk)


# TRAINING CURVES (the paper's Fig. 3 and its supplement)


@dataclasses.dataclass(frozen=True)
class Curves:
    """One setting's training curves, by seed and step.

    Attributes:
      name: the authors' folder name (e.g. ``tanh_gau_L3_N400``).
      init: ``"gaussian"`` or ``"orthogonal"``.
      lr: the learning rate.
      steps: ``(T,)`` the steps (1-based).
      train_acc, train_loss, test_acc, test_loss: ``(S, T)``.
      files: the files read, by seed.
      digest: SHA-256 of the files' contents in seed order (two settings with one digest hold the same numbers).
    """

    name: str
    init: str
    lr: float
    steps: np.ndarray
    train_acc: np.ndarray
    train_loss: np.ndarray
    test_acc: np.ndarray
    test_loss: np.ndarray
    files: tuple
    digest: str


def curves(root=None, figure="full_batch"):
    """``{folder name: Curves}`` from ``data/<figure>/`` of a clone (``"full_batch"``: the paper's Fig. 3; ``"sgd"``:
    its supplement's). Each file is one seed, one row per step: ``lr step train_acc train_loss test_acc test_loss``.
    A folder whose files are absent from the clone (stored elsewhere, as large files) is left out.

    Raises:
      OriginalError: a malformed file, seeds that disagree on the steps or the learning rate, naming the file.
    """
    if figure not in ("full_batch", "sgd"):
        raise OriginalError(f"figure must be 'full_batch' or 'sgd', not {figure!r}")
    base = _root(root) / "data" / figure
    out = {}
    for folder in sorted(p for p in base.iterdir() if p.is_dir()) if base.is_dir() else []:
        m = re.fullmatch(r"(tanh|relu2)_(gau|orth|ort)_.*", folder.name)
        if not m or not any(p.suffix == ".csv" for p in folder.iterdir()):
            continue
        files = _seed_files(folder, r".*_(\d+)\.csv")
        runs, digest = [], hashlib.sha256()
        for _, path in files:
            rows = _rows(path, 6)
            if rows.size == 0:
                raise OriginalError(f"{path}: empty")
            if runs and (rows.shape != runs[0].shape or not np.array_equal(rows[:, :2], runs[0][:, :2])):
                raise OriginalError(f"{path}: its learning rate or steps differ from {files[0][1].name}'s")
            runs.append(rows)
            digest.update(path.read_bytes())
        r = np.stack(runs)
        out[folder.name] = Curves(folder.name, "gaussian" if m.group(2) == "gau" else "orthogonal", float(r[0, 0, 0]),
                                  r[0, :, 1], r[:, :, 2], r[:, :, 3], r[:, :, 4], r[:, :, 5],
                                  tuple(p.name for _, p in files), digest.hexdigest())
    if not out:
        raise OriginalError(f"{base}: no setting folder with its files present")
    return out


# THE COMMITTED SUMMARIES


def _kept_steps(n_steps):
    """``(indices, linear)``: the indices of the steps the summaries keep (:data:`CURVE_RECORDS` evenly spaced ones
    ending at the last, and :data:`CURVE_LOG_STEPS` log-spaced from the first), ascending, and a mask of the evenly
    spaced ones."""
    count = min(CURVE_RECORDS, n_steps)
    linear = np.arange(1, count + 1) * n_steps // count - 1
    logs = np.round(np.geomspace(1, n_steps, CURVE_LOG_STEPS)).astype(int) - 1
    at = np.union1d(linear, logs)
    return at, np.isin(at, linear)


def derive(root=None):
    """The arrays the book's figures and statistics need, as ``(arrays, sources, absent)``: ``arrays`` a flat
    ``{name: ndarray}`` (float32 where the authors wrote single precision), ``sources`` ``{relative path: SHA-256}``
    of every file read, and ``absent`` the curve folders whose files the clone lacks.

    Names: ``speed/<split>/<init>/L<depth>_N<width>/{k,tau,accuracy}``, ``change/widths``,
    ``change/<init>/{layers,ntk}``, ``<figure>/<folder>/{steps,linear,lr,train_acc,train_loss,test_acc,test_loss}`` (curves
    at the steps :func:`_kept_steps` keeps; ``linear`` marks the evenly spaced records), and ``<figure>/<folder>/copy_of`` (the index, in sorted folder order, of
    an earlier folder holding byte-identical files; −1 if none).
    """
    root = _root(root)
    arrays, sources, absent = {}, {}, []

    def note(path):
        sources[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()

    for split in ("train", "test"):
        for (init, depth, width), s in learning_speed(root, split).items():
            name = f"speed/{split}/{init}/L{depth}_N{width}"
            arrays[f"{name}/k"], arrays[f"{name}/tau"], arrays[f"{name}/accuracy"] = s.k, s.tau, s.accuracy
        for path in sorted((root / "data" / f"learning_{split}").rglob("*.csv")):
            note(path)
    change = weight_change(root)
    arrays["change/widths"] = change.widths
    for init in ("gaussian", "orthogonal"):
        arrays[f"change/{init}/layers"], arrays[f"change/{init}/ntk"] = change.layers[init], change.ntk[init]
    for path in sorted((root / "data" / "ntk_change").glob("*.csv")):
        note(path)
    for figure in ("full_batch", "sgd"):
        found = curves(root, figure)
        absent += [f"data/{figure}/{p.name}" for p in sorted((root / "data" / figure).iterdir())
                   if p.is_dir() and p.name not in found]
        digests = [c.digest for c in found.values()]
        for i, (folder, c) in enumerate(found.items()):
            at, linear = _kept_steps(len(c.steps))
            name = f"{figure}/{folder}"
            arrays[f"{name}/steps"], arrays[f"{name}/linear"], arrays[f"{name}/lr"] = c.steps[at], linear, np.array(c.lr)
            for field in ("train_acc", "train_loss", "test_acc", "test_loss"):
                arrays[f"{name}/{field}"] = getattr(c, field)[:, at].astype(np.float32)
            arrays[f"{name}/copy_of"] = np.array(digests.index(c.digest) if digests.index(c.digest) < i else -1)
            for f in c.files:
                note(root / "data" / figure / folder / f)
    return arrays, sources, absent


def _commit_of(root):
    try:
        return subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True,
                              check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def save(root=None, out=SAVED, commit=None):
    """Write :func:`derive`'s arrays to ``<out>/huang2021.npz`` and their provenance to ``<out>/huang2021.json``
    (repository, commit, the files read with their SHA-256, the folders whose files the clone lacks, the command,
    the arrays' SHA-256). Returns the paths.

    Raises:
      OriginalError: when the clone's commit cannot be read and ``commit`` is not given.
    """
    root = _root(root)
    commit = commit or _commit_of(root)
    if not commit:
        raise OriginalError(f"{root}: not a git clone; pass commit= (the commit its files are at)")
    arrays, sources, absent = derive(root)
    out = pathlib.Path(out)
    out.mkdir(parents=True, exist_ok=True)
    npz, meta = out / "huang2021.npz", out / "huang2021.json"
    tmp = npz.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()
    record = {"repository": f"https://github.com/{REPOSITORY}", "commit": commit,
              "command": f"python -m orthontk_lib.original --root <clone of {REPOSITORY} at {commit[:7]}>",
              "curve_records": CURVE_RECORDS, "curve_log_steps": CURVE_LOG_STEPS, "sha256": digest, "absent": absent,
              "sources": sources}
    os.replace(tmp, npz)
    meta.write_text(json.dumps(record, indent=1) + "\n")
    return npz, meta


def load(folder=SAVED):
    """The committed arrays (``{name: ndarray}``) and their provenance (dict), checked against the recorded SHA-256.

    Raises:
      OriginalError: a missing file or one whose checksum differs from its record, naming it.
    """
    folder = pathlib.Path(folder)
    npz, meta = folder / "huang2021.npz", folder / "huang2021.json"
    try:
        record = json.loads(meta.read_text())
        data = npz.read_bytes()
    except (OSError, ValueError) as err:
        raise OriginalError(f"{folder}: the authors' summaries cannot be read ({err}); rebuild them with "
                            f"python -m orthontk_lib.original --root <clone of {REPOSITORY}>") from err
    if hashlib.sha256(data).hexdigest() != record.get("sha256"):
        raise OriginalError(f"{npz}: its SHA-256 differs from the one {meta.name} records (a corrupt or edited file)")
    with np.load(npz) as z:
        return {k: z[k] for k in z.files}, record


def source(folder=SAVED):
    """Where the committed summaries come from, in a few words: ``"github.com/<owner>/<repo> at <commit>"``."""
    _, record = load(folder)
    return f"{record['repository'].removeprefix('https://')} at {record['commit'][:7]}"


def copies(folder=SAVED):
    """The authors' curve folders whose files repeat an earlier folder's byte for byte (``["full_batch/<name>"]``)."""
    arrays, _ = load(folder)
    return sorted(k.removesuffix("/copy_of") for k, v in arrays.items() if k.endswith("/copy_of") and int(v) >= 0)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m orthontk_lib.original",
                                     description=f"Derive the book's summaries of the authors' data ({REPOSITORY}).")
    parser.add_argument("--root", help=f"a clone of the repository (default ${ROOT_ENV})")
    parser.add_argument("--out", default=str(SAVED))
    parser.add_argument("--commit", help="the clone's commit, where it is not a git clone")
    args = parser.parse_args(argv)
    try:
        paths = save(args.root, args.out, args.commit)
    except OriginalError as err:
        print(f"orthontk original: {err}", file=sys.stderr)
        return 2
    print("\n".join(str(p) for p in paths))
    return 0


if __name__ == "__main__":
    sys.exit(main())
