"""Fixtures of reference values: per oracle a folder of ``<group>.npz`` files and one ``provenance.json``.

A group holds cases. A case's arrays are stored in its group's ``.npz`` under ``<case>/<name>``; its parameters, a
Flax variable tree, under ``<case>/params/<layer>/<leaf>``. ``provenance.json`` records the versions, the script and
the command that wrote the fixtures, and per group the tests that read it and each case's settings (a spec's fields).

>>> case = load("neural_tangents", "fcn_twin")["ntk-gaussian-linear"]
>>> case.spec.depth, case["x"].shape, sorted(case.variables["params"])
(2, (4, 12), ['hidden_0', 'hidden_1', 'readout'])
"""

import dataclasses
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent / "tests" / "fixtures"
"""Where the fixtures are: ``ROOT / <oracle> / <group>.npz`` and ``ROOT / <oracle> / provenance.json``."""


@dataclasses.dataclass(frozen=True)
class Case:
    """One case of a group: its ``settings`` (JSON) and its ``arrays`` by name."""

    name: str
    settings: dict
    arrays: dict

    def __getitem__(self, name):
        return self.arrays[name]

    @property
    def spec(self):
        """The :class:`~orthontk_lib.models.FCN` or :class:`~orthontk_lib.models.CNN` the case was computed for."""
        from orthontk_lib import models

        spec = self.settings["spec"]
        return getattr(models, spec["class"])(**spec["fields"])

    @property
    def variables(self):
        """The Flax variables ``{"params": {layer: {leaf: array}}}`` stored with the case."""
        tree = {}
        for name, value in self.arrays.items():
            if name.startswith("params/"):
                *path, leaf = name.split("/")
                node = tree
                for part in path:
                    node = node.setdefault(part, {})
                node[leaf] = value
        return tree


def spec_settings(spec):
    """A spec as JSON settings: its class name and its dataclass fields."""
    return {"class": type(spec).__name__, "fields": dataclasses.asdict(spec)}


def flatten_variables(variables):
    """A Flax variable tree as ``{"params/<layer>/<leaf>": array}``, the inverse of :attr:`Case.variables`."""
    out = {}

    def walk(prefix, node):
        if isinstance(node, dict) or hasattr(node, "items"):
            for key, value in node.items():
                walk(f"{prefix}/{key}" if prefix else str(key), value)
        else:
            out[prefix] = np.asarray(node)

    walk("", variables)
    return out


def provenance(oracle):
    """The oracle's ``provenance.json`` as a dict."""
    return json.loads((ROOT / oracle / "provenance.json").read_text())


def load(oracle, group):
    """The cases of ``group`` by name, with their settings from ``provenance.json``."""
    settings = provenance(oracle)["groups"][group]["cases"]
    with np.load(ROOT / oracle / f"{group}.npz") as npz:
        arrays = {key: npz[key] for key in npz.files}
    cases = {}
    for name, case_settings in settings.items():
        prefix = name + "/"
        own = {key[len(prefix):]: value for key, value in arrays.items() if key.startswith(prefix)}
        cases[name] = Case(name, case_settings, own)
    return cases


def save(oracle, groups, header):
    """Write every group (``{group: {"tests": [...], "description": str, "cases": {case: (settings, arrays)}}}``)
    and ``provenance.json`` (``header`` plus each group's tests, description and case settings)."""
    folder = ROOT / oracle
    folder.mkdir(parents=True, exist_ok=True)
    record = dict(header, groups={})
    for group, content in groups.items():
        arrays = {f"{case}/{name}": value for case, (_, case_arrays) in content["cases"].items()
                  for name, value in case_arrays.items()}
        np.savez_compressed(folder / f"{group}.npz", **arrays)
        record["groups"][group] = {
            "file": f"{group}.npz",
            "description": content["description"],
            "tests": content["tests"],
            "cases": {case: settings for case, (settings, _) in content["cases"].items()},
        }
    (folder / "provenance.json").write_text(json.dumps(record, indent=1, sort_keys=False) + "\n")
