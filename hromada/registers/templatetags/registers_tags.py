"""``{% registers_panel app %}`` — the state-register checks on the back office's case page."""
from django import template
from django.utils.safestring import mark_safe

from .. import panels

register = template.Library()


@register.simple_tag(takes_context=True)
def registers_panel(context, app, side="back"):
    return mark_safe(panels.render_panel(context["request"], app, side=side))  # noqa: S308 — our own template
