"""The claim machinery: interval rules with three outcomes, the ledger gathering every chapter's claims."""

import json

import numpy as np
import pytest

from orthontk_lib.book import ledger
from orthontk_lib.claims import AtLeast, AtMost, Between, Claim, Measurement, Within, margin

NAN = float("nan")


def claim(rule):
    return Claim("test-claim", "a paper", "a statement", "a statistic", rule)


@pytest.mark.parametrize("rule, ci, expected", [
    (Within(-0.5, 0.15), (-0.6, -0.4), "holds"),
    (Within(-0.5, 0.15), (-0.3, -0.2), "does not hold"),
    (Within(-0.5, 0.15), (-0.9, -0.7), "does not hold"),
    (Within(-0.5, 0.15), (-0.4, -0.3), "inconclusive"),  # straddles the upper edge -0.35
    (Within(-0.5, 0.15), (-0.9, -0.1), "inconclusive"),  # wider than the band: not decided
    (Between(0.5, 2.0), (0.8, 1.5), "holds"),
    (Between(0.5, 2.0), (2.5, 3.0), "does not hold"),
    (Between(0.5, 2.0), (1.5, 2.5), "inconclusive"),
    (AtMost(0.0), (-0.3, -0.1), "holds"),
    (AtMost(0.0), (0.1, 0.3), "does not hold"),
    (AtMost(0.0), (-0.1, 0.1), "inconclusive"),
    (AtLeast(1.0), (1.2, 3.0), "holds"),
    (AtLeast(1.0), (0.4, 0.9), "does not hold"),
    (AtLeast(1.0), (0.97, 6.57), "inconclusive"),  # the CNN corner of a fresh clone that failed its test
])
def test_a_verdict_reads_the_whole_interval(rule, ci, expected):
    value = (ci[0] + ci[1]) / 2
    assert claim(rule).verdict(value, ci) == expected


def test_a_point_estimate_inside_the_band_does_not_make_a_claim_hold():
    # the old rule |v + 1/2| <= 0.15 said "holds" here; the interval reaches far outside the band
    assert claim(Within(-0.5, 0.15)).verdict(-0.5, (-1.2, 0.2)) == "inconclusive"


@pytest.mark.parametrize("value, ci", [(NAN, (NAN, NAN)), (1.0, None), (1.0, (NAN, 2.0))])
def test_an_unmeasurable_statistic_is_inconclusive(value, ci):
    assert claim(AtLeast(0.0)).verdict(value, ci) == "inconclusive"


def test_an_exact_statistic_has_a_degenerate_interval():
    assert claim(AtMost(1.0)).verdict(1.0, (1.0, 1.0)) == "holds"
    assert claim(AtMost(1.0)).verdict(1.5, (1.5, 1.5)) == "does not hold"


def test_a_value_outside_its_own_interval_is_an_error():
    with pytest.raises(ValueError, match="outside its interval"):
        claim(AtLeast(0.0)).verdict(3.0, (0.0, 1.0))


def test_margin_is_the_distance_to_the_nearest_boundary_in_interval_widths():
    assert margin(claim(AtLeast(1.0)), (1.5, 2.5)) == pytest.approx(0.5)
    assert margin(claim(Within(0.0, 1.0)), (-0.5, 0.5)) == pytest.approx(0.5)
    assert margin(claim(AtLeast(1.0)), (0.98, 1.02)) < 0.6


def test_the_ledger_gathers_every_chapters_claims_in_book_order():
    gathered = ledger.claims()
    docs = [doc for doc, _ in gathered]
    assert docs == sorted(docs), "claims must come in _toc.yml (book) order"
    assert {doc for doc in docs} >= {"01-setting", "02-kernel-equality", "07-speedup", "09-condensation"}
    ids = [c.id for _, c in gathered]
    assert len(ids) == len(set(ids))
    for doc, module in ledger.chapter_modules():
        assert [c.id for c in module.CLAIMS] == [c.id for d, c in gathered if d == doc]


