r"""The claims ledger: every testable claim of the papers, its statistic, its tolerance, its verdict.

Claims are declared here, once, in :data:`CLAIMS`. A chapter measures a
statistic and calls :func:`record`, which writes ``ledger/<profile>/<id>.json``
in the results folder (atomically). The ledger page calls :func:`table` at
every build: it shows each claim with the value measured at the profile shown
(paper-profile records committed under ``data/ledger/paper`` win over the
build's own), and a verdict computed from the claim's ``check``, never typed
by hand. A claim no chapter has measured yet says so.

Example:

>>> import tempfile
>>> root = tempfile.mkdtemp()
>>> r = record("setting-slope-orthogonal", -0.52, ci=(-0.6, -0.44), profile="quick", root=root)
>>> r["verdict"]
'holds'
"""

import json
import pathlib
from typing import Callable, NamedTuple, Optional

from orthontk_lib import results

BOOK_DIR = results.REPO_DATA.parent / "book"
"""The book's chapter folder (chapters link from the ledger only once they exist)."""

__all__ = ["Claim", "CLAIMS", "record", "records", "verdict", "table", "claim"]


class Claim(NamedTuple):
    """One testable claim."""

    id: str  # stable identifier, "<chapter>-<what>"
    source: str  # the paper, e.g. "Huang, Du, Xu 2021"
    chapter: str  # the docname of the chapter that measures it, e.g. "01-setting"
    claim: str  # the claim in words
    statistic: str  # what is measured
    tolerance: str  # what the theory allows, in words
    check: Callable  # (value, ci) -> bool


def _within(target, tol):
    return lambda v, ci: abs(v - target) <= tol


def _below(x):
    return lambda v, ci: v < x


def _below_or_at(x):
    return lambda v, ci: v <= x


def _ci_above(x):
    return lambda v, ci: ci is not None and ci[0] > x


HDX = "Huang, Du, Xu 2021"
LZB = "Liu, Zhu, Belkin 2020"
HDR = "Hayou, Doucet, Rousseau 2019"
ZX = "Zhou, Xu et al. 2022"
SLOPE_TOL = "|s + 1/2| <= 0.15 (†)"
SLOPE_TOL_NOTE = (
    "(†) Theory gives an error C n^(-1/2) (1 + O(n^(-1/2))). Over the widths a profile measures, the "
    "subleading term moves a fitted slope by at most about 0.1, and seed noise by about 0.05: a slope "
    "further than 0.15 from −1/2 is evidence against the claimed rate."
)
BOUND_TOL = "s <= −0.35 (‡)"
BOUND_TOL_NOTE = (
    "(‡) The theorem is an upper bound, O(n^(-1/2)): a slope at −1/2 or steeper is consistent with it (with the "
    "0.15 allowance of (†)); a slope above −0.35 is evidence against it. A steeper slope is expected: "
    "perturbation theory (Dyer & Gur-Ari 2020) gives a change of order 1/n."
)

