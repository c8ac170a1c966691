r"""A claim of a paper as one object: statement, statistic, decision rule and tolerance together.

A :class:`Claim` is decided by the 95% interval of its statistic, never by the
point estimate alone, and has three outcomes:

* ``"holds"``: the whole interval lies where the claim says;
* ``"does not hold"``: the whole interval lies where the claim says it cannot;
* ``"inconclusive"``: the interval straddles the boundary (or the statistic
  could not be measured): the data do not decide, and ``Claim.decide`` says what would.

A claim the book may find false names, in ``Claim.robustness``, the label of its
chapter's robustness section (what was varied, what stayed); the front page and the
ledger link each claim that does not hold to it (:func:`orthontk_lib.book.ledger.failing`).

The rules:

* :class:`Within` ``(x, t)``: "equals x within t": holds when the interval lies
  inside ``[x - t, x + t]``, fails when it lies wholly outside it;
* :class:`Between` ``(lo, hi)``: an equivalence test: the same, with the band given by its ends
  (for ratios: "the same order" is ``Between(1/2, 2)``);
* :class:`AtMost` ``(x)`` / :class:`AtLeast` ``(x)``: a bound: holds when the
  interval is on the allowed side, fails when it is wholly on the other;
* :class:`Separated` ``(lo, hi, side)``: two readings a gap apart (a power law below ``lo``, an
  exponential above ``hi``): holds on the claim's side, fails on the other, inconclusive in the gap.

A statistic that is computed exactly (an analytic kernel, a deterministic
count) is measured with the degenerate interval ``(v, v)``; its claim says so
in ``statistic``.

Example:

>>> c = Claim("demo-slope", "Huang, Du, Xu 2021, Sec. 4", "The error decays as n^(-1/2).",
...           "log-log slope of the error against width", Within(-0.5, 0.15),
...           why="seed noise and a subleading term", decide="more widths")
>>> c.verdict(-0.52, (-0.6, -0.44))
'holds'
>>> c.verdict(-0.1, (-0.2, 0.0))
'does not hold'
>>> c.verdict(-0.5, (-0.9, -0.1))
'inconclusive'
"""

import dataclasses
import math
from collections.abc import Mapping
from typing import NamedTuple, Optional

__all__ = ["Claim", "Measurement", "with_reading", "on_the_bound", "Within", "Between", "AtMost", "AtLeast", "Separated", "VERDICTS", "HOLDS", "FAILS",
           "INCONCLUSIVE", "Measured", "margin", "decided", "by_verdict"]

HOLDS, FAILS, INCONCLUSIVE = "holds", "does not hold", "inconclusive"
VERDICTS = (HOLDS, FAILS, INCONCLUSIVE)
"""The three outcomes, in the order the ledger counts them."""


class Measurement(NamedTuple):
    """A claim's statistic as measured: value, 95% interval ``(lo, hi)`` and a JSON-able detail."""

    value: float
    ci: tuple
    detail: Optional[dict] = None



def with_reading(m, reading):
    """``m`` with ``reading`` added to its detail's ``"reading"`` (what the ledger shows beside the verdict); a reading
    already there comes first, joined by "; "."""
    detail = dict(m.detail or {})
    detail["reading"] = f"{detail['reading']}; {reading}" if detail.get("reading") else reading
    return Measurement(m.value, m.ci, detail)


def on_the_bound(ci, bound=1.0):
    """Whether an interval's lower end is exactly ``bound`` (to 1e-9 relative): a verdict it holds only just."""
    return bool(math.isfinite(ci[0]) and math.isclose(ci[0], bound, rel_tol=1e-9))


# RULES


