"""A sweep's view of a config: a subclass instance that answers the declared knobs and extra values alone."""

import dataclasses
import functools
import typing

import pytest

from orthontk_lib import results
from orthontk_lib.book.profiles import ChapterConfig


@dataclasses.dataclass(frozen=True)
class Config(ChapterConfig):
    width: int = 8
    depth: int = 3
    lr: float = 0.5
    seed: int = 0
    n_seeds: int = 2
    widths: tuple = (8, 16)

    SCALE: typing.ClassVar[float] = 2.0

    def __post_init__(self):
        if self.width < 1:
            raise ValueError("width")

    @property
    def lr_scaled(self):
        return self.lr * self.SCALE

    @property
    def shape(self):
        return (self.width, self.depth)

    def steps(self, n):
        return n * self.depth

    def rate(self, n):
        return self.lr / n

    @staticmethod
    def double(x):
        return 2 * x

    @classmethod
    def scaled(cls, x):
        return cls.SCALE * x


def sweep(knobs, derived=None, name="points"):
    return results.Sweep("demo", name, knobs=knobs, over=("widths",), points=lambda c: [{"w": w} for w in c.widths],
                         run=lambda c, p: {}, derived=derived)


UNDECLARED = "sweep demo/points reads knob 'lr', which it does not declare"


def test_declared_knobs_extras_and_inherited_attributes_read():
    cfg = Config(width=4, depth=5)
    view = sweep(("width", "depth", "seed", "n_seeds")).view(cfg, extra={"lr_width": 16})
    assert (view.width, view.depth, view.lr_width) == (4, 5, 16)
    assert view.shape == (4, 5) and view.steps(2) == 10  # a property and a method over declared knobs
    assert view.seeds == [0, 1]  # ChapterConfig's property, reading seed and n_seeds
    assert view.double(3) == 6 and view.scaled(3) == 6.0 and view.SCALE == 2.0
    assert Config.knobs() == type(view).knobs()


def test_an_undeclared_knob_raises_read_directly_through_a_property_or_a_method():
    view = sweep(("width", "depth")).view(Config())
    for read in (lambda: view.lr, lambda: view.lr_scaled, lambda: view.rate(2), lambda: getattr(view, "lr", None)):
        with pytest.raises(results.KnobError, match=UNDECLARED):
            read()
    with pytest.raises(results.KnobError, match="reads knob 'profile'"):
        view.profile  # noqa: B018
    with pytest.raises(results.KnobError):
        dataclasses.asdict(view)


def test_the_run_view_answers_the_derived_values():
    s = sweep(("lr",), derived=lambda c: {"lr_width": max(c.widths)})
    view = s.run_view(Config(widths=(8, 32)))
    assert view.lr_width == 32 and view.lr_scaled == 1.0
    with pytest.raises(results.KnobError, match="reads knob 'widths'"):
        view.widths  # noqa: B018  (over, not a knob: the run does not see it)
    assert s.compute(Config(), {"w": 8}) == {}


def test_a_view_is_an_instance_of_the_config_class():
    cfg = Config()
    view = sweep(("width",)).view(cfg)
    assert isinstance(view, Config) and isinstance(view, ChapterConfig) and dataclasses.is_dataclass(view)
    assert type(view) is type(sweep(("width",), name="other").view(Config(width=9)))  # one class per names
    assert type(view) is not type(sweep(("depth",)).view(cfg))


def test_equal_views_hash_equal_and_key_a_cache():
    s = sweep(("width", "depth"))
    a, b = s.view(Config(lr=0.1)), s.view(Config(lr=0.2, widths=(4,)))  # differ in undeclared knobs only
    assert a == b and hash(a) == hash(b)
    assert a != s.view(Config(width=16)) and a != s.view(Config(), extra={"lr_width": 8}) and a != Config()
    assert s.view(Config(), extra={"lr_width": 8}) == s.view(Config(lr=1.0), extra={"lr_width": 8})
    calls = []

    @functools.lru_cache(maxsize=None)
    def setup(view):
        calls.append(view)
        return view.width * view.depth

    assert setup(a) == setup(b) == 24 and len(calls) == 1
    assert "Config as sweep demo/points sees it" in repr(a) and '"width":8' in repr(a)


def test_a_view_is_read_only_and_not_made_by_its_class():
    view = sweep(("width",)).view(Config())
    for name in ("width", "lr", "anything"):
        with pytest.raises(dataclasses.FrozenInstanceError, match="read-only"):
            setattr(view, name, 1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        del view.width
    with pytest.raises(TypeError, match="Sweep.view makes one"):
        type(view)(width=2)
    assert view.width == 8


def test_construction_skips_init_and_post_init():
    view = sweep(("depth",)).view(Config())  # width, whose check __post_init__ reads, is not declared
    assert view.depth == 3


def test_a_declared_name_the_config_lacks_and_a_clashing_extra_are_refused():
    with pytest.raises(results.KnobError, match="sweep demo/points declares knob 'wdith', which Config does not have"):
        sweep(("wdith",)).view(Config())
    for name in ("lr", "steps", "seeds", "SCALE", "knobs"):
        with pytest.raises(ValueError, match=f"derived value '{name}' is also a field or an attribute of Config"):
            sweep(("width",)).view(Config(), extra={name: 1})
    with pytest.raises(TypeError, match="config must be a dataclass"):
        sweep(()).view(object())


def test_a_view_of_a_view_answers_at_most_what_the_first_does():
    inner = sweep(("width", "depth"), name="inner").view(Config())
    outer = sweep(("width",)).view(inner)
    assert isinstance(outer, Config) and outer.width == 8
    with pytest.raises(results.KnobError, match="reads knob 'depth'"):
        outer.depth  # noqa: B018
    with pytest.raises(results.KnobError, match="sweep demo/inner reads knob 'lr'"):
        sweep(("lr",)).view(inner)
