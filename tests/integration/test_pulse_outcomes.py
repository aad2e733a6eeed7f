"""Outcomes asked only in the org-wide pulse (issue 24, part 1): a real DuckDB built from the
demo's roster, programme, sessions and pulse exports through the importers, with no programme
survey at all. Participants' before/after rows (source 'pulse') are checked against scipy and
statsmodels called on scores recomputed here from the raw answers, with the waves chosen here by
DESIGN.md's rule; and the demo's programme-survey rows against a snapshot taken before the pulse
rows existed."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from analysis.ingest.batch import import_files
from analysis.ingest.demo_db import DEMO_FILES, demo_files, kind_of
from analysis.ingest.runner import Job
from analysis.store.db import Store
from tests.conftest import run_cli

REL = 1e-6
SNAPSHOT = Path(__file__).parent / "snapshots" / "demo_programme_rows.json.gz"
PROGRAMME_METRICS = {"paired_change", "top2box_change", "enps_change", "mean", "cronbach_alpha"}


@pytest.fixture(scope="module")
def pulse_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo company without its programme surveys: outcomes only in the pulse."""
    db = tmp_path_factory.mktemp("pulse_only") / "pulse.duckdb"
    files = [p for p in demo_files(DEMO_FILES) if not p.stem.startswith(("c1_", "c2_", "c3_"))]
    assert any(p.stem.startswith("pulse") for p in files)
    jobs = [Job(kind_of(p), p, mapping=p.with_suffix(".toml") if p.with_suffix(".toml").exists()
                else None) for p in files]
    with Store(db) as store:
        for report in import_files(store, jobs):
            assert report.rows_accepted > 0, report.file
    return db


