"""Versioned schema. Append a new list to MIGRATIONS to change the schema; never edit an old one.

Opening a database applies every migration it has not seen yet (see ``Store._migrate``).
"""

from __future__ import annotations

V1 = [
    """
    create table meta (
        key varchar primary key,
        value varchar not null
    )
    """,
    """
    create table imports (
        import_id integer primary key,
        kind varchar not null,
        file_name varchar not null,
        sha256 varchar not null,
        format varchar,
        rows_in integer not null,
        rows_accepted integer not null,
        rows_rejected integer not null,
        archive_path varchar,
        imported_at timestamp not null default current_timestamp
    )
    """,
    "create unique index imports_sha on imports (kind, sha256)",
    """
    create table employees (
        employee_id varchar primary key,
        birth_year integer,
        generation varchar,
        department varchar,
        level varchar,
        location varchar,
        hire_date date,
        termination_date date,
        termination_type varchar check (termination_type in ('voluntary', 'involuntary')),
        salary double,
        import_id integer
    )
    """,
    # Emails are kept only as an HMAC keyed by this database's secret (meta.email_hash_key).
    """
    create table email_keys (
        email_hash varchar primary key,
        employee_id varchar not null
    )
    """,
    """
    create table cohorts (
        cohort_id varchar primary key,
        name varchar not null,
        start_date date not null,
        end_date date not null,
        cost double
    )
    """,
    """
    create table participants (
        cohort_id varchar not null,
        employee_id varchar not null,
        role varchar not null check (role in ('mentor', 'mentee', 'comparison')),
        pair_id varchar,
        primary key (cohort_id, employee_id)
    )
    """,
    """
    create table sessions (
        session_id varchar primary key,
        cohort_id varchar not null,
        pair_id varchar not null,
        date date not null,
        duration_minutes double,
        status varchar not null check (status in ('held', 'cancelled', 'no_show')),
        topic varchar
    )
    """,
    """
    create table administrations (
        administration_id varchar primary key,
        survey varchar not null,
        kind varchar not null check (kind in ('pulse', 'programme')),
        cohort_id varchar,
        phase varchar check (phase in ('pre', 'post')),
        opened timestamp,
        closed timestamp,
        import_id integer
    )
    """,
    """
    create table items (
        item_id varchar primary key,
        construct varchar not null,
        text varchar,
        scale_min double not null,
        scale_max double not null,
        reverse_coded boolean not null default false
    )
    """,
    """
    create table responses (
        response_id varchar not null,
        administration_id varchar not null,
        employee_id varchar not null,
        submitted_at timestamp,
        item_id varchar not null,
        value double not null,
        primary key (administration_id, employee_id, item_id)
    )
    """,
    """
    create table comments (
        administration_id varchar not null,
        employee_id varchar not null,
        item_id varchar not null,
        text varchar not null
    )
    """,
    # Materialised per import: one score per person, administration and construct.
    """
    create table construct_scores (
        administration_id varchar not null,
        employee_id varchar not null,
        construct varchar not null,
        score double not null,
        items_answered integer not null,
        items_total integer not null,
        primary key (administration_id, employee_id, construct)
    )
    """,
    # Per-cohort override of the pulse waves used as before/after.
    """
    create table wave_overrides (
        cohort_id varchar primary key,
        before_administration_id varchar,
        after_administration_id varchar
    )
    """,
]

# Bulk tables without primary keys: DuckDB's index upkeep made inserts ~10x slower. The importer
# guarantees uniqueness (one response per person and item per administration).
V2 = [
    """
    create table responses_v2 (
        response_id varchar not null,
        administration_id varchar not null,
        employee_id varchar not null,
        submitted_at timestamp,
        item_id varchar not null,
        value double not null
    )
    """,
    "insert into responses_v2 select * from responses",
    "drop table responses",
    "alter table responses_v2 rename to responses",
    """
    create table construct_scores_v2 (
        administration_id varchar not null,
        employee_id varchar not null,
        construct varchar not null,
        score double not null,
        items_answered integer not null,
        items_total integer not null
    )
    """,
    "insert into construct_scores_v2 select * from construct_scores",
    "drop table construct_scores",
    "alter table construct_scores_v2 rename to construct_scores",
]

MIGRATIONS: list[list[str]] = [V1, V2]
