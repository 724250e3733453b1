from django import template

register = template.Library()


@register.filter
def split(value: str) -> list[str]:
    return value.split()


@register.filter
def field(form, name: str):
    """The bound field ``name`` of ``form``, or None when the form has no such field."""
    return form[name] if name in form.fields else None