@dataclasses.dataclass(frozen=True)
class Between:
    r"""Equivalence: the statistic lies in ``[lo, hi]``.

    Holds when the interval lies inside the band, fails when it is disjoint from it.

    >>> Between(0.5, 2.0).verdict((0.8, 1.3)), Between(0.5, 2.0).verdict((2.5, 4.0)), Between(0.5, 2.0).verdict((0.3, 0.9))
    ('holds', 'does not hold', 'inconclusive')
    """

    lo: float
    hi: float

    def verdict(self, ci):
        a, b = ci
        if self.lo <= a and b <= self.hi:
            return HOLDS
        if b < self.lo or a > self.hi:
            return FAILS
        return INCONCLUSIVE

    def boundaries(self):
        return (self.lo, self.hi)

    def __str__(self):
        return f"95% interval inside [{self.lo:g}, {self.hi:g}]"


@dataclasses.dataclass(frozen=True)
class Within(Between):
    r"""Equality within a tolerance: the statistic lies in ``[x - t, x + t]``.

    >>> Within(-0.5, 0.15).verdict((-0.6, -0.4)), Within(-0.5, 0.15).verdict((-0.3, -0.2))
    ('holds', 'does not hold')
    """

    def __init__(self, x, t):
        object.__setattr__(self, "lo", x - t)
        object.__setattr__(self, "hi", x + t)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "t", t)

    def __str__(self):
        return f"95% interval inside {self.x:g} ± {self.t:g}"

    @property
    def band(self):
        """The band in prose, with a typographic minus: ``Within(-1, 0.2).band == "−1 ± 0.2"``."""
        return f"{self.x:g} ± {self.t:g}".replace("-", "−")


@dataclasses.dataclass(frozen=True)
class AtMost:
    r"""Upper bound: the statistic is at most ``x``.

    >>> AtMost(0.0).verdict((-0.3, -0.1)), AtMost(0.0).verdict((0.1, 0.3)), AtMost(0.0).verdict((-0.1, 0.1))
    ('holds', 'does not hold', 'inconclusive')
    """

    x: float

    def verdict(self, ci):
        a, b = ci
        return HOLDS if b <= self.x else FAILS if a > self.x else INCONCLUSIVE

    def boundaries(self):
        return (self.x,)

    def __str__(self):
        return f"95% interval at or below {self.x:g}"


@dataclasses.dataclass(frozen=True)
class AtLeast:
    r"""Lower bound: the statistic is at least ``x``.

    >>> AtLeast(1.0).verdict((1.2, 3.0)), AtLeast(1.0).verdict((0.5, 0.9)), AtLeast(1.0).verdict((0.9, 2.0))
    ('holds', 'does not hold', 'inconclusive')
    """

    x: float

    def verdict(self, ci):
        a, b = ci
        return HOLDS if a >= self.x else FAILS if b < self.x else INCONCLUSIVE

    def boundaries(self):
        return (self.x,)

    def __str__(self):
        return f"95% interval at or above {self.x:g}"


@dataclasses.dataclass(frozen=True)
class Separated:
    r"""Two readings apart: below ``lo`` one form, above ``hi`` the other, the gap between deciding neither.

    ``side="below"``: holds when the interval lies at or below ``lo``, fails when it lies at or above ``hi``;
    ``side="above"``: the reverse. An interval in the gap, or across a boundary, is inconclusive.

    >>> r = Separated(3.0, 5.0, "below")
    >>> r.verdict((1.0, 2.0)), r.verdict((8.0, 12.0)), r.verdict((3.5, 4.5))
    ('holds', 'does not hold', 'inconclusive')
    >>> Separated(3.0, 5.0, "above").verdict((8.0, 12.0))
    'holds'
    """

    lo: float
    hi: float
    side: str = "below"

    def verdict(self, ci):
        a, b = ci
        below, above = b <= self.lo, a >= self.hi
        if self.side == "below":
            return HOLDS if below else FAILS if above else INCONCLUSIVE
        return HOLDS if above else FAILS if below else INCONCLUSIVE

    def boundaries(self):
        return (self.lo, self.hi)

    def __str__(self):
        if self.side == "below":
            return f"95% interval at or below {self.lo:g} (at or above {self.hi:g}: does not hold)"
        return f"95% interval at or above {self.hi:g} (at or below {self.lo:g}: does not hold)"


