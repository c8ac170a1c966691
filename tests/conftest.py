"""Shared fixtures. Tests run on the CPU; notebooks at the smoke profile."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("ORTHONTK_PROFILE", "smoke")

import jax  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def key():
    return jax.random.key(0)


@pytest.fixture
def tmp_data(tmp_path, monkeypatch):
    """Results and figures go to a temporary folder, never to the repository's data/."""
    monkeypatch.setenv("ORTHONTK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ORTHONTK_FIGURE_DIR", str(tmp_path / "figures"))
    return tmp_path
