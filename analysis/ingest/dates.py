"""Dates in every form HR, mentoring-platform and survey tools write them, read per column.

Forms read: ISO (``2025-03-01``, with a time, ``T``, fractions and a zone), ``2025/03/01``,
``Mar 01, 2025``, ``Saturday, March 1, 2025``, ``1 March 2025``, ``01-Mar-2025``, numeric
``03/01/2025`` / ``01-03-2025`` (with ``02:42 PM`` or ``14:42`` after), European ``01.03.2025``
(always day first) and Excel serial numbers (``45717``, what a General-formatted XLSX cell holds).
A time zone is dropped: the date and time as written are kept.

Numeric dates with the day or month first are decided by the column's own values (a 13 or more
in one place settles it), else by the other date columns of the same file, else by the layout's
documented default (survey timestamps), else by the mapping's ``date_format``; otherwise the
column is refused, never guessed. Every distinct text is parsed once, with vectorised regular
expressions and arithmetic (no Python loop over rows).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from analysis.ingest.problems import Problem

# date_format words for the numeric order; anything holding '%' is a strftime pattern.
DATE_ORDERS = {"day-first": "dmy", "dmy": "dmy", "dd/mm/yyyy": "dmy",
               "month-first": "mdy", "mdy": "mdy", "mm/dd/yyyy": "mdy"}
MONTHS = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
          "sep": 9, "oct": 10, "nov": 11, "dec": 12}
# A time after the date, then an optional zone (Z, +01:00, -0800, GMT+1, UTC, CET …).
TIME = (r"(?:(?:[ t]+|,\s*)(?P<hh>\d{1,2}):(?P<mi>\d{2})(?::(?P<ss>\d{2})(?:[.,]\d+)?)?"
        r"\s*(?P<ampm>[ap]\.?m\.?)?(?:\s*\(?(?:z|utc|gmt|[a-z]{3,4})?\s*"
        r"(?:[+-]\d{1,2}(?::?\d{2})?)?\)?)?)?")
PATTERNS = {
    "ymd": rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){TIME}$",
    "numeric": rf"^(?P<a>\d{{1,2}})(?P<sep>[-/.])(?P<b>\d{{1,2}})(?P=sep)(?P<y>\d{{4}}|\d{{2}})"
               rf"{TIME}$",
    "month-name": rf"^(?:[a-z]+,?\s+)?(?P<mon>[a-z]{{3,9}})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
                  rf",?\s+(?P<y>\d{{4}}){TIME}$",
    "day-month-name": rf"^(?:[a-z]+,?\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[-\s]+"
                      rf"(?P<mon>[a-z]{{3,9}})\.?[-\s,]+(?P<y>\d{{4}}|\d{{2}}){TIME}$",
    "serial": r"^(?P<n>\d{5}(?:\.\d+)?)$",
}
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august",
               "september", "sept", "october", "november", "december")
EXCEL_EPOCH = pd.Timestamp("1899-12-30")  # serial 1 = 1900-01-01 (Excel's leap-1900 bug)
POSIX_PIVOT = 69  # two-digit years: 00-68 -> 20YY, 69-99 -> 19YY (as strptime's %y)


def birth_pivot(today: dt.date | None = None) -> int:
    """Two-digit birth years: the most recent year at least 14 years ago (no one on a roster
    is younger), so in 2026 '12' is 2012 and '13' is 1913."""
    year = (today or dt.date.today()).year - 14
    return year % 100 + 1


def order_of(date_format: str | None) -> str | None:
    """'dmy' or 'mdy' from a mapping's date_format (a word, or a pattern's %d/%m order)."""
    if not date_format:
        return None
    text = date_format.strip().lower()
    if text in DATE_ORDERS:
        return DATE_ORDERS[text]
    d, m = text.find("%d"), text.find("%m")
    if d >= 0 and m >= 0:
        return "dmy" if d < m else "mdy"
    return None


def _extract(uniques: pd.Series) -> dict[str, pd.DataFrame]:
    """Each pattern's captures, for the texts no earlier pattern took."""
    left = uniques
    found: dict[str, pd.DataFrame] = {}
    for name, pattern in PATTERNS.items():
        if left.empty:
            break
        got = left.str.extract(pattern)
        hit = got.iloc[:, 0].notna()
        found[name] = got[hit]
        left = left[~hit]
    return found


