r"""Chapter configurations with profiles: ``smoke`` (CI), ``quick`` (laptop CPU), ``paper`` (GPU).

Each chapter has a frozen :class:`ChapterConfig` subclass whose fields are the
chapter's knobs, and a ``PROFILES`` table giving their values per profile. A
notebook's ``parameters`` cell holds ``profile = "quick"`` and the knobs set to
``None`` ("the profile's value"); papermill overrides any of them. Every value
is checked against the field's type and bounds *before* any compute, and a bad
one raises :class:`ConfigError` with one line naming it. The bounds are the
field's ``metadata``: ``{"min": lo}``, ``{"max": hi}`` (inclusive), ``{"choices": (...)}``;
a ``float`` knob takes finite numbers only (never nan or ±inf), bounds or not.

When the book is built with ``ORTHONTK_PROFILE=smoke``, a notebook that asks
for the default ``quick`` profile gets ``smoke`` instead (the papermill runner
clears that variable, so its ``--profile`` is always obeyed).

Example:

>>> import dataclasses
>>> @dataclasses.dataclass(frozen=True)
... class Demo(ChapterConfig):
...     widths: tuple[int, ...] = dataclasses.field(default=(), metadata={"min": 1})  # hidden widths
...     PROFILES = {"quick": {"widths": (64, 128)}}
>>> Demo.for_profile("quick", use_env=False, widths=[8, 16]).widths
(8, 16)
>>> Demo.for_profile("quick", use_env=False, widths=[0])
Traceback (most recent call last):
...
orthontk_lib.book.profiles.ConfigError: widths: expected integers >= 1, got [0]
"""

import dataclasses
import math
import os
import typing

__all__ = ["ChapterConfig", "ConfigError", "Cost", "MATMUL_PRECISIONS", "PROFILE_ENV", "PROFILE_NAMES"]

PROFILE_ENV = "ORTHONTK_PROFILE"
"""Environment variable that replaces the default ``quick`` profile (the CI book build sets ``smoke``)."""

PROFILE_NAMES = ("smoke", "quick", "paper")


class Cost(typing.NamedTuple):
    """What a profile costs: on which device, about how many minutes, and where the number comes from."""

    device: str  # "CPU" (2 cores) or "GPU" (one H100/H200)
    minutes: float
    basis: str  # "measured ..." or "estimate: ..."

    def __str__(self):
        return f"{self.device}, about {self.minutes:g} minutes ({self.basis})"


MATMUL_PRECISIONS = {
    "highest": "float32 products (fp32 on a GPU's CUDA cores, or bf16 x6 where XLA picks it): for kernel measurements",
    "high": "bf16 x3 (about fp32's accuracy, faster on tensor cores)",
    "tensorfloat32": "TF32 tensor cores (inputs rounded to 10 mantissa bits, relative error about 1e-3): for training",
    "default": "the backend's default (TF32 for float32 on recent NVIDIA GPUs; float32 on CPUs)",
}
"""The values a chapter's ``Config.PRECISION`` may take: JAX's ``jax_default_matmul_precision`` names. A chapter's
compute runs under ``jax.default_matmul_precision(PRECISION)`` (:func:`orthontk_lib.book.registry.matmul_precision`),
and every result it saves records the precision (``results.provenance``). On a CPU every value computes the same."""


class ConfigError(ValueError):
    """A parameter is unknown, of the wrong type, or impossible; the message starts with its name."""


