"""The project's template tags render what Django's engine rendered, escaped alike."""
from django.template import Context, Template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from hromada.core.templatetags.hromada_tags import escaped, options

TRICKY = "<script>alert('x')</script> & \"Ґ\""


def _engine(choices, selected) -> str:
    return Template('{% for value, label in choices %}<option value="{{ value }}"'
                    '{% if value|stringformat:"s" == selected|stringformat:"s" %} selected{% endif %}>{{ label }}'
                    '</option>{% endfor %}').render(Context({"choices": choices, "selected": selected}))


def test_options_mark_the_selected_value_and_escape_as_the_engine_does():
    choices = [(1, TRICKY), (12, "Баранівська"), ("a&b", "A & B")]
    assert options(choices, 12) == _engine(choices, 12)
    assert options(choices, "12") == _engine(choices, 12)            # a query string's value
    assert options(choices, "a&b") == _engine(choices, "a&b")
    assert options(choices, "a&b").count(" selected") == 1 and 'value="a&amp;b" selected' in options(choices, "a&b")
    assert "<script>" not in options(choices) and "&lt;script&gt;" in options(choices)


def test_options_select_nothing_for_an_empty_or_missing_value():
    choices = [("", "усі"), (0, "нуль"), ("None", "None")]
    assert " selected" not in options(choices, None)
    assert " selected" not in options(choices, "")
    assert options(choices, 0).count(" selected") == 1


def test_escaped_is_conditional_escape():
    from django.utils.html import conditional_escape

    for value in (TRICKY, format_html("<b>{}</b>", TRICKY), gettext_lazy("Головна"), 12, None, ""):
        assert escaped(value) == conditional_escape(value)
