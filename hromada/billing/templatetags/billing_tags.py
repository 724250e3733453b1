from django import template

from hromada.core.months import month_label
from hromada.core.pdf import fmt_money

register = template.Library()


@register.filter
def money(value):
    return "—" if value is None else fmt_money(value)


@register.filter
def period_label(key: str) -> str:
    """The period «2026-11» for the interface, in its language (the acts' PDFs keep their Ukrainian wording)."""
    return month_label(int(key[:4]), int(key[5:7]))
