"""A straightforward pandas implementation of crossgen's metrics: the benchmark's yardstick.

It loads the raw tables into pandas and computes everything from the answers, as an analyst
would in a notebook: construct scores (reverse-coding, half the items), each cohort's paired
before/after change per construct and role (scipy), and engagement per cohort. Run as a child
process so its memory is measured on its own.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
from scipy import stats

# crossgen's metrics this reference computes (the benchmark times crossgen on the same set)
REFERENCE_METRICS = ("paired_change", "sessions_held", "median_sessions_per_pair",
                     "share_pairs_3plus")


def load(db: Path) -> dict[str, pd.DataFrame]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {name: con.execute(f"select * from {name}").df()  # noqa: S608 - fixed names
                for name in ("responses", "items", "administrations", "participants",
                             "sessions", "employees", "cohorts")}
    finally:
        con.close()


def construct_scores(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    answers = t["responses"].merge(t["items"], on="item_id")
    answers["value"] = np.where(answers["reverse_coded"],
                                answers["scale_min"] + answers["scale_max"] - answers["value"],
                                answers["value"])
    asked = (answers.groupby(["administration_id", "construct"])["item_id"].nunique()
             .rename("asked").reset_index())
    scores = (answers.groupby(["administration_id", "employee_id", "construct"])["value"]
              .agg(["mean", "size"]).reset_index())
    scores = scores.merge(asked, on=["administration_id", "construct"])
    return scores[scores["size"] * 2 >= scores["asked"]]


def paired_change(t: dict[str, pd.DataFrame], scores: pd.DataFrame) -> pd.DataFrame:
    admins = t["administrations"]
    prog = scores.merge(admins[admins["kind"] == "programme"], on="administration_id")
    wide = prog.pivot_table(index=["cohort_id", "employee_id", "construct"], columns="phase",
                            values="mean").reset_index()
    wide = wide.merge(t["participants"], on=["cohort_id", "employee_id"])
    rows = []
    for (cohort, construct, role), part in wide.groupby(["cohort_id", "construct", "role"]):
        part = part.dropna(subset=["pre", "post"])
        if len(part) < 2:
            continue
        test = stats.ttest_rel(part["post"], part["pre"])
        ci = test.confidence_interval(0.95)
        rows.append({"cohort": cohort, "outcome": construct, "role": role, "n": len(part),
                     "estimate": float((part["post"] - part["pre"]).mean()),
                     "ci_low": ci.low, "ci_high": ci.high, "p_value": test.pvalue})
    return pd.DataFrame(rows)


def engagement(t: dict[str, pd.DataFrame]) -> pd.DataFrame:
    pairs = t["participants"].dropna(subset=["pair_id"]).drop_duplicates("pair_id")
    held = t["sessions"][t["sessions"]["status"] == "held"]
    per_pair = held.groupby("pair_id").size().rename("held")
    pairs = pairs.merge(per_pair, left_on="pair_id", right_index=True, how="left")
    pairs["held"] = pairs["held"].fillna(0)
    return pairs.groupby("cohort_id")["held"].agg(
        sessions_held="mean", median_sessions_per_pair="median",
        share_pairs_3plus=lambda h: (h >= 3).mean()).reset_index()


def run(db: Path) -> dict[str, object]:
    start = time.perf_counter()
    tables = load(db)
    scores = construct_scores(tables)
    paired = paired_change(tables, scores)
    engaged = engagement(tables)
    return {"seconds": time.perf_counter() - start, "paired_rows": len(paired),
            "engagement_rows": len(engaged),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, required=True)
    print(json.dumps(run(parser.parse_args().db)))


if __name__ == "__main__":
    main()
