"""The subtraction attack on the two-arm, pair and per-administration metrics.

On the demo database (three cohorts of 50 pairs among 3,000 employees: plenty of groups of 1–4
once sliced) this publishes, for every ``--by`` (none, generation, department, level, role) under
no filter, one-value filters and a two-value filter, the rows of ``did`` (both arms),
``retention_12m``, ``retention_diff_12m`` and ``roi`` (both arms), the engagement metrics (pairs;
cadence: pairs with two or more held sessions), ``dose_response`` and ``cronbach_alpha``. Every
count a row shows (n, n_treated, n_comparison, n_pairs) becomes a 0/1 vector over the finest
groups, built here from the raw data: cohort × role × generation × department × level per arm,
and for pairs the mentor's and the mentee's values (a pair is in a cell one of its members is in).
An attacker may add and subtract any of them. The tests assert that nothing under the minimum is
shown, that no hidden small group and no finest group of 1–4 is such a combination (reference:
numpy least squares), and that with the minimum-size rule alone (complementary suppression off)
the same attack does recover a small group of every metric.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from analysis.metrics import data, item_queries, pair_queries, survival_queries
from analysis.metrics import registry as metrics
from analysis.metrics.engagement import ROLE_SKILL
from analysis.privacy.decisions import suppress_results
from analysis.store.db import Store
from analysis.store.filters import SLICE_DIMENSIONS, Filters

K = 5
DIMS = ("generation", "department", "level")
NONE = "\x00none"
METRICS = ["did", "retention_12m", "retention_diff_12m", "roi", "sessions_held", "cadence_days",
           "dose_response", "cronbach_alpha"]
pytestmark = pytest.mark.slow

Arms = Callable[[dict[str, Any], dict[str, tuple[str, ...]]], list[tuple[str, np.ndarray]]]


@dataclass
class Attack:
    """Every count one metric group publishes, as vectors over its finest groups (atoms)."""

    atoms: pd.DataFrame  # family, cohort, role, *DIMS (pairs: mentor_*, mentee_*), n
    arms: Arms | None = None  # a row and its slice conditions -> (count column, vector)
    shown: list[np.ndarray] = field(default_factory=list)
    hidden: list[tuple[np.ndarray, str]] = field(default_factory=list)
    known: dict[tuple[Any, ...], np.ndarray] = field(default_factory=dict)  # vectors by group

    def _cached(self, build: Callable[..., np.ndarray], *key: Any) -> np.ndarray:
        frozen = (build.__name__, *key[:3], tuple(sorted(key[3].items())))
        if frozen not in self.known:
            self.known[frozen] = build(*key)
        return self.known[frozen]

    def person(self, *key: Any) -> np.ndarray:
        return self._cached(self._person, *key)

    def pair(self, *key: Any) -> np.ndarray:
        return self._cached(self._pair, *key)

    def _person(self, family: str, cohort: str, role: str | None,
               conditions: dict[str, tuple[str, ...]]) -> np.ndarray:
        a = self.atoms
        ok = np.array(a["family"] == family, dtype=bool)
        if cohort != "all":
            ok &= (a["cohort"] == cohort).to_numpy()
        if role not in (None, "all"):
            ok &= (a["role"] == role).to_numpy()
        for dim, values in conditions.items():
            ok &= a[dim].isin(values).to_numpy()
        return ok.astype(float)

    def _pair(self, family: str, cohort: str, view: str,
             conditions: dict[str, tuple[str, ...]]) -> np.ndarray:
        a = self.atoms
        ok = np.array(a["family"] == family, dtype=bool)
        if cohort != "all":
            ok &= (a["cohort"] == cohort).to_numpy()
        sides = {"mentor": np.ones(len(a), dtype=bool), "mentee": np.ones(len(a), dtype=bool)}
        for side, match in sides.items():
            for dim, values in conditions.items():
                match &= a[f"{side}_{dim}"].isin(values).to_numpy()
        member = sides[view] if view in sides else sides["mentor"] | sides["mentee"]
        return (ok & member).astype(float)

    def add(self, row: dict[str, Any], conditions: dict[str, tuple[str, ...]], where: str) -> None:
        assert self.arms is not None
        n = self.atoms["n"].to_numpy(dtype=float)
        for column, vector in self.arms(row, conditions):
            if bool(row["suppressed"]):
                assert pd.isna(row[column]), where
                self.hidden.append((vector, f"{where} {column}"))
                continue
            assert row[column] >= K, where  # nothing under the minimum is shown
            assert row[column] == vector @ n, (where, column)  # the vector is the right group
            self.shown.append(vector)

    def leaks(self) -> list[str]:
        """Small atoms and hidden small groups that are combinations of shown counts."""
        n = self.atoms["n"].to_numpy(dtype=float)
        small = [(np.eye(len(n))[i], f"atom {i}") for i in np.flatnonzero((n > 0) & (n < K))]
        return combinations_of(self.shown, small + [(v, w) for v, w in self.hidden
                                                    if 0 < v @ n < K])

    def assert_holds(self, *, shown: int, hidden: int) -> None:
        """Not vacuous (more than ``shown`` / ``hidden`` vectors, more than 10 small atoms), and
        no small atom or hidden small group follows from what is shown."""
        n = self.atoms["n"].to_numpy()
        assert len(self.shown) > shown and len(self.hidden) > hidden
        assert ((n > 0) & (n < K)).sum() > 10  # small groups exist
        leaks = self.leaks()
        assert not leaks, leaks[:5]


def combinations_of(shown: list[np.ndarray], targets: list[tuple[np.ndarray, str]]) -> list[str]:
    """Targets that are linear combinations of shown vectors (reference: numpy least squares)."""
    if not shown or not targets:
        return []
    a = np.array(shown).T
    b = np.array([v for v, _ in targets]).T
    coef, *_ = np.linalg.lstsq(a, b, rcond=None)
    found = np.abs(a @ coef - b).max(axis=0) < 1e-6
    return [w for (_, w), hit in zip(targets, found, strict=True) if hit]


def _slices(frame: pd.DataFrame, prefix: str = "") -> pd.DataFrame:
    return frame.assign(**{f"{prefix}{d}": frame[d].astype(object).fillna(NONE) for d in DIMS})


def _count(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.groupby(keys, as_index=False).size().rename(columns={"size": "n"})


def _did(store: Store) -> Attack:
    people = _slices(data.pulse_pairs(store, Filters()))
    construct = sorted(people["construct"].unique())[0]
    people = people[people["construct"] == construct]
    people = people.assign(family=np.where(people["treat"] == 1, "treated", "comparison"))
    attack = Attack(_count(people, ["family", "cohort_id", "role", *DIMS]).rename(
        columns={"cohort_id": "cohort"}))

    def arms(row: dict[str, Any], cond: dict[str, tuple[str, ...]]) -> list[tuple[str, Any]]:
        if row["outcome"] != construct:
            return []
        return [("n_treated", attack.person("treated", row["cohort"], row["role"], cond)),
                ("n_comparison", attack.person("comparison", row["cohort"], None, cond))]
    attack.arms = arms
    return attack


def _retention(store: Store) -> Attack:
    people = _slices(survival_queries.retention_population(store, Filters()))
    people["family"] = np.where(people["treat"] == 1, "treated", "comparison")
    attack = Attack(_count(people, ["family", "cohort_id", "role", *DIMS]).rename(
        columns={"cohort_id": "cohort"}))

    def arms(row: dict[str, Any], cond: dict[str, tuple[str, ...]]) -> list[tuple[str, Any]]:
        if row["metric"] == "retention_12m":
            comparison = row["role"] == "comparison"
            family = "comparison" if comparison else "treated"
            return [("n", attack.person(family, row["cohort"], None if comparison
                                        else row["role"], cond))]
        if row["metric"] in ("retention_diff_12m", "roi"):
            return [("n_treated", attack.person("treated", row["cohort"], row["role"], cond)),
                    ("n_comparison", attack.person("comparison", row["cohort"], None, cond))]
        return []
    attack.arms = arms
    return attack


def _pairs(store: Store) -> Attack:
    members = _slices(pair_queries.pair_members(store, Filters()))
    assert (members.groupby(["cohort_id", "pair_id", "role"]).size() == 1).all()
    wide = members.pivot(index=["cohort_id", "pair_id"], columns="role", values=list(DIMS))
    wide.columns = [f"{role}_{dim}" for dim, role in wide.columns]
    wide = wide.reset_index()
    held = pair_queries.pair_sessions(store)[["cohort_id", "pair_id", "held"]]
    wide = wide.merge(held, on=["cohort_id", "pair_id"])
    sides = [f"{s}_{d}" for s in ("mentor", "mentee") for d in DIMS]
    both = pd.concat([wide.assign(family="pairs"),
                      wide[wide["held"] >= 2].assign(family="two")])
    attack = Attack(_count(both, ["family", "cohort_id", *sides]).rename(
        columns={"cohort_id": "cohort"}))

    def arms(row: dict[str, Any], cond: dict[str, tuple[str, ...]]) -> list[tuple[str, Any]]:
        if row["metric"] not in ("sessions_held", "cadence_days"):
            return []
        every = attack.pair("pairs", row["cohort"], row["role"], cond)
        if row["metric"] == "cadence_days":
            return [("n", attack.pair("two", row["cohort"], row["role"], cond)),
                    ("n_pairs", every)]
        return [("n", every)]
    attack.arms = arms
    return attack


def _dose(store: Store) -> Attack:
    scores = data.paired_scores(store, Filters())
    scores = scores[(scores["construct"] == scores["role"].map(ROLE_SKILL))
                    & scores["before"].notna() & scores["after"].notna()]
    members = pair_queries.pair_members(store, Filters())[["cohort_id", "employee_id"]]
    people = _slices(scores.merge(members, on=["cohort_id", "employee_id"])).assign(family="dose")
    attack = Attack(_count(people, ["family", "cohort_id", "role", *DIMS]).rename(
        columns={"cohort_id": "cohort"}))

    def arms(row: dict[str, Any], cond: dict[str, tuple[str, ...]]) -> list[tuple[str, Any]]:
        if row["metric"] != "dose_response":
            return []
        return [("n", attack.person("dose", row["cohort"], row["role"], cond))]
    attack.arms = arms
    return attack


def _cronbach(store: Store) -> Attack:
    answers = item_queries.item_answers(store, Filters(), programme_only=True)
    items = answers.groupby("construct")["item_id"].nunique()
    construct = sorted(items[items >= 2].index)[0]  # alpha needs two items
    answers = answers[answers["construct"] == construct].drop_duplicates(
        ["administration_id", "employee_id", "item_id"])
    asked = answers.groupby("administration_id")["item_id"].transform("nunique")
    answered = answers.groupby(["administration_id", "employee_id"])["value"].transform("count")
    complete = answers[answered == asked].drop_duplicates(["administration_id", "employee_id"])
    people = _slices(complete).assign(role=complete["role"].fillna(NONE))
    attack = Attack(_count(people, ["administration_id", "cohort_id", "role", *DIMS]).rename(
        columns={"administration_id": "family", "cohort_id": "cohort"}))

    def arms(row: dict[str, Any], cond: dict[str, tuple[str, ...]]) -> list[tuple[str, Any]]:
        # the programme surveys' rows (the pulse waves' people: their own unit families)
        if row["metric"] != "cronbach_alpha" or row["outcome"] != construct \
                or row.get("source") == "pulse":
            return []
        return [("n", attack.person(row["administration_id"], row["cohort"], row["role"],
                                    cond))]
    attack.arms = arms
    return attack


BUILDERS = {"did": _did, "retention and roi": _retention, "engagement": _pairs,
            "dose_response": _dose, "cronbach_alpha": _cronbach}


def _filters(store: Store) -> list[Filters]:
    """No filter, one value (the commonest generation), two values (the two commonest levels):
    with every breakdown, one-way and two-way tables (the slow part is computing the rows)."""
    people = pair_queries.pair_members(store, Filters())
    common = {d: people[d].value_counts().index.tolist() for d in DIMS}
    return [Filters(), Filters(generation=(common["generation"][0],)),
            Filters(level=tuple(common["level"][:2]))]


def collect(store: Store) -> tuple[dict[str, Attack], dict[str, Attack]]:
    """The attacks on what is published, and on the same rows under the minimum-size rule
    alone. ``metrics.results`` is ``compute`` then ``suppress_results`` with the metrics' units
    and arms; the two steps are called here so both runs share one computation."""
    published = {name: build(store) for name, build in BUILDERS.items()}
    naive = {name: build(store) for name, build in BUILDERS.items()}
    units = metrics._units(store, list(metrics.REGISTRY))
    for filters in _filters(store):
        chosen = {d: getattr(filters, d) for d in DIMS if getattr(filters, d)}
        for by in (None, *SLICE_DIMENSIONS):
            raw = metrics.compute(store, filters, by=by, metrics=METRICS)
            shown = suppress_results(raw, min_group_size=K, filters=filters,
                                             units=units, arms=metrics._arms)
            alone = suppress_results(raw, min_group_size=K)
            for frame, attacks in ((shown, published), (alone, naive)):
                for row in frame.to_dict("records"):
                    group = {d: (str(v),) for d, v in row["group"].items()}
                    where = f"{row['metric']} {row['outcome']} by={by} {filters} " \
                            f"{row['cohort']} {row['role']} {row['group']}"
                    for attack in attacks.values():
                        attack.add(row, {**chosen, **group}, where)
    return published, naive


@pytest.fixture(scope="module")
def attacks(demo_db: Path) -> tuple[dict[str, Attack], dict[str, Attack]]:
    with Store(demo_db, read_only=True) as store:
        return collect(store)


def test_the_cli_pipeline_is_the_one_attacked(demo_db: Path) -> None:
    filters = Filters(level=("Manager",))
    with Store(demo_db, read_only=True) as store:
        direct = metrics.results(store, filters, by="generation", metrics=METRICS,
                                 min_group_size=K)
        raw = metrics.compute(store, filters, by="generation", metrics=METRICS)
        steps = suppress_results(raw, min_group_size=K, filters=filters,
                                         units=metrics._units(store, list(metrics.REGISTRY)),
                                         arms=metrics._arms)
    pd.testing.assert_series_equal(direct["suppressed"], steps["suppressed"])


@pytest.mark.parametrize("name", list(BUILDERS))
def test_no_hidden_small_group_follows_from_what_is_shown(
        attacks: tuple[dict[str, Attack], dict[str, Attack]], name: str) -> None:
    # collect() asserted n >= K and the right group for every shown count; the data has small
    # groups and hidden ones, so the attack is not vacuous.
    attacks[0][name].assert_holds(shown=50, hidden=20)


@pytest.mark.parametrize("name", list(BUILDERS))
def test_minimum_size_alone_lets_the_attack_recover_a_small_group(
        attacks: tuple[dict[str, Attack], dict[str, Attack]], name: str) -> None:
    assert attacks[1][name].leaks()