# CLAIMS


@dataclasses.dataclass(frozen=True)
class Claim:
    """One testable claim: what a paper says, what is measured, and how the measurement decides it."""

    id: str  # stable identifier, "<chapter>-<what>"
    source: str  # paper with section or figure, e.g. "Huang, Du, Xu 2021, Fig. 1"
    statement: str  # the claim in words
    statistic: str  # what is measured, and how its 95% interval is obtained
    rule: object  # Within, Between, AtMost or AtLeast
    why: str = ""  # where the tolerance comes from
    decide: str = "more seeds, or a paper-scale run"  # what would decide an inconclusive verdict
    robustness: str = ""  # label of the chapter section that tests a "does not hold" verdict's robustness
    caveat: str = ""  # what weakens the verdict, in a few words ("a line through 2 widths"); shown in its row
    interval: str = "95% interval"  # the kind of ``ci`` ("range over fit windows" for a deterministic curve's)

    def tags(self, detail=None):
        """The short notes a findings row shows beside the verdict: the interval's kind where it is not a 95%
        interval, the claim's :attr:`caveat`, and a caveat its measurement computed (``detail["caveat"]``, a short
        phrase that holds only for some data, such as "flips at the 80% target"). A list of str, possibly empty."""
        extra = (detail or {}).get("caveat")
        return [t for t in (self.interval if self.interval != "95% interval" else "", self.caveat, extra) if t]

    def verdict(self, value, ci):
        """``"holds"``, ``"does not hold"`` or ``"inconclusive"`` from the 95% interval ``ci`` (``value`` must lie in it).
        An end of ``ci`` may be infinite (an interval bounded on one side only); a NaN value or end is no interval, and
        inconclusive."""
        if ci is None or not _finite(value) or not all(_number(v) for v in ci):
            return INCONCLUSIVE
        lo, hi = float(ci[0]), float(ci[1])
        if not lo <= float(value) <= hi:
            raise ValueError(f"{self.id}: value {value} lies outside its interval [{lo}, {hi}]")
        return self.rule.verdict((lo, hi))

    @property
    def tolerance(self):
        """The rule in words."""
        return str(self.rule)


class Measured(Mapping):
    """A chapter's claims with their measurements, checked to match: the one place a verdict is looked up.

    ``measured[id]`` is the claim's :class:`Measurement`; :meth:`verdict` its verdict, :meth:`claim` the
    :class:`Claim`, :meth:`words` the sentence written for that verdict. The book measures a shown run once
    (:func:`orthontk_lib.book.page.measured`) and hands the same object to the chapter's ``numbers(arrays, cfg,
    measured)`` and to the ledger, so the prose and the ledger read the same verdicts; a test feeds a chapter's
    prose synthetic measurements the same way.

    Args:
      claims: the chapter's ``CLAIMS``.
      measurements: ``{claim id: (value, ci[, detail])}``, as the chapter's ``measure(arrays, cfg)`` returns.

    Raises:
      ValueError: when the measured ids are not exactly the claims' ids (naming the missing and the extra ones).

    >>> c = Claim("x-slope", "", "", "", AtMost(0.0))
    >>> m = Measured([c], {"x-slope": (-0.4, (-0.6, -0.2))})
    >>> m.verdict("x-slope"), m.words("x-slope", holds="it falls", fails="it rises", inconclusive="undecided")
    ('holds', 'it falls')
    >>> Measured([c], {})
    Traceback (most recent call last):
    ...
    ValueError: measured claims differ from the declared ones: not measured ['x-slope']; measured but not declared []
    """

    def __init__(self, claims, measurements):
        declared, got = [c.id for c in claims], set(measurements)
        if set(declared) != got or len(declared) != len(set(declared)):
            raise ValueError(f"measured claims differ from the declared ones: not measured "
                             f"{sorted(set(declared) - got)}; measured but not declared {sorted(got - set(declared))}")
        self._claims = {c.id: c for c in claims}
        self._measurements = {i: Measurement(*measurements[i]) for i in declared}

    @classmethod
    def of(cls, chapter, arrays, cfg):
        """A chapter's claims measured on ``arrays``: ``Measured(chapter.CLAIMS, chapter.measure(arrays, cfg))``,
        with the chapter's slug in the error when the two do not match."""
        try:
            return cls(chapter.CLAIMS, chapter.measure(arrays, cfg))
        except ValueError as err:
            raise ValueError(f"{chapter.SLUG}: {err}") from err

    def __getitem__(self, claim_id):
        return self._measurements[claim_id]

    def __iter__(self):
        return iter(self._measurements)

    def __len__(self):
        return len(self._measurements)

    def claim(self, claim_id):
        """The :class:`Claim` ``claim_id``."""
        return self._claims[claim_id]

    def verdict(self, claim_id):
        """``"holds"``, ``"does not hold"`` or ``"inconclusive"``: the claim's rule applied to its interval."""
        m = self._measurements[claim_id]
        return self._claims[claim_id].verdict(m.value, m.ci)

    def verdicts(self, prefix=""):
        """``{claim id: verdict}`` of the claims whose id starts with ``prefix``, in the claims' order."""
        return {i: self.verdict(i) for i in self._measurements if i.startswith(prefix)}

    def words(self, claim_id, *, holds, fails, inconclusive):
        """The sentence for the claim's verdict: one of the three given, so that the prose follows the data."""
        return {HOLDS: holds, FAILS: fails, INCONCLUSIVE: inconclusive}[self.verdict(claim_id)]


