"""The demo's application for social services (issue #22): taken and submitted through the front office's services,
it opened a social case that the social-work specialist finds in her queue; re-seeding adds nothing."""
import pytest
from django.test import Client
from django.urls import reverse

from hromada.applications.models import Application, Status
from hromada.audit.models import AuditEntry
from hromada.catalog.models import Timing
from hromada.demo.services import seed_demo
from hromada.demo.social import MARKED, RESIDENT
from hromada.social import selectors as social_selectors
from hromada.social.models import CaseStatus, SocialCase
from hromada.testing import case_events

pytestmark = pytest.mark.django_db


def _demo_application() -> Application:
    return Application.objects.get(service__code="social_services", applicant_person__id_document_number=RESIDENT[
        "id_document"]["number"])


def test_the_demo_application_went_through_the_front_office_services(demo, front, social):
    app = _demo_application()
    assert app.status == Status.SUBMITTED and app.registered_by == front and app.hromada_id == front.office.hromada_id
    assert app.back_office == social.office                                  # the hromada's own centre, not the raion
    # The checklist filled with scans, the submission in the history and the audit — as the wizard leaves them.
    required = set(app.service.documents.filter(timing=Timing.BEFORE_SUBMIT).values_list("code", flat=True))
    assert required and required <= set(app.documents.values_list("requirement_code", flat=True))
    assert [e.action for e in case_events(app)] == ["create", "submit"]
    assert AuditEntry.objects.filter(action="application.submit", object_id=str(app.pk)).exists()
    case = SocialCase.objects.get(application=app)
    assert case.status == CaseStatus.REGISTERED and case.registered_by == front
    assert sorted(case.requested.values_list("code", flat=True)) == sorted(MARKED["social_services"])
    assert AuditEntry.objects.filter(action="socialcase.register", object_id=str(case.pk)).exists()
    # In the social-work specialist's queue (the open cases), on her list page too.
    assert social_selectors.cases_for(social, status="open").filter(pk=case.pk).exists()
    c = Client()
    c.force_login(social)
    assert case.number in c.get(reverse("social:list")).content.decode()


def test_seeding_again_adds_nothing(demo):
    app = _demo_application()
    counts = (Application.objects.count(), SocialCase.objects.count(), AuditEntry.objects.count())
    seed_demo()
    assert _demo_application() == app
    assert (Application.objects.count(), SocialCase.objects.count(), AuditEntry.objects.count()) == counts
