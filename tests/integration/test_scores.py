"""Construct scores materialised at import equal the grouped SQL definition over the answers."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.ingest import import_file
from analysis.store.db import Store

# The definition in SQL, independent of the importer's matrix arithmetic: mean of the answered
# items after reverse-coding, kept when at least half the construct's asked items are answered.
REFERENCE_SQL = """
with asked as (
    select r.administration_id, i.construct, count(distinct r.item_id) as items_total
    from responses r join items i using (item_id)
    group by r.administration_id, i.construct
)
select r.administration_id, r.employee_id, i.construct,
       avg(case when i.reverse_coded then i.scale_min + i.scale_max - r.value
                else r.value end) as score,
       count(*) as items_answered, any_value(a.items_total) as items_total
from responses r
join items i using (item_id)
join asked a on a.administration_id = r.administration_id and a.construct = i.construct
group by r.administration_id, r.employee_id, i.construct
having 2 * count(*) >= any_value(a.items_total)
"""
KEY = ["administration_id", "employee_id", "construct"]


def test_scores_match_the_sql_definition(demo_db: Path) -> None:
    with Store(demo_db, read_only=True) as store:
        stored = store.query("select * from construct_scores")
        expected = store.query(REFERENCE_SQL)
    assert len(stored) > 1000
    assert not stored.duplicated(KEY).any()
    got = stored.sort_values(KEY).reset_index(drop=True)
    want = expected.sort_values(KEY).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False, check_exact=True)


def test_an_item_keeps_its_stored_definition(demo_copy: Path, tmp_path: Path) -> None:
    """A later file mapping a known item differently is scored as the item is stored."""
    csv = tmp_path / "again.csv"
    with Store(demo_copy) as store:
        ids = store.query("select employee_id from employees order by employee_id limit 39")
        csv.write_text("employee_id,submitted_at,item_id,value\n" + "".join(
            f"{e},2025-05-01,incl_outsider,1\n" for e in ids["employee_id"]))
        mapping = tmp_path / "again.toml"
        mapping.write_text('[survey]\nname = "Again"\nkind = "pulse"\n\n[[questions]]\n'
                           'column = "incl_outsider"\nitem = "incl_outsider"\n'
                           'construct = "inclusion"\nscale = "agree5"\nreverse_coded = false\n')
        import_file(store, "survey", csv, mapping=mapping)
        stored = store.query("select * from construct_scores where administration_id = 'again'")
        reverse = store.scalar("select reverse_coded from items where item_id = 'incl_outsider'")
    # Stored as reverse-coded on a 1-5 scale: an answer of 1 scores 5.
    assert bool(reverse)
    assert len(stored) == 39
    assert set(stored["score"]) == {5.0}
    assert set(stored["items_answered"]) == {1} and set(stored["items_total"]) == {1}
