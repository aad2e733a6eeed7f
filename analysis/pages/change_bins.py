"""The individual-change histogram: fixed bins per construct, each bin count a protected cell.

Bin edges depend on the construct's scale only (width = scale range / 8, centred on no change;
changes beyond ±half the range fall in the two open-ended outer bins), never on the data in
view, so every view of a construct uses the same bins. People per bin are a band of the
construct's paired-change family (completed pairs: the people its n counts), decided by
:mod:`analysis.privacy.banded` against that family's canonical tables: a bin is shown in a view only
when it follows from visible cells of tables whose margins are the paired-change decisions, so
no two filters, cohorts or breakdowns can be subtracted to reveal a small bin.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cache import memo
from analysis.metrics import data, item_queries
from analysis.metrics import registry as metrics
from analysis.privacy import banded
from analysis.privacy import rules as privacy
from analysis.privacy.canon import canonical_tables
from analysis.privacy.rules import SLICES
from analysis.store.db import Store
from analysis.store.filters import Filters

BINS_PER_SCALE = 8
OUTER = BINS_PER_SCALE // 2  # bins -4..4: the outer two hold everything beyond
EVERY = tuple(str(b) for b in range(-OUTER, OUTER + 1))
COLUMNS = ["outcome", "bin", "bin_low", "bin_high", "count", "suppressed", "suppressed_reason"]


def scales(store: Store) -> pd.DataFrame:
    """construct, width (of one bin) from the items' scale."""
    frame = item_queries.construct_scales(store)
    width = (frame["scale_max"] - frame["scale_min"]) / BINS_PER_SCALE
    return frame.assign(width=width)[["construct", "width"]]


def binned(scores: pd.DataFrame, widths: pd.DataFrame) -> pd.DataFrame:
    """Completed pairs of ``scores`` with their bin (an integer: change / width, rounded)."""
    done = scores.dropna(subset=["before", "after"])
    # a lookup, not a merge: the statistics' frames carry the construct as a category
    width = done["construct"].map(widths.set_index("construct")["width"]).to_numpy(dtype=float)
    done = done.assign(width=width)[~np.isnan(width)]
    change = (done["after"] - done["before"]).to_numpy(dtype=float)
    index = np.clip(np.floor(change / done["width"].to_numpy() + 0.5), -OUTER, OUTER)
    return done.assign(bin=index.astype(int))


def bands(store: Store, construct: str, *, k: int) -> banded.Bands:
    """The protected bin tables of one construct over the whole database (kept per data state:
    they do not depend on the filters)."""
    return memo.kept(store, ("change_bins", construct, k),
                     lambda: _protect(store, construct, k))


def _protect(store: Store, construct: str, k: int) -> banded.Bands:
    scores = data.paired_scores(store, Filters(), construct=construct)
    people = binned(scores, scales(store))
    units = people.rename(columns={"cohort_id": "cohort"}).assign(
        band=people["bin"].astype(str))[["cohort", "role", "band", *SLICES]]
    every = metrics.shared_units(store)
    if every is None:
        raise ValueError("the paired-change metric provides no units")
    base = canonical_tables(every, "paired_change", construct, min_group_size=k)
    return banded.protect(units, base, k=k)


def histogram(store: Store, filters: Filters, constructs: tuple[str, ...], *,
              min_group_size: int | None = None) -> pd.DataFrame:
    """People per fixed bin of (after − before) per construct for the view, protected.

    Columns: :data:`COLUMNS`. Hidden bins keep their edges, with the reason; bins with no one
    in the view are left out, unless a bin of the construct is hidden: then they are marked
    hidden too (see :func:`banded.decide`).
    """
    k = privacy.resolve_min_group_size(min_group_size)
    widths = scales(store)
    scores = data.coded_scores(store, filters)  # the selection paired change already made
    view = binned(scores[scores["construct"].isin(constructs)], widths)
    conditions = {d: tuple(getattr(filters, d)) for d in SLICES if getattr(filters, d)}
    parts = []
    present = set(view["construct"])
    for construct in [c for c in constructs if c in present]:
        counts = view.loc[view["construct"] == construct, "bin"].astype(str).value_counts()
        decided = banded.decide(bands(store, construct, k=k), cohort=filters.cohort,
                                role=filters.role, conditions=conditions, counts=counts,
                                every=EVERY)
        decided = decided.assign(outcome=construct)
        parts.append(decided.assign(bin=decided["band"].astype(int)).sort_values("bin"))
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    out = pd.concat(parts, ignore_index=True).rename(columns={"n": "count"})
    width = out["outcome"].map(widths.set_index("construct")["width"]).astype(float)
    out["bin_low"] = (out["bin"] - 0.5) * width
    out["bin_high"] = out["bin_low"] + width
    return out[COLUMNS]


def warm(store: Store, *, min_group_size: int | None = None) -> None:
    """Build every construct's bin tables now (the dashboard's background warm-up)."""
    k = privacy.resolve_min_group_size(min_group_size)
    every = metrics.shared_units(store)
    if every is None:
        return
    for construct in every.loc[every["metric"] == "paired_change", "outcome"].unique():
        bands(store, str(construct), k=k)
