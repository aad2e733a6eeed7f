"""Resolve people's keys (employee ids or email hashes) to employee ids with a join in DuckDB.

Only the file's distinct keys travel to the database, so a 1,000-row survey does not fetch a
200,000-person roster into pandas.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis.store.db import Store

SQL = {
    "employee_id": "select k.pos, e.employee_id from incoming_keys k "
                   "join employees e on e.employee_id = k.key",
    "email_hash": "select k.pos, e.employee_id from incoming_keys k "
                  "join email_keys e on e.email_hash = k.key",
}


def resolve(store: Store, keys: pd.Series, *, by: str) -> pd.Series:
    """The employee id of each key (None where none matches); ``by`` is employee_id or
    email_hash. Missing keys (None) match nothing."""
    codes, uniques = pd.factorize(keys)
    wanted = pa.table({"pos": pa.array(np.arange(len(uniques), dtype=np.int64)),
                       "key": pa.array(np.asarray(uniques, dtype=object), type=pa.string())})
    found = store.query(SQL[by], tables={"incoming_keys": wanted})
    table = np.full(len(uniques) + 1, None, dtype=object)  # the last slot: code -1 (missing)
    table[found["pos"].to_numpy(dtype=np.int64)] = found["employee_id"].to_numpy(dtype=object)
    return pd.Series(table[codes], index=keys.index, dtype=object)