@pytest.fixture(scope="module")
def payload(pulse_db: Path) -> dict:
    done = run_cli("metrics", "--db", str(pulse_db), "--json", timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _waves(store: Store) -> pd.DataFrame:
    """DESIGN.md's rule, here in pandas: before = the latest pulse closed on or before the
    start, after = the earliest opened on or after the end."""
    admins = store.query("select administration_id, opened, closed from administrations "
                         "where kind = 'pulse'")
    cohorts = store.query("select cohort_id, start_date, end_date from cohorts")
    rows = []
    for c in cohorts.itertuples():
        start, end = pd.Timestamp(c.start_date).date(), pd.Timestamp(c.end_date).date()
        before = admins[pd.to_datetime(admins["closed"]).dt.date <= start]
        after = admins[pd.to_datetime(admins["opened"]).dt.date >= end]
        if before.empty or after.empty:
            continue
        rows.append({"cohort_id": c.cohort_id,
                     "before": before.loc[before["closed"].idxmax(), "administration_id"],
                     "after": after.loc[after["opened"].idxmin(), "administration_id"]})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def pulse_scores(pulse_db: Path) -> pd.DataFrame:
    """Participants' pulse construct scores before and after their cohort, from raw answers:
    items reverse-coded, the mean of a person's items when at least half those the wave asked
    of anyone were answered."""
    with Store(pulse_db, read_only=True) as store:
        answers = store.query("select r.administration_id, r.employee_id, r.item_id, r.value "
                              "from responses r join administrations a using (administration_id) "
                              "where a.kind = 'pulse'")
        items = store.query("select * from items")
        people = store.query("select cohort_id, employee_id, role from participants "
                             "where role in ('mentor', 'mentee')")
        waves = _waves(store)
    answers = answers.merge(items, on="item_id")
    answers["value"] = np.where(answers["reverse_coded"],
                                answers["scale_min"] + answers["scale_max"] - answers["value"],
                                answers["value"])
    asked = answers.groupby(["administration_id", "construct"])["item_id"].nunique()
    per = answers.groupby(["administration_id", "employee_id", "construct"]).agg(
        score=("value", "mean"), k=("value", "size")).reset_index()
    per["asked"] = per.set_index(["administration_id", "construct"]).index.map(asked)
    per = per[per["k"] * 2 >= per["asked"]]
    out = people.merge(waves, on="cohort_id")
    out = out.merge(per.rename(columns={"administration_id": "before", "score": "pre"})[
        ["before", "employee_id", "construct", "pre"]], on=["before", "employee_id"])
    return out.merge(per.rename(columns={"administration_id": "after", "score": "post"})[
        ["after", "employee_id", "construct", "post"]],
        on=["after", "employee_id", "construct"])


def _rows(payload: dict, metric: str) -> list[dict]:
    return [r for r in payload["results"] if r["metric"] == metric and r["group"] == {}
            and r["cohort"] != "all" and not r["suppressed"]]


def _part(scores: pd.DataFrame, row: dict) -> pd.DataFrame:
    part = scores[(scores["cohort_id"] == row["cohort"]) & (scores["construct"] == row["outcome"])]
    return part if row["role"] == "all" else part[part["role"] == row["role"]]


def test_only_pulse_rows_and_their_waves(payload: dict, pulse_db: Path) -> None:
    with Store(pulse_db, read_only=True) as store:
        waves = _waves(store).set_index("cohort_id")
    before_after = [r for r in payload["results"]
                    if r["metric"] in {"paired_change", "top2box_change", "enps_change"}]
    assert before_after
    assert {r["source"] for r in before_after} == {"pulse"}
    assert {r["outcome"] for r in before_after if r["metric"] == "paired_change"} == {
        "enps", "inclusion", "intergenerational", "satisfaction.job"}
    assert {r["cohort"] for r in before_after} == {*waves.index, "all"}
    for row in before_after:
        if row["cohort"] == "all":
            assert row["administration_before"] is None
            continue
        assert row["administration_before"] == waves.loc[row["cohort"], "before"]
        assert row["administration_after"] == waves.loc[row["cohort"], "after"]


def test_pulse_paired_change_matches_scipy(payload: dict, pulse_scores: pd.DataFrame) -> None:
    rows = _rows(payload, "paired_change")
    assert len(rows) >= 2 * 4 * 3  # cohorts with both waves × pulse constructs × roles
    for row in rows:
        part = _part(pulse_scores, row)
        d = (part["post"] - part["pre"]).to_numpy()
        # Reference: scipy.stats.ttest_rel(after, before) and its t-based 95% CI
        ref = stats.ttest_rel(part["post"], part["pre"])
        ci = ref.confidence_interval(0.95)
        assert row["n"] == len(part)
        assert row["estimate"] == pytest.approx(d.mean(), rel=1e-9)
        assert row["p_value"] == pytest.approx(ref.pvalue, rel=REL)
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((ci.low, ci.high), rel=REL)
        d_z = d.mean() / d.std(ddof=1)  # numpy by hand: Cohen's d_z, Hedges' J
        assert row["effect_size"] == pytest.approx(d_z, rel=REL)
        assert row["hedges_gz"] == pytest.approx(d_z * (1 - 3 / (4 * (len(d) - 1) - 1)),
                                                 rel=REL)
        # Reference: scipy.stats.wilcoxon(d, zero_method="pratt"), scipy's default method
        assert row["wilcoxon_p"] == pytest.approx(
            stats.wilcoxon(d, zero_method="pratt").pvalue, rel=1e-9)


def test_pulse_top2box_matches_mcnemar(payload: dict, pulse_scores: pd.DataFrame) -> None:
    rows = _rows(payload, "top2box_change")
    assert rows
    for row in rows:
        part = _part(pulse_scores, row)
        before, after = part["pre"] >= 4, part["post"] >= 4
        table = [[int((before & after).sum()), int((before & ~after).sum())],
                 [int((~before & after).sum()), int((~before & ~after).sum())]]
        discordant = table[0][1] + table[1][0]
        assert row["n"] == len(part)
        assert row["estimate"] == pytest.approx(after.mean() - before.mean(), rel=1e-9)
        if discordant:
            # Reference: statsmodels mcnemar (exact below 25 discordant pairs)
            ref = mcnemar(table, exact=discordant < 25, correction=True)
            assert row["p_value"] == pytest.approx(ref.pvalue, rel=REL)


def test_pulse_enps_change(payload: dict, pulse_scores: pd.DataFrame) -> None:
    rows = _rows(payload, "enps_change")
    assert {r["role"] for r in rows} == {"mentor", "mentee", "all"}
    for row in rows:
        part = _part(pulse_scores, row)
        b, a = part["pre"].to_numpy(), part["post"].to_numpy()

        def enps(x: np.ndarray, axis: int = -1) -> np.ndarray:
            return 100 * (np.mean(x >= 9, axis=axis) - np.mean(x <= 6, axis=axis))

        assert row["n"] == len(part)
        assert row["estimate"] == pytest.approx(enps(a) - enps(b), rel=1e-9, abs=1e-9)
        # Reference: scipy.stats.bootstrap(paired=True, method="BCa"); crossgen draws the 3×3
        # category table instead, so agreement is within Monte-Carlo error
        ref = stats.bootstrap((b, a), lambda x, y, axis=-1: enps(y, axis) - enps(x, axis),
                              paired=True, vectorized=True, n_resamples=9999, method="BCa",
                              rng=np.random.default_rng(20240601))
        tol = max(0.3 * ref.standard_error, 2 * 100 / len(b))
        assert row["ci_low"] == pytest.approx(ref.confidence_interval.low, abs=tol)
        assert row["ci_high"] == pytest.approx(ref.confidence_interval.high, abs=tol)


def test_pulse_cronbach_alpha_per_wave(payload: dict, pulse_db: Path) -> None:
    rows = [r for r in payload["results"] if r["metric"] == "cronbach_alpha"
            and r["group"] == {} and r["role"] == "all" and not r["suppressed"]]
    assert rows and {r["source"] for r in rows} == {"pulse"}
    with Store(pulse_db, read_only=True) as store:
        waves = _waves(store).set_index("cohort_id")
        for row in rows:
            wave = waves.loc[row["cohort"], "before" if row["phase"] == "pre" else "after"]
            assert row["administration_id"] == wave
            answers = store.query(
                "select r.employee_id, r.item_id, case when i.reverse_coded then i.scale_min "
                "+ i.scale_max - r.value else r.value end as v from responses r "
                "join items i using (item_id) join participants p "
                "on p.employee_id = r.employee_id and p.cohort_id = $cohort "
                "and p.role in ('mentor', 'mentee') "
                "where r.administration_id = $wave and i.construct = $construct",
                {"cohort": row["cohort"], "wave": wave, "construct": row["outcome"]})
            wide = answers.pivot(index="employee_id", columns="item_id", values="v").dropna()
            k = wide.shape[1]
            # hand formula: k/(k-1) * (1 - sum of item variances / variance of the total)
            alpha = k / (k - 1) * (1 - wide.var(ddof=1).sum() / wide.sum(axis=1).var(ddof=1))
            assert row["n"] == len(wide) and row["items"] == k
            assert row["estimate"] == pytest.approx(alpha, rel=1e-9)


def test_pulse_rows_are_privacy_checked_and_adjusted(pulse_db: Path) -> None:
    done = run_cli("metrics", "--db", str(pulse_db), "--json", "--cohort", "C1", "--by",
                   "generation", timeout=900)
    assert done.returncode == 0, done.stderr
    rows = [r for r in json.loads(done.stdout)["results"] if r.get("source") == "pulse"]
    assert any(r["suppressed"] for r in rows) and any(not r["suppressed"] for r in rows)
    for row in rows:
        assert row["suppressed"] or row["n"] >= 5
        if row["suppressed"]:
            assert row["estimate"] is None and row["n"] is None
        elif row["p_value"] is not None:
            assert row["p_adjusted"] >= row["p_value"] - 1e-12


def _programme_rows(results: list[dict]) -> list[dict]:
    """Programme-survey rows as the snapshot holds them: no nulls, none of the fields this
    change added, no Wilcoxon (corrected in the same change, tested against scipy)."""
    added = {"source", "administration_before", "administration_after", "wilcoxon_stat",
             "wilcoxon_p"}
    return [{k: v for k, v in r.items() if v is not None and k not in added} for r in results
            if r["metric"] in PROGRAMME_METRICS and r.get("source") == "programme"]


@pytest.mark.parametrize(("name", "args"), [("default", []),
                                            ("by_generation", ["--by", "generation"])])
def test_demo_programme_numbers_unchanged(demo_db: Path, name: str, args: list[str]) -> None:
    # The snapshot: `crossgen metrics --json` [--by generation] on the demo at 170052b, the
    # commit before pulse rows existed, these metrics' rows with nulls and Wilcoxon dropped.
    expected = json.loads(gzip.decompress(SNAPSHOT.read_bytes()))[name]
    done = run_cli("metrics", "--db", str(demo_db), "--json", *args, timeout=900)
    assert done.returncode == 0, done.stderr
    got = _programme_rows(json.loads(done.stdout)["results"])
    assert len(got) == len(expected)
    for new, old in zip(got, expected, strict=True):
        assert set(new) == set(old), (old["metric"], old["outcome"], set(new) ^ set(old))
        for key, value in old.items():
            if isinstance(value, float):
                assert math.isclose(new[key], value, rel_tol=1e-9, abs_tol=1e-12), (key, old)
            else:
                assert new[key] == value, (key, old)
