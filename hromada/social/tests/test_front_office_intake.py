"""An application for social services through the front office's one intake wizard (issue #22, point 2):
applicant and family, the catalogue's checklist with scans (applications' own document machinery), the receipt and
the public status check of applications; on submission it goes to the hromada's social-protection unit (never the
raion), which opens the social case from it with the services and urgency marked on the form."""
import pytest
from django.test import Client
from django.urls import reverse

from hromada.applications.models import Application, Status
from hromada.applications.services.intake import create_application, save_draft, submit_application
from hromada.applications.tests.factories import fill_required
from hromada.audit.models import AuditEntry
from hromada.catalog.models import ServiceType
from hromada.core.errors import ValidationFailed
from hromada.offices.models import Authority, Kind
from hromada.social import rules
from hromada.social.models import CaseStatus, SocialCase
from hromada.testing import case_events

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def _draft(front, person, **marked):
    app = create_application(actor=front, service_code="social_services", applicant_id=person.pk)
    fill_required(app, front)
    if marked:
        save_draft(actor=front, application_id=app.pk, data=marked)
    return app


def test_the_catalogue_routes_social_services_to_the_hromadas_own_unit(demo):
    service = ServiceType.objects.get(code="social_services")
    assert service.deciding_authority == Authority.HROMADA_SOCIAL_UNIT
    assert set(service.documents.filter(timing="before_submit").values_list("code", flat=True)) == {
        "application_form", "identity_document"}


def test_submission_opens_the_social_case_at_the_hromadas_centre(front, social, resident):
    app = _draft(front, resident, social_services=["home_care", "day_care"], urgency="crisis")
    result = submit_application(actor=front, application_id=app.pk)
    app = result.application
    assert app.status == Status.SUBMITTED
    assert app.back_office.kind == Kind.HROMADA_SOCIAL_PROTECTION
    assert app.back_office.territory_id == front.office.hromada_id     # the hromada's own, not the raion's
    case = SocialCase.objects.get(application=app)
    assert case.person == resident and case.hromada_id == app.hromada_id and case.office == app.back_office
    assert case.urgency == "crisis" and case.applied_on == app.application_date
    assert case.assessment_due == rules.assessment_due(app.application_date, "crisis")
    assert case.decision_due == rules.decision_due(app.application_date)
    assert sorted(r.code for r in case.requested.all()) == ["day_care", "home_care"]
    assert case.status == CaseStatus.REGISTERED and case.registered_by == front
    entry = AuditEntry.objects.filter(action="socialcase.register").latest("id")
    assert entry.details["application_id"] == app.pk
    # The social-work specialist finds it in her list and opens the scans on the application.
    c = login(social)
    assert case.number in c.get(reverse("social:list")).content.decode()
    card = c.get(reverse("social:detail", args=[case.pk])).content.decode()
    assert reverse("front:card", args=[app.pk]) in card
    # The case's own application is its source, not one of the family's applications for benefits.
    assert 'id="family-applications"' not in card and "Заяв на допомоги немає." in card
    scans = c.get(reverse("front:card", args=[app.pk]))
    assert scans.status_code == 200
    doc = app.documents.first()
    assert c.get(reverse("front:download", args=[app.pk, doc.pk])).status_code == 200


def test_no_service_marked_sends_nothing(front, resident):
    app = _draft(front, resident)
    with pytest.raises(ValidationFailed) as exc:
        submit_application(actor=front, application_id=app.pk)
    assert exc.value.code == "services_required"
    app.refresh_from_db()
    assert app.status == Status.DRAFT and app.back_office_id is None
    assert not SocialCase.objects.filter(person=resident).exists()


def test_an_unknown_urgency_or_service_is_refused(front, resident):
    app = _draft(front, resident, social_services=["home_care"], urgency="someday")
    with pytest.raises(ValidationFailed) as exc:
        submit_application(actor=front, application_id=app.pk)
    assert exc.value.code == "invalid_urgency"
    app2 = _draft(front, resident, social_services=["teleportation"], urgency="normal")
    with pytest.raises(ValidationFailed) as exc:
        submit_application(actor=front, application_id=app2.pk)
    assert exc.value.code == "invalid_service"
    assert Application.objects.get(pk=app2.pk).status == Status.DRAFT


def test_one_open_case_per_person(front, resident):
    submit_application(actor=front, application_id=_draft(front, resident, social_services=["home_care"]).pk)
    second = _draft(front, resident, social_services=["day_care"])
    with pytest.raises(ValidationFailed) as exc:
        submit_application(actor=front, application_id=second.pk)
    assert exc.value.code == "case_already_open"
    assert Application.objects.get(pk=second.pk).status == Status.DRAFT