CLAIMS = [
    Claim("setting-slope-gaussian", HDX, "01-setting",
          "The empirical NTK of a Gaussian FCN converges to the analytic NTK as width n grows.",
          "log-log slope s of ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against n (seed mean)", SLOPE_TOL, _within(-0.5, 0.15)),
    Claim("setting-slope-orthogonal", HDX, "01-setting",
          "The empirical NTK of an orthogonal FCN converges to the same analytic NTK, at the same rate.",
          "log-log slope s of ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against n (seed mean)", SLOPE_TOL, _within(-0.5, 0.15)),
    Claim("equality-fcn-slope-gaussian", HDX, "02-kernel-equality",
          "Gaussian FCNs (ReLU and erf, several depths, synthetic and real inputs) converge to Θ_∞.",
          "common log-log slope of the seed-mean ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against width, over all configurations",
          SLOPE_TOL, _within(-0.5, 0.15)),
    Claim("equality-fcn-slope-orthogonal", HDX, "02-kernel-equality",
          "Orthogonal FCNs converge to the same Θ_∞ as Gaussian ones, at the same rate.",
          "common log-log slope of the seed-mean ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against width, over all configurations",
          SLOPE_TOL, _within(-0.5, 0.15)),
    Claim("equality-fcn-orth-minus-gauss", HDX, "02-kernel-equality",
          "Orthogonal and Gaussian NTKs are equal at infinite width (FCN): their gap vanishes.",
          "common log-log slope of ||Θ̄_orth − Θ̄_gauss||_F/||Θ_∞||_F (seed means) against width",
          "95% interval entirely below 0 (theory: −1/2, seed-mean noise)", lambda v, ci: ci is not None and ci[1] < 0),
    Claim("equality-cnn-slope-gaussian", HDX, "02-kernel-equality",
          "Gaussian CNNs (full 3x3 filters, ReLU, several depths, digit images) converge to neural-tangents' CNN Θ_∞.",
          "common log-log slope of the seed-mean ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against channels, over depths",
          SLOPE_TOL, _within(-0.5, 0.15)),
    Claim("equality-cnn-slope-orthogonal", HDX, "02-kernel-equality",
          "CNNs with orthogonal full filters converge to the same Θ_∞, at the same rate.",
          "common log-log slope of the seed-mean ||Θ_emp − Θ_∞||_F/||Θ_∞||_F against channels, over depths",
          SLOPE_TOL, _within(-0.5, 0.15)),
    Claim("equality-cnn-orth-minus-gauss", HDX, "02-kernel-equality",
          "Orthogonal and Gaussian CNN NTKs are equal at infinite width, for full filters and for delta "
          "(centre-only) filters: their gap vanishes.",
          "common log-log slope of ||Θ̄_orth − Θ̄_gauss||_F/||Θ_∞||_F (seed means) against channels, both filters",
          "95% interval entirely below 0", lambda v, ci: ci is not None and ci[1] < 0),
    Claim("equality-cnn-delta-limit", "this book (Xiao et al. 2018 kernels)", "02-kernel-equality",
          "Delta-orthogonal (and delta-Gaussian) CNNs of depth >= 2 do not converge to the full-filter Θ_∞: "
          "a delta kernel does not mix neighbouring pixels in the forward pass.",
          "||Θ̄_delta − Θ_∞||_F in standard errors of the seed mean, largest channel count, depths >= 2 (mean)",
          "> 3 (seed noise alone puts a seed mean about one standard error away, as for the full filters)",
          lambda v, ci: v > 3),
    Claim("finite-width-spread-gaussian", HDX, "03-finite-width",
          "The seed-to-seed variance of a Gaussian network's empirical NTK shrinks as 1/width.",
          "log-log slope of the relative entrywise variance of Θ over seeds against width", "|s + 1| <= 0.2",
          _within(-1.0, 0.2)),
    Claim("finite-width-spread-orthogonal", HDX, "03-finite-width",
          "The seed-to-seed variance of an orthogonal network's empirical NTK shrinks as 1/width too.",
          "log-log slope of the relative entrywise variance of Θ over seeds against width", "|s + 1| <= 0.2",
          _within(-1.0, 0.2)),
    Claim("finite-width-depth-growth", "Day, Kahn, Roberts 2023", "03-finite-width",
          "For critical tanh at fixed width, NTK fluctuations grow with depth for Gaussian weights and much less "
          "(saturating) for orthogonal weights.",
          "Gaussian minus orthogonal growth per layer of Var Θ(x,x)/E[Θ(x,x)]² over depths >= 8",
          "95% interval above 0", _ci_above(0.0)),
    Claim("finite-width-isometry-orthogonal", HDX, "03-finite-width",
          "A deep linear network with orthogonal weights has all Jacobian singular values equal to one.",
          "max |σ_i − 1| over the input-output Jacobian's singular values, deepest network", "< 1e-4 (float32 round-off)",
          _below(1e-4)),
    Claim("finite-width-training-gap-gaussian", HDX, "03-finite-width",
          "At small learning rate, a Gaussian network's GD loss curve approaches its infinite-width linearization as width grows.",
          "log-log slope of max_t |L_t − L_t^lin| / L_0^lin (seed mean) against width",
          "95% interval below 0", lambda v, ci: ci is not None and ci[1] < 0),
    Claim("finite-width-training-gap-orthogonal", HDX, "03-finite-width",
          "An orthogonal network's GD loss curve approaches the same infinite-width linearization as width grows.",
          "log-log slope of max_t |L_t − L_t^lin| / L_0^lin (seed mean) against width",
          "95% interval below 0", lambda v, ci: ci is not None and ci[1] < 0),
    Claim("constancy-slope-gaussian", HDX, "04-constancy",
          "Under small-learning-rate GD the NTK of a Gaussian FCN moves by at most O(1/√width).",
          "log-log slope of the seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F against width (η = N/λ_max)",
          BOUND_TOL, _below_or_at(-0.35)),
    Claim("constancy-slope-orthogonal", HDX, "04-constancy",
          "Under small-learning-rate GD the NTK of an orthogonal FCN moves by at most O(1/√width) too.",
          "log-log slope of the seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F against width (η = N/λ_max)",
          BOUND_TOL, _below_or_at(-0.35)),
    Claim("constancy-orth-over-gauss", HDX, "04-constancy",
          "Orthogonal and Gaussian NTKs move by the same order under training: orthogonality gives no "
          "speed-up in the lazy regime.",
          "orthogonal / Gaussian kernel change, geometric mean over widths, with a 95% t-interval",
          "1/2 <= value <= 2 (the same order)", lambda v, ci: 0.5 <= v <= 2.0),
    Claim("constancy-linearization", "Lee et al. 2019", "04-constancy",
          "A wide network follows its linearization around initialization: the output gap vanishes at least "
          "as O(1/√width), for both inits.",
          "common log-log slope (both inits) of max_t ||f_t − f_t^lin||/||f_0 − y|| against width",
          BOUND_TOL, _below_or_at(-0.35)),
    Claim("constancy-cnn-slope", HDX, "04-constancy",
          "The same holds for CNNs: the NTK change under small-learning-rate GD vanishes with the channel count.",
          "common log-log slope (both inits) of the kernel change against channels",
          BOUND_TOL, _below_or_at(-0.35)),
    Claim("constancy-large-lr", "Lewkowycz et al. 2020", "04-constancy",
          "Above the stability limit 2N/λ_max, GD converges only by moving the NTK by O(1), at every width "
          "(the catapult phase), which the lazy picture does not predict.",
          "seed-mean ||Θ_T − Θ_0||_F/||Θ_0||_F at η = 3N/λ_max, largest width, both inits (smaller of the two)",
          "> 0.2 (order one; the small-η change at that width is a few percent)", lambda v, ci: v > 0.2),
    Claim("linearity-hessian-slope", LZB, "05-linearity",
          "The Hessian spectral norm of a network with a linear output scales as 1/√width.",
          "log-log slope of ||H||_2 against width", SLOPE_TOL, _within(-0.5, 0.15)),
    Claim("linearity-nonlinear-output", LZB, "05-linearity",
          "With a non-linear output layer the Hessian norm does not vanish with width.",
          "log-log slope of ||H||_2 against width", "|s| <= 0.15", _within(0.0, 0.15)),
    Claim("linearity-kernel-change-nonlinear", LZB, "05-linearity",
          "With a non-linear output layer the NTK changes by O(1) during training, even for a wide network.",
          "||Θ_T − Θ_0||_F/||Θ_0||_F after GD (seed mean), largest width trained",
          "> 0.2 (the linear-output network of the same width moves by a few percent)", lambda v, ci: v > 0.2),
    Claim("speedup-large-lr-depth", HDX, "06-speedup",
          "In the linear regime of tanh, orthogonal initialization trains faster at large learning rate and depth.",
          "speed-up τ_gauss/τ_orth (geometric mean over the large-η, deep corner), with a 95% bootstrap interval",
          "interval above 1",
          _ci_above(1.0)),
    Claim("speedup-small-lr-shallow", HDX, "06-speedup",
          "At small learning rate in shallow networks (the NTK-like corner) orthogonal initialization brings no speed-up.",
          "speed-up τ_gauss/τ_orth in the small-η, shallow corner", "0.8 <= value <= 1.25",
          lambda v, ci: 0.8 <= v <= 1.25),
    Claim("speedup-cnn-deep", "Xiao et al. 2018; Huang, Du, Xu 2021", "06-speedup",
          "Deep tanh CNNs on the critical line train faster from delta-orthogonal kernels than from Gaussian ones.",
          "speed-up τ_gauss/τ_delta-orth (geometric mean over the large-η, deep corner of the CNN grid), with a 95% "
          "bootstrap interval", "interval above 1", _ci_above(1.0)),
    Claim("speedup-cnn-orthogonality", "this book (Xiao et al. 2018 kernels)", "06-speedup",
          "The CNN speed-up comes from orthogonality, not from the delta structure: delta kernels with a Gaussian "
          "centre train slower than delta-orthogonal ones.",
          "speed-up τ_delta-gauss/τ_delta-orth (geometric mean over the large-η, deep corner of the CNN grid), with a "
          "95% bootstrap interval", "interval above 1", _ci_above(1.0)),
    Claim("eoc-ordered-exponential", HDR, "07-edge-of-chaos",
          "In the ordered phase the normalized NTK becomes input-independent exponentially fast in depth.",
          "R² of an exponential fit minus R² of a power-law fit to the spread of Θ̂^L against depth "
          "(smaller over erf and ReLU)", "> 0 (the exponential fits better)", lambda v, ci: v > 0),
    Claim("eoc-chaotic-exponential", HDR, "07-edge-of-chaos",
          "In the chaotic phase too the normalized NTK becomes trivial exponentially fast (Θ̂(x, x') → 0).",
          "R² of an exponential fit minus R² of a power-law fit to the spread of Θ̂^L against depth (erf)",
          "> 0 (the exponential fits better)", lambda v, ci: v > 0),
    Claim("eoc-rate-theory", HDR, "07-edge-of-chaos",
          "The exponential rate is the mean-field one: −log χ_1 (ordered, smooth φ), −½ log χ_1 (ordered ReLU), "
          "log(χ_1/χ_c*) (chaotic).",
          "fitted rate / theoretical rate, the ratio farthest from 1 over the three off-critical points",
          "0.8 <= ratio <= 1.1 (a prefactor L^k in the decay lowers a fit over [L1, L2] by k·log(L2/L1)/(L2 − L1), "
          "about 0.06 per unit of k here)", lambda v, ci: 0.8 <= v <= 1.1),
    Claim("eoc-critical-polynomial", HDR, "07-edge-of-chaos",
          "On the Edge of Chaos the normalized NTK approaches its limit only polynomially in depth.",
          "R² of a power-law fit minus R² of an exponential fit to the spread of Θ̂^L (smaller over erf and ReLU)",
          "> 0 (the power law fits better)", lambda v, ci: v > 0),
    Claim("eoc-depth-accuracy", HDR, "07-edge-of-chaos",
          "Kernel regression with Θ^L stays informative at large depth only on the Edge of Chaos.",
          "test accuracy at the largest depth: worst Edge-of-Chaos point minus best off-critical point",
          "> 0.5 (a trivial kernel predicts at chance, 0.1; a shallow one reaches about 0.9)", lambda v, ci: v > 0.5),
    Claim("eoc-orthogonal-follows", HDX, "07-edge-of-chaos",
          "At moderate depth an orthogonal finite-width network's normalized NTK follows the analytic curve.",
          "|spread_orth − spread_∞| / spread_∞ at the smallest measured depth, largest over the three erf points",
          "< 0.2 (finite-width corrections of order depth/width, plus seed noise)", lambda v, ci: v < 0.2),
    Claim("condensation-orientations", ZX, "08-condensation",
          "With small initialization, the input weights of neurons with an activation of multiplicity p = 1 "
          "condense onto at most 2 orientations early in training, in any input dimension.",
          "condensed orientations / 2p at the end of the initial stage (d = 5, smallest init scale, tanh): "
          "largest over seeds",
          "<= 1 (the theorem's bound; orientations within 18° count as one, so numerical spread cannot split one)",
          _below_or_at(1.0)),
    Claim("condensation-1d-bound", ZX, "08-condensation",
          "With 1-D input, neurons condense onto at most 2p orientations for any multiplicity p.",
          "condensed orientations / 2p at the end of the initial stage (1-D, tanh p = 1 and x·tanh p = 2): "
          "largest over seeds and activations", "<= 1 (the theorem's bound)", _below_or_at(1.0)),
    Claim("condensation-multiplicity", ZX, "08-condensation",
          "The number of condensed orientations grows with the multiplicity: x·tanh (p = 2) condenses onto more "
          "orientations than tanh (p = 1); the paper finds 2p.",
          "median condensed orientations of x·tanh minus those of tanh (1-D)",
          ">= 1 (2p gives 4 − 2 = 2)", lambda v, ci: v >= 1),
    Claim("condensation-lazy-none", ZX, "08-condensation",
          "At the usual (NTK-like) initialization scale the input weights do not condense.",
          "condensed orientations / m (m neurons) at LeCun's scale (s = 1) at the end of the initial stage "
          "(seed median, fewest over activations)",
          "> 1/4 (random orientations in d + 1 = 6 dimensions rarely lie within 18° of each other, giving about "
          "0.7 m clusters; condensation gives 2p/m <= 0.08 at m = 50)", lambda v, ci: v > 0.25),
    Claim("condensation-weight-change", ZX, "08-condensation",
          "From a small initialization the input weights grow to a size set by the task, not by the "
          "initialization: their relative change is of order 1/s, while at s = 1 it is of order 1.",
          "log-log slope of the relative change of the input weights at the end of the initial stage against "
          "the init scale s <= 0.03 (seed medians; the activation farthest from −1)",
          "|slope + 1| <= 0.15 (theory: −1; the stage ends at a loss drop fixed up to one evaluation's "
          "resolution, which moves the slope by a few hundredths)", _within(-1.0, 0.15)),
]
"""Every testable claim of the papers the book covers, in the book's order."""


