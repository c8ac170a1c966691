"""Kernels: the fast FCN NTK is exact, the analytic one is the arc-cosine formula, and the
empirical NTK approaches the analytic one at the rate the theory gives."""

import itertools

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from orthontk_lib import kernels
from orthontk_lib.models import ACTIVATIONS, CNN, FCN
from references.fixtures import load


@pytest.mark.parametrize(
    "activation, init, parameterization",
    list(itertools.product(ACTIVATIONS, ["gaussian", "orthogonal"], ["ntk", "standard"])),
)
def test_empirical_ntk_equals_bruteforce_jacobian(key, activation, init, parameterization):
    spec = FCN(depth=2, width=9, activation=activation, W_std=1.3, b_std=0.2, init=init,
               parameterization=parameterization, out_dim=3)
    x1 = jax.random.normal(key, (5, 7))
    x2 = jax.random.normal(jax.random.key(3), (4, 7))
    variables = spec.initialize(jax.random.key(1), x1)
    fast = kernels.empirical_ntk(spec, variables, x1, x2)
    brute = kernels.jacobian_ntk(spec, variables, x1, x2)
    assert fast.shape == (5, 4)
    assert float(jnp.abs(fast - brute).max() / jnp.abs(brute).max()) < 1e-5


def test_empirical_ntk_with_nonlinear_output_equals_bruteforce(key):
    spec = FCN(depth=1, width=11, activation="relu", output_activation="tanh", out_dim=2, b_std=0.1)
    x = jax.random.normal(key, (6, 5))
    variables = spec.initialize(jax.random.key(2), x)
    brute = kernels.jacobian_ntk(spec, variables, x)
    assert float(jnp.abs(kernels.empirical_ntk(spec, variables, x) - brute).max() / jnp.abs(brute).max()) < 1e-5


@pytest.mark.parametrize(
    "init, filter, parameterization, output_activation",
    [("gaussian", "full", "ntk", "linear"), ("orthogonal", "full", "standard", "linear"),
     ("orthogonal", "delta", "ntk", "tanh"), ("gaussian", "delta", "standard", "linear")],
)
def test_cnn_empirical_ntk_equals_bruteforce_jacobian(key, init, filter, parameterization, output_activation):
    spec = CNN(depth=2, channels=6, activation="erf", W_std=1.3, b_std=0.2, init=init, filter=filter,
               parameterization=parameterization, out_dim=3, output_activation=output_activation)
    x1 = jax.random.normal(key, (4, 5, 5, 2))
    x2 = jax.random.normal(jax.random.key(3), (3, 5, 5, 2))
    variables = spec.initialize(jax.random.key(1), x1)
    fast = kernels.empirical_ntk(spec, variables, x1, x2)
    brute = kernels.jacobian_ntk(spec, variables, x1, x2)
    assert fast.shape == (4, 3)
    assert float(jnp.abs(fast - brute).max() / jnp.abs(brute).max()) < 1e-5


@pytest.mark.parametrize("implementation", ["NTK_VECTOR_PRODUCTS", "JACOBIAN_CONTRACTION"])
def test_neural_tangents_empirical_ntk_agrees_on_a_cnn(implementation):
    """neural-tangents' empirical NTK (tests/fixtures/neural_tangents, ``make references``) against the Jacobian's and
    the position-wise Gram form's, on the parameters it was computed with."""
    spec = CNN(depth=1, channels=4, init="orthogonal", b_std=0.1, out_dim=2)
    case = load("neural_tangents", "cnn_empirical_ntk")["orthogonal"]
    assert case.spec == spec
    theirs = case[f"ntk_{implementation}"]
    for ours in (kernels.jacobian_ntk(spec, case.variables, case["x"]), kernels.empirical_ntk(spec, case.variables, case["x"])):
        assert float(jnp.abs(ours - theirs).max() / jnp.abs(theirs).max()) < 1e-5


def arccos_relu_ntk(x1, x2, W_std, b_std):
    """Closed-form NTK of a one-hidden-layer ReLU FCN, NTK parameterization (Cho & Saul 2009; Jacot 2018)."""
    d = x1.shape[1]
    k12 = W_std**2 * x1 @ x2.T / d + b_std**2
    k11 = W_std**2 * np.sum(x1**2, 1) / d + b_std**2
    k22 = W_std**2 * np.sum(x2**2, 1) / d + b_std**2
    norm = np.sqrt(np.outer(k11, k22))
    theta = np.arccos(np.clip(k12 / norm, -1, 1))
    e_phi = norm / (2 * np.pi) * (np.sin(theta) + (np.pi - theta) * np.cos(theta))
    e_dphi = (np.pi - theta) / (2 * np.pi)
    nngp = W_std**2 * e_phi + b_std**2
    return nngp + W_std**2 * e_dphi * k12


