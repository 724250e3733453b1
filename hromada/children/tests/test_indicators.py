"""Monitoring figures: open cases, assessments on time, children with a case plan."""
from datetime import date, timedelta

import pytest
from django.utils import timezone

from hromada.children import services
from hromada.children.models import Assessment, ChildCase
from hromada.children.selectors import indicator_figures

pytestmark = pytest.mark.django_db


def test_figures(make_case, planned_case, child, child2):
    today = timezone.localdate()
    hromada = child.territory_id
    late = make_case(child, child={"first_name": "Остап"}, reported_on=today - timedelta(days=40))
    services.start_assessment(actor=child, case_id=late.pk)
    services.complete_assessment(actor=child, case_id=late.pk, needs="x", findings="y")   # completed late
    closed = make_case(child, child={"first_name": "Лука"})
    services.start_assessment(actor=child, case_id=closed.pk)
    services.complete_assessment(actor=child, case_id=closed.pk, needs="x", findings="y")
    services.decide_on_circumstances(actor=child, case_id=closed.pk, in_difficult_circumstances=False, basis="x")
    other = make_case(child2, child={"first_name": "Дана", "sex": "F"})                       # another hromada

    start, end = today - timedelta(days=60), today + timedelta(days=30)
    figures = indicator_figures([hromada], start, end)
    assert figures["open_cases"] == 2                       # planned_case + late
    assert figures["new_cases"] == 3 and figures["closed_cases"] == 1
    assert figures["assessments_due"] == 3
    assert figures["assessments_on_time"] == 2
    assert figures["assessments_on_time_share"] == round(2 / 3, 4)
    assert figures["children_with_plan"] == 1
    assert Assessment.objects.get(case=late).on_time is False

    assert indicator_figures([other.hromada_id], start, end)["open_cases"] == 1
    empty = indicator_figures([hromada], date(2000, 1, 1), date(2000, 12, 31))
    assert empty["open_cases"] == 0 and empty["assessments_on_time_share"] is None
    assert ChildCase.objects.count() == 4