# RECORDING


def claim(claim_id):
    """The :class:`Claim` called ``claim_id``."""
    for c in CLAIMS:
        if c.id == claim_id:
            return c
    raise KeyError(f"claim: no claim {claim_id!r} in the ledger")


def verdict(claim_id, value, ci=None):
    """``"holds"`` or ``"does not hold"`` for a measured value (and optional 95% interval)."""
    return "holds" if claim(claim_id).check(value, ci) else "does not hold"


def record(claim_id, value, *, profile, ci=None, detail=None, root=None):
    """Record a measured statistic for a claim; returns the record written."""
    claim(claim_id)  # unknown ids fail loudly
    rec = {
        "id": claim_id,
        "value": float(value),
        "ci": None if ci is None else [float(ci[0]), float(ci[1])],
        "verdict": verdict(claim_id, value, ci),
        "detail": detail,
        **results.provenance(profile=profile),
    }
    folder = results.data_dir(root) / "ledger" / profile
    folder.mkdir(parents=True, exist_ok=True)
    results.atomic_write(folder / f"{claim_id}.json", json.dumps(rec, indent=1, sort_keys=True).encode())
    return rec


def records(profile, root=None):
    """``{claim id: record}`` of the records saved for ``profile``."""
    folder = results.data_dir(root) / "ledger" / profile
    out = {}
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            out[path.stem] = json.loads(path.read_text())
        except ValueError as err:
            raise results.ResultError(f"{path}: ledger record is corrupt ({err}); delete it and rebuild") from err
    return out