def test_the_wizard_marks_services_and_urgency_and_the_resident_checks_status(front, resident):
    app = _draft(front, resident)
    c = login(front)
    edit = c.get(reverse("front:edit", args=[app.pk])).content.decode()
    assert 'id="social-intake"' in edit and 'id="svc-home_care"' in edit and 'id="urgency-crisis"' in edit
    r = c.post(reverse("front:save_details", args=[app.pk]), {
        "channel": "in_person", "social_intake": "1", "social_services": ["counselling"], "urgency": "normal"})
    assert r.status_code == 302 and r["Location"] == reverse("front:review", args=[app.pk])
    review = c.get(r["Location"]).content.decode()
    assert 'id="social-review"' in review and "Консультування" in review
    assert "Центр надання соціальних послуг Баранівської міської ради" in review
    # Autosave keeps the marks as typed.
    c.post(reverse("front:save_draft", args=[app.pk]), {"social_intake": "1", "social_services": ["counselling",
                                                                                                   "day_care"],
                                                        "urgency": "crisis"})
    app.refresh_from_db()
    assert app.draft_data["social_services"] == ["counselling", "day_care"] and app.draft_data["urgency"] == "crisis"
    token = "t-social-1"
    r = c.post(reverse("front:submit", args=[app.pk]), {"form_token": token})
    assert r.status_code == 302
    app.refresh_from_db()
    case = SocialCase.objects.get(application=app)
    assert case.urgency == "crisis"
    card = c.get(reverse("front:card", args=[app.pk])).content.decode()
    assert case.number in card and 'id="print-receipt"' in card
    receipt = c.get(reverse("front:receipt", args=[app.pk]))
    assert receipt.status_code == 200 and b"".join(receipt.streaming_content).startswith(b"%PDF")
    # The resident: the same public status page as for any application, with the social case's stage.
    anon = Client()
    page = anon.get(reverse("notifications:status"), {"number": app.number, "code": app.check_code})
    body = page.content.decode()
    assert page.status_code == 200 and "триває оцінювання потреб" in body
    assert resident.last_name not in body
    api = anon.get("/api/v1/public/status", {"number": app.number, "code": app.check_code})
    assert api.status_code == 200 and "оцінювання потреб" in api.json()["status_label"]


def test_other_services_show_no_social_block(front, resident):
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=resident.pk)
    edit = login(front).get(reverse("front:edit", args=[app.pk])).content.decode()
    assert 'id="social-intake"' not in edit


def test_every_term_carries_its_source_and_an_unconfirmed_one_says_so(front, social, resident):
    """Issue #22, point 1: 5 working days to assess, 1 in a crisis, 10 to decide — each with its source in the
    data; not confirmed against the law in force, and the data and the pages say so."""
    terms = {k: rules.term(k) for k in ("assessment", "assessment_crisis", "decision")}
    assert (terms["assessment"].days, terms["assessment_crisis"].days, terms["decision"].days) == (5, 1, 10)
    assert all(t.kind == "working" and "2671-VIII" in t.source for t in terms.values())
    raw = rules.rules()["terms"]
    assert all(isinstance(raw[k]["confirmed"], bool) for k in terms)
    unconfirmed = [k for k, t in terms.items() if not t.confirmed]
    c = login(front)
    intake = c.get(reverse("social:new") + f"?person={resident.pk}").content.decode()
    for k in terms:
        assert f'id="term-{k}"' in intake and terms[k].source in intake
    assert intake.count("term-unconfirmed") == len(unconfirmed)
    app = _draft(front, resident)
    wizard = c.get(reverse("front:edit", args=[app.pk])).content.decode()
    assert ('id="social-terms-unconfirmed"' in wizard) == bool(unconfirmed)
    assert all(t.source in wizard for t in terms.values())
    submit_application(actor=front, application_id=_draft(front, resident, social_services=["home_care"]).pk)
    case = SocialCase.objects.get(person=resident)
    card = login(social).get(reverse("social:detail", args=[case.pk])).content.decode()
    assert card.count("term-unconfirmed") == len(unconfirmed)


def test_the_short_form_points_the_front_office_to_the_wizard(front, social):
    wizard = reverse("front:new_applicant", args=["social_services"])
    page = login(front).get(reverse("social:new")).content.decode()
    assert 'id="use-wizard"' in page and wizard in page
    assert 'id="use-wizard"' not in login(social).get(reverse("social:new")).content.decode()
    assert login(front).get(wizard).status_code == 200