def test_a_chapter_whose_import_fails_is_an_error_not_a_missing_chapter(monkeypatch):
    """A page without a chapter module is skipped; a chapter that imports a missing module raises, so it cannot drop
    out of the ledger and the glued-number comparison unseen."""
    real = ledger.importlib.import_module

    def broken(name, *args):
        if name == "orthontk_lib.chapters.speedup":
            raise ModuleNotFoundError("No module named 'orthontk_lib.chapters.speedup.prose'",
                                      name="orthontk_lib.chapters.speedup.prose")
        return real(name, *args)

    assert "07-speedup" in [doc for doc, _ in ledger.chapter_modules()]
    monkeypatch.setattr(ledger.importlib, "import_module", broken)
    ledger.chapter_modules.cache_clear()
    try:
        with pytest.raises(ModuleNotFoundError, match="speedup.prose"):
            ledger.chapter_modules()
    finally:
        ledger.chapter_modules.cache_clear()


def test_every_claim_of_the_ledger_is_a_chapters():
    """The ledger gathers the chapters' claims and declares none of its own: each of its claims is one object of a
    chapter module's CLAIMS, once."""
    declared = [c for _, module in ledger.chapter_modules() for c in module.CLAIMS]
    gathered = [c for _, c in ledger.claims()]
    assert len(gathered) == len(declared) and all(any(c is d for d in declared) for c in gathered)


def test_every_claim_says_where_its_tolerance_comes_from_and_what_would_decide_it():
    for _, c in ledger.claims():
        assert c.why and c.decide and c.source and c.statistic, c.id
        assert "95%" in c.statistic or "exact" in c.statistic or "analytic" in c.statistic, c.id


def test_records_are_written_with_their_interval_and_verdict(tmp_path):
    rec = ledger.record("setting-ntk-slope-gaussian", Measurement(-0.4, (-0.7, -0.3)), profile="quick", root=tmp_path)
    assert rec["verdict"] == "inconclusive" and rec["ci"] == [-0.7, -0.3]
    saved = json.loads((tmp_path / "ledger" / "quick" / "setting-ntk-slope-gaussian.json").read_text())
    assert saved["value"] == -0.4 and saved["verdict"] == "inconclusive"


def test_a_record_keeps_the_provenance_of_the_run_it_measured(tmp_path):
    """Measured on another machine than the run's: the record's device and precision are the run's, its commit the
    measuring code's, and the run's own commit is kept beside it."""
    run = {"git_commit": "abc", "device": "1 x gpu:NVIDIA H200", "matmul_precision": "tensorfloat32",
           "created": "2026-11-01T00:00:00+00:00", "key": "k", "wall_time_s": 3.0}
    rec = ledger.record("speedup-deep", Measurement(2.0, (1.5, 3.0)), profile="quick", root=tmp_path, run=run)
    assert rec["device"] == "1 x gpu:NVIDIA H200" and rec["matmul_precision"] == "tensorfloat32"
    assert rec["run"] == {k: run[k] for k in ("git_commit", "device", "matmul_precision", "created", "key")}
    assert rec["git_commit"] != "abc"


def test_an_unknown_claim_cannot_be_recorded(tmp_path):
    with pytest.raises(KeyError, match="no chapter declares"):
        ledger.record("no-such-claim", Measurement(1.0, (1.0, 1.0)), profile="quick", root=tmp_path)


