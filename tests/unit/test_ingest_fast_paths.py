"""Fast paths of the importers give exactly what the plain implementations give."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import random
from pathlib import Path

import pandas as pd
import pytest

from analysis.ingest import columns, reading
from analysis.ingest.problems import ImportFailed

PIECES = ["a", "b", "7", " ", "é", ",", ",", ";", "\t", '"', '""', "\n", "\r\n", "\r", "x y"]


def slow_grid(text: str, delimiter: str) -> pd.DataFrame:
    """The reference: Python's csv module, padded to the widest row (as read_grid does)."""
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True))
    width = max(len(r) for r in rows)
    return pd.DataFrame([r + [""] * (width - len(r)) for r in rows],
                        dtype=object).astype(reading.TEXT)


def random_text(rng: random.Random) -> str:
    header = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 12)))
    width = rng.randint(1, 5)
    body = "".join(",".join(rng.choice(["", "1", "a b", "Ünï", " 3 "]) for _ in range(width))
                   + rng.choice(["\n", "\r\n", "\r"]) for _ in range(rng.randint(1, 30)))
    tail = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 3)))
    return header + "\n" + body + tail


@pytest.mark.parametrize("seed", range(8))
def test_fast_grid_matches_the_csv_module(seed: int) -> None:
    rng = random.Random(seed)
    compared = 0
    for _ in range(300):
        text = random_text(rng)
        fast = reading._fast_grid(text, ",")
        if fast is None:
            continue
        try:
            expected = slow_grid(text, ",")
        except csv.Error:
            raise AssertionError(f"the fast path read what csv refuses: {text!r}") from None
        pd.testing.assert_frame_equal(fast, expected)
        compared += 1
    assert compared > 50  # the fast path is taken for most well-formed files


def test_title_rows_and_quoted_headers_take_the_fast_path() -> None:
    text = ('Report title\nRun Date: 2026-10-31\n\nid,"text\nwith a break",n\n'
            + "".join(f"E{i},t{i},{i}\r\n" for i in range(50)))
    fast = reading._fast_grid(text, ",")
    assert fast is not None
    pd.testing.assert_frame_equal(fast, slow_grid(text, ","))


@pytest.mark.parametrize("text", ['a,b\n1,2\n3,"4\n', 'a,b\n1,"2"x\n3,4\n', "a,b\n1,2\n3\n"])
def test_malformed_files_still_get_the_csv_modules_message(tmp_path: Path, text: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text)
    assert reading._fast_grid(text, ",") is None or text.endswith("3\n")
    if text.endswith("3\n"):  # ragged rows are valid CSV: padded, as before
        pd.testing.assert_frame_equal(reading.read_grid(path), slow_grid(text, ","))
        return
    with pytest.raises(ImportFailed, match="malformed"):
        reading.read_grid(path)


@pytest.mark.parametrize("secret", ["", "k", "s" * 64, "long" * 40, "clé-ünïcode"])
def test_keyed_email_hash_is_standard_hmac_sha256(secret: str) -> None:
    emails = pd.Series([" Ana.Silva@Example.com", "", "jörg@bäckerei.de", "x@y.z ",
                        "ana.silva@example.com", "   "], index=range(10, 16))
    got = columns.email_hash(emails, secret)
    # Reference: the standard library's hmac module, on the stripped, lower-cased text.
    key = secret.encode()
    expected = [hmac.new(key, e.strip().lower().encode(), hashlib.sha256).hexdigest()
                if e.strip() else None for e in emails]
    assert got.tolist() == expected
    assert got.index.equals(emails.index)