@pytest.mark.parametrize("provide", [True, False])
def test_the_social_decision_comes_back_to_the_application(front, social, resident, centre, provide):
    """Decided in the social case, the application leaves the deciding office's queue and deadlines: decided,
    sent to the front office, handed over and closed like any other; the resident's status says so."""
    from hromada.applications.services.front import issue_result
    from hromada.social import services

    from .conftest import assess

    app = submit_application(actor=front, application_id=_draft(front, resident, social_services=["home_care"]).pk
                             ).application
    case = SocialCase.objects.get(application=app)
    assess(social, case)
    app.refresh_from_db()
    assert app.status == Status.SUBMITTED                      # the assessment alone decides nothing
    services.decide(actor=social, case_id=case.pk, outcome="provide" if provide else "refuse",
                    reason="Потребу підтверджено" if provide else "Потреби не підтверджено",
                    services=[services.ServiceChoice("home_care", centre.pk)] if provide else [])
    app.refresh_from_db()
    assert app.status == Status.RESULT_SENT and app.decided_at is not None
    events = [e.action for e in case_events(app)]
    assert ("social_provide" if provide else "social_refuse") in events and events[-1] == "send_result"
    entry = AuditEntry.objects.filter(action="application.social_decision").latest("id")
    assert entry.details == {"social_case_id": case.pk, "provide": provide}
    body = Client().get(reverse("notifications:status"), {"number": app.number, "code": app.check_code}
                        ).content.decode()
    assert "Результат готовий" in body
    c = login(front)
    assert app.number in c.get(reverse("front:results")).content.decode()
    assert c.get(reverse("front:card", args=[app.pk])).status_code == 200
    issue_result(actor=front, application_id=app.pk, method="in_person")
    app.refresh_from_db()
    assert app.status == Status.CLOSED


def test_a_desk_case_has_no_application_to_decide(front, social, resident, centre):
    from hromada.social import services

    from .conftest import assess

    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="normal")
    assess(social, case)
    services.decide(actor=social, case_id=case.pk, outcome="refuse", reason="Немає потреби")
    assert not AuditEntry.objects.filter(action="application.social_decision").exists()


def test_the_case_shows_the_applications_checklist_and_scans_as_its_one_list(front, social, resident):
    """Issue #22: the short form's ticks and the wizard's checklist were two lists. A case opened from an
    application shows that application's checklist (the catalogue's requirements) with links to its scans, not
    the short form's list; a case registered on the short form shows its ticks."""
    app = submit_application(actor=front, application_id=_draft(front, resident, social_services=["home_care"]).pk
                             ).application
    case = SocialCase.objects.get(application=app)
    card = login(social).get(reverse("social:detail", args=[case.pk])).content.decode()
    block = card.split('id="application-documents"')[1].split("</ul>")[0]
    for req in app.service.documents.all():
        assert req.title_uk in block
    for doc in app.documents.all():
        assert reverse("front:download", args=[app.pk, doc.pk]) in block
    assert block.count("не подано") == app.service.documents.exclude(timing="before_submit").count()
    assert 'id="case-documents"' not in card


def test_the_short_form_ticks_the_wizards_checklist_and_the_case_shows_its_ticks(front, social, resident):
    """One list: the short form offers the catalogue's checklist of «social_services» (the wizard's), by its codes;
    another code is refused; a case registered there shows its ticks."""
    from hromada.social import services

    catalogue = ServiceType.objects.get(code="social_services").documents.order_by("ordering", "code")
    assert list(rules.intake_documents()) == [r.code for r in catalogue]
    form = login(front).get(reverse("social:new") + f"?person={resident.pk}").content.decode()
    for req in catalogue:
        assert f'id="doc-{req.code}"' in form and req.title_uk in form
    with pytest.raises(ValidationFailed) as exc:
        services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                      urgency="normal", documents=["medical"])      # the old second list's code
    assert exc.value.code == "invalid_document"
    case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["home_care"],
                                         urgency="normal",
                                         documents=["application_form", "identity_document", "medical_conclusion"])
    card = login(social).get(reverse("social:detail", args=[case.pk])).content.decode()
    block = card.split('id="case-documents"')[1].split("</ul>")[0]
    assert catalogue.get(code="medical_conclusion").title_uk in block and 'id="application-documents"' not in card
    assert block.count("не подано") == 0
