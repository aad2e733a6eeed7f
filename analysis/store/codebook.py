"""The default survey instrument: constructs, items, scales and the built-in Likert label maps.

The survey template in ``data/survey-template/``, the demo generator and the importers all read
this one definition.
"""

from __future__ import annotations

from dataclasses import dataclass

# Built-in label -> number maps, so that most mapping files need none of their own.
AGREE5 = {
    "strongly disagree": 1,
    "disagree": 2,
    "somewhat disagree": 2,
    "neither agree nor disagree": 3,
    "neutral": 3,
    "agree": 4,
    "somewhat agree": 4,
    "strongly agree": 5,
}
PROFICIENCY5 = {
    "novice": 1,
    "advanced beginner": 2,
    "competent": 3,
    "proficient": 4,
    "expert": 5,
}
SATISFIED5 = {
    "very dissatisfied": 1,
    "dissatisfied": 2,
    "neither satisfied nor dissatisfied": 3,
    "satisfied": 4,
    "very satisfied": 5,
}
LIKELY11 = {
    **{str(i): i for i in range(11)},
    "0 - not at all likely": 0,
    "10 - extremely likely": 10,
}

SCALES: dict[str, dict[str, int]] = {
    "agree5": AGREE5,
    "proficiency5": PROFICIENCY5,
    "satisfied5": SATISFIED5,
    "likely11": LIKELY11,
}
SCALE_RANGE: dict[str, tuple[int, int]] = {
    "agree5": (1, 5),
    "proficiency5": (1, 5),
    "satisfied5": (1, 5),
    "likely11": (0, 10),
}
# The labels a survey tool shows, in scale order (for writing exports and templates).
SCALE_LABELS: dict[str, list[str]] = {
    "agree5": ["Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree",
               "Strongly agree"],
    "proficiency5": ["Novice", "Advanced beginner", "Competent", "Proficient", "Expert"],
    "satisfied5": ["Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied",
                   "Satisfied", "Very satisfied"],
    "likely11": [str(i) for i in range(11)],
}


@dataclass(frozen=True)
class Item:
    item_id: str
    construct: str
    text: str
    scale: str
    reverse_coded: bool = False

    @property
    def scale_min(self) -> int:
        return SCALE_RANGE[self.scale][0]

    @property
    def scale_max(self) -> int:
        return SCALE_RANGE[self.scale][1]


CONSTRUCTS: dict[str, str] = {
    "satisfaction.job": "Job satisfaction",
    "satisfaction.program": "Programme satisfaction",
    "enps": "eNPS",
    "inclusion": "Inclusion",
    "intergenerational": "Intergenerational understanding",
    "skills.digital": "Digital skills",
    "skills.leadership": "Leadership skills",
}

ITEMS: list[Item] = [
    Item("jobsat_1", "satisfaction.job", "Overall, I am satisfied with my job.", "agree5"),
    Item("jobsat_2", "satisfaction.job", "I find my work meaningful.", "agree5"),
    Item("jobsat_3", "satisfaction.job", "I see myself still working here in two years.", "agree5"),
    Item("enps_1", "enps",
         "How likely are you to recommend this organisation as a place to work?", "likely11"),
    Item("incl_belong", "inclusion", "I feel I belong at this organisation.", "agree5"),
    Item("incl_voice", "inclusion", "My opinions are heard, whatever my age or seniority.",
         "agree5"),
    Item("incl_respect", "inclusion", "People here treat me with respect.", "agree5"),
    Item("incl_outsider", "inclusion", "I often feel like an outsider in my team.", "agree5",
         reverse_coded=True),
    Item("intergen_1", "intergenerational",
         "I understand how colleagues of other generations like to work.", "agree5"),
    Item("intergen_2", "intergenerational",
         "I learn useful things from colleagues of other generations.", "agree5"),
    Item("intergen_3", "intergenerational",
         "Colleagues of other generations value what I know.", "agree5"),
    Item("digital_social", "skills.digital", "Using social media professionally",
         "proficiency5"),
    Item("digital_ai", "skills.digital", "Using AI tools (chat assistants, copilots)",
         "proficiency5"),
    Item("digital_collab", "skills.digital", "Using collaboration tools (chat, shared docs)",
         "proficiency5"),
    Item("digital_data", "skills.digital", "Working with data and dashboards", "proficiency5"),
    Item("lead_upward", "skills.leadership", "Communicating with senior leaders", "proficiency5"),
    Item("lead_present", "skills.leadership", "Presenting ideas to a group", "proficiency5"),
    Item("lead_influence", "skills.leadership", "Influencing without authority", "proficiency5"),
    Item("progsat_1", "satisfaction.program", "The mentoring programme was worth my time.",
         "agree5"),
    Item("progsat_2", "satisfaction.program", "I would recommend the programme to a colleague.",
         "agree5"),
    Item("progsat_3", "satisfaction.program", "My mentoring partner was a good match.", "agree5"),
]
ITEMS_BY_ID = {item.item_id: item for item in ITEMS}

PULSE_CONSTRUCTS = ["satisfaction.job", "enps", "inclusion", "intergenerational"]
PROGRAMME_CONSTRUCTS = [
    "skills.digital", "skills.leadership", "satisfaction.job", "enps", "inclusion",
    "intergenerational",
]
POST_ONLY_CONSTRUCTS = ["satisfaction.program"]


def items_for(constructs: list[str]) -> list[Item]:
    return [item for item in ITEMS if item.construct in constructs]


GENERATIONS: list[tuple[str, int, int]] = [
    ("Silent", 1900, 1945),
    ("Boomers", 1946, 1964),
    ("Gen X", 1965, 1980),
    ("Millennials", 1981, 1996),
    ("Gen Z", 1997, 2012),
]
GENERATION_ORDER = [name for name, _, _ in GENERATIONS]

GENERATION_SQL = " ".join(
    f"when birth_year between {lo} and {hi} then '{name}'" for name, lo, hi in GENERATIONS
)
GENERATION_CASE = f"case {GENERATION_SQL} else null end"
