"""The shared form checks of the workflows' services (core.validation) and the rules-file loader (core.datafile):
one place for what social services and children's cases both need."""
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from hromada.core.datafile import RulesFile
from hromada.core.errors import ValidationFailed
from hromada.core.validation import fail, not_future, required


def test_required_strips_and_names_the_field():
    assert required("  так ", "goal", "Мета") == "так"
    with pytest.raises(ValidationFailed) as exc:
        required("   ", "goal", "Мета")
    assert exc.value.code == "required" and exc.value.details == {"field": "goal"}
    assert str(exc.value.message) == "Заповніть поле «Мета»."


def test_not_future_defaults_to_today_and_refuses_tomorrow():
    today = timezone.localdate()
    assert not_future(None, "d", "Дата") == today
    with pytest.raises(ValidationFailed) as exc:
        not_future(today + timedelta(days=1), "d", "Дата рішення")
    assert exc.value.code == "date_in_future" and "Дата рішення" in str(exc.value.message)


def test_messages_are_translated():
    with override("en"), pytest.raises(ValidationFailed) as exc:
        required("", "goal", "Goal")
    assert str(exc.value.message) == "Fill in the field «Goal»."


def test_fail_without_a_field_has_no_details():
    with pytest.raises(ValidationFailed) as exc:
        fail("Ні.", "invalid_outcome")
    assert exc.value.details in (None, {}) and exc.value.code == "invalid_outcome"


def test_rules_file_reads_once_and_gives_labels(tmp_path):
    path = tmp_path / "rules.json"
    path.write_text('{"kinds": [{"code": "a", "name_uk": "Перший"}, {"code": "b", "name_uk": "Другий"}]}',
                    encoding="utf-8")
    rules = RulesFile(path)
    assert rules.labels("kinds") == {"a": "Перший", "b": "Другий"}
    path.write_text("{}", encoding="utf-8")
    assert rules.data["kinds"][0]["code"] == "a"        # cached: read once per process

