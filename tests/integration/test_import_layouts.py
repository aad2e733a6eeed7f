"""Every survey layout, written as the tool writes it, lands exactly the answers it holds.

Fixtures come from analysis.ingest.samples (the same writers as data/examples/) or are written by
hand below; expected values are computed here from the scale's label order, independently of the
importer's label maps.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.ingest import import_file, samples
from analysis.ingest.examples import answers, demo_people
from analysis.store.codebook import ITEMS_BY_ID, SCALE_LABELS, SCALE_RANGE, Item
from analysis.store.db import Store

ITEMS = [ITEMS_BY_ID[i] for i in ("jobsat_1", "jobsat_2", "enps_1", "incl_belong",
                                  "incl_outsider", "digital_ai")]


def expected(items: list[Item], frame: pd.DataFrame) -> pd.DataFrame:
    """(employee_id, item_id, value, submitted_at) from answer texts by label position."""
    rows = []
    for item in items:
        labels = SCALE_LABELS[item.scale]
        answered = frame[frame[item.item_id] != ""]
        rows.append(pd.DataFrame({
            "employee_id": answered["employee_id"].to_numpy(),
            "item_id": item.item_id,
            "value": [float(labels.index(t) + SCALE_RANGE[item.scale][0])
                      for t in answered[item.item_id]],
            "submitted_at": pd.to_datetime(answered["submitted"]).dt.floor("s").to_numpy(),
        }))
    return _sorted(pd.concat(rows, ignore_index=True))


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.sort_values(["employee_id", "item_id"]).reset_index(drop=True)
    return out.astype({"value": float, "submitted_at": "datetime64[us]"})


def landed(store: Store, admin: str) -> pd.DataFrame:
    got = store.query("select employee_id, item_id, value, submitted_at from responses "
                      "where administration_id = ?", [admin])
    return _sorted(got)


def mapping(path: Path, name: str, columns: list[tuple[str, str]], *, fmt: str | None = None,
            key: tuple[str, str] | None = None) -> Path:
    lines = ["[survey]", f'name = "{name}"', 'kind = "pulse"']
    lines += [f'format = "{fmt}"'] if fmt else []
    lines += [f'key_column = "{key[0]}"', f'key_type = "{key[1]}"'] if key else []
    for column, item in columns:
        escaped = column.replace('"', '\\"').replace("\n", "\\n")
        lines += ["[[questions]]", f'column = "{escaped}"', f'item = "{item}"']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def by_text(items: list[Item]) -> list[tuple[str, str]]:
    return [(i.text, i.item_id) for i in items]


def grid_headers(items: list[Item]) -> list[tuple[str, str]]:
    return [(text if len(g) == 1 else f"{text} [{i.text}]", i.item_id)
            for text, g in samples.question_groups(items) for i in g]


@pytest.fixture(scope="module")
def respondents() -> pd.DataFrame:
    return answers(ITEMS, demo_people(10), seed=11, start="2026-09-14 08:00")


@pytest.mark.parametrize(("name", "suffix", "write", "columns", "key"), [
    ("surveymonkey-csv", ".csv",
     lambda p, f: samples.write_surveymonkey(p, ITEMS, f, key="email"), grid_headers, None),
    ("surveymonkey-xlsx", ".xlsx",
     lambda p, f: samples.write_surveymonkey(p, ITEMS, f, key="custom"), by_text,
     ("Custom Data 1", "employee_id")),
    ("msforms", ".xlsx", lambda p, f: samples.write_msforms(p, ITEMS, f), by_text, None),
    ("google-forms", ".csv", lambda p, f: samples.write_google_forms(p, ITEMS, f),
     grid_headers, None),
    ("google-forms-cp1252", ".csv",
     lambda p, f: samples.write_google_forms(p, ITEMS, f, encoding="cp1252"), by_text, None),
    ("qualtrics-legacy", ".csv", lambda p, f: samples.write_qualtrics_legacy(p, ITEMS, f),
     by_text, None),
    ("qualtrics", ".csv", lambda p, f: samples.write_qualtrics(p, ITEMS, f, key="id"),
     by_text, None),
    ("crossgen-long", ".csv", lambda p, f: samples.write_long(p, ITEMS, f),
     lambda items: [(i.item_id, i.item_id) for i in items], None),
])
def test_layout_lands_exact_answers(demo_copy: Path, tmp_path: Path, respondents: pd.DataFrame,
                                    name: str, suffix: str, write, columns, key) -> None:
    export = tmp_path / f"{name}{suffix}"
    write(export, respondents)
    spec = mapping(tmp_path / f"{name}.toml", f"Layout {name}", columns(ITEMS), key=key)
    with Store(demo_copy) as store:
        report = import_file(store, "survey", export, mapping=spec)
        assert report.format == name.removesuffix("-csv").removesuffix("-xlsx").removesuffix(
            "-cp1252")
        assert report.rows_accepted == len(respondents)
        pd.testing.assert_frame_equal(landed(store, f"layout-{name}"),
                                      expected(ITEMS, respondents))


def test_surveymonkey_by_hand_with_bom_newlines_and_commas(demo_copy: Path,
                                                           tmp_path: Path) -> None:
    people = demo_people(3)
    e = people["email"].tolist()
    text = (
        "\ufeffRespondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,"
        "First Name,Last Name,Custom Data 1,\"How much do you agree,\nall things considered?\","
        ",How likely are you to recommend this organisation as a place to work?\r\n"
        ",,,,,,,,,\"I feel I belong at this organisation.\",\"I often feel like an outsider "
        "in my team.\",Response\r\n"
        f"118001,4312,03/02/2026 9:01:00 AM,03/02/2026 9:05:30 AM,,{e[0]},,,,Agree,"
        "Strongly disagree,9\r\n"
        f"118002,4312,03/03/2026 1:00:00 PM,03/03/2026 1:04:10 PM,,{e[1].upper()},,,,"
        "Strongly agree,,10 - Extremely likely\r\n"
        f"118003,4312,03/04/2026 10:00:00 AM,03/04/2026 10:02:00 AM,,{e[2]},,,,"
        "Neither agree nor disagree,Disagree,0\r\n"
    )
    export = tmp_path / "sm.csv"
    export.write_bytes(text.encode("utf-8"))
    spec = mapping(tmp_path / "sm.toml", "SM by hand", [
        ("How much do you agree, all things considered? [I feel I belong at this "
         "organisation.]", "incl_belong"),
        ("I often feel like an outsider in my team.", "incl_outsider"),
        ("How likely are you to recommend this organisation as a place to work?", "enps_1"),
    ])
    with Store(demo_copy) as store:
        import_file(store, "survey", export, mapping=spec)
        got = landed(store, "sm-by-hand")
    ids = people["employee_id"].tolist()
    want = _sorted(pd.DataFrame({
        "employee_id": [ids[0]] * 3 + [ids[1]] * 2 + [ids[2]] * 3,
        "item_id": ["incl_belong", "incl_outsider", "enps_1", "incl_belong", "enps_1",
                    "incl_belong", "incl_outsider", "enps_1"],
        "value": [4.0, 1.0, 9.0, 5.0, 10.0, 3.0, 2.0, 0.0],
        "submitted_at": pd.to_datetime(["2026-03-02 09:05:30"] * 3 + ["2026-03-03 13:04:10"] * 2
                                       + ["2026-03-04 10:02:00"] * 3),
    }))
    pd.testing.assert_frame_equal(got, want)


def test_google_forms_cp1252_accents_and_own_scale(demo_copy: Path, tmp_path: Path) -> None:
    """Re-saved by Excel on Windows: cp1252, French question text, a custom label scale."""
    ids = demo_people(2)["email"].tolist()
    text = (
        "Timestamp,Email Address,Je me sens à ma place [Équipe],Überzeugt?\r\n"
        f"2026/06/01 9:15:02 AM GMT+2,{ids[0]},Plutôt d'accord,Ja\r\n"
        f"2026/06/02 4:40:59 PM GMT+2,{ids[1]},Tout à fait d'accord,Nein\r\n"
    )
    export = tmp_path / "google.csv"
    export.write_bytes(text.encode("cp1252"))
    spec = tmp_path / "google.toml"
    spec.write_text(
        '[survey]\nname = "Google FR"\n\n[scales.accord]\nmin = 1\nmax = 4\n'
        'labels = { "Pas du tout d\'accord" = 1, "Plutôt pas d\'accord" = 2, '
        '"Plutôt d\'accord" = 3, "Tout à fait d\'accord" = 4 }\n\n'
        '[scales.janein]\nmin = 0\nmax = 1\nlabels = { "Ja" = 1, "Nein" = 0 }\n\n'
        '[[questions]]\ncolumn = "Équipe"\nitem = "fr_belong"\nconstruct = "inclusion"\n'
        'scale = "accord"\n\n[[questions]]\ncolumn = "Überzeugt?"\nitem = "de_convinced"\n'
        'construct = "custom.convinced"\nscale = "janein"\n', encoding="utf-8")
    with Store(demo_copy) as store:
        import_file(store, "survey", export, mapping=spec)
        got = store.query("select r.item_id, r.value, r.submitted_at, i.text from responses r "
                          "join items i using (item_id) where administration_id = 'google-fr' "
                          "order by r.submitted_at, r.item_id")
    assert got["item_id"].tolist() == ["de_convinced", "fr_belong", "de_convinced", "fr_belong"]
    assert got["value"].tolist() == [1.0, 3.0, 0.0, 4.0]
    assert got["text"].tolist()[:2] == ["Überzeugt?", "Je me sens à ma place [Équipe]"]
    assert str(got["submitted_at"].iloc[2]) == "2026-06-02 16:40:59"


def test_format_override_and_required_false(demo_copy: Path, tmp_path: Path,
                                            respondents: pd.DataFrame) -> None:
    export = tmp_path / "forms.xlsx"
    samples.write_msforms(export, ITEMS, respondents)
    spec = tmp_path / "forms.toml"
    body = mapping(tmp_path / "tmp.toml", "Forms override", by_text(ITEMS),
                   fmt="msforms").read_text()
    spec.write_text(body + '[[questions]]\ncolumn = "The mentoring programme was worth my '
                    'time."\nitem = "progsat_1"\nrequired = false\n')
    with Store(demo_copy) as store:
        report = import_file(store, "survey", export, mapping=spec)
        assert report.summary["optional questions not in this file"] == 1
        pd.testing.assert_frame_equal(landed(store, "forms-override"),
                                      expected(ITEMS, respondents))


def test_unfinished_and_preview_qualtrics_rows_are_dropped(demo_copy: Path,
                                                           tmp_path: Path) -> None:
    people = demo_people(6)
    frame = answers(ITEMS, people, seed=3, start="2026-02-01 09:00")
    export = tmp_path / "q.csv"
    from analysis.demo.exports import write_qualtrics

    resp = frame.assign(submitted_at=pd.to_datetime(frame["submitted"]),
                        channel=["anonymous"] * 5 + ["preview"],
                        finished=[1, 1, 0, 1, 1, 1],
                        response_id=[f"R_{k}" for k in range(6)])
    write_qualtrics(export, ITEMS, resp, frame[[i.item_id for i in ITEMS]], key="id",
                    rng=np.random.default_rng(1))
    spec = mapping(tmp_path / "q.toml", "Q drop", by_text(ITEMS))
    with Store(demo_copy) as store:
        report = import_file(store, "survey", export, mapping=spec)
        kept = frame.iloc[[0, 1, 3, 4]]
        assert report.summary["unfinished responses"] == 1
        assert report.summary["preview responses"] == 1
        pd.testing.assert_frame_equal(landed(store, "q-drop"), expected(ITEMS, kept))
