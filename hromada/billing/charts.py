"""The budget chart as server-rendered SVG (no JavaScript, no CDN; CSP-safe: attributes, no inline styles)."""
from __future__ import annotations

from decimal import Decimal
from xml.sax.saxutils import escape

from django.utils.safestring import mark_safe

from hromada.core.pdf import fmt_money

MONTHS_SHORT = ["січ", "лют", "бер", "кві", "тра", "чер", "лип", "сер", "вер", "жов", "лис", "гру"]
W, H, LEFT, BOTTOM, TOP = 720, 260, 60, 30, 14


def budget_svg(status: dict) -> str:
    """Monthly billed amounts (bars: closed dark, open light), the cumulative sum (line), the allocation (dashed)."""
    months = status["months"]
    cumulative, running = [], Decimal("0")
    for m in months:
        running += m["amount"]
        cumulative.append(running)
    allocated = status["allocated"] or Decimal("0")
    forecast = status["forecast"] or Decimal("0")
    top = max([allocated, forecast, running, Decimal("1")])
    plot_h, step = H - BOTTOM - TOP, (W - LEFT - 10) / 12

    def y(v: Decimal) -> float:
        return round(TOP + plot_h - float(v / top) * plot_h, 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" class="budget-chart" role="img" '
             f'aria-labelledby="budget-chart-title">',
             f'<title id="budget-chart-title">{escape(_summary(status))}</title>',
             f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{W - 10}" y2="{TOP + plot_h}" stroke="#6b7785"/>']
    for i, m in enumerate(months):
        x = LEFT + i * step
        if m["amount"]:
            fill = "#1f4e8c" if m["status"] == "closed" else "#8fb3e0"
            parts.append(f'<rect x="{x + 6:.1f}" y="{y(m["amount"])}" width="{step - 12:.1f}" '
                         f'height="{TOP + plot_h - y(m["amount"]):.1f}" fill="{fill}">'
                         f'<title>{MONTHS_SHORT[i]}: {escape(fmt_money(m["amount"]))}</title></rect>')
        parts.append(f'<text x="{x + step / 2:.1f}" y="{H - 10}" text-anchor="middle" font-size="11">'
                     f'{MONTHS_SHORT[i]}</text>')
    points = " ".join(f"{LEFT + (i + 0.5) * step:.1f},{y(v)}" for i, v in enumerate(cumulative) if months[i]["status"])
    if points:
        parts.append(f'<polyline points="{points}" fill="none" stroke="#c47f00" stroke-width="2"/>')
    if allocated:
        parts.append(f'<line x1="{LEFT}" y1="{y(allocated)}" x2="{W - 10}" y2="{y(allocated)}" stroke="#b3261e" '
                     f'stroke-dasharray="6 4"/>')
        parts.append(f'<text x="{W - 12}" y="{y(allocated) - 4}" text-anchor="end" font-size="11" fill="#b3261e">'
                     f'передбачено {escape(fmt_money(allocated))}</text>')
    parts.append(f'<text x="4" y="{TOP + 10}" font-size="10">{escape(fmt_money(top))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated text is escaped above


def _summary(status: dict) -> str:
    return (f"Бюджет {status['year']}: передбачено {fmt_money(status['allocated'] or 0)}, "
            f"зобов’язання {fmt_money(status['committed'])}, прогноз {fmt_money(status['forecast'] or 0)}")