def test_the_ledger_page_counts_outcomes_and_says_what_would_decide(tmp_path):
    ledger.record("setting-ntk-slope-gaussian", Measurement(-0.5, (-0.55, -0.45)), profile="quick", root=tmp_path)
    ledger.record("setting-ntk-slope-orthogonal", Measurement(-0.4, (-0.9, -0.1)), profile="quick", root=tmp_path)
    ledger.record("speedup-deep", Measurement(0.5, (0.4, 0.6)), profile="quick", root=tmp_path)
    rows = ledger.findings("quick", root=tmp_path, paper_root=tmp_path / "none")
    n = {v: sum(r.verdict == v for r in rows) for v in ("holds", "inconclusive", "does not hold", "not yet measured")}
    assert (n["holds"], n["inconclusive"], n["does not hold"]) == (1, 1, 1)
    assert n["not yet measured"] == len(rows) - 3
    html = ledger.page("quick", root=tmp_path, paper_root=tmp_path / "none")
    orth = ledger.claim("setting-ntk-slope-orthogonal")
    assert f"<b>Would decide it</b>: {orth.decide}" in html
    assert html.count('<tr class="paper">') == len({ledger.paper_of(c) for _, c in ledger.claims()})
    assert html.count("<tr id=\"claim-") == len(rows)


def test_a_verdict_is_recomputed_from_the_record_not_read_from_it(tmp_path):
    ledger.record("speedup-deep", Measurement(2.0, (1.5, 3.0)), profile="quick", root=tmp_path)
    path = tmp_path / "ledger" / "quick" / "speedup-deep.json"
    rec = json.loads(path.read_text())
    rec["verdict"] = "does not hold"  # a stale or tampered verdict
    path.write_text(json.dumps(rec))
    row = next(r for r in ledger.findings("quick", root=tmp_path, paper_root=tmp_path / "none")
               if r.id == "speedup-deep")
    assert row.verdict == "holds"


def test_a_corrupt_ledger_record_is_one_clear_error(tmp_path):
    from orthontk_lib.results import ResultError

    folder = tmp_path / "ledger" / "quick"
    folder.mkdir(parents=True)
    (folder / "speedup-deep.json").write_text("{not json")
    with pytest.raises(ResultError, match="speedup-deep.json: ledger record is corrupt"):
        ledger.records("quick", root=tmp_path)


def test_page_record_refuses_a_chapter_whose_measure_misses_a_claim(monkeypatch):
    from orthontk_lib.book import page
    from orthontk_lib.chapters import setting

    monkeypatch.setattr(setting, "measure", lambda arrays, cfg: {})

    class Result:
        arrays, meta = {}, {"profile": "smoke"}

    with pytest.raises(ValueError, match="^setting: measured claims differ from the declared ones: not measured"):
        page.record(setting, Result(), setting.Config.for_profile("smoke", use_env=False))


def test_a_claim_shown_from_the_paper_run_is_not_called_unmeasured(tmp_path):
    """This build records nothing for a chapter that shows its committed paper run: its column says so."""
    from orthontk_lib import results
    from orthontk_lib.chapters import setting

    results.save("setting/paper/summary", setting.Config.for_profile("paper", use_env=False).asdict(),
                 {"x": np.zeros(1)}, root=tmp_path / "p", profile="paper")
    ledger.record("setting-ntk-slope-gaussian", Measurement(-0.5, (-0.55, -0.45)), profile="paper", root=tmp_path / "p")
    rows = ledger.findings("quick", root=tmp_path / "q", paper_root=tmp_path / "p")
    shown = [r for r in rows if r.verdict != "not yet measured"]
    assert [(r.id, r.verdict, r.scale) for r in shown] == [("setting-ntk-slope-gaussian", "holds", "paper scale")]
    html = ledger.page("quick", root=tmp_path / "q", paper_root=tmp_path / "p")
    row = html[html.index('<tr id="claim-setting-ntk-slope-gaussian">'):].split("</tr>")[0]
    assert ">holds</span>" in row and "<td>quick</td>" not in row  # the committed record decides, not this build


# CLAIMS FOUND FALSE: the list on the front page and the ledger page


