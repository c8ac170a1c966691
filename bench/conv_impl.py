"""Convolution inside a training loop: XLA's convolution vs ``models.conv_same`` (k^2 shifted matmuls).

The speed-up chapter's CNN case: two tanh conv layers of 8 channels on 128 8x8 images, and a dense
readout; one gradient step of squared loss, (a) as one jitted call, (b) 200 steps inside a
``lax.scan`` (how ``train.fit_grid`` trains), (c) the scan vmapped over 4 networks. Records
milliseconds per step for each. Run: python -m bench.conv_impl
"""

import jax
import jax.numpy as jnp

from bench.record import median_seconds, record
from orthontk_lib.models import conv_same


def xla_conv(x, kernel):
    return jax.lax.conv_general_dilated(x, kernel, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))


def main(n=128, channels=8, steps=200):
    k = jax.random.split(jax.random.key(0), 4)
    x = jax.random.normal(k[0], (n, 8, 8, 1))
    params = (jax.random.normal(k[1], (3, 3, 1, channels)), jax.random.normal(k[2], (3, 3, channels, channels)),
              jax.random.normal(k[3], (64 * channels, 10)))
    entry = {"images": n, "channels": channels, "steps": steps}
    for name, conv in (("xla_conv", xla_conv), ("conv_same", conv_same)):
        def loss(p):
            h = jnp.tanh(conv(jnp.tanh(conv(x, p[0])), p[1]))
            return jnp.sum((h.reshape(n, -1) @ p[2]) ** 2)

        def loop(p):
            step = lambda p, _: (jax.tree.map(lambda a, g: a - 1e-6 * g, p, jax.grad(loss)(p)), None)
            return jax.lax.scan(step, p, None, length=steps)[0]

        grad, scan, vscan = jax.jit(jax.grad(loss)), jax.jit(loop), jax.jit(jax.vmap(loop))
        four = jax.tree.map(lambda a: jnp.stack([a] * 4), params)
        entry[name] = {
            "ms_per_step_single_call": 1e3 * median_seconds(lambda: jax.block_until_ready(grad(params)), repeats=50),
            "ms_per_step_in_scan": 1e3 * median_seconds(lambda: jax.block_until_ready(scan(params)), 3) / steps,
            "ms_per_step_per_network_vmapped_scan":
                1e3 * median_seconds(lambda: jax.block_until_ready(vscan(four)), 3) / steps / 4,
        }
    entry["ratio_in_scan"] = entry["xla_conv"]["ms_per_step_in_scan"] / entry["conv_same"]["ms_per_step_in_scan"]
    entry["ratio_vmapped_scan"] = (entry["xla_conv"]["ms_per_step_per_network_vmapped_scan"]
                                   / entry["conv_same"]["ms_per_step_per_network_vmapped_scan"])
    record("conv_impl_in_training_loop", entry)
    print(entry)


if __name__ == "__main__":
    main()
