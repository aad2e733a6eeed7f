"""Plain-text table of results for the terminal (rounding happens here, for display only)."""

from __future__ import annotations

import pandas as pd


def _fmt(value: object, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "—"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def format_table(frame: pd.DataFrame) -> str:
    if frame.empty:
        return "No results for these filters."
    shown = pd.DataFrame({
        "outcome": frame["outcome"],
        "metric": frame["metric"],
        "cohort": frame["cohort"],
        "role": frame["role"],
        "group": frame["group"].map(lambda g: ", ".join(f"{k}={v}" for k, v in g.items()) or "all"),
        "n": frame["n"].map(lambda v: _fmt(v, 0) if v == v else "hidden"),
        "estimate": frame["estimate"].map(_fmt),
        "95% CI": [f"{_fmt(lo)} to {_fmt(hi)}" for lo, hi in zip(frame["ci_low"],
                                                                  frame["ci_high"], strict=True)],
        "p (adj.)": frame["p_adjusted"].map(lambda v: _fmt(v, 4)),
        "effect": frame["effect_size"].map(_fmt),
    })
    shown.loc[frame["suppressed"].astype(bool).to_numpy(), "95% CI"] = "suppressed"
    return shown.to_string(index=False)