def test_a_failing_claim_is_listed_with_its_robustness_section(tmp_path):
    ledger.record("condensation-adam-p2", Measurement(1.5, (1.25, 1.75)), profile="quick", root=tmp_path)
    found = ledger.failing("quick", root=tmp_path, paper_root=tmp_path / "none")
    assert [f.id for f in found] == ["condensation-adam-p2"]
    f = found[0]
    assert (f.chapter, f.paper, f.label, f.href) == ("09-condensation", "Zhou, Xu et al. 2022", "cd-robustness",
                                                     "09-condensation.html#cd-robustness")
    assert (f.value, f.ci, f.run) == (1.5, (1.25, 1.75), "quick-profile run")
    text = ledger.failing_markdown("quick", root=tmp_path, paper_root=tmp_path / "none")
    (row,) = [line for line in text.splitlines() if "condensation-adam-p2" in line]
    assert "1.5 [1.25, 1.75]" in row and "<cd-robustness>`" in row and "<09-condensation>`" in row


def test_with_no_failing_claim_the_list_says_none(tmp_path):
    ledger.record("condensation-adam-p2", Measurement(0.5, (0.4, 0.6)), profile="quick", root=tmp_path)
    assert ledger.failing("quick", root=tmp_path, paper_root=tmp_path / "none") == []
    assert ledger.failing_markdown("quick", root=tmp_path, paper_root=tmp_path / "none").startswith("None.")


def test_a_failing_claim_without_a_robustness_section_is_an_error(tmp_path):
    assert not ledger.claim("setting-ntk-slope-gaussian").robustness
    ledger.record("setting-ntk-slope-gaussian", Measurement(0.5, (0.4, 0.6)), profile="quick", root=tmp_path)
    with pytest.raises(ValueError, match="setting-ntk-slope-gaussian: does not hold .* names no robustness section"):
        ledger.failing("quick", root=tmp_path, paper_root=tmp_path / "none")


def test_at_smoke_a_failing_claim_without_a_section_is_listed_without_a_link(tmp_path):
    """Smoke tests the code at toy sizes: its verdicts are not findings, so the build lists them without raising."""
    ledger.record("setting-ntk-slope-gaussian", Measurement(0.5, (0.4, 0.6)), profile="smoke", root=tmp_path)
    (found,) = ledger.failing("smoke", root=tmp_path, paper_root=tmp_path / "none")
    assert (found.id, found.label) == ("setting-ntk-slope-gaussian", None)
    text = ledger.failing_markdown("smoke", root=tmp_path, paper_root=tmp_path / "none")
    assert "{ref}" not in text and "smoke profile: no section" in text


def test_the_list_reads_the_run_each_chapter_shows(tmp_path):
    """A chapter with a committed paper run shows it: its paper record decides, not this build's."""
    import numpy as np

    from orthontk_lib import results

    paper, own = tmp_path / "paper", tmp_path / "own"
    ledger.record("condensation-adam-p2", Measurement(1.5, (1.25, 1.75)), profile="paper", root=paper)
    ledger.record("condensation-adam-p2", Measurement(0.5, (0.4, 0.6)), profile="quick", root=own)
    assert ledger.failing("quick", root=own, paper_root=paper) == []  # no paper run committed: quick is shown
    results.save("condensation/paper/summary", {"demo": 1}, {"x": np.zeros(1)}, profile="paper", root=paper)
    found = ledger.failing("quick", root=own, paper_root=paper)
    assert [f.id for f in found] == ["condensation-adam-p2"] and found[0].run == "paper-scale run"


def test_every_robustness_label_is_a_target_in_its_chapter():
    import pathlib

    book = pathlib.Path(ledger.REPO) / "book"
    for doc, c in ledger.claims():
        if c.robustness:
            source = (book / f"{doc}.ipynb").read_text()
            assert f"({c.robustness})=" in source, f"{c.id}: no MyST target ({c.robustness})= in {doc}.ipynb"


def test_the_committed_paper_runs_name_a_section_for_every_claim_they_find_false(tmp_path):
    found = ledger.failing("quick", root=tmp_path)  # raises if a committed failing claim has no section
    assert all(f.label and f.href.endswith(f"#{f.label}") for f in found)


