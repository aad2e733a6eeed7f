"""`crossgen mapping` drafts that import, and `crossgen check` without a mapping, on every survey
layout: the examples in data/examples/, the demo's own exports, and a survey in wording and scales
the codebook does not use. Expected values come from the label orders written in this file."""

from __future__ import annotations

import csv
import re
import shutil
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from analysis.cli import main
from analysis.ingest.examples import EXAMPLES, demo_people
from analysis.store.db import Store

SURVEYS = ["qualtrics.csv", "qualtrics_legacy.csv", "surveymonkey_csv.csv",
           "surveymonkey_xlsx.xlsx", "msforms.xlsx", "google_forms.csv", "crossgen_long.csv"]
FORMATS = {"qualtrics.csv": "qualtrics", "qualtrics_legacy.csv": "qualtrics-legacy",
           "surveymonkey_csv.csv": "surveymonkey", "surveymonkey_xlsx.xlsx": "surveymonkey",
           "msforms.xlsx": "msforms", "google_forms.csv": "google-forms",
           "crossgen_long.csv": "crossgen-long"}
KEYS = {"qualtrics.csv": "'ExternalReference' (employee_id, 12 of 12 filled)",
        "qualtrics_legacy.csv": "'ExternalDataReference' (employee_id, 12 of 12 filled)",
        "surveymonkey_csv.csv": "'Email Address' (email, 12 of 12 filled)",
        "surveymonkey_xlsx.xlsx": "'Custom Data 1' (employee_id, 12 of 12 filled)",
        "msforms.xlsx": "'Email' (email, 12 of 12 filled)",
        "google_forms.csv": "'Email Address' (email, 12 of 12 filled)",
        "crossgen_long.csv": "'employee_id' (employee_id, 12 of 12 filled)"}
DEMO = Path(__file__).resolve().parents[2] / "data" / "demo"
DEMO_SURVEYS = sorted(p.name for p in DEMO.glob("*.csv") if p.with_suffix(".toml").exists()
                      and p.name != "programme.csv")
UNDECIDED = re.compile(r'^# construct = "([^"]*)"  # DECIDE.*$', re.MULTILINE)


