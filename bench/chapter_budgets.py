"""The issues' time budgets for the quick profile, read from the last cold quick build's execution cache.

Run ``python -m bench.book_build`` first (it executes every chapter from scratch), then
``python -m bench.chapter_budgets``.
"""

from bench.book_build import chapter_times
from bench.record import record

BUDGETS = {  # key: (groups of notebooks, seconds each group may take)
    "issue4_chapters_quick": ((("02-kernel-equality.ipynb", "03-finite-width.ipynb"),), 180),
    "issue5_chapters_quick": ((("04-constancy.ipynb", "05-linearity.ipynb"),), 180),
    "issue15_training_curves_quick": ((("01-setting.ipynb", "06-training-curves.ipynb"),), 180),
    "issue6_chapter_quick": ((("07-speedup.ipynb",),), 180),
    "issue7_chapters_quick": ((("08-edge-of-chaos.ipynb", "09-condensation.ipynb"),), 180),
    "issue16_chapters_quick_cold": ((("04-constancy.ipynb", "05-linearity.ipynb"),
                                     ("08-edge-of-chaos.ipynb", "09-condensation.ipynb")), 180),
}


def main():
    times = chapter_times("quick")
    for key, (groups, goal) in BUDGETS.items():
        notebooks = [nb for group in groups for nb in group]
        present = {nb: times[nb] for nb in notebooks if nb in times}
        missing = [nb for nb in notebooks if nb not in times]
        sums = [round(sum(present.get(nb, 0.0) for nb in group), 1) for group in groups]
        entry = {"seconds": sums[0] if len(sums) == 1 else sums, "notebooks": present,
                 "goal": " and ".join(" + ".join(group) for group in groups) + f" quick profile <= {goal} s"
                         + (" each" if len(groups) > 1 else ""),
                 "met": all(t <= goal for t in sums) and not missing,
                 "note": "measured inside a cold quick book build on this machine (build folder and JAX's "
                         "persistent compilation cache emptied first; chapters share the cache as the build goes); "
                         "a chapter with a committed paper run shows it and computes nothing"
                         + (f"; not written yet: {', '.join(missing)}" if missing else "")}
        record(key, entry)
        print(key, entry)


if __name__ == "__main__":
    main()
