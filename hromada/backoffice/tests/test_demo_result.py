"""The demo's result waiting at the front office: taken, decided by the calculator and sent back through the back
office's services, so front_demo can print and hand over a decision on the first morning; re-seeding adds nothing."""
import pytest
from django.test import Client
from django.urls import reverse

from hromada.applications import selectors as app_selectors
from hromada.applications.models import Application, Status
from hromada.applications.services.front import issue_result
from hromada.backoffice.demo import MOTHER
from hromada.demo.services import seed_demo
from hromada.testing import case_events

pytestmark = pytest.mark.django_db


def _demo_result() -> Application:
    return Application.objects.get(service__code="birth_assistance", applicant_person__id_document_number=MOTHER[
        "id_document"]["number"])


def test_front_demo_finds_a_decided_result_to_hand_out(demo, front):
    app = _demo_result()
    assert app.status == Status.RESULT_SENT and app.registered_by == front
    assert app.decision.outcome == "granted" and app.decision.amount > 0 and app.decision.calculator
    assert [e.action for e in case_events(app)] == ["create", "submit", "take", "grant", "send_result"]
    assert app.granted is True and app.assigned_to_id is not None          # the columns the steps wrote
    assert app in app_selectors.results_to_issue(front)
    c = Client()
    c.force_login(front)
    page = c.get(reverse("front:results")).content.decode()
    assert app.number in page and "Гнатюк Ірина" in page
    # The back office's queue keeps the other demo applications to decide.
    assert Application.objects.filter(status=Status.SUBMITTED, registered_by=front).exists()
    issue_result(actor=front, application_id=app.pk, method="in_person")
    app.refresh_from_db()
    assert app.status == Status.CLOSED


def test_seeding_again_adds_nothing(demo):
    before = Application.objects.count()
    seed_demo()
    assert Application.objects.count() == before and _demo_result().status == Status.RESULT_SENT
