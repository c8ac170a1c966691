r"""A paper's figure and the settings it was drawn at, so that a reproduction says how it differs.

A chapter declares the figure it reproduces next to its ``Config``::

    FIGURE = PaperFigure("Huang, Du, Xu 2021, Sec. 4: kernel convergence",
                         settings={"widths": (8, 16, 32), "d": 1024},
                         always=("M-curves from disjoint groups of networks",))

and :meth:`PaperFigure.differences` compares a config's knobs with the paper's, knob by knob, so the caption's
"differs from the paper" list is computed, never written by hand:

>>> import dataclasses
>>> @dataclasses.dataclass(frozen=True)
... class Cfg:
...     widths: tuple = (8, 16, 32, 64)
...     d: int = 64
>>> FIGURE = PaperFigure("demo", settings={"widths": (8, 16, 32, 64, 128), "d": 64})
>>> FIGURE.differences(Cfg())
['widths 8 … 64 (4 values; paper: 8 … 128, 5 values)']
>>> FIGURE.caption(Cfg())
'Reproduces demo. Differs from the paper in 1 setting. Widths 8 … 64 (4 values; paper: 8 … 128, 5 values).'
"""

import dataclasses

__all__ = ["PaperFigure"]


@dataclasses.dataclass(frozen=True)
class PaperFigure:
    """A figure of a paper: where it is, the knob values it used, and what no knob can make equal."""

    source: str  # paper, section, and what the figure shows
    settings: dict  # {config field: the paper's value}
    always: tuple = ()  # differences at every profile ("digits instead of CIFAR-10"), or cfg -> str of a data knob
    labels: dict = dataclasses.field(default_factory=dict)  # {config field: words for it}; default the field name

    def differences(self, cfg, extra=()):
        """One phrase per knob where ``cfg`` differs from the paper, then the ``always`` and ``extra`` differences."""
        out = []
        for knob, paper in self.settings.items():
            ours = getattr(cfg, knob)
            if _same(ours, paper):
                continue
            name = self.labels.get(knob, knob.replace("_", " "))
            if isinstance(paper, (tuple, list)) and len(paper) > 3 and "…" in _fmt(paper) + _fmt(ours):
                out.append(f"{name} {_fmt(ours)} ({len(ours)} values; paper: {_fmt(paper)}, {len(paper)} values)")
            else:
                out.append(f"{name} {_fmt(ours)} (paper: {_fmt(paper)})")
        return out + [a(cfg) if callable(a) else a for a in self.always] + list(extra)

    def rows(self, cfg):
        """The paper's settings against ``cfg``'s, knob by knob: ``[(name, paper's value, cfg's value), ...]``.

        >>> import types
        >>> PaperFigure("demo", {"d": 64, "widths": (8, 16)}).rows(types.SimpleNamespace(d=64, widths=(8,)))
        [('d', '64', '64'), ('widths', '8, 16', '8')]
        """
        return [(self.labels.get(k, k.replace("_", " ")), _fmt(v), _fmt(getattr(cfg, k))) for k, v in self.settings.items()]

    def table(self, cfg, run="this run"):
        """:meth:`rows` as a Markdown table with a column for the paper and one for ``run`` (a value that differs is
        marked "(differs)"), then the ``always`` differences as a list."""
        lines = [f"| setting | the paper | {run} |", "|---|---|---|"]
        lines += [f"| {name} | {paper} | {ours}{' (differs)' if ours != paper else ''} |"
                  for name, paper, ours in self.rows(cfg)]
        always = [a(cfg) if callable(a) else a for a in self.always]
        return "\n".join(lines) + ("\n\nAlso different from the paper:\n\n" + "\n".join(f"- {a}" for a in always)
                                   if always else "")

    def caption(self, cfg, extra=()):
        """``Reproduces <source>.``, how many settings differ, then each difference as a sentence of its own (``extra``:
        ones the chapter computes), or ``Same settings as the paper.``"""
        diff = [_sentence_case(d) for d in self.differences(cfg, extra)]
        if not diff:
            return f"Reproduces {self.source}. Same settings as the paper."
        n = f"{len(diff)} setting{'s' if len(diff) != 1 else ''}"
        return f"Reproduces {self.source}. Differs from the paper in {n}. " + " ".join(d.rstrip(".") + "." for d in diff)


LOWERCASE_NAMES = ("tanh", "erf", "softplus", "scikit-learn", "x·tanh", "relu", "elu")
"""Names that keep their lower case at the start of a sentence."""


def _sentence_case(phrase):
    """``phrase`` with its first letter capitalized where that is an ASCII letter and the first word is not a name
    that keeps its case (:data:`LOWERCASE_NAMES`, mathematical symbols).

    >>> _sentence_case("widths 8 … 64"), _sentence_case("scikit-learn's digits"), _sentence_case("α_L = Θ")
    ('Widths 8 … 64', "scikit-learn's digits", 'α_L = Θ')
    """
    first = phrase.split(" ", 1)[0].lower()
    if not phrase[:1].isascii() or not phrase[:1].isalpha() or first.startswith(LOWERCASE_NAMES):
        return phrase
    return phrase[0].upper() + phrase[1:]


def _same(a, b):
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and abs(a - b) <= 1e-9 * max(abs(a), abs(b), 1)
    return a == b


def _fmt(v):
    if isinstance(v, (tuple, list)):
        monotone = all(a < b for a, b in zip(v, v[1:])) or all(a > b for a, b in zip(v, v[1:]))
        return f"{_fmt(v[0])} … {_fmt(v[-1])}" if len(v) > 3 and monotone else ", ".join(_fmt(x) for x in v)
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)