def _numeric_evidence(found: dict[str, pd.DataFrame]) -> tuple[int | None, int | None]:
    """(a text only day-first can read, a text only month-first can read): their positions."""
    num = found.get("numeric")
    if num is None or num.empty:
        return None, None
    slashed = num[num["sep"] != "."]
    a, b = slashed["a"].astype(int), slashed["b"].astype(int)
    day_first = slashed.index[(a > 12) & (b <= 12)]
    month_first = slashed.index[(b > 12) & (a <= 12)]
    return (int(day_first[0]) if len(day_first) else None,
            int(month_first[0]) if len(month_first) else None)


def _year(text: pd.Series, pivot: int) -> pd.Series:
    year = text.astype(float)
    short = text.str.len() == 2
    return year.where(~short, np.where(year < pivot, 2000 + year, 1900 + year))


def _assemble(parts: pd.DataFrame, y: pd.Series, m: pd.Series, d: pd.Series) -> pd.Series:
    hour = parts["hh"].astype(float).fillna(0)
    ampm = parts["ampm"].fillna("").str.replace(".", "", regex=False)
    bad_12h = (ampm != "") & ((hour < 1) | (hour > 12))
    hour = hour.where(ampm != "pm", hour % 12 + 12).where(ampm != "am", hour % 12)
    frame = pd.DataFrame({"year": y, "month": m, "day": d, "hour": hour.where(~bad_12h),
                          "minute": parts["mi"].astype(float).fillna(0),
                          "second": parts["ss"].astype(float).fillna(0)})
    frame = frame.where((frame["hour"] < 24) & (frame["minute"] < 60) & (frame["second"] < 60))
    return pd.to_datetime(frame, errors="coerce")


def _parse(found: dict[str, pd.DataFrame], order: str | None, pivot: int) -> pd.Series:
    """Timestamps of every text that a pattern took (numeric ones only when ``order`` is known
    or their own digits decide)."""
    out = []
    if (ymd := found.get("ymd")) is not None and len(ymd):
        out.append(_assemble(ymd, ymd["y"].astype(float), ymd["m"].astype(float),
                             ymd["d"].astype(float)))
    if (num := found.get("numeric")) is not None and len(num):
        a, b = num["a"].astype(float), num["b"].astype(float)
        day_first = (num["sep"] == ".") | (order == "dmy") | ((a > 12) & (order is None))
        month_first = ~day_first & ((order == "mdy") | (b > 12))
        day = a.where(day_first, b.where(month_first))
        month = b.where(day_first, a.where(month_first))
        out.append(_assemble(num, _year(num["y"], pivot), month, day))
    for name in ("month-name", "day-month-name"):
        if (named := found.get(name)) is not None and len(named):
            # 'Mar', 'March', 'Sept': the first three letters name it, the rest must agree.
            known = named["mon"].isin(MONTH_NAMES) | named["mon"].str.len().eq(3)
            month = named["mon"].str[:3].map(MONTHS).astype(float).where(known)
            out.append(_assemble(named, _year(named["y"], pivot), month,
                                 named["d"].astype(float)))
    if (serial := found.get("serial")) is not None and len(serial):
        days = serial["n"].astype(float)
        out.append(EXCEL_EPOCH + pd.to_timedelta(days.round(6), unit="D"))
    if not out:
        return pd.Series(dtype="datetime64[us]")
    return pd.concat(out).astype("datetime64[us]")


def file_order(columns: list[pd.Series]) -> str | None:
    """The day/month order the file's numeric dates show, when its columns agree on one."""
    seen = set()
    for values in columns:
        uniques = pd.Series(pd.unique(values.astype(str).str.strip().str.lower()), dtype=object)
        day_first, month_first = _numeric_evidence(_extract(uniques[uniques != ""]))
        seen |= {o for o, e in (("dmy", day_first), ("mdy", month_first)) if e is not None}
    return seen.pop() if len(seen) == 1 else None