def table(profile, root=None, paper_root: Optional[pathlib.Path] = None):
    """Rows ``(claim, record or None)``: committed paper records first, else the ``profile`` build's."""
    paper = records("paper", paper_root or results.REPO_DATA)
    own = records(profile, root)
    return [(c, paper.get(c.id) or own.get(c.id)) for c in CLAIMS]


# RENDERING


def html_table(rows):
    """The ledger as an HTML table (for the ledger page); verdicts recomputed from the values."""
    import html

    colour = {"holds": "#1a7f37", "does not hold": "#cf222e", "not yet measured": "#6e7781"}
    out = ['<table class="ledger"><thead><tr><th>Claim</th><th>Source</th><th>Statistic</th>'
           "<th>Tolerance</th><th>Measured</th><th>Verdict</th></tr></thead><tbody>"]
    for c, rec in rows:
        if rec is None:
            measured, v = "—", "not yet measured"
        else:
            v = verdict(c.id, rec["value"], rec.get("ci"))
            ci = f" [{rec['ci'][0]:.3g}, {rec['ci'][1]:.3g}]" if rec.get("ci") else ""
            measured = f"{rec['value']:.3g}{ci}<br><small>{rec['profile']}, {rec['created'][:10]}</small>"
        written = any((BOOK_DIR / f"{c.chapter}{ext}").exists() for ext in (".ipynb", ".md"))
        link = f'<a href="{c.chapter}.html">{html.escape(c.claim)}</a>' if written else html.escape(c.claim)
        out.append(
            f"<tr id=\"claim-{c.id}\"><td>{link}<br><small><code>{c.id}</code></small></td><td>{c.source}</td>"
            f"<td>{html.escape(c.statistic)}</td><td>{html.escape(c.tolerance)}</td><td>{measured}</td>"
            f'<td style="color:{colour[v]};font-weight:bold">{v}</td></tr>'
        )
    return "\n".join(out + ["</tbody></table>"])
