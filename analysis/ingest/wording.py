"""Which codebook item a survey question asks, from its wording (for draft mappings).

The score is the Dice overlap of content words (lower case, simple plural folding, stop words
dropped) between the item's text and the question's own statement — the grid row of a matrix
question, else the whole text. 1.0 is the same wording; the draft shows the score and proposes a
construct only at ``SURE`` or above, so a user sees how close each match is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from analysis.store.codebook import ITEMS, ITEMS_BY_ID, SCALE_RANGE, Item

SURE = 0.8  # at or above: item and construct proposed; below: shown as a possibility only
POSSIBLE = 0.4  # below: no suggestion
STOP = {"the", "and", "with", "this", "that", "you", "your", "are", "for", "how", "much", "each",
        "following", "statement", "statements", "what", "would", "please", "about", "our",
        "was", "were", "have", "has", "had", "them", "they", "its", "into", "from", "there",
        "here", "their", "which", "who", "all", "any", "can", "does", "did", "very", "rate"}
# Qualtrics joins a matrix's stem and row with " - ", "\n- " or, in legacy exports, "?-".
QUALTRICS_ROW = re.compile(r"\s-\s+(?=\S)|(?<=[?:.!)])\s*-\s*(?=\S)")


@dataclass(frozen=True)
class Match:
    item: Item
    score: float
    fits: bool = True  # the answers can be the item's scale; else its construct is only a hint

    @property
    def sure(self) -> bool:
        return self.fits and self.score >= SURE


def tokens(text: str) -> set[str]:
    words = re.findall(r"[a-z]+", text.lower())
    return {w[:-1] if len(w) > 4 and w.endswith("s") and not w.endswith("ss") else w
            for w in words if len(w) > 2 and w not in STOP}


def statement(text: str) -> str:
    """The part of a question's text that is its own: a grid's row after its shared stem."""
    grid = re.match(r"^(.*\S)\s*\[(.+)\]$", text, re.DOTALL)
    if grid:
        return grid.group(2)
    parts = QUALTRICS_ROW.split(text)
    return parts[-1] if len(parts) > 1 and len(tokens(parts[-1])) >= 2 else text


def score(item: Item, text: str) -> float:
    a, b = tokens(item.text), tokens(statement(text))
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def fits(item: Item, scale: str | None, low: float | None, high: float | None) -> bool:
    """Whether the answers seen can be the item's scale: the same built-in scale, or numbers
    within its range; unknown (no answers) fits."""
    if scale is None:
        return True
    if scale == item.scale:
        return True
    lo, hi = SCALE_RANGE[item.scale]
    return low is not None and high is not None and lo <= low and high <= hi


def match_items(questions: list[tuple[str, str, str | None, float | None, float | None]]
                ) -> dict[str, Match]:
    """Best codebook item per question column, each item used once, best scores first.

    ``questions``: (column, text, scale seen or None, lowest and highest number seen or None).
    Columns named by an item id (crossgen's long CSV) match it exactly. A question whose answers
    cannot be the item's scale (7 points against 5) keeps the match as a hint only."""
    pairs: list[tuple[float, int, str, Match]] = []
    for order, (column, text, scale, low, high) in enumerate(questions):
        if column in ITEMS_BY_ID:
            pairs.append((1.0, order, column, Match(ITEMS_BY_ID[column], 1.0)))
            continue
        for item in ITEMS:
            value = score(item, text)
            if value >= POSSIBLE:
                pairs.append((value, order, column,
                              Match(item, round(value, 2), fits(item, scale, low, high))))
    pairs.sort(key=lambda p: (-p[0], p[1], p[3].item.item_id))
    found: dict[str, Match] = {}
    used: set[str] = set()
    for _value, _order, column, match in pairs:
        if column in found or match.item.item_id in used:
            continue
        found[column] = match
        used.add(match.item.item_id)
    return found