def test_analytic_ntk_is_the_arccosine_formula(key):
    spec = FCN(depth=1, width=8, activation="relu", W_std=1.5, b_std=0.1)
    x1 = np.asarray(jax.random.normal(key, (6, 10)))
    x2 = np.asarray(jax.random.normal(jax.random.key(5), (4, 10)))
    np.testing.assert_allclose(kernels.analytic_ntk(spec, x1, x2), arccos_relu_ntk(x1, x2, 1.5, 0.1), rtol=1e-5)


@pytest.mark.parametrize("init", ["orthogonal", "gaussian"])
def test_empirical_ntk_matches_analytic_at_large_width(key, init):
    """At width n the relative error is a mean of n per-unit terms, so it is ~ sigma_T / (sqrt(n) |Theta|).

    For one hidden layer, Theta_emp = (1/n) sum_i T_i + b_std^2 with per-unit kernels
    T_i = W_std^2 [ (W_std^2 x.x'/d + b_std^2) v_i^2 phi'(z_i) phi'(z_i') + phi(z_i) phi(z_i') ].
    For Gaussian weights the T_i are i.i.d., so E|Theta_emp - Theta_inf|_F^2 = sum var(T) / n; the
    test measures var(T) across the network's own units and allows 3x that predicted error.
    Orthogonal weights are exchangeable, not independent; the paper's claim is the same O(1/sqrt n) order.
    """
    W_std, b_std, n = 1.5, 0.1, 4096
    spec = FCN(depth=1, width=n, activation="relu", W_std=W_std, b_std=b_std, init=init)
    x = np.asarray(jax.random.normal(key, (20, 64)))
    x = x * np.sqrt(64) / np.linalg.norm(x, axis=1, keepdims=True)
    variables = spec.initialize(jax.random.key(7), x)
    emp = np.asarray(kernels.empirical_ntk(spec, variables, x))
    ana = np.asarray(kernels.analytic_ntk(spec, x))
    err = np.linalg.norm(emp - ana) / np.linalg.norm(ana)

    p = variables["params"]
    z = W_std / np.sqrt(64) * x @ np.asarray(p["hidden_0"]["kernel"]) + b_std * np.asarray(p["hidden_0"]["bias"])
    v = np.asarray(p["readout"]["kernel"])[:, 0]
    phi, dphi = np.maximum(z, 0), (z > 0).astype(float)
    k1 = W_std**2 * x @ x.T / 64 + b_std**2
    T = W_std**2 * (k1[None] * v[:, None, None] ** 2 * np.einsum("ai,bi->iab", dphi, dphi) + np.einsum("ai,bi->iab", phi, phi))
    predicted = np.sqrt(T.var(axis=0).sum() / n) / np.linalg.norm(ana)
    assert 0 < err < 3 * predicted, (err, predicted)
    assert predicted < 0.06  # the bound itself is O(1/sqrt n): a loose one would make the test vacuous


def test_importing_train_does_not_import_neural_tangents():
    import subprocess
    import sys

    code = "import orthontk_lib.train, sys; assert 'neural_tangents' not in sys.modules and 'tensorflow' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_empirical_ntk_seeds_equals_one_network_at_a_time(key):
    spec = FCN(depth=3, width=32, activation="tanh", init="orthogonal", b_std=0.1)
    x = jax.random.normal(key, (5, 6))
    keys = jax.random.split(jax.random.key(4), 5)
    many = kernels.empirical_ntk_seeds(spec, keys, x, max_floats=3000)  # forces chunks of one network
    for k, theta in zip(keys, many):
        np.testing.assert_allclose(theta, kernels.empirical_ntk(spec, spec.initialize(k, x), x), rtol=1e-5, atol=1e-6)



@pytest.mark.parametrize("one_key", [lambda: jax.random.key(4), lambda: jax.random.PRNGKey(4)], ids=["typed", "legacy"])
def test_one_key_where_a_batch_is_expected_is_named(key, one_key):
    """Issue 37: one key was an IndexError from ``jax.eval_shape``; a batch of legacy keys is the typed batch's kernels."""
    spec = FCN(depth=1, width=8)
    x = jax.random.normal(key, (3, 4))
    with pytest.raises(ValueError, match=r"^keys: .*batch of PRNG keys.*one key"):
        kernels.empirical_ntk_seeds(spec, one_key(), x)
    with pytest.raises(ValueError, match=r"^keys: .*batch of PRNG keys"):
        kernels.empirical_nngp_seeds(spec, one_key(), x)
    legacy = kernels.empirical_ntk_seeds(spec, jax.random.split(jax.random.PRNGKey(4), 2), x)
    typed = kernels.empirical_ntk_seeds(spec, jax.random.wrap_key_data(jax.random.split(jax.random.PRNGKey(4), 2)), x)
    np.testing.assert_array_equal(legacy, typed)


