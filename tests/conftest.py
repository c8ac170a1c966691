"""Shared fixtures (session settings are in the top-level conftest.py)."""

import jax
import pytest


@pytest.fixture
def key():
    return jax.random.key(0)


@pytest.fixture
def run_on_four_cpu_devices():
    """``run(code)``: run ``code`` in a fresh Python with four forced CPU devices; its stdout (fails on an error)."""
    return _run_on_four_cpu_devices


def _run_on_four_cpu_devices(code):
    import subprocess
    import sys

    env = {"XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu", "PATH": "/usr/bin:/bin"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout
