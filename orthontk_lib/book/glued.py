r"""Every number and phrase the book glues into its prose, as one JSON, and the difference between two of them.

A restructuring must change no number the book shows. Take the glued numbers before it and after it and compare::

    python -m orthontk_lib.book.glued --profile quick > before.json     # at the old commit, after `make book`
    python -m orthontk_lib.book.glued --profile quick > after.json      # at the new one (same saved runs)
    python -m orthontk_lib.book.glued --compare before.json after.json  # exit 1 on any difference

When the words around the numbers change (a sentence moves from the library into a notebook, a value is split or
renamed), compare the numbers alone: ``--compare before.json after.json --numbers`` lists, per chapter, each number
shown before and not after, and each new one (:func:`compare_numbers`).

Each chapter's glued values are ``module.numbers(arrays, cfg, measured)`` of the run its page shows (the committed paper run
where there is one, else the profile's run saved by the book build, in ``_build/data`` or ``--data``), which is what :func:`orthontk_lib.book.page.run` glues; nothing
is computed: a chapter without a saved run is an error naming it (build the book at the profile first). Values are
compared as the text the page shows (``str``), so a float that moves in its last digit shows up.
"""

import argparse
import collections
import json
import os
import pathlib
import re
import sys

__all__ = ["glued", "compare", "compare_numbers", "main"]


class NotSaved(RuntimeError):
    """A chapter has no saved run at the profile (nothing is computed here)."""


def glued(profile="quick", modules=None):
    """``{slug: {name: text}}``: each chapter's glued numbers from the run its page shows.

    Raises:
      NotSaved: naming the chapter whose run at ``profile`` is not saved.
    """
    from orthontk_lib.book import ledger, page, registry

    out = {}
    for _, module in modules or ledger.chapter_modules():
        cfg = module.Config.for_profile(profile, use_env=False)

        def refuse(cfg, slug=module.SLUG):
            raise NotSaved(f"{slug}: no saved {profile}-profile run; build the book at that profile first")

        result = registry.summary(module.SLUG, cfg, refuse)
        shown = page.shown_run_config(module, cfg, result)
        numbers = module.numbers(result.arrays, shown, page.measured(module, result.arrays, shown))
        out[module.SLUG] = {name: _text(value) for name, value in sorted(numbers.items())}
    return out


def compare(before, after):
    """Lines naming every glued value that changed, appeared or disappeared between two :func:`glued` dicts."""
    lines = []
    for slug in sorted(set(before) | set(after)):
        a, b = before.get(slug, {}), after.get(slug, {})
        for name in sorted(set(a) | set(b)):
            if name not in b:
                lines.append(f"{slug}/{name}: removed (was {a[name]!r})")
            elif name not in a:
                lines.append(f"{slug}/{name}: added ({b[name]!r})")
            elif a[name] != b[name]:
                lines.append(f"{slug}/{name}: {a[name]!r} -> {b[name]!r}")
    return lines


_NUMBER = re.compile(r"(?<![\w.])[-−]?(?:\d+(?:\.\d+)?|\.\d+)(?:[eE][-+−]?\d+)?(?:×10\^?[-−]?\d+)?%?")


def numbers_in(text):
    """The number tokens of ``text`` (``"-0.87"``, ``"1e-3"``, ``"95%"``) as a list of str, minus signs unified."""
    return [n.replace("−", "-") for n in _NUMBER.findall(text)]


def compare_numbers(before, after):
    """Lines naming, per chapter, each number token shown in ``before`` but in no value of ``after`` (``lost``) and
    each the other way (``new``), whatever the values' names: the check for a change that rewords the prose but
    must move no number."""
    lines = []
    for slug in sorted(set(before) | set(after)):
        a = collections.Counter(n for v in before.get(slug, {}).values() for n in numbers_in(v))
        b = collections.Counter(n for v in after.get(slug, {}).values() for n in numbers_in(v))
        lost, new = sorted(set(a) - set(b)), sorted(set(b) - set(a))
        if lost:
            lines.append(f"{slug}: lost {' '.join(lost)}")
        if new:
            lines.append(f"{slug}: new {' '.join(new)}")
    return lines


def _text(value):
    """The text a glued value shows: Markdown's source, else ``str``."""
    return getattr(value, "data", None) if hasattr(value, "_repr_markdown_") else str(value)


def main(argv=None):
    parser = argparse.ArgumentParser(description="The book's glued numbers as JSON, or the difference of two.")
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"))
    parser.add_argument("--chapter", action="append", metavar="SLUG",
                        help="only this chapter (its slug, e.g. speedup; may be repeated)")
    parser.add_argument("--numbers", action="store_true", help="with --compare: compare the number tokens only")
    parser.add_argument("--data", help="the book build's results folder (default: _build/data of this checkout)")
    args = parser.parse_args(argv)
    from orthontk_lib import results

    data = pathlib.Path(args.data) if args.data else results.REPO_DATA.parent / "_build" / "data"
    if args.data or data.is_dir():
        os.environ[results.DATA_DIR_ENV] = str(data)
    if args.compare:
        before, after = (json.loads(open(p).read()) for p in args.compare)
        lines = compare_numbers(before, after) if args.numbers else compare(before, after)
        print("\n".join(lines) if lines else f"no glued {'number' if args.numbers else 'value'} differs ({sum(map(len, after.values()))} values compared)")
        return 1 if lines else 0
    try:
        from orthontk_lib.book import ledger

        modules = [(doc, m) for doc, m in ledger.chapter_modules() if not args.chapter or m.SLUG in args.chapter]
        if args.chapter and len(modules) != len(set(args.chapter)):
            print(f"glued: no chapter among {args.chapter} (slugs: "
                  f"{', '.join(m.SLUG for _, m in ledger.chapter_modules())})", file=sys.stderr)
            return 2
        json.dump(glued(args.profile, modules), sys.stdout, indent=1, ensure_ascii=False)
    except NotSaved as e:
        print(f"glued: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
