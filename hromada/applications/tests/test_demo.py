from hromada.applications import demo
from hromada.applications.models import Application, Receipt, Status


def test_demo_cases_in_several_states_and_idempotent(front):
    mine = Application.objects.filter(hromada=front.office.hromada, registered_by=front)
    states = set(mine.values_list("status", flat=True))
    assert {Status.DRAFT, Status.SUBMITTED} <= states
    submitted = mine.filter(status=Status.SUBMITTED)
    assert all(a.back_office_id and a.due_date for a in submitted)
    assert Receipt.objects.filter(application__in=submitted).exists()
    before = mine.count()
    demo.seed()
    assert mine.count() == before
