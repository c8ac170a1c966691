"""Shared fixtures (session settings are in the top-level conftest.py)."""

import jax
import pytest


@pytest.fixture
def key():
    return jax.random.key(0)