def draft(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    capsys.readouterr()
    assert main(["mapping", str(path), *extra]) == 0
    return capsys.readouterr().out


def fill(text: str, *, new: str = "custom.construct") -> str:
    """What a user does with a draft: decide each commented construct line (the proposal when
    there is one, else a construct of their own)."""
    return UNDECIDED.sub(lambda m: f'construct = "{m.group(1) or new}"', text)


def copy_changed(path: Path, folder: Path) -> Path:
    """The same export under a new sha256 (a trailing blank line), so it imports a second time
    beside the one the hand-written mapping imported."""
    target = folder / path.name
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        book = load_workbook(path)
        book.properties.title = "copy"
        book.save(target)
    else:
        target.write_bytes(path.read_bytes() + b"\r\n")
    return target


def responses(db: Path, admin: str) -> pd.DataFrame:
    with Store(db, read_only=True) as store:
        got = store.query("select employee_id, item_id, value from responses "
                          "where administration_id = ? order by all", [admin])
    assert len(got), admin
    return got.reset_index(drop=True)


def import_survey(db: Path, path: Path, mapping: Path, *extra: str) -> None:
    assert main(["import", "survey", str(path), "--mapping", str(mapping), "--db", str(db),
                 *extra]) == 0


@pytest.mark.parametrize("name", SURVEYS)
def test_example_draft_imports_like_its_mapping(demo_copy: Path, tmp_path: Path, name: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    text = draft(EXAMPLES / name, capsys)
    raw = tomllib.loads(text)
    assert raw["survey"]["format"] == FORMATS[name]
    assert not UNDECIDED.search(text)  # every question is worded as in the codebook
    mapping = tmp_path / "draft.toml"
    mapping.write_text(fill(text), encoding="utf-8")
    hand_mapping = EXAMPLES / f"{Path(name).stem}.toml"
    import_survey(demo_copy, EXAMPLES / name, hand_mapping)
    hand = tomllib.loads(hand_mapping.read_text())["survey"]["name"]
    import_survey(demo_copy, copy_changed(EXAMPLES / name, tmp_path), mapping)
    want = responses(demo_copy, re.sub(r"[^a-z0-9]+", "-", hand.lower()).strip("-"))
    got = responses(demo_copy, re.sub(r"[^a-z0-9]+", "-", Path(name).stem.lower()).strip("-"))
    pd.testing.assert_frame_equal(got, want)


@pytest.mark.parametrize("name", DEMO_SURVEYS)
def test_demo_survey_draft_imports_like_its_mapping(demo_copy: Path, tmp_path: Path, name: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    hand = tomllib.loads((DEMO / name).with_suffix(".toml").read_text())["survey"]
    extra = ["--kind", "programme-survey", "--cohort", hand["cohort"], "--phase",
             hand["phase"]] if hand["kind"] == "programme" else []
    text = draft(DEMO / name, capsys, "--name", f"Draft {name}", *extra)
    raw = tomllib.loads(text)["survey"]
    assert raw["name"] == f"Draft {name}"
    assert raw["kind"] == hand["kind"]
    assert raw["key_column"] == hand["key_column"] and raw["key_type"] == hand["key_type"]
    assert raw.get("comment_columns", []) == hand.get("comment_columns", [])
    mapping = tmp_path / "draft.toml"
    mapping.write_text(fill(text), encoding="utf-8")
    import_survey(demo_copy, copy_changed(DEMO / name, tmp_path), mapping)
    want = responses(demo_copy, re.sub(r"[^a-z0-9]+", "-", hand["name"].lower()).strip("-"))
    got = responses(demo_copy, re.sub(r"[^a-z0-9]+", "-", f"draft {name}").strip("-"))
    pd.testing.assert_frame_equal(got, want)


# A survey in a company's own words: paraphrased items, scales crossgen has not built in, a
# choice and a free-text question. (question, answer per person; "" = unanswered)
AGREE7 = ["Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree",
          "Somewhat agree", "Agree", "Strongly agree"]
FREQUENCY = ["Never", "Rarely", "Sometimes", "Often", "Always"]
OWN = {
    "All things considered, I am satisfied with my job":
        ["Agree", "Strongly agree", "Somewhat agree", "Disagree", "Agree", "", "Agree", "Agree"],
    "How often do you work with colleagues from another generation?":
        ["Often", "Rarely", "Sometimes", "Often", "", "Sometimes", "Rarely", "Often"],
    "How would you rate the onboarding you received?":
        ["4 - Good", "2 - Poor", "4 - Good", "5 - Excellent", "3 - Fair", "4 - Good", "",
         "2 - Poor"],
    "How likely is it that you would recommend this company to a friend as a place to work?":
        ["9", "10", "7", "3", "8", "", "10", "6"],
    "Which office do you work in?":
        ["Leeds", "Leeds", "York", "Hull", "York", "Leeds", "Hull", "York"],
    "Anything else you would like to tell us?":
        ["The mentoring sessions made a real difference to how I use our tools at work.",
         "", "I would like more time for this during the working week, honestly speaking.",
         "Not much to add right now; the team is supportive and friendly as always.",
         "Please keep the programme going next year, it helped me understand seniors.",
         "", "More feedback from managers would help everyone learn a lot faster here.",
         "Great initiative overall, though scheduling across time zones was hard work."],
}


def _own_survey(path: Path) -> pd.DataFrame:
    people = demo_people(8)
    header = ["Timestamp", "Email Address", *OWN]
    rows = [[f"2026/11/0{i + 1} 9:15:00 AM GMT+1", people["email"][i],
             *(answers[i] for answers in OWN.values())] for i in range(8)]
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])
    return people


def test_draft_of_own_wording_and_scales(demo_copy: Path, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    export = tmp_path / "own_pulse.csv"
    people = _own_survey(export)
    text = draft(export, capsys)
    raw = tomllib.loads(text)
    # Scales from the labels: the 7-point agree list (not squeezed into agree5), the frequency
    # list with the label nobody chose, the numbered labels, 0–10 for the recommend question.
    assert raw["scales"]["agree7"]["labels"] == {label: i for i, label in
                                                 enumerate(AGREE7, start=1)}
    assert raw["scales"]["frequency5"]["labels"] == {label: i for i, label in
                                                     enumerate(FREQUENCY, start=1)}
    numbered = [s for s in raw["scales"].values() if "4 - Good" in s["labels"]]
    assert numbered == [{"min": 2, "max": 5, "labels": {"2 - Poor": 2, "3 - Fair": 3,
                                                        "4 - Good": 4, "5 - Excellent": 5}}]
    questions = {q["column"]: q for q in raw["questions"]}
    assert set(questions) == set(list(OWN)[:4])  # the choice and the free text are no ratings
    assert questions[list(OWN)[3]]["scale"] == "likely11"
    assert all("construct" not in q for q in questions.values())  # nothing pretends certainty
    undecided = UNDECIDED.findall(text)
    assert undecided == ["satisfaction.job", "intergenerational", "", "enps"]
    assert "codebook item jobsat_1, though on agree5, wording score 0.57" in text
    assert "# column = \"Which office do you work in?\"" in text
    assert raw["survey"]["comment_columns"] == ["Anything else you would like to tell us?"]
    # Unfilled, the draft refuses to import (no construct), and writes nothing.
    mapping = tmp_path / "own.toml"
    mapping.write_text(text, encoding="utf-8")
    assert main(["import", "survey", str(export), "--mapping", str(mapping),
                 "--db", str(demo_copy)]) == 3
    assert "has no construct" in capsys.readouterr().err
    mapping.write_text(fill(text), encoding="utf-8")
    import_survey(demo_copy, export, mapping)
    got = responses(demo_copy, "own-pulse")
    ids = people["employee_id"].tolist()
    order = {**{label: i for i, label in enumerate(AGREE7, start=1)},
             **{label: i for i, label in enumerate(FREQUENCY, start=1)},
             **{f"{n} - {w}": n for n, w in [(2, "Poor"), (3, "Fair"), (4, "Good"),
                                             (5, "Excellent")]},
             **{str(n): n for n in range(11)}}
    want = pd.DataFrame([(ids[i], questions[q]["item"], float(order[a]))
                         for q in list(OWN)[:4] for i, a in enumerate(OWN[q]) if a],
                        columns=["employee_id", "item_id", "value"])
    want = want.sort_values(["employee_id", "item_id", "value"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)
    with Store(demo_copy, read_only=True) as store:
        constructs = store.query("select item_id, construct from items where item_id in ?",
                                 [[questions[q]["item"] for q in list(OWN)[:4]]])
        comments = store.scalar("select count(*) from comments where administration_id = ?",
                                ["own-pulse"])
    assert sorted(constructs["construct"]) == sorted(
        ["satisfaction.job", "intergenerational", "custom.construct", "enps"])
    assert comments == 6


@pytest.mark.parametrize("name", SURVEYS)
def test_check_without_mapping_says_what_the_survey_is(
        tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]) -> None:
    alone = tmp_path / name  # without its mapping file beside it
    shutil.copyfile(EXAMPLES / name, alone)
    assert main(["check", str(alone), "--db", str(tmp_path / "none.duckdb")]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{name}: survey, detected format '{FORMATS[name]}' (")
    assert "  rows: 12\n  responses kept: 12\n" in out
    assert f"  respondents' key column: {KEYS[name]}\n" in out
    assert "  question columns: 7 (7 rating, 0 free text, 0 other choice, 0 unanswered)" in out
    assert f"`crossgen mapping {name}` prints a draft" in out
    assert not (tmp_path / "none.duckdb").exists()


def test_check_without_mapping_on_a_demo_programme_survey(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    alone = tmp_path / "c1_post.csv"
    shutil.copyfile(DEMO / "c1_post.csv", alone)
    assert main(["check", str(alone), "--db", str(tmp_path / "none.duckdb")]) == 0
    out = capsys.readouterr().out
    assert "(left out: 3 unfinished responses)" in out
    assert "  respondents' key column: 'RecipientEmail' (email, 58 of 58 filled)" in out
    assert "22 (21 rating, 1 free text, 0 other choice, 0 unanswered)" in out
    assert "    'Q99_TEXT' — What was the most valuable part of the programme" in out


def test_check_names_key_columns_of_other_kinds(demo_db: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    for name, keys in [("hris_workday.xlsx", "'Employee ID'"), ("bamboohr.csv", "'Employee #'"),
                       ("platform_programme.csv",
                        "'Mentor Email Address', 'Mentee Email Address'"),
                       ("platform_sessions.csv", "'Mentoring Connection Name'")]:
        assert main(["check", str(EXAMPLES / name), "--db", str(demo_db)]) == 0
        assert f"  key column(s): {keys}\n" in capsys.readouterr().out


def test_unreadable_files_still_exit_3(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    truncated = tmp_path / "cut.csv"
    truncated.write_text('Timestamp,Email Address,"Q1\n2026/11/01,x@y.z,Agree\n',
                         encoding="utf-8")
    for path, where in [(odd, "odd.csv, row 1:"), (truncated, "cut.csv, row")]:
        for command in ("check", "mapping"):
            assert main([command, str(path), "--db", str(tmp_path / "n.duckdb")]
                        if command == "check" else [command, str(path)]) == 3
            err = capsys.readouterr().err
            assert "nothing was written" in err and where in err and "Fix:" in err


def test_mapping_of_a_roster_drafts_its_roster_mapping(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["mapping", str(EXAMPLES / "bamboohr.csv")]) == 0  # detected: a roster
    raw = tomllib.loads(capsys.readouterr().out)
    assert raw["roster"]["columns"]["employee_id"] == "Employee #"
    assert main(["mapping", str(EXAMPLES / "bamboohr.csv"), "--kind", "pulse"]) == 3
    assert "bamboohr.csv, row 1: The first rows match no survey layout" in (
        capsys.readouterr().err)
