"""Server-rendered SVG bar charts for the decision statistics (no JavaScript needed).

Each chart is an image to assistive technology (role="img", labelled by its own <title> and
<desc>); the page puts a table with the same figures beside it, so nothing is only in the
picture. Colours: bars in the site's brand blue (#0b4f8a, 8.6:1 on white), track lines and text
in dark grey and near-black, all above the WCAG AA contrast for graphics and text.
"""

from collections.abc import Sequence

from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from imr.selectors import StatRow

BAR_COLOUR = "#0b4f8a"
TRACK_COLOUR = "#6b6b6b"
TEXT_COLOUR = "#1b1b1b"
# Drawn at up to 44rem wide (decisions.css), so 12 units of text show at about 14 px.
ROW_HEIGHT = 24
LABEL_WIDTH = 230
BAR_WIDTH = 300
VALUE_WIDTH = 70
TOP = 8
MAX_LABEL_CHARACTERS = 33


def percent(value) -> str:
    """A share as people read it in the active language: 43.96% / 43,96 %."""
    return _("%(number)s%%") % {"number": number_format(value, decimal_pos=2)}


def _grouped(number: int) -> str:
    return number_format(number, force_grouping=True)


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL_CHARACTERS else label[: MAX_LABEL_CHARACTERS - 1].rstrip() + "…"


def describe(rows: Sequence[StatRow]) -> str:
    """One sentence for <desc>: the range of the figures, for people who cannot see the bars."""
    if not rows:
        return _("No decisions match.")
    highest = max(rows, key=lambda row: (row.share, row.decisions))
    lowest = min(rows, key=lambda row: (row.share, -row.decisions))
    if len(rows) == 1:
        return _("%(label)s: %(share)s of %(total)s decisions overturned the plan's decision.") % {
            "label": highest.label,
            "share": percent(highest.share),
            "total": _grouped(highest.decisions),
        }
    return _(
        "Share of decisions that overturned the plan's decision, for %(count)s groups. "
        "Highest: %(high_label)s, %(high)s. Lowest: %(low_label)s, %(low)s. The table beside the chart "
        "gives every figure."
    ) % {
        "count": len(rows),
        "high_label": highest.label,
        "high": percent(highest.share),
        "low_label": lowest.label,
        "low": percent(lowest.share),
    }


def share_bar_chart(*, chart_id: str, title: str, rows: Sequence[StatRow]) -> SafeString:
    """A horizontal bar per row: the share of decisions that overturned the plan's decision."""
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    height = TOP * 2 + ROW_HEIGHT * max(1, len(rows)) + 20
    axis_y = TOP + ROW_HEIGHT * max(1, len(rows))
    parts = [
        f'<svg class="decision-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(rows))}</desc>',
    ]
    for index, row in enumerate(rows):
        y = TOP + index * ROW_HEIGHT
        bar = round(BAR_WIDTH * float(row.share) / 100, 1)
        parts.append(
            f"<g><title>{escape(row.label)}: {escape(percent(row.share))} "
            f"({_grouped(row.overturned)} / {_grouped(row.decisions)})</title>"
            f'<text x="{LABEL_WIDTH - 8}" y="{y + 16}" text-anchor="end" fill="{TEXT_COLOUR}">'
            f"{escape(_short(row.label))}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{BAR_WIDTH}" height="16" fill="none" '
            f'stroke="{TRACK_COLOUR}" stroke-width="1"/>'
            f'<rect x="{LABEL_WIDTH}" y="{y + 4}" width="{bar}" height="16" fill="{BAR_COLOUR}"/>'
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 16}" fill="{TEXT_COLOUR}">'
            f"{escape(percent(row.share))}</text></g>"
        )
    for tick in (0, 50, 100):
        x = LABEL_WIDTH + BAR_WIDTH * tick / 100
        parts.append(
            f'<line x1="{x}" y1="{TOP}" x2="{x}" y2="{axis_y + 4}" stroke="{TRACK_COLOUR}" stroke-dasharray="2 3"/>'
            f'<text x="{x}" y="{axis_y + 17}" text-anchor="middle" fill="{TEXT_COLOUR}">{tick}%</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every label and figure is escaped above)