def _numpy_jacobian(spec, variables, x):
    """∂h^L/∂x by the chain rule in NumPy float64 from the network's parameters (NTK parameterization)."""
    params = variables["params"]
    phi = {"linear": (lambda z: z, lambda z: np.ones_like(z)), "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2)}
    f, df = phi[spec.activation]
    h, jac = np.asarray(x, np.float64), np.eye(len(x))
    for name in spec.layers()[:-1]:
        W = np.asarray(params[name]["kernel"], np.float64) * spec.W_std / np.sqrt(h.shape[0])
        z = h @ W + spec.b_std * np.asarray(params[name]["bias"], np.float64)
        jac = df(z)[:, None] * (W.T @ jac)
        h = f(z)
    return jac


@pytest.mark.parametrize("activation", ["linear", "tanh"])
def test_input_output_jacobian_is_the_float64_chain_rule(key, activation):
    n, depth = 48, 40
    spec = FCN(depth, n, activation, 1.0, 0.1, "gaussian")
    x = np.asarray(jax.random.normal(key, (n,))) / np.sqrt(n)
    variables = spec.initialize(key, x[None])
    jac = kernels.input_output_jacobian(spec, variables, x)
    reference = _numpy_jacobian(spec, variables, x)
    assert jac.dtype == np.float64
    sv, sv_ref = (np.linalg.svd(j, compute_uv=False) for j in (jac, reference))
    np.testing.assert_allclose(sv, sv_ref, rtol=1e-9, atol=1e-12 * sv_ref.max())


def test_normalized_kernel_and_spread_are_the_cosines_of_the_features():
    """A linear kernel X X^T normalizes to the cosine matrix; its spread is the s.d. of the pairwise cosines."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(6, 5))
    theta = x @ x.T
    cos = [[float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))) for b in x] for a in x]
    np.testing.assert_allclose(kernels.normalized(theta), cos, rtol=1e-12)
    pairs = [cos[i][j] for i in range(6) for j in range(i + 1, 6)]
    assert kernels.spread(theta) == pytest.approx(np.std(pairs), rel=1e-12)
    assert kernels.spread(np.full((4, 4), 3.0)) == 0.0  # a constant kernel tells no inputs apart
    stacked = kernels.spread(np.stack([theta, 2 * theta]))  # (..., N, N): a scale does not change it
    np.testing.assert_allclose(stacked, kernels.spread(theta), rtol=1e-12)


def test_kernel_regression_accuracy_is_scikit_learns_kernel_ridge():
    from sklearn.kernel_ridge import KernelRidge

    rng = np.random.default_rng(1)
    labels = np.tile(np.arange(3), 15)  # three clusters, ten training and five test points each
    x = 3.0 * np.eye(3)[labels] + rng.normal(size=(45, 3))
    y = np.eye(3)[labels]
    theta = np.exp(-((x[:, None] - x[None]) ** 2).sum(-1) / 4)  # an RBF kernel
    n, ridge = 30, 1e-2
    acc = kernels.kernel_regression_accuracy(theta, n, y[:n], y[n:], ridge=ridge)
    reg = ridge * np.trace(theta[:n, :n]) / n
    model = KernelRidge(alpha=reg, kernel="precomputed").fit(theta[:n, :n], y[:n] - y[:n].mean(0))
    expected = float((model.predict(theta[n:, :n]).argmax(1) == labels[n:]).mean())
    assert acc == expected and 0.5 < acc <= 1.0


def test_a_bfloat16_specs_empirical_ntk_is_the_float32_networks_kernel(key):
    """As documented (models.COMPUTE_DTYPES, empirical_ntk): the Gram form ignores compute_dtype; the bf16 network's
    own Jacobian kernel differs from it at bf16's precision."""
    x = jax.random.normal(key, (3, 5))
    f32, bf16 = FCN(depth=2, width=64, activation="tanh"), FCN(depth=2, width=64, activation="tanh", compute_dtype="bfloat16")
    v = f32.initialize(jax.random.key(1), x)
    np.testing.assert_array_equal(kernels.empirical_ntk(bf16, v, x), kernels.empirical_ntk(f32, v, x))
    own = np.asarray(kernels.jacobian_ntk(bf16, v, x))
    assert 1e-4 < np.abs(own - np.asarray(kernels.empirical_ntk(f32, v, x))).max() / np.abs(own).max() < 3e-2
