"""Bad input: one clear problem naming file, spreadsheet row, column and fix — and nothing written.

Every case imports into a real copy of the demo database and checks that every table's row count
and the archive folder are unchanged afterwards.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from analysis.ingest import ImportFailed, Problem, import_file, samples
from analysis.ingest.examples import demo_people
from analysis.store.db import Store

BELONG = "I feel I belong at this organisation."
ENPS = "How likely are you to recommend this organisation as a place to work?"
HEADER = f"Timestamp,Email Address,{BELONG},{ENPS}\r\n"
MAPPING = (f'[survey]\nname = "Errors pulse"\n\n[[questions]]\ncolumn = "{BELONG}"\n'
           f'item = "incl_belong"\n\n[[questions]]\ncolumn = "{ENPS}"\nitem = "enps_1"\n')


@pytest.fixture(scope="module")
def emails() -> list[str]:
    return demo_people(4)["email"].tolist()


def google(emails: list[str], rows: list[tuple[str, str, str]] | None = None) -> str:
    """A Google Forms CSV; rows are (timestamp, belong, enps) per person, in order."""
    rows = rows or [("2026/06/01 9:00:00 AM GMT+1", "Agree", "8")] * len(emails)
    return HEADER + "".join(f"{t},{e},{b},{n}\r\n" for e, (t, b, n) in zip(emails, rows,
                                                                           strict=True))


def refused(db: Path, kind: str, path: Path, *, mapping: Path | None = None) -> list[Problem]:
    with Store(db) as store:
        before = store.table_counts()
        archived = sorted(store.archive_dir.iterdir()) if store.archive_dir.exists() else []
        with pytest.raises(ImportFailed) as caught:
            import_file(store, kind, path, mapping=mapping)
        assert store.table_counts() == before
        assert sorted(store.archive_dir.iterdir()) == archived
    return caught.value.problems


def survey(tmp_path: Path, name: str, content: bytes | str, *,
           mapping: str = MAPPING) -> tuple[Path, Path]:
    export = tmp_path / name
    export.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    spec = tmp_path / "mapping.toml"
    spec.write_text(mapping, encoding="utf-8")
    return export, spec


def only(problems: list[Problem], *, file: str, row: int | None, column: str | None,
         says: str) -> Problem:
    hits = [p for p in problems if says in p.message]
    assert len(hits) == 1, [str(p) for p in problems]
    problem = hits[0]
    assert (problem.file, problem.row, problem.column) == (file, row, column), str(problem)
    assert problem.fix
    return problem


def test_unknown_format(demo_copy: Path, tmp_path: Path) -> None:
    export, spec = survey(tmp_path, "typeform.csv", "Submitted,Who,Q1\r\n2026-01-01,a,1\r\n")
    only(refused(demo_copy, "survey", export, mapping=spec), file="typeform.csv", row=1,
         column=None, says="layout is not one crossgen knows")
    spec.write_text(MAPPING.replace("[survey]", '[survey]\nformat = "typeform"'))
    only(refused(demo_copy, "survey", export, mapping=spec), file="mapping.toml", row=None,
         column=None, says="format = 'typeform' is not a survey format")


def test_missing_key_column(demo_copy: Path, tmp_path: Path, emails: list[str]) -> None:
    no_email = google(emails).replace("Email Address", "Your team")
    export, spec = survey(tmp_path, "forms.csv", no_email)
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=1,
         column="Email Address", says="is not in the file, so no answer can be matched")
    spec.write_text(MAPPING.replace("[survey]", '[survey]\nkey_column = "Employee Number"'))
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=1,
         column="Employee Number", says="key column Employee Number is not in the file")


def test_roster_without_key_column(demo_copy: Path, tmp_path: Path) -> None:
    export = tmp_path / "roster.csv"
    export.write_text("Name,Hire Date\nAnn Lee,2020-01-31\n", encoding="utf-8")
    only(refused(demo_copy, "roster", export), file="roster.csv", row=1, column="Employee ID",
         says="No employee key column")


def test_unknown_emails_with_count_and_first_few(demo_copy: Path, tmp_path: Path,
                                                 emails: list[str]) -> None:
    people = [emails[0], "ghost.one@northwind.example", emails[1], "Ghost.Two@northwind.example"]
    export, spec = survey(tmp_path, "forms.csv", google(people))
    problem = only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=3,
                   column="Email Address", says="are not in the roster")
    assert problem.message.startswith("2 respondent email(s) are not in the roster: "
                                      "'ghost.one@northwind.example', "
                                      "'ghost.two@northwind.example'")


def test_unknown_employee_ids_in_long_csv(demo_copy: Path, tmp_path: Path) -> None:
    ids = demo_people(1)["employee_id"].tolist() + [f"E9{k:05d}" for k in range(7)]
    body = "".join(f"{i},2026-05-01 10:00:00,jobsat_1,4\n" for i in ids)
    export, spec = survey(tmp_path, "long.csv", "employee_id,submitted_at,item_id,value\n" + body,
                          mapping='[survey]\nname = "Long errors"\n')
    problem = only(refused(demo_copy, "survey", export, mapping=spec), file="long.csv", row=3,
                   column="employee_id", says="are not in the roster")
    assert "7 respondent employee id(s)" in problem.message
    assert "'E900000', 'E900001', 'E900002', 'E900003', 'E900004' and 2 more" in problem.message


def test_unknown_emails_in_platform_programme(demo_copy: Path, tmp_path: Path,
                                              emails: list[str]) -> None:
    export = tmp_path / "connections.csv"
    export.write_text(
        "Program Name,Program Start Date,Program End Date,Mentoring Connection Name,"
        "Mentor Email Address,Mentee Email Address\n"
        f"Pilot,01/04/2027,06/30/2027,Pair A,{emails[0]},{emails[1]}\n"
        f"Pilot,01/04/2027,06/30/2027,Pair B,{emails[2]},nobody@northwind.example\n")
    only(refused(demo_copy, "programme", export), file="connections.csv", row=3,
         column="Mentee Email Address", says="1 email(s) are not in the roster: "
                                             "'nobody@northwind.example'")


def test_out_of_range_value(demo_copy: Path, tmp_path: Path, emails: list[str]) -> None:
    rows = [("2026/06/01 9:00:00 AM GMT+1", "Agree", "8"),
            ("2026/06/01 9:10:00 AM GMT+1", "Agree", "11"),
            ("2026/06/01 9:20:00 AM GMT+1", "Agree", "12"),
            ("2026/06/01 9:30:00 AM GMT+1", "Agree", "3")]
    export, spec = survey(tmp_path, "forms.csv", google(emails, rows))
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=3,
         column=ENPS, says="2 value(s) lie outside 0–10, e.g. '11'")


def test_unmapped_likert_label(demo_copy: Path, tmp_path: Path, emails: list[str]) -> None:
    rows = [("2026/06/01 9:00:00 AM GMT+1", "Agree", "8"),
            ("2026/06/01 9:10:00 AM GMT+1", "Kinda agree", "7"),
            ("2026/06/01 9:20:00 AM GMT+1", "Strongly agree", "9"),
            ("2026/06/01 9:30:00 AM GMT+1", "Meh", "3")]
    export, spec = survey(tmp_path, "forms.csv", google(emails, rows))
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=3,
         column=BELONG, says="2 answer(s) use label(s) not in scale 'agree5': 'Kinda agree', "
                             "'Meh'")


def test_unparseable_dates(demo_copy: Path, tmp_path: Path, emails: list[str]) -> None:
    rows = [("2026/06/01 9:00:00 AM GMT+1", "Agree", "8"),
            ("2026/06/01 9:10:00 AM GMT+1", "Agree", "7"),
            ("yesterday", "Agree", "9"),
            ("2026/06/01 9:30:00 AM GMT+1", "Agree", "3")]
    export, spec = survey(tmp_path, "forms.csv", google(emails, rows))
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=4,
         column="Timestamp", says="1 date(s) cannot be read, e.g. 'yesterday'")


def test_unparseable_roster_date(demo_copy: Path, tmp_path: Path) -> None:
    export = tmp_path / "roster.csv"
    export.write_text("Report generated on 11/01/2026\nEmployee #,Hire Date\nB1,2020-01-31\n"
                      "B2,2020-02-30\nB3,2021-03-01\n")
    only(refused(demo_copy, "roster", export), file="roster.csv", row=4, column="Hire Date",
         says="1 date(s) cannot be read, e.g. '2020-02-30'")


def test_duplicate_respondents(demo_copy: Path, tmp_path: Path, emails: list[str]) -> None:
    people = [emails[0], emails[1], emails[0].upper(), emails[2]]
    export, spec = survey(tmp_path, "forms.csv", google(people))
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=2,
         column="Email Address", says="1 respondent(s) answered more than once (rows 2, 4)")


def test_duplicate_answers_in_long_csv(demo_copy: Path, tmp_path: Path) -> None:
    who = demo_people(2)["employee_id"].tolist()
    body = (f"{who[0]},2026-05-01,jobsat_1,4\n{who[1]},2026-05-01,jobsat_1,3\n"
            f"{who[0]},2026-05-02,jobsat_1,5\n")
    export, spec = survey(tmp_path, "long.csv", "employee_id,submitted_at,item_id,value\n" + body,
                          mapping='[survey]\nname = "Long dup"\n')
    only(refused(demo_copy, "survey", export, mapping=spec), file="long.csv", row=2,
         column="employee_id", says="answered the same item more than once")


@pytest.mark.parametrize(("kind", "content", "says"), [
    ("roster", b"", "The file is empty."),
    ("roster", b"\r\n ,\r\n", "The file is empty."),
    ("survey", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary file"),
    ("roster", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "Excel 97-2003 workbook"),
    ("roster", b"PK\x03\x04\x14\x00\x06\x00broken", "workbook cannot be opened"),
])
def test_whole_file_problems(demo_copy: Path, tmp_path: Path, kind: str, content: bytes,
                             says: str) -> None:
    export, spec = survey(tmp_path, "export.csv", content)
    only(refused(demo_copy, kind, export, mapping=spec), file="export.csv", row=None,
         column=None, says=says)


def test_truncated_xlsx(demo_copy: Path, tmp_path: Path) -> None:
    from analysis.ingest.examples import EXAMPLES

    data = (EXAMPLES / "msforms.xlsx").read_bytes()
    export, spec = survey(tmp_path, "forms.xlsx", data[: len(data) * 2 // 3])
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.xlsx", row=None,
         column=None, says="may be truncated")


def test_truncated_csv_mid_row(demo_copy: Path, tmp_path: Path, emails: list[str]) -> None:
    text = google(emails)
    export, spec = survey(tmp_path, "forms.csv", text[: text.rindex(",Agree")])
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=5,
         column=None, says="the file looks truncated")


def test_truncated_csv_inside_quotes(demo_copy: Path, tmp_path: Path, emails: list[str]) -> None:
    text = google(emails) + f'2026/06/02 9:00:00 AM GMT+1,{emails[3]},"Agree, mostly'
    export, spec = survey(tmp_path, "forms.csv", text)
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=6,
         column=None, says="may be truncated")


def test_wrong_encoding_names_row_and_column(demo_copy: Path, tmp_path: Path,
                                             emails: list[str]) -> None:
    """A DOS code page 437 file: 'ü' is byte 0x81, which Windows-1252 does not define."""
    rows = [("2026/06/01 9:00:00 AM GMT+1", "Agree", "8")] * 2 + [
        ("2026/06/01 9:00:00 AM GMT+1", "Zustimmung für", "8"),
        ("2026/06/01 9:00:00 AM GMT+1", "Agree", "8")]
    export, spec = survey(tmp_path, "forms.csv", google(emails, rows).encode("cp437"))
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=4,
         column=BELONG, says="not UTF-8 or Windows-1252 (byte 0x81")


def test_programme_survey_for_unknown_cohort(demo_copy: Path, tmp_path: Path,
                                             emails: list[str]) -> None:
    export, spec = survey(tmp_path, "forms.csv", google(emails),
                          mapping=MAPPING.replace("[survey]", '[survey]\nkind = "programme"\n'
                                                  'cohort = "C9"\nphase = "post"'))
    only(refused(demo_copy, "survey", export, mapping=spec), file="forms.csv", row=None,
         column=None, says="Cohort 'C9' is not in the database")


def test_skip_unknown_respondents_imports_the_others(demo_copy: Path, tmp_path: Path,
                                                     emails: list[str]) -> None:
    people = [emails[0], "ghost@northwind.example", emails[1], emails[2]]
    export, spec = survey(tmp_path, "forms.csv", google(people),
                          mapping=MAPPING.replace("[survey]",
                                                  "[survey]\nskip_unknown_respondents = true"))
    with Store(demo_copy) as store:
        report = import_file(store, "survey", export, mapping=spec)
        assert (report.rows_in, report.rows_accepted, report.rows_rejected) == (4, 3, 1)
        assert "1 respondent email(s) are not in the roster and were skipped" in str(
            report.warnings[0])
        assert store.scalar("select count(*) from responses where administration_id = "
                            "'errors-pulse'") == 6


def test_same_file_twice_archive_and_audit(demo_copy: Path, tmp_path: Path,
                                           emails: list[str]) -> None:
    export, spec = survey(tmp_path, "forms.csv", google(emails))
    with Store(demo_copy) as store:
        first = import_file(store, "survey", export, mapping=spec)
        after_first = store.table_counts()
        second = import_file(store, "survey", export, mapping=spec)
        assert second.duplicate and second.import_id == first.import_id
        assert store.table_counts() == after_first
        audit = store.query("select kind, file_name, format, rows_in, rows_accepted, "
                            "rows_rejected, archive_path from imports where import_id = ?",
                            [first.import_id])
        assert audit.iloc[0, :6].tolist() == ["survey", "forms.csv", "google-forms", 4, 4, 0]
        archived = store.archive_dir / audit.iloc[0]["archive_path"]
        assert archived.read_bytes() == export.read_bytes()


def test_encodings_read_the_same(tmp_path: Path) -> None:
    from tests.integration.test_import_rosters import PEOPLE

    seen = []
    for encoding in ("utf-8", "utf-8-sig", "cp1252"):
        export = tmp_path / f"roster-{encoding}.csv"
        samples.write_bamboohr(export, PEOPLE, as_of="11/01/2026", encoding=encoding)
        with Store(tmp_path / f"{encoding}.duckdb") as store:
            import_file(store, "roster", export)
            seen.append(store.query("select department, location from employees order by 1, 2"))
    for frame in seen:
        assert frame.values.tolist() == [["Engineering", "London"], ["Finance", "Dublin"],
                                         ["Finance", "London"], ["Ventes Générales", "Zürich"]]
