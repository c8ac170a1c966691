"""Measured cost of each committed paper-profile run, read back from the wall times its results recorded.

Every point a chapter's sweep saves records its own wall time (``wall_time_s`` in its metadata), and so does the
chapter's summary (the whole ``compute``, which includes the points when they ran in the same process). The cost
is the larger of the summary's time and the points' sum (a resumed run's summary misses the earlier points), read
back from ``data/<chapter>/paper/`` without re-running anything. Records
``paper_cost = {chapter: {minutes, points, device, date}}`` in bench/results.json, which the runner prints
beside the chapter's stated cost (``python -m orthontk_lib.book.run ... --profile paper``).

    python -m bench.paper_costs
"""

import json
import pathlib

from bench.record import record

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"


def paper_costs(data=DATA):
    """``{chapter: {...}}`` for every chapter with saved paper-profile points."""
    out = {}
    for chapter in sorted(p for p in data.iterdir() if (p / "paper").is_dir()) if data.is_dir() else []:
        metas = [json.loads(f.read_text()) for f in (chapter / "paper").rglob("*.json") if f.parent.name != "runs"]
        timed = [m for m in metas if m.get("profile") == "paper" and m.get("wall_time_s") is not None]
        if not timed:
            continue
        summary = max((m["wall_time_s"] for m in timed if m["name"].endswith("/summary")), default=0.0)
        points = [m for m in timed if not m["name"].endswith("/summary")]
        seconds = max(summary, sum(m["wall_time_s"] for m in points))
        out[chapter.name] = {
            "minutes": round(seconds / 60, 1),
            "points": len(points),
            "device": " and ".join(sorted({m.get("device", "?") for m in timed})),  # a run resumed elsewhere: both
            "date": max(m.get("created", "") for m in timed)[:10],
        }
    return out


def main():
    costs = paper_costs()
    record("paper_cost", {**costs, "note": "the larger of the summary's and the points' summed wall times "
                                           "under data/<chapter>/paper/"})
    print(json.dumps(costs, indent=1))


if __name__ == "__main__":
    main()
