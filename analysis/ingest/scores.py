"""Construct scores: one per person, administration and construct, materialised at import.

score = mean of the construct's answered items after reverse-coding (x' = min + max - x),
kept only when at least half of the construct's items in that administration were answered
(an item counts as in the administration when anyone answered it).

The importer already holds an administration's answers as a respondents × items matrix, so the
scores are computed there, respondent by respondent, rather than by reading back and regrouping
millions of answers just written (tests/integration/test_scores.py checks them against the
grouped SQL definition).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

ITEMS_SQL = ("select item_id, construct, scale_min, scale_max, reverse_coded from items "
             "where item_id in (select item_id from incoming_items)")


def score_table(answers: np.ndarray, item_ids: list[str], items: pd.DataFrame,
                respondents: pa.Array) -> pa.Table:
    """Scores of one administration (employee_id, construct, score, items_answered, items_total).

    ``answers`` is respondents × items (NaN: no answer), its columns named by ``item_ids``;
    ``items`` holds each item's stored definition (item_id, construct, scale_min, scale_max,
    reverse_coded); ``respondents`` the employee id of each row. Sums run item by item in
    column order, as a sequential SQL ``avg`` adds them."""
    defs = {str(d["item_id"]): d for d in items.to_dict("records")}
    constructs = sorted({str(defs[i]["construct"]) for i in item_ids})
    rows: list[np.ndarray] = []
    names: list[np.ndarray] = []  # the construct's position in ``constructs``
    scores: list[np.ndarray] = []
    answered: list[np.ndarray] = []
    totals: list[np.ndarray] = []
    for construct in constructs:
        columns = [j for j, i in enumerate(item_ids) if defs[i]["construct"] == construct]
        total = np.zeros(len(answers), dtype=float)
        count = np.zeros(len(answers), dtype=np.int64)
        asked = set()
        for j in columns:
            d = defs[item_ids[j]]
            x = answers[:, j]
            given = ~np.isnan(x)
            if given.any():
                asked.add(item_ids[j])
            x = d["scale_min"] + d["scale_max"] - x if bool(d["reverse_coded"]) else x
            total += np.where(given, x, 0.0)
            count += given
        keep = np.flatnonzero((count > 0) & (2 * count >= len(asked)))
        rows.append(keep)
        names.append(np.full(len(keep), len(names), dtype=np.int64))
        scores.append(total[keep] / count[keep])
        answered.append(count[keep])
        totals.append(np.full(len(keep), len(asked), dtype=np.int64))
    if not rows:
        return pa.table({"employee_id": pa.array([], pa.string()),
                         "construct": pa.array([], pa.string()),
                         "score": pa.array([], pa.float64()),
                         "items_answered": pa.array([], pa.int64()),
                         "items_total": pa.array([], pa.int64())})
    # Respondent by respondent (then construct): the stored rows compress well.
    row, name = np.concatenate(rows), np.concatenate(names)
    order = np.lexsort((name, row))
    return pa.table({
        "employee_id": respondents.take(row[order]),
        "construct": pa.array(constructs, pa.string()).take(name[order]),
        "score": np.concatenate(scores)[order],
        "items_answered": np.concatenate(answered)[order],
        "items_total": np.concatenate(totals)[order],
    })
