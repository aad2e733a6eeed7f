"""Construct scores: one per person, administration and construct, materialised at import.

score = mean of the construct's answered items after reverse-coding (x' = min + max - x),
kept only when at least half of the construct's items in that administration were answered.
"""

from __future__ import annotations

import duckdb

REFRESH_SQL = """
insert into construct_scores
with asked as (
    select i.construct, count(distinct r.item_id) as items_total
    from responses r join items i using (item_id)
    where r.administration_id = $admin
    group by i.construct
)
select
    r.administration_id,
    r.employee_id,
    i.construct,
    avg(case when i.reverse_coded then i.scale_min + i.scale_max - r.value else r.value end),
    count(*),
    any_value(a.items_total)
from responses r
join items i using (item_id)
join asked a on a.construct = i.construct
where r.administration_id = $admin
group by r.administration_id, r.employee_id, i.construct
having 2 * count(*) >= any_value(a.items_total)
"""


def refresh_scores(con: duckdb.DuckDBPyConnection, administration_id: str) -> None:
    """Recompute one administration's construct scores (inside the import's transaction)."""
    con.execute("delete from construct_scores where administration_id = ?", [administration_id])
    con.execute(REFRESH_SQL, {"admin": administration_id})