def test_the_pages_that_read_records_are_read_and_executed_at_every_build():
    import pathlib
    from types import SimpleNamespace

    from orthontk_lib.book import sphinx_records as sr

    for name in sr.RECORD_PAGES:
        assert sr.source_forces_execution(pathlib.Path(ledger.REPO) / "book" / f"{name}.ipynb"), name
    env = SimpleNamespace(found_docs={"index", "90-ledger", "01-setting"})
    assert sorted(sr._record_pages(None, env, set(), {"01-setting"}, set())) == ["90-ledger", "index"]
    assert sr._record_pages(None, env, {"index"}, set(), set()) == ["90-ledger"]


def test_a_failing_claim_keeps_its_chapters_reading_for_the_ledger(tmp_path):
    reading = "it depends on how orientations are counted: a typical network stays within 2p at 1 of the 10 rules"
    ledger.record("condensation-adam-p3", Measurement(1.5, (1.33, 1.5), {"reading": reading}), profile="quick",
                  root=tmp_path)
    f = ledger.failing("quick", root=tmp_path, paper_root=tmp_path / "none")[0]
    assert f.reading == reading


def test_a_ledger_row_carries_its_chapters_reading(tmp_path):
    reading = "each training slope is a line through 2 widths only"
    ledger.record("linearity-linearization-slope", Measurement(-0.76, (-1.0, -0.5), {"reading": reading}),
                  profile="quick", root=tmp_path)
    html = ledger.page("quick", root=tmp_path, paper_root=tmp_path / "none")
    row = html.split('id="claim-linearity-linearization-slope"')[1].split("</tr>")[0]
    assert f"<b>The chapter's reading</b>: {reading}" in row
    assert "The chapter's reading" not in html.split('id="claim-linearity-hessian-slope"')[1].split("</tr>")[0]


def test_a_record_without_an_interval_says_so_instead_of_printing_nan(tmp_path):
    ledger.record("speedup-large-lr", Measurement(3.0, (float("nan"), float("nan"))), profile="quick", root=tmp_path)
    html = ledger.page("quick", root=tmp_path, paper_root=tmp_path / "none")
    row = html.split('id="claim-speedup-large-lr"')[1].split("</tr>")[0]
    assert "<td>3 (no interval)</td>" in row and "nan" not in html


def test_a_reading_is_added_after_the_one_already_there_and_a_lower_end_on_the_bound_is_told_apart():
    from orthontk_lib.claims import on_the_bound, with_reading

    m = with_reading(Measurement(2.0, (1.0, 3.0), {"cells": 3}), "first")
    assert with_reading(m, "second").detail == {"cells": 3, "reading": "first; second"}
    assert on_the_bound((1.0 + 1e-12, 3.0)) and not on_the_bound((1.01, 3.0)) and not on_the_bound((float("nan"), 1.0))


# THE FRONT PAGE: every paper's claims with their verdicts in the run each chapter shows