def margin(claim, ci):
    """Distance from the interval to the rule's nearest boundary, in units of the interval's width.

    A test asserts a quick-profile verdict only when this margin is clear: a verdict whose interval
    ends within a fraction of its width of a boundary can flip on another machine's rounding.

    >>> margin(Claim("x", "", "", "", AtLeast(1.0)), (1.5, 2.5))
    0.5
    """
    lo, hi = float(ci[0]), float(ci[1])
    distance = min(min(abs(lo - b), abs(hi - b)) for b in claim.rule.boundaries())
    if hi - lo <= 0:  # an exact statistic: its distance relative to the boundary's scale
        return distance / max(1.0, *(abs(b) for b in claim.rule.boundaries()))
    return distance / (hi - lo)


def _finite(v):
    try:
        return math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def _number(v):
    """A number, possibly infinite, not NaN."""
    try:
        return not math.isnan(float(v))
    except (TypeError, ValueError):
        return False


def decided(claim, measurement, min_margin=0.25):
    """The verdict of a measurement, or ``"marginal"`` when its interval ends within ``min_margin`` interval widths
    of a boundary of the rule (or is not measurable): a verdict another machine's rounding could flip.

    >>> c = Claim("x", "", "", "", AtLeast(1.0))
    >>> decided(c, Measurement(2.0, (1.5, 2.5))), decided(c, Measurement(1.3, (1.05, 1.6)))
    ('holds', 'marginal')
    """
    value, ci = measurement[0], measurement[1]
    verdict = claim.verdict(value, ci)
    if verdict == INCONCLUSIVE or margin(claim, ci) < min_margin:
        return "marginal"
    return verdict


def by_verdict(verdicts, phrases, sep="; "):
    """A sentence that follows the verdicts: one clause per verdict that occurs, ``phrases[verdict]`` with ``{who}``
    the names that received it (joined by "and"), in the order of :data:`VERDICTS`.

    >>> phrases = {HOLDS: "for {who} it holds", FAILS: "for {who} it fails", INCONCLUSIVE: "for {who} the data do not decide"}
    >>> by_verdict({"A": HOLDS, "B": INCONCLUSIVE, "C": HOLDS}, phrases)
    'for A and C it holds; for B the data do not decide'
    """
    out = []
    for v in VERDICTS:
        names = [n for n, x in verdicts.items() if x == v]
        if names:
            out.append(phrases[v].format(who=" and ".join(names)))
    return sep.join(out)
