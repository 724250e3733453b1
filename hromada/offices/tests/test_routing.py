"""Routing by who decides: a service names its deciding authority, a case goes to that authority's office serving
the hromada; the routing is data an administrator changes (audited); no office → a clear error at submission."""
import pytest
from django.urls import reverse

from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import Application, Status
from hromada.applications.services.intake import create_application, submit_application
from hromada.applications.tests.factories import fill_required, make_person
from hromada.audit.models import AuditEntry
from hromada.backoffice import selectors as back_selectors
from hromada.backoffice.selectors import QueueFilters
from hromada.catalog.models import ServiceType
from hromada.core.errors import ValidationFailed
from hromada.offices.models import Authority, HromadaServing, Kind, Office
from hromada.offices.selectors import deciding_office_for
from hromada.offices.services import assign_back_office, remove_routing


def _submitted(front, service_code: str) -> Application:
    person = make_person(front.office.hromada)
    app = create_application(actor=front, service_code=service_code, applicant_id=person.pk)
    fill_required(app, front)
    return submit_application(actor=front, application_id=app.pk).application


def test_each_catalog_service_names_its_deciding_authority(demo):
    by_code = dict(ServiceType.objects.values_list("code", "deciding_authority"))
    assert by_code["birth_assistance"] == by_code["housing_subsidy"] == Authority.PENSION_FUND
    assert by_code["idp_certificate"] == Authority.SOCIAL_PROTECTION
    assert by_code["child_rights"] == Authority.CHILDREN_SERVICE
    assert set(by_code.values()) <= set(Authority.values)


def test_child_rights_request_reaches_the_childrens_service_never_a_social_protection_queue(
        front, back, head, child, demo):
    social = User.objects.get(username="uszn_demo")
    app = _submitted(front, "child_rights")
    assert app.back_office.kind == Kind.CHILDREN_SERVICE and app.back_office == child.office
    # The children's service sees it in its queue and may take it; no social-protection or Pension Fund desk does.
    assert app.pk in [r.pk for r in back_selectors.queue(child, QueueFilters()).object_list]
    for other in (back, head, social):
        assert not access.visible(other, Application).filter(pk=app.pk).exists(), other.username
        assert app.pk not in [r.pk for r in back_selectors.queue(other, QueueFilters()).object_list]
    # And the children's service sees no other kind of case of its hromada.
    birth = _submitted(front, "birth_assistance")
    assert birth.back_office == back.office
    assert not access.visible(child, Application).filter(pk=birth.pk).exists()


def test_assistance_goes_to_the_pension_fund_and_a_certificate_to_social_protection(front, front2, back, back2):
    assert _submitted(front, "birth_assistance").back_office == back.office
    assert _submitted(front2, "low_income_family").back_office == back2.office
    social = _submitted(front, "idp_certificate").back_office
    assert social.kind == Kind.RAION_SOCIAL_PROTECTION and social == User.objects.get(username="uszn_demo").office


def test_no_office_for_the_authority_is_a_clear_error_at_submission(front, api):
    Office.objects.filter(kind=Kind.CHILDREN_SERVICE, territory=front.office.hromada).update(is_active=False)
    person = make_person(front.office.hromada)
    app = create_application(actor=front, service_code="child_rights", applicant_id=person.pk)
    fill_required(app, front)
    with pytest.raises(ValidationFailed) as exc:
        submit_application(actor=front, application_id=app.pk)
    assert exc.value.code == "no_deciding_office"
    assert "Служба у справах дітей" in str(exc.value.message) and "Баранівська" in str(exc.value.message)
    app.refresh_from_db()
    assert app.status == Status.DRAFT and app.back_office_id is None    # nothing was sent
    res = api(front).post(f"applications/{app.pk}/submit", {})
    assert res.status_code == 422 and res.json()["code"] == "no_deciding_office"


def test_an_administrator_changes_the_routing_and_the_audit_keeps_old_and_new(front, back, back2, sysadmin):
    hromada = front.office.hromada
    assert deciding_office_for(hromada, Authority.PENSION_FUND) == back.office
    serving = assign_back_office(hromada=hromada, back_office=back2.office, actor=sysadmin, note="наказ № 5")
    assert deciding_office_for(hromada, Authority.PENSION_FUND) == back2.office
    entry = AuditEntry.objects.filter(action="offices.route").latest("id")
    assert entry.actor == sysadmin and entry.details["authority"] == "pension_fund"
    assert entry.details["old_office"] is None and entry.details["new_office"] == back2.office.pk
    # One row per authority: routing again replaces it (old → new), another authority's default is untouched.
    assign_back_office(hromada=hromada, back_office=back.office, actor=sysadmin)
    assert HromadaServing.objects.filter(hromada=hromada).count() == 1
    entry = AuditEntry.objects.filter(action="offices.route").latest("id")
    assert (entry.details["old_office"], entry.details["new_office"]) == (back2.office.pk, back.office.pk)
    assert deciding_office_for(hromada, Authority.SOCIAL_PROTECTION).kind == Kind.RAION_SOCIAL_PROTECTION
    remove_routing(serving_id=HromadaServing.objects.get(hromada=hromada).pk, actor=sysadmin)
    entry = AuditEntry.objects.filter(action="offices.route").latest("id")
    assert (entry.details["old_office"], entry.details["new_office"]) == (back.office.pk, None)
    assert not HromadaServing.objects.filter(pk=serving.pk).exists()
    with pytest.raises(ValidationFailed) as exc:
        assign_back_office(hromada=hromada, back_office=front.office, actor=sysadmin)
    assert exc.value.code == "not_a_back_office"


def test_routing_through_the_admin_site_is_audited(client, front, back, back2, sysadmin, settings):
    settings.HROMADA_REQUIRE_2FA = False
    client.force_login(sysadmin)
    hromada = front.office.hromada
    res = client.post(reverse("admin:offices_hromadaserving_add"),
                      {"hromada": hromada.pk, "back_office": back2.office.pk, "since": "", "note": "тест"})
    assert res.status_code == 302, res.content.decode()[:2000]
    assert deciding_office_for(hromada, Authority.PENSION_FUND) == back2.office
    assert AuditEntry.objects.filter(action="offices.route", actor=sysadmin).exists()
    res = client.post(reverse("admin:offices_hromadaserving_add"),
                      {"hromada": hromada.pk, "back_office": front.office.pk, "since": "", "note": ""})
    assert res.status_code == 200 and "errorlist" in res.content.decode()   # the form refuses a front office
    assert not HromadaServing.objects.filter(back_office=front.office).exists()


def test_catalog_api_names_the_deciding_authority(api, demo):
    res = api(None).get("catalog/services/child_rights")
    assert res.status_code == 200 and res.json()["deciding_authority"] == "children_service"
    assert api(None).get("catalog/services/birth_assistance").json()["deciding_authority"] == "pension_fund"