def parse_dates(values: pd.Series, *, file: str, column: str, rows: pd.Series,
                problems: list[Problem], date_format: str | None = None,
                file_hint: str | None = None, default_order: str | None = None,
                pivot: int = POSIX_PIVOT, section: str = "roster") -> pd.Series:
    """The column's dates (NaT where empty); unreadable, mixed or ambiguous day/month order
    is added to ``problems`` with the rows, and a fix naming ``[section]`` of the mapping."""
    text = values.astype(str).str.strip()
    codes, uniques_index = pd.factorize(text.str.lower())
    uniques = pd.Series(np.asarray(uniques_index, dtype=object), dtype=object)
    present = uniques != ""
    found = _extract(uniques[present])
    day_first, month_first = _numeric_evidence(found)
    order = order_of(date_format)
    if order is None and day_first is not None and month_first is not None:
        _report(problems, file, column, rows, codes, [day_first, month_first],
                f"The column mixes day-first dates ({uniques[day_first]!r}) and "
                f"month-first dates ({uniques[month_first]!r}).",
                "Export the column again with one date format for every row.")
        order = "mixed"
    elif order is None and (day_first is not None or month_first is not None):
        order = "dmy" if day_first is not None else "mdy"
    if order is None:
        order = file_hint or default_order
        num = found.get("numeric", pd.DataFrame(columns=["sep"]))
        if order is None and (num["sep"] != ".").any():
            first = num.index[num["sep"] != "."][0]
            example = str(uniques[first])
            _report(problems, file, column, rows, codes, [int(first)],
                    f"The day/month order of these dates cannot be told: in every value, such as "
                    f"{example!r}, both the day and the month are 12 or less.",
                    f'State the order in the mapping file: date_format = "day-first" (or '
                    f'"month-first") under [{section}], then pass it with --mapping.')
            order = "mixed"
    parsed = _parse(found, None if order == "mixed" else order, pivot)
    if date_format and "%" in date_format:
        missing = uniques.index[present & ~uniques.index.isin(parsed.dropna().index)]
        exact = pd.to_datetime(uniques[missing], format=date_format.strip(), errors="coerce")
        parsed = pd.concat([parsed.dropna(), exact.dropna().astype("datetime64[us]")])
    stamps = np.full(len(uniques) + 1, np.datetime64("NaT"), dtype="datetime64[us]")
    good = parsed.dropna()
    stamps[good.index.to_numpy(dtype=np.int64)] = good.to_numpy(dtype="datetime64[us]")
    result = pd.Series(stamps[codes], index=values.index)
    bad_unique = present.to_numpy() & np.isnat(stamps[:-1])
    if order != "mixed" and bad_unique.any():
        bad = pd.Series(bad_unique[codes] & (codes >= 0), index=values.index)
        bad_rows = rows[bad]
        examples = ", ".join(map(repr, text[bad].drop_duplicates().head(3)))
        at = ", ".join(map(str, bad_rows.head(5)))
        problems.append(Problem(
            file, f"{int(bad.sum())} date(s) cannot be read, e.g. {examples} (rows {at}).",
            "Use one date form for the whole column (2025-03-31, 31 Mar 2025, 03/31/2025 …), or "
            f'state it with date_format = "%d/%m/%Y" under [{section}] in the mapping file.',
            row=int(bad_rows.iloc[0]), column=column))
    return result


def _report(problems: list[Problem], file: str, column: str, rows: pd.Series,
            codes: np.ndarray, uniques_at: list[int], message: str, fix: str) -> None:
    """A whole-column problem, at the first row holding one of the example values."""
    at = rows[np.isin(codes, uniques_at)]
    problems.append(Problem(file, message, fix, row=int(at.iloc[0]) if len(at) else None,
                            column=column))
