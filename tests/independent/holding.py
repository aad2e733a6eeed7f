"""Compare ``crossgen metrics --json`` rows with the oracle's expected figures.

Each expected figure names its metric, outcome, cohort and role (and, where it applies, the
survey source and administrations); the crossgen row with the same keys and no slice must
exist, be shown (not suppressed), carry the same ``n`` exactly, and every estimate within
1e-6 and every p-value within 1e-4 of the oracle.
"""

from __future__ import annotations

import math
from typing import Any

# The oracle's field -> the crossgen column it is compared with, and how.
EXACT = ("n", "n_treated", "n_comparison", "items", "discordant_up", "discordant_down",
         "count", "n_sessions", "total_held")
ESTIMATES = ("estimate", "ci_low", "ci_high", "effect_size", "enps_before", "enps_after")
P_VALUES = ("p_value", "wilcoxon_p")
LABELS = ("metric", "outcome", "cohort", "role")


def key(row: dict[str, Any], admin_ids: dict[str, str]) -> tuple[Any, ...]:
    """What identifies a figure: labels, and for survey figures the source and waves."""
    source = row.get("source")
    before = row.get("administration_before")
    after = row.get("administration_after")
    admin = row.get("administration")
    return (*[row[k] for k in LABELS], source,
            admin_ids.get(before, before) if before else None,
            admin_ids.get(after, after) if after else None,
            admin_ids.get(admin, admin) if admin else None)


def crossgen_key(row: dict[str, Any]) -> tuple[Any, ...]:
    source = row.get("source")
    if row["metric"] in ("retention_12m", "retention_diff_12m", "logrank", "cox_hr",
                         "sessions_held", "cancellation_rate", "share_pairs_3plus",
                         "cronbach_alpha"):
        source = None
    before = row.get("administration_before") if source else None
    after = row.get("administration_after") if source else None
    if row["metric"] == "mean":
        before = None
    return (*[row[k] for k in LABELS], source, before, after,
            row.get("administration_id") if row["metric"] == "cronbach_alpha" else None)


def mismatches(expected: list[dict[str, Any]], results: list[dict[str, Any]],
               admin_ids: dict[str, str], *, estimate_tol: float = 1e-6,
               p_tol: float = 1e-4, labelled: bool = True) -> list[str]:
    """Every way the crossgen results fail to hold the expected figures (empty: all held).

    ``labelled=False`` matches rows on metric, outcome, cohort and role alone, for results
    that do not name their survey source and waves."""
    def trim(k: tuple[Any, ...]) -> tuple[Any, ...]:
        return k if labelled else (*k[:len(LABELS)], None, None, None, k[-1])

    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for row in results:
        if row.get("group") in ({}, None):
            rows.setdefault(trim(crossgen_key(row)), row)
    problems = []
    for figure in expected:
        k = trim(key(figure, admin_ids))
        found = rows.get(k)
        if found is None:
            problems.append(f"{k}: no such row in crossgen metrics")
            continue
        row = found
        if row.get("suppressed"):
            problems.append(f"{k}: suppressed ({row.get('suppressed_reason')})")
            continue
        for field in EXACT:
            if field in figure and row.get(field) != figure[field]:
                problems.append(f"{k}: {field} {row.get(field)!r} != {figure[field]!r}")
        for fields, tol in ((ESTIMATES, estimate_tol), (P_VALUES, p_tol)):
            for field in fields:
                if field not in figure:
                    continue
                want, got = figure[field], row.get(field)
                if want is None or got is None:
                    if want != got:
                        problems.append(f"{k}: {field} {got!r} != {want!r}")
                elif not math.isclose(got, want, rel_tol=0, abs_tol=tol):
                    problems.append(f"{k}: {field} {got!r} != {want!r} (±{tol:g})")
    return problems
