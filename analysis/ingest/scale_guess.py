"""Which answer scale a survey column uses, guessed from the labels it holds (for draft mappings).

A built-in scale (analysis/store/codebook.py) when every label is one of its labels and no two
labels share a number; numbers alone when the answers are numeric; a known Likert list in its
order; a numeric prefix ("1 - Poor"); else an order from the labels' wording (disagree < neutral <
agree, "very" and "strongly" further out), said to be a guess. Labels that cannot be ordered are no
scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.store.codebook import SCALE_RANGE, SCALES


@dataclass(frozen=True)
class ScaleGuess:
    name: str
    builtin: bool
    minimum: float
    maximum: float
    labels: dict[str, float]  # the labels as the export writes them, in scale order
    how: str  # one line for the draft's comment: why this scale, and what to check


# Likert lists a survey tool offers, low to high (lower case); a column's labels must all be in one.
KNOWN_ORDERS: dict[str, list[str]] = {
    "agree7": ["strongly disagree", "disagree", "somewhat disagree",
               "neither agree nor disagree", "somewhat agree", "agree", "strongly agree"],
    "frequency5": ["never", "rarely", "sometimes", "often", "always"],
    "frequency5b": ["never", "rarely", "sometimes", "very often", "always"],
    "frequency5c": ["almost never", "rarely", "sometimes", "often", "almost always"],
    "quality5": ["poor", "fair", "good", "very good", "excellent"],
    "quality5b": ["very poor", "poor", "fair", "good", "very good"],
    "extent5": ["not at all", "to a small extent", "to a moderate extent", "to a great extent",
                "to a very great extent"],
    "extent5b": ["not at all", "slightly", "moderately", "very", "extremely"],
    "likely5": ["very unlikely", "unlikely", "neither likely nor unlikely", "likely",
                "very likely"],
    "important5": ["not at all important", "slightly important", "moderately important",
                   "very important", "extremely important"],
    "definitely5": ["definitely not", "probably not", "might or might not", "probably yes",
                    "definitely yes"],
    "change5": ["much worse", "somewhat worse", "about the same", "somewhat better",
                "much better"],
    "skill4": ["beginner", "intermediate", "advanced", "expert"],
    "skill5": ["beginner", "basic", "intermediate", "advanced", "expert"],
    "satisfied7": ["very dissatisfied", "dissatisfied", "somewhat dissatisfied",
                   "neither satisfied nor dissatisfied", "somewhat satisfied", "satisfied",
                   "very satisfied"],
}
NEGATIVE = {"disagree", "dissatisfied", "unsatisfied", "unlikely", "poor", "bad", "worse",
            "worst", "never", "rarely", "seldom", "unhelpful", "ineffective", "unimportant",
            "low", "difficult", "weak", "unclear", "uncomfortable", "inadequate", "no", "not",
            "terrible", "disagreed", "none", "useless", "unhappy", "false", "unconfident"}
POSITIVE = {"agree", "satisfied", "likely", "good", "great", "excellent", "better", "best",
            "always", "often", "helpful", "effective", "important", "high", "easy", "strong",
            "clear", "comfortable", "adequate", "yes", "agreed", "usually", "frequently",
            "valuable", "useful", "confident", "happy", "true", "supported", "engaged"}
NEUTRAL = {"neither", "neutral", "nor", "undecided", "average", "moderately", "sometimes",
           "mixed", "unsure", "same", "occasionally", "fair"}
STRONG = {"very", "strongly", "extremely", "completely", "totally", "highly", "much",
          "definitely", "always", "never", "entirely", "fully", "absolutely"}
MILD = {"somewhat", "slightly", "fairly", "mostly", "probably", "rather", "a little", "partly",
        "mildly", "tend"}
LADDER = {"not at all": 1, "slightly": 2, "a little": 2, "moderately": 3, "somewhat": 3,
          "very": 4, "extremely": 5, "completely": 5}
LADDER_RE = re.compile(rf"^({'|'.join(LADDER)}) ([a-z]+)$")
PREFIX = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:[-–:=.)(]|$)")


def _number(label: str) -> float | None:
    try:
        return float(label)
    except ValueError:
        return None


def _builtin(lower: list[str]) -> str | None:
    """The built-in scale holding every text label, one number per label (so 'somewhat agree'
    and 'agree' together, a 7-point list, are not squeezed into agree5)."""
    words = [w for w in lower if _number(w) is None]
    for name, table in SCALES.items():
        if words and all(w in table for w in words):
            values = [table[w] for w in words]
            if len(set(values)) == len(values):
                return name
    return None


def _polarity(label: str) -> float | None:
    """Where a label sits on a disagree..agree line from its words; None when they say nothing."""
    words = re.findall(r"[a-z]+", label)
    if any(w in NEUTRAL for w in words):
        return 0.0
    if any(w in NEGATIVE for w in words) or "not at all" in label:
        sign = -1.0
    elif any(w in POSITIVE for w in words):
        sign = 1.0
    else:
        return None
    if any(w in STRONG for w in words) or "not at all" in label:
        return 2 * sign
    if any(w in MILD for w in words) or any(m in label for m in MILD if " " in m):
        return 0.5 * sign
    return sign


def guess_scale(labels: list[str], *, text: str = "", slug: str = "scale",
                worded: bool = True) -> ScaleGuess | None:
    """The scale of a column whose distinct non-blank answers are ``labels``; None when they
    cannot be put in order (a choice such as a department, or free text). ``worded``: also try
    ordering labels by their wording (not for columns that look like free text)."""
    if not labels:
        return None
    lower = [label.strip().lower() for label in labels]
    numbers = [_number(label) for label in lower]
    builtin = _builtin(lower)
    if builtin:
        lo, hi = SCALE_RANGE[builtin]
        return ScaleGuess(builtin, True, lo, hi, {}, f"built-in {builtin}: every answer label "
                          f"is one of its labels ({len(labels)} seen)")
    if all(n is not None for n in numbers):
        return _numeric_scale([n for n in numbers if n is not None], text)
    spelled = dict(zip(lower, labels, strict=True))
    lists = [(name, order) for name, order in KNOWN_ORDERS.items() if set(lower) <= set(order)]
    ladder = _ladder(lower)
    if ladder:
        lists.append(ladder)
    if lists:
        name, order = min(lists, key=lambda pair: len(pair[1]))  # the fewest labels unseen
        # Every label of the list, also those nobody chose, so the numbers are the list's.
        return ScaleGuess(name, False, 1, len(order),
                          {spelled.get(label, label.capitalize()): pos
                           for pos, label in enumerate(order, start=1)},
                          f"labels of a {len(order)}-point '{name}' list, numbered 1–"
                          f"{len(order)} in its order")
    prefixed = [PREFIX.match(label) for label in labels]
    if all(prefixed):
        values = [float(m.group(1)) for m in prefixed if m]
        if len(set(values)) == len(values):
            ordered = sorted(zip(values, labels, strict=True))
            return ScaleGuess(slug, False, min(values), max(values),
                              {label: value for value, label in ordered},
                              "numbered by the number each label starts with; if the scale "
                              "has ends nobody chose, widen min/max")
    return _worded_scale(labels, lower, slug) if worded else None


def _ladder(lower: list[str]) -> tuple[str, list[str]] | None:
    """'Not at all confident' … 'Extremely confident': one adjective on the extent ladder."""
    found = [LADDER_RE.match(label) for label in lower]
    if not all(found) or len({m.group(2) for m in found if m}) != 1:
        return None
    word = found[0].group(2) if found[0] else ""
    steps = {LADDER[m.group(1)] for m in found if m}
    if len(steps) != len(found):
        return None  # two labels on one step
    seen = {LADDER[m.group(1)]: m.group(1) for m in found if m}
    rungs = [seen.get(step, default) for step, default in
             enumerate(["not at all", "slightly", "moderately", "very", "extremely"], start=1)]
    return f"{word}5", [f"{rung} {word}" for rung in rungs]


def _numeric_scale(numbers: list[float], text: str) -> ScaleGuess:
    lo, hi = min(numbers), max(numbers)
    seen = f"answers {lo:g}–{hi:g} seen"
    recommend = re.search(r"recommend|likely", text, re.IGNORECASE) is not None
    if lo >= 0 and hi <= 10 and (lo == 0 or hi > 7 or recommend):
        return ScaleGuess("likely11", True, 0, 10, {}, f"built-in likely11 (0–10): {seen}")
    if lo >= 1 and hi <= 5:
        return ScaleGuess("points5", False, 1, 5, {}, f"numbers 1–5: {seen}")
    if lo >= 1 and hi <= 7:
        return ScaleGuess("points7", False, 1, 7, {}, f"numbers 1–7: {seen}")
    top = 100.0 if 10 < hi <= 100 else max(10.0, hi)  # a slider's usual end
    return ScaleGuess(f"points{top:g}", False, min(lo, 1.0), top, {},
                      f"numbers: {seen}; set min and max to the scale's real ends")


def _worded_scale(labels: list[str], lower: list[str], slug: str) -> ScaleGuess | None:
    places = [_polarity(label) for label in lower]
    if len(labels) < 2 or any(p is None for p in places):
        return None
    if len({p for p in places}) != len(places):
        return None  # two labels at one place: their order is unknown
    ordered = sorted(zip(places, labels, strict=True), key=lambda pair: pair[0] or 0.0)
    return ScaleGuess(slug, False, 1, len(labels),
                      {label: pos for pos, (_, label) in enumerate(ordered, start=1)},
                      "ordered from the labels' wording (a guess: check the order, and add "
                      "any label nobody chose in its place)")
