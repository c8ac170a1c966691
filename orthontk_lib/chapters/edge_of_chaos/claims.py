r"""The claims the chapter tests (:data:`CLAIMS`), each with its statistic, rule and tolerance, and
:func:`measure`, which measures every one of them from the saved arrays."""



from orthontk_lib.claims import AtLeast, AtMost, Between, Claim, Measurement, Separated

from .decay import phase_growth, rate_ratio_windows
from .experiment import RATE_FORMS
from .rates import deviation_ci, measure_exact_rate, trainability_gap

# CLAIMS

HDR = "Hayou, Doucet, Rousseau 2019"
GROWTH_RULE = (3.0, 5.0)
"""Growth per decade of the local log-log slope: at most 3 reads as a power law, at least 5 as an exponential."""
GROWTH_WHY = ("a power law's log-log slope is constant (growth 1 a decade; log L / L's and a power whose exponent is "
              "still settling drift, by less than 3 here); an exponential's is −γL, tenfold a decade (a prefactor L^k "
              "shifts it by k, pulling the growth down at shallow depths); 3 and 5 lie either side of √10, the "
              "geometric middle, and between them neither form is read")
GROWTH_STAT = ("growth per decade of the local log-log slope d log y / d log L of the distance y to the limit, read "
               "above the float64 floor over the last two adjacent windows of depth (each up to a decade); a "
               "deterministic curve: the range is over windows shifted down by up to half a window, not a 95% interval")
CLAIMS = [
    Claim("eoc-ordered-exponential", f"{HDR}, Prop. 1 (ordered phase)",
          "In the ordered phase the normalized NTK becomes input-independent exponentially fast in depth.",
          f"{GROWTH_STAT}; the smallest over the ordered curves (spread of Θ̂^L, erf and ReLU; |K^L/α_L − 1|, ReLU, "
          "ELU and tanh)", Separated(*GROWTH_RULE, "above"), why=GROWTH_WHY,
          decide="more depths above the float64 floor"),
    Claim("eoc-chaotic-exponential", f"{HDR}, Prop. 1 (chaotic phase)",
          "In the chaotic phase too the normalized NTK becomes trivial exponentially fast (Θ̂(x, x') → 0).",
          f"{GROWTH_STAT}; the smaller over the chaotic curves (spread of Θ̂^L, erf; |K^L/α_L|, tanh)",
          Separated(*GROWTH_RULE, "above"), why=GROWTH_WHY, decide="more depths"),
    Claim("eoc-rate-theory", f"{HDR}; Schoenholz et al. 2017",
          "The exponential rate is the mean-field one: −log χ_1 (ordered, smooth φ), −½ log χ_1 (ordered ReLU), "
          "log(χ_1/χ_c*) (chaotic).",
          "local rate −d log(spread)/dL over the last window read above the float64 floor, over the theoretical rate: "
          "the ratio farthest from 1 over the three off-critical points (deterministic curves: the range is over "
          "windows shifted down by up to half a window, not a 95% interval)",
          Between(0.8, 1.1), why="a prefactor L^k in the decay moves the local rate by k/L, about 0.05 of γ per unit "
          "of k at the windows read here", decide="a longer range of depths above the floor"),
    Claim("eoc-critical-polynomial", f"{HDR}, Prop. 2 (Edge of Chaos)",
          "On the Edge of Chaos the normalized NTK approaches its limit only polynomially in depth.",
          f"{GROWTH_STAT}; the largest over the exact recursion's curves |K^L/α_L − K_∞| (ReLU, ELU, tanh; depths to "
          "exact_max_depth, ReLU ten times deeper)", Separated(*GROWTH_RULE, "below"), why=GROWTH_WHY,
          decide="deeper exact recursions"),
    Claim("eoc-orthogonal-follows", "Huang, Du, Xu 2021 (this book's link to the main paper)",
          "At the smallest measured depth, far below the width, an orthogonal finite-width network's "
          "normalized NTK follows the analytic curve (the page reads the deepest depth too, and says what each phase's "
          "distance there is made of).",
          "|spread_orth − spread_∞| / spread_∞ at the smallest measured depth, largest over the three erf points "
          "(95% bootstrap interval over seeds)",
          AtMost(0.2), why="finite-width corrections of order depth/width, plus seed noise",
          decide="more seeds, or a wider network"),
    *[Claim(f"eoc-rate-form-{act}", f"{HDR}, Thm. 2 (Edge of Chaos, {act})",
            f"On the Edge of Chaos the normalized NTK of a {act} network approaches its limit at rate {form}.",
            "exact float64 recursion in 1 − c: the slope of L·(K^L/α_L − K_∞) against ln L over the last decade of "
            "depths over that over the decade before (a deterministic curve: the range is over windows shifted by "
            "up to half a decade, not a 95% interval)",
            AtMost(0.5) if form == "1/L" else Between(0.5, 2.0),
            why="a 1/L rate's slope falls about tenfold a decade, log L / L's stays (ratio 1), a slower power L^-p's "
                "grows by 10^(1-p); 0.5 and 2 lie between, a factor of 2 from 1",
            decide="deeper exact recursions (the ratio must settle)", robustness="eoc-robustness")
      for act, form in RATE_FORMS.items()],
    Claim("eoc-trainability", f"{HDR}, Sec. 4 (trainability)",
          "A deep tanh network initialized on the Edge of Chaos trains better under SGD than one initialized in "
          "the ordered or the chaotic phase.",
          "test accuracy averaged over training (area under the learning curve) at the deepest trained depth, Edge "
          "of Chaos minus the better off-Edge initialization (95% Welch interval over networks)", AtLeast(0.0),
          why="better means a positive difference; no size is given by the paper", decide="more networks"),
]


def measure(arrays, cfg):
    """Each claim's statistic with its 95% interval."""
    return {
        "eoc-ordered-exponential": Measurement(*phase_growth(arrays, "ordered")),
        "eoc-chaotic-exponential": Measurement(*phase_growth(arrays, "chaotic")),
        "eoc-rate-theory": Measurement(*rate_ratio_windows(arrays)),
        "eoc-critical-polynomial": Measurement(*phase_growth(arrays, "edge")),
        "eoc-orthogonal-follows": Measurement(*deviation_ci(arrays),
                                              {"gaussian": deviation_ci(arrays, key="emp_spread_gaussian")[0]}),
        **{f"eoc-rate-form-{act}": Measurement(*m) for act, m in measure_rates(arrays, cfg).items()},
        "eoc-trainability": Measurement(*trainability_gap(arrays)),
    }


def measure_rates(arrays, cfg):
    """The slope ratio (value, range, slopes) per Edge-of-Chaos activation (:func:`measure_exact_rate`)."""
    out = {}
    for act in RATE_FORMS:
        v, ci, (before, last) = measure_exact_rate(arrays, act)
        out[act] = (v, ci, {"slope_before": before, "slope_last": last,
                            "max_depth": int(arrays[f"exact_depths_{act}"][-1])})
    return out
