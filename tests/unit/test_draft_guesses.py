"""The guesses behind `crossgen mapping`: scales from answer labels, codebook items from wording."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from analysis.ingest.draft_tables import quote
from analysis.ingest.profile import profile_survey
from analysis.ingest.scale_guess import guess_scale
from analysis.ingest.wording import SURE, match_items, score, statement
from analysis.store.codebook import ITEMS, ITEMS_BY_ID


@pytest.mark.parametrize(("labels", "name"), [
    (["Agree", "Strongly agree", "Neither agree nor disagree"], "agree5"),
    (["Expert", "Novice", "Competent"], "proficiency5"),
    (["Satisfied", "Very dissatisfied"], "satisfied5"),
    (["0 - Not at all likely", "7", "10 - Extremely likely"], "likely11"),
    (["9", "10", "4"], "likely11"),
])
def test_builtin_scales(labels: list[str], name: str) -> None:
    guess = guess_scale(labels)
    assert guess is not None and guess.builtin and guess.name == name


def test_seven_point_agree_is_not_squeezed_into_agree5() -> None:
    # agree5 reads 'somewhat agree' and 'agree' both as 4: together they are a 7-point list.
    guess = guess_scale(["Somewhat agree", "Agree", "Disagree"])
    assert guess is not None and not guess.builtin and guess.name == "agree7"
    assert guess.labels["Somewhat agree"] == 5 and guess.labels["Agree"] == 6
    assert (guess.minimum, guess.maximum) == (1, 7)


def test_known_list_keeps_labels_nobody_chose_and_the_exports_spelling() -> None:
    guess = guess_scale(["OFTEN", "rarely"])
    assert guess is not None
    assert guess.labels == {"Never": 1, "rarely": 2, "Sometimes": 3, "OFTEN": 4, "Always": 5}


def test_numbered_labels_and_worded_order() -> None:
    numbered = guess_scale(["3 = OK", "1 = Bad", "5 = Great"])
    assert numbered is not None and numbered.labels == {"1 = Bad": 1, "3 = OK": 3,
                                                        "5 = Great": 5}
    worded = guess_scale(["Very helpful", "Not helpful", "Somewhat helpful"])
    assert worded is not None and "a guess" in worded.how
    assert list(worded.labels) == ["Not helpful", "Somewhat helpful", "Very helpful"]


def test_extent_ladder_of_one_word_and_skill_levels() -> None:
    confident = guess_scale(["Very confident", "Not at all confident", "Completely confident"])
    assert confident is not None and confident.name == "confident5"
    assert list(confident.labels) == ["Not at all confident", "Slightly confident",
                                      "Moderately confident", "Very confident",
                                      "Completely confident"]
    useful = guess_scale(["A little useful", "Very useful"])
    assert useful is not None and useful.labels["A little useful"] == 2
    assert guess_scale(["Slightly useful", "A little useful"]) is None  # one step, two labels
    skill = guess_scale(["Expert", "Basic", "Beginner"])
    assert skill is not None and skill.labels == {"Beginner": 1, "Basic": 2, "Intermediate": 3,
                                                  "Advanced": 4, "Expert": 5}
    four = guess_scale(["Expert", "Intermediate", "Beginner", "Advanced"])
    assert four is not None and four.name == "skill4"  # the shortest list holding them


@pytest.mark.parametrize("labels", [["Leeds", "York"], ["Good", "Great"], []])
def test_labels_without_an_order_are_no_scale(labels: list[str]) -> None:
    assert guess_scale(labels) is None


def test_numbers_outside_a_known_range_name_their_ends() -> None:
    guess = guess_scale(["1", "6"])
    assert guess is not None and (guess.minimum, guess.maximum) == (1, 7)
    assert guess.labels == {} and "1–6 seen" in guess.how


def test_a_slider_is_a_scale_and_many_words_are_free_text(tmp_path: Path) -> None:
    export = tmp_path / "forms.csv"
    rows = [["Timestamp", "Email Address", "Confidence (0-100)", "Why?"]]
    rows += [[f"2026/11/01 9:{i:02d}:00 AM", f"p{i}@x.example", str(i * 7),
              f"Because of reason number {i}"] for i in range(14)]
    export.write_text("\n".join(",".join(r) for r in rows) + "\n", encoding="utf-8")
    profile = profile_survey(export)
    assert profile is not None
    slider, why = profile.questions
    assert slider.role == "rating" and slider.scale is not None
    assert (slider.scale.minimum, slider.scale.maximum) == (0, 100)
    assert why.role == "text"


def test_every_codebook_item_matches_itself_and_only_itself() -> None:
    for item in ITEMS:
        assert score(item, item.text) == 1.0
    found = match_items([(i.item_id + "_col", f"Please rate:\n- {i.text}", i.scale, None, None)
                         for i in ITEMS])
    assert {c: m.item.item_id for c, m in found.items()} == {
        i.item_id + "_col": i.item_id for i in ITEMS}
    assert all(m.sure for m in found.values())


def test_grid_rows_and_paraphrases() -> None:
    assert statement("Stem, with a comma? [I find my work meaningful.]") == (
        "I find my work meaningful.")
    assert statement("How much do you agree?-I find my work meaningful.") == (
        "I find my work meaningful.")
    jobsat = ITEMS_BY_ID["jobsat_1"]
    assert SURE > score(jobsat, "All things considered, I am satisfied with my job") >= 0.4
    found = match_items([("q", "I am satisfied with my job overall", "points7", 1.0, 7.0)])
    assert found["q"].item is jobsat and found["q"].score >= SURE
    assert not found["q"].fits and not found["q"].sure  # 7 points cannot be agree5


def test_quote_writes_toml_strings() -> None:
    text = 'Line "one"\nline\ttwo \\ \x7f é'
    assert tomllib.loads(f"x = {quote(text)}")["x"] == text
