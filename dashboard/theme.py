"""The one plotly template every crossgen figure uses (colour-blind-safe Okabe–Ito palette)."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

TEMPLATE_NAME = "crossgen"
OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
             "#000000"]
SIGNIFICANT = "#0072B2"
NOT_SIGNIFICANT = "#9AA5B1"
SUPPRESSED = "#D0D5DB"
MUTED = "#52606D"  # reference lines, notes, empty-state text
FONT = "Inter, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"


def register() -> str:
    """Register the template and make it plotly's default (both idempotent); return its name.

    As the default, every ``go.Figure`` (exports, tests) gets it once at construction; the
    dashboard adds the same template to the builders' dicts (``figures.base.for_browser``).
    """
    if TEMPLATE_NAME not in pio.templates:
        pio.templates[TEMPLATE_NAME] = go.layout.Template(
            layout=go.Layout(
                font={"family": FONT, "size": 14, "color": "#1F2933"},
                colorway=OKABE_ITO,
                paper_bgcolor="white",
                plot_bgcolor="white",
                margin={"l": 60, "r": 24, "t": 56, "b": 48},
                title={"x": 0, "xanchor": "left", "font": {"size": 18}},
                xaxis={"gridcolor": "#E4E7EB", "zerolinecolor": "#9AA5B1", "automargin": True},
                yaxis={"gridcolor": "#E4E7EB", "zerolinecolor": "#9AA5B1", "automargin": True},
                legend={"orientation": "h", "y": -0.18},
                hoverlabel={"font": {"family": FONT}},
            )
        )
    pio.templates.default = TEMPLATE_NAME
    return TEMPLATE_NAME
