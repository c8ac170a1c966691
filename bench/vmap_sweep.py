"""The speed-up grid's training: one vmapped program over (lr, seed) pairs vs a Python loop over them.

Both train the same grid points (the quick profile's depth-8 row, width 64, 200 SGD steps of batch 128
on 1024 digits), at two grid sizes: the quick profile's 6 learning rates x 3 seeds (18 pairs) and
16 learning rates x 6 seeds (96 pairs, the paper's grid is 31 x 20). Three ways:

* ``vmapped``: ``train.fit_grid``, all pairs in one jitted program (scan over steps, vmap over pairs);
* ``plain_loop``: what a loop over grid points does with the library's pieces: per pair
  ``create_train_state`` and a jitted ``create_train_step`` (compiled per learning rate, which it
  closes over), then a Python loop over steps;
* ``fit_grid_loop``: ``fit_grid`` called once per pair (one compiled program reused; execution only).

``end_to_end`` times one cold pass of each (compilation included, as a user running the grid sees
it); ``steady`` times warm repeats (compilation excluded). The vmapped program's fixed costs
(compilation, initialization) are paid once per grid, so its end-to-end advantage grows with the
number of pairs. Goal (issue 6): vmapped >= 5x the plain loop.
Run: JAX_ENABLE_COMPILATION_CACHE=false python -m bench.vmap_sweep
"""

import jax
import numpy as np

from bench.record import median_seconds, record
from orthontk_lib import train
from orthontk_lib.chapters import speedup as sp


def main(depth=8):
    measure(depth, 6, 3, "speedup_grid_vmap_vs_loop")
    measure(depth, 16, 6, "speedup_grid_vmap_vs_loop_96_pairs")


def measure(depth, n_lrs, n_seeds, key):
    cfg = sp.Config.for_profile("quick", use_env=False, n_lrs=n_lrs, n_seeds=n_seeds)
    data = sp.training_data(cfg)
    spec = cfg.spec(depth, "orthogonal")
    config = train.TrainConfig(steps=200, batch_size=cfg.batch_size, loss="cross_entropy", record_every=10)
    lrs = np.repeat(cfg.lrs, cfg.n_seeds)
    keys = jax.random.split(jax.random.key(0), lrs.size)
    x, y = data.x_train, data.y_train

    def plain_loop():
        losses = []
        for g in range(lrs.size):
            key_init, key_batch = jax.random.split(keys[g])
            state = train.create_train_state(spec, config, key_init, float(lrs[g]), x)
            step = train.create_train_step(spec, config, float(lrs[g]))
            rng = np.random.default_rng(g)
            for t in range(config.steps):
                idx = rng.choice(len(x), config.batch_size, replace=False)
                state, metrics = step(state, (x[idx], y[idx]))
            losses.append(float(metrics["loss"]))
        return losses

    vmapped = lambda: train.fit_grid(spec, config, keys, lrs, data)
    fit_grid_loop = lambda: [train.fit_grid(spec, config, keys[g : g + 1], lrs[g : g + 1], data)
                             for g in range(lrs.size)]
    end_to_end = {name: cold_seconds(fn) for name, fn in
                  (("vmapped", vmapped), ("plain_loop", plain_loop), ("fit_grid_loop", fit_grid_loop))}
    same = np.allclose(vmapped()["train_loss"], np.concatenate([h["train_loss"] for h in fit_grid_loop()]),
                       rtol=1e-4, atol=1e-5)
    steady = {"vmapped": median_seconds(vmapped, repeats=3), "plain_loop": median_seconds(plain_loop, repeats=1),
              "fit_grid_loop": median_seconds(fit_grid_loop, repeats=3)}
    entry = {"pairs": int(lrs.size), "depth": depth, "width": cfg.width, "steps": config.steps,
             "end_to_end_s": end_to_end, "steady_s": steady, "same_losses_as_fit_grid_loop": bool(same),
             "ratio_end_to_end_vs_plain_loop": end_to_end["plain_loop"] / end_to_end["vmapped"],
             "ratio_steady_vs_plain_loop": steady["plain_loop"] / steady["vmapped"],
             "ratio_steady_vs_fit_grid_loop": steady["fit_grid_loop"] / steady["vmapped"]}
    entry["goal"] = "vmapped >= 5x faster than a plain loop over the grid points"
    entry["met"] = {"steady": entry["ratio_steady_vs_plain_loop"] >= 5,
                    "end_to_end": entry["ratio_end_to_end_vs_plain_loop"] >= 5}
    record(key, entry)
    print(entry)


def cold_seconds(fn):
    """Wall time of one call of ``fn`` after clearing JAX's compilation caches."""
    import time

    jax.clear_caches()
    train._fit_program.cache_clear()
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