@dataclasses.dataclass(frozen=True)
class ChapterConfig:
    """Base of every chapter's config: a ``profile`` plus the chapter's own fields."""

    profile: str = "quick"  # "smoke", "quick" or "paper"

    PROFILES: typing.ClassVar[dict] = {}
    COST: typing.ClassVar[dict] = {}  # {profile: Cost}; every chapter states its paper profile's
    PRECISION: typing.ClassVar[str] = "highest"  # JAX matmul precision of the chapter's compute (see MATMUL_PRECISIONS)
    SEED_COUNTS: typing.ClassVar[tuple] = ("n_seeds",)  # the knobs counting networks per setting (see `seeds`)

    @property
    def seeds(self):
        """The seeds the chapter draws its networks from: ``seed``, ``seed + 1``, … as many as the largest of its seed
        counts (:attr:`SEED_COUNTS`); every saved point and figure records them in its provenance."""
        return list(range(self.seed, self.seed + max(getattr(self, k) for k in self.SEED_COUNTS)))

    @classmethod
    def for_profile(cls, profile="quick", *, use_env=True, **overrides):
        """The config of ``profile`` with ``overrides`` (``None`` values mean "the profile's").

        With ``use_env`` (the default, for notebooks), ``$ORTHONTK_PROFILE`` replaces ``"quick"``.
        """
        if use_env and profile == "quick" and os.environ.get(PROFILE_ENV):
            profile = os.environ[PROFILE_ENV]
        if profile not in cls.PROFILES:
            raise ConfigError(f"profile: must be one of {', '.join(cls.PROFILES)}; got {profile!r}")
        known = cls.knobs()
        unknown = sorted(set(overrides) - set(known))
        if unknown:
            raise ConfigError(f"{unknown[0]}: unknown parameter; this chapter takes {', '.join(known)}")
        values = {**cls.PROFILES[profile], **{k: v for k, v in overrides.items() if v is not None}}
        fields, hints = {f.name: f for f in dataclasses.fields(cls)}, typing.get_type_hints(cls)
        checked = {k: _coerce(fields[k], v, hints[k]) for k, v in values.items()}
        return cls(profile=profile, **checked)

    @classmethod
    def knobs(cls):
        """Names of the chapter's parameters (every field but ``profile``)."""
        return [f.name for f in dataclasses.fields(cls) if f.name != "profile"]

    def asdict(self):
        """The config as a plain dict (tuples as lists), for saving with results."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}


# INTERNAL UTILITIES


def _coerce(field, value, kind):
    """Check ``value`` against the field's type ``kind`` (its resolved annotation) and bounds (``min``, ``max``,
    ``choices``); tuples accept lists."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    lo, hi, choices = field.metadata.get("min"), field.metadata.get("max"), field.metadata.get("choices")
    if origin is tuple:
        item = args[0]
        if not isinstance(value, (list, tuple)) or not value or not all(_is(item, v) for v in value):
            raise ConfigError(f"{field.name}: expected a non-empty list of {_noun(item)}, got {value!r}")
        if lo is not None and min(value) < lo:
            raise ConfigError(f"{field.name}: expected {_noun(item)} >= {lo}, got {list(value)}")
        if hi is not None and max(value) > hi:
            raise ConfigError(f"{field.name}: expected {_noun(item)} <= {hi}, got {list(value)}")
        return tuple(item(v) for v in value)
    if not _is(kind, value):
        raise ConfigError(f"{field.name}: expected {_noun(kind, one=True)}, got {value!r}")
    if lo is not None and value < lo:
        raise ConfigError(f"{field.name}: must be >= {lo}, got {value!r}")
    if hi is not None and value > hi:
        raise ConfigError(f"{field.name}: must be <= {hi}, got {value!r}")
    if choices is not None and value not in choices:
        raise ConfigError(f"{field.name}: must be one of {', '.join(map(str, choices))}; got {value!r}")
    return kind(value)


def _is(kind, value):
    if kind is float:  # finite: nan and ±inf are outside every number knob's range
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return False
        try:
            return math.isfinite(value)
        except OverflowError:  # an int beyond float's range
            return False
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, kind)


def _noun(kind, one=False):
    name = {int: "integers", float: "finite numbers", str: "strings", bool: "booleans"}.get(kind, kind.__name__)
    return ("an " if name[0] in "aeiou" else "a ") + name[:-1] if one else name


# THE PARAMETERS CELL


def parameters_cell(config_cls):
    """The text of a chapter notebook's papermill ``parameters`` cell, derived from its ``Config``.

    One line per knob, ``name = None  # <the field's help>`` (``None``: the profile's value; the help is the field's
    ``metadata["help"]``), after ``profile = "quick"``. A test holds every notebook's parameters cell to this text, so
    a knob is declared once, in ``Config``.
    """
    helps = {f.name: f.metadata.get("help") for f in dataclasses.fields(config_cls)}
    lines = ['profile = "quick"  # "smoke" (CI), "quick" (laptop CPU), "paper"']
    for name in config_cls.knobs():
        lines.append(f"{name} = None" + (f"  # {helps[name]}" if helps.get(name) else ""))
    return "\n".join(lines)
