from django import template

from hromada.core.pdf import fmt_money

from ..documents import period_label as _period_label

register = template.Library()


@register.filter
def money(value):
    return "—" if value is None else fmt_money(value)


@register.filter
def period_label(key: str) -> str:
    return _period_label(int(key[:4]), int(key[5:7]))
