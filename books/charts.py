"""Server-rendered SVG charts: small, readable without JavaScript, with a text table beside each on the page.
Geometry is integer arithmetic on paisa (no binary floats); labels are escaped."""

from datetime import date

from babel.dates import format_date
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe

PALETTE = ["#0f766e", "#b45309", "#1d4ed8", "#7c3aed", "#be123c", "#4d7c0f", "#0369a1", "#6b7280"]
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 220, 70, 40, 10


def _short(minor: int) -> str:
    rupees = minor // 100
    if abs(rupees) >= 1_000_000:
        return f"{rupees // 1_000_000}M"
    if abs(rupees) >= 1_000:
        return f"{rupees // 1_000}k"
    return str(rupees)


def date_label(day: date, pattern: str) -> str:
    """A chart label in the reader's language from Babel's locale data: "Dec" in English, "دسمبر" in Urdu."""
    return format_date(day, pattern, locale=translation.to_locale(translation.get_language() or "en"))


def bar_chart(*, title: str, labels: list[str], series: dict[str, list[int]], negative_ok: bool = False) -> str:
    """Stacked bars: one bar per label, one colour per series (values in paisa, non-negative)."""
    count = max(len(labels), 1)
    totals = [sum(max(values[i], 0) for values in series.values()) for i in range(len(labels))]
    lows = [sum(min(values[i], 0) for values in series.values()) for i in range(len(labels))] if negative_ok else []
    top = max(totals + [1])
    bottom = min(lows + [0])
    span = top - bottom or 1
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) // count
    bar_w = max(slot * 2 // 3, 2)

    def y(value: int) -> int:
        return TOP + (top - value) * plot_h // span

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 20 * len(series)}" '
        f'role="img" aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{y(0)}" x2="{WIDTH}" y2="{y(0)}" stroke="#94a3b8"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="11">{_short(top)}</text>',
        f'<text x="{LEFT - 6}" y="{y(0) + 4}" text-anchor="end" font-size="11">0</text>',
    ]
    if bottom < 0:
        parts.append(
            f'<text x="{LEFT - 6}" y="{HEIGHT - BOTTOM}" text-anchor="end" font-size="11">{_short(bottom)}</text>'
        )
    for i, label in enumerate(labels):
        x = LEFT + i * slot + (slot - bar_w) // 2
        up, down = 0, 0
        for n, (name, values) in enumerate(series.items()):
            value = values[i]
            if value == 0:
                continue
            colour = PALETTE[n % len(PALETTE)]
            if value > 0:
                y1, y2 = y(up + value), y(up)
                up += value
            else:
                y1, y2 = y(down), y(down + value)
                down += value
            parts.append(
                f'<rect x="{x}" y="{y1}" width="{bar_w}" height="{max(y2 - y1, 1)}" fill="{colour}">'
                f"<title>{escape(label)} {escape(name)}: {_short(value)}</title></rect>"
            )
        parts.append(
            f'<text x="{x + bar_w // 2}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" font-size="11">'
            f"{escape(label)}</text>"
        )
    for n, name in enumerate(series):
        # One legend entry a row: Urdu names run longer than English ones and overlapped side by side.
        lx, ly = LEFT, HEIGHT + 20 * n
        parts.append(
            f'<rect x="{lx}" y="{ly - 10}" width="10" height="10" fill="{PALETTE[n % len(PALETTE)]}"/>'
            f'<text x="{lx + 14}" y="{ly}" font-size="11">{escape(name)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- every label above is escaped


def line_chart(*, title: str, labels: list[str], values: list[int]) -> str:
    """One line (a running balance), with its zero line."""
    count = max(len(values) - 1, 1)
    top, bottom = max(values + [1]), min(values + [0])
    span = top - bottom or 1
    plot_h = HEIGHT - BOTTOM - TOP

    def y(value: int) -> int:
        return TOP + (top - value) * plot_h // span

    def x(i: int) -> int:
        return LEFT + i * (WIDTH - LEFT - 10) // count

    points = " ".join(f"{x(i)},{y(v)}" for i, v in enumerate(values))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{y(0)}" x2="{WIDTH}" y2="{y(0)}" stroke="#94a3b8"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 10}" text-anchor="end" font-size="11">{_short(top)}</text>',
        f'<text x="{LEFT - 6}" y="{y(0) + 4}" text-anchor="end" font-size="11">0</text>',
        f'<polyline fill="none" stroke="{PALETTE[0]}" stroke-width="2" points="{points}"/>',
    ]
    for i, label in enumerate(labels):
        if i % 2 == 0:
            parts.append(
                f'<text x="{x(i)}" y="{HEIGHT - BOTTOM + 14}" text-anchor="middle" font-size="11">'
                f"{escape(label)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 -- labels escaped