def test_the_front_page_counts_each_papers_verdicts_as_the_ledger_reads_them(tmp_path):
    ledger.record("setting-ntk-slope-gaussian", Measurement(-0.5, (-0.55, -0.45)), profile="quick", root=tmp_path)
    ledger.record("speedup-deep", Measurement(0.5, (0.4, 0.6)), profile="quick", root=tmp_path)
    ledger.record("speedup-stability", Measurement(3.0, (1.5, float("inf"))), profile="quick", root=tmp_path)
    ledger.record("condensation-adam-p2", Measurement(0.5, (0.3, 2.0)), profile="quick", root=tmp_path)
    rows = ledger.findings("quick", root=tmp_path, paper_root=tmp_path / "none")
    assert len({r.id for r in rows}) == len(rows)  # one row each
    assert len(rows) == len(ledger.claims()) and rows[0].paper == "Huang, Du, Xu 2021"
    assert rows[-1].paper == "this book" and ledger.PAPERS.index(rows[0].paper) == 0
    main = [r for r in rows if r.paper == "Huang, Du, Xu 2021"]
    text = ledger.front_markdown("quick", root=tmp_path, paper_root=tmp_path / "none")
    assert (f"*Huang, Du, Xu 2021 (the main paper)*: {len(main)} claims; 2 hold, 1 does not hold, 0 inconclusive, "
            f"{len(main) - 3} not yet measured.") in text
    assert "*Zhou, Xu et al. 2022*: 10 claims; 0 hold, 0 do not hold, 1 inconclusive, 9 not yet measured." in text
    (row,) = [line for line in text.splitlines() if line.startswith("| At large depth, orthogonal networks train")]
    tags = "; ".join(ledger.claim("speedup-stability").tags())  # the interval's kind, its caveat
    assert row.endswith(f"| 3 [1.5, ∞] | **holds** | {tags} | quick | {{doc}}`07 <07-speedup>` |"), row  # one-sided
    by_id = {r.id: r for r in rows}
    assert (by_id["speedup-deep"].verdict, by_id["speedup-deep"].scale) == ("does not hold", "quick")
    assert (by_id["speedup-large-lr"].verdict, by_id["speedup-large-lr"].scale) == ("not yet measured", "not run")


def test_the_front_page_reads_a_committed_run_and_names_its_scale(tmp_path):
    """A chapter with a committed paper run shows it: its record decides, and a run with knobs overridden is a reduced
    scale, never the paper's."""
    from orthontk_lib import results
    from orthontk_lib.book import registry
    from orthontk_lib.chapters import setting

    cfg = setting.Config.for_profile("paper", use_env=False)
    small = setting.Config.for_profile("paper", use_env=False, widths=(8, 16, 32))
    for c, root in ((cfg, tmp_path / "full"), (small, tmp_path / "small")):
        results.save("setting/paper/summary", c.asdict(), {"x": np.zeros(1)}, root=root, profile="paper")
        ledger.record("setting-ntk-slope-gaussian", Measurement(-0.5, (-0.55, -0.45)), profile="paper", root=root)
        (row,) = [r for r in ledger.findings("quick", root=tmp_path / "q", paper_root=root)
                  if r.id == "setting-ntk-slope-gaussian"]
        assert row.verdict == "holds"
        assert row.scale == ("paper scale" if c is cfg else "reduced scale")
        assert registry.changed_knobs(setting, registry.paper_run("setting", root).meta) == (
            [] if c is cfg else ["widths"])


def test_the_claims_where_the_authors_data_and_the_book_differ_are_listed(tmp_path, monkeypatch):
    ledger.record("speedup-deep", Measurement(2.0, (1.5, 3.0)), profile="quick", root=tmp_path)
    ledger.record("speedup-large-lr", Measurement(2.0, (1.5, 3.0)), profile="quick", root=tmp_path)
    theirs = {"speedup-deep": (Measurement(2.9, (2.6, 3.2)), "holds"),
              "speedup-large-lr": (Measurement(0.9, (0.5, 1.4)), "inconclusive")}
    monkeypatch.setattr(ledger, "authors_data", lambda: theirs)
    text = ledger.authors_differ_markdown("quick", root=tmp_path, paper_root=tmp_path / "none")
    assert "large learning rate" in text and "2 [1.5, 3] **holds** | 0.9 [0.5, 1.4] **inconclusive** |" in text
    assert "trains faster at large depth" not in text  # the same verdict on both: not listed
    monkeypatch.setattr(ledger, "authors_data", lambda: {k: v for k, v in theirs.items() if k == "speedup-deep"})
    assert ledger.authors_differ_markdown("quick", root=tmp_path, paper_root=tmp_path / "none").startswith("None")


def test_the_authors_data_decide_the_claims_their_numbers_reach():
    found = ledger.authors_data()
    assert {"speedup-deep", "curves-gd-shallow", "constancy-weights-ntk-gaussian"} <= set(found)
    assert all(v in ("holds", "does not hold", "inconclusive") for _, v in found.values())
