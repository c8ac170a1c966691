"""The issues' time budgets for the quick profile, read from the last cold quick build's execution cache.

Run ``python -m bench.book_build`` first (it executes every chapter from scratch), then
``python -m bench.chapter_budgets``.
"""

from bench.book_build import chapter_times
from bench.record import record

BUDGETS = {
    "issue4_chapters_quick": (("02-kernel-equality.ipynb", "03-finite-width.ipynb"), 180),
    "issue5_chapters_quick": (("04-constancy.ipynb", "05-linearity.ipynb"), 180),
    "issue15_training_curves_quick": (("01-setting.ipynb", "06-training-curves.ipynb"), 180),
    "issue6_chapter_quick": (("07-speedup.ipynb",), 180),
    "issue7_chapters_quick": (("08-edge-of-chaos.ipynb", "09-condensation.ipynb"), 180),
}


def main():
    times = chapter_times("quick")
    for key, (notebooks, goal) in BUDGETS.items():
        present = {nb: times[nb] for nb in notebooks if nb in times}
        missing = [nb for nb in notebooks if nb not in times]
        seconds = round(sum(present.values()), 1)
        entry = {"seconds": seconds, "notebooks": present, "goal": f"{' + '.join(notebooks)} quick profile <= {goal} s",
                 "met": seconds <= goal and not missing,
                 "note": "measured inside a cold quick book build on this machine (build folder and JAX's "
                         "persistent compilation cache emptied first; chapters share the cache as the build goes)"
                         + (f"; not written yet: {', '.join(missing)}" if missing else "")}
        record(key, entry)
        print(key, entry)


if __name__ == "__main__":
    main()
