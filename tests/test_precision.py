"""Matmul precision per chapter: declared in each ``Config``, applied around its compute, recorded, shown.

On a CPU every precision computes the same numbers, so these tests check what can be seen here: the setting
JAX's config holds while a chapter computes, what each saved result records, and the page's provenance line.
"""

import dataclasses
import importlib

import jax
import numpy as np
import pytest

from orthontk_lib import results
from orthontk_lib.book import registry
from orthontk_lib.book.profiles import MATMUL_PRECISIONS, ChapterConfig
from orthontk_lib.results import Result

CHAPTERS = ("setting", "kernel_equality", "finite_width", "constancy", "linearity", "training_curves", "speedup",
            "edge_of_chaos", "condensation")
TRAINING = ("training_curves", "speedup")


@dataclasses.dataclass(frozen=True)
class Demo(ChapterConfig):
    width: int = 4  # a knob
    PRECISION = "tensorfloat32"
    PROFILES = {"smoke": {}, "quick": {}}


def demo_compute(cfg, seen):
    """A tiny chapter: one saved point, one matmul; notes the precision JAX's config holds meanwhile."""
    def point(p):
        seen.append(jax.config.jax_default_matmul_precision)
        return {"z": np.asarray(jax.numpy.ones((2, cfg.width)) @ jax.numpy.ones((cfg.width, 2)))}

    pts = results.sweep("demo-precision/smoke/points", {"width": cfg.width}, [{"i": 0}], point, profile=cfg.profile)
    seen.append(jax.config.jax_default_matmul_precision)
    return {"z": pts[0].arrays["z"]}


@pytest.fixture
def own_data(tmp_path, monkeypatch):
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(registry.OWN_PROFILE_ENV, "1")
    return tmp_path


def test_a_chapter_computes_under_its_declared_precision_and_records_it(own_data):
    before = jax.config.jax_default_matmul_precision
    seen = []
    cfg = Demo(profile="smoke")
    result = registry.summary("demo-precision", cfg, lambda c: demo_compute(c, seen))
    assert seen == ["tensorfloat32", "tensorfloat32"]  # in the point and in the chapter's compute
    assert result.meta["matmul_precision"] == "tensorfloat32"  # the summary
    point = results.find("demo-precision/smoke/points", root=own_data)[0]
    assert point.meta["matmul_precision"] == "tensorfloat32"  # and every point
    assert jax.config.jax_default_matmul_precision == before  # restored afterwards


def test_the_provenance_line_shows_the_precision(own_data):
    result = registry.summary("demo-precision", Demo(profile="smoke"), lambda c: demo_compute(c, []))
    line = registry.provenance_line("demo-precision", result, "book/99-demo-precision.ipynb")
    on_cpu = result.meta["device"].split(":")[0].endswith("cpu")  # TF32 has no effect on a CPU, and the line says so
    assert f", matmul precision tensorfloat32{', no effect on a CPU' if on_cpu else ''}. Reproduce it" in line


def test_a_result_saved_before_precision_was_recorded_says_nothing_of_it():
    meta = {"profile": "quick", "created": "2026-11-30T10:00:00", "git_commit": "1a2b3c4d5e6f", "seeds": [0, 1],
            "device": "1 x cpu:cpu", "wall_time_s": 60.0}
    line = registry.provenance_line("demo-no-precision", Result({}, meta), "book/99-demo.ipynb")
    assert "precision" not in line and ", 2 seeds. Reproduce it" in line


def test_provenance_records_jaxs_setting_and_default_where_none_is_set():
    with jax.default_matmul_precision("high"):
        assert results.provenance()["matmul_precision"] == "high"
    with jax.default_matmul_precision(None):
        assert results.provenance()["matmul_precision"] == "default"


def test_an_undeclared_precision_is_refused_naming_it():
    bad = dataclasses.make_dataclass("Bad", [], bases=(Demo,), frozen=True)
    bad.PRECISION = "tf32"
    with pytest.raises(ValueError, match="^PRECISION:"):
        registry.matmul_precision(bad(profile="smoke"))


@pytest.mark.parametrize("slug", CHAPTERS)
def test_every_chapter_declares_a_precision_training_tf32_kernels_float32(slug):
    cfg = importlib.import_module(f"orthontk_lib.chapters.{slug}").Config
    assert cfg.PRECISION in MATMUL_PRECISIONS
    assert cfg.PRECISION == ("tensorfloat32" if slug in TRAINING else "highest")
