"""The checks against the register simulator over real HTTP: each adapter's answers, unavailability and the retry,
the circuit breaker, the exchange log, overrides, the API contract, the calculator's pre-fill and the offers."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from hromada.applications.models import ParticipantRole
from hromada.applications.services.intake import create_application
from hromada.applications.tests.factories import make_person
from hromada.audit.models import AuditEntry
from hromada.persons.models import Person
from hromada.persons.testing import make_rnokpp
from hromada.registers import selectors, services, tasks, xroad
from hromada.registers.models import CircuitState, ExchangeLog, ProactiveOffer, Verification
from hromada.registers.simulator import data

pytestmark = pytest.mark.django_db


def demo(doc_number: str) -> Person:
    return Person.objects.get(id_document_number=doc_number)


MARIA, SOFIA, HANNA, VASYL, OLENA = "001234567", "I-ЖТ 654321", "ЖМ765432", "009876543", "004455667"


def run_checks(actor, app, django_capture_on_commit_callbacks) -> dict:
    with django_capture_on_commit_callbacks(execute=True):
        services.request_verifications(actor=actor, application_id=app.pk)
    return {(r.check_code, r.subject_id): r for r in Verification.objects.filter(application=app)}


def draft(actor, service, applicant, *members, participants=()):
    return create_application(actor=actor, service_code=service, applicant_id=applicant.pk,
                              member_ids=[m.pk for m in members], participants=participants)


# --- each adapter: match, mismatch, not found --------------------------------------------------------------------


def test_identity_and_pension_match_mismatch_and_not_found(simulator, front, django_capture_on_commit_callbacks):
    maria, hanna = demo(MARIA), demo(HANNA)
    got = run_checks(front, draft(front, "low_income_family", hanna), django_capture_on_commit_callbacks)
    identity, pension = got[("identity_document", hanna.pk)], got[("pension_status", hanna.pk)]
    assert (identity.result, identity.field) == ("mismatch", "status")          # passport reported lost
    assert (pension.result, pension.field) == ("mismatch", "same_assistance")   # paid in another hromada
    assert pension.details["double_claim"][0]["katottg"] == data.OTHER_HROMADA

    got = run_checks(front, draft(front, "birth_assistance", maria, demo(SOFIA)), django_capture_on_commit_callbacks)
    assert got[("identity_document", maria.pk)].result == "match"
    assert got[("pension_status", maria.pk)].result == "match"   # her birth assistance is in this very hromada

    stranger = make_person(front.office.hromada, id_document_number="123123123")
    got = run_checks(front, draft(front, "birth_assistance", stranger), django_capture_on_commit_callbacks)
    assert got[("identity_document", stranger.pk)].result == "not_found"
    assert got[("pension_status", stranger.pk)].result == "not_found"


def test_civil_birth_record(simulator, front, django_capture_on_commit_callbacks):
    maria, sofia = demo(MARIA), demo(SOFIA)
    hromada = front.office.hromada
    # The certificate of a child the register knows under another name: the first name differs.
    wrong = make_person(hromada, last_name="Бондар", first_name="Марина", patronymic="Олегівна",
                        birth_date=date(2024, 8, 17), id_document_type="birth_certificate",
                        id_document_number="I-ЖТ 700903", rnokpp=None, no_rnokpp_reason="дитина")
    unknown = make_person(hromada, first_name="Іра", birth_date=date(2025, 1, 2), id_document_type="birth_certificate",
                          id_document_number="I-ЖТ 999999", rnokpp=None, no_rnokpp_reason="дитина")
    app = draft(front, "birth_assistance", maria, sofia, wrong, unknown)
    got = run_checks(front, app, django_capture_on_commit_callbacks)
    assert got[("birth_record", sofia.pk)].result == "match"
    assert (got[("birth_record", wrong.pk)].result, got[("birth_record", wrong.pk)].field) == ("mismatch", "first_name")
    assert got[("birth_record", unknown.pk)].result == "not_found"


def test_civil_death_record(simulator, front, django_capture_on_commit_callbacks):
    maria, hromada = demo(MARIA), front.office.hromada
    deceased = make_person(hromada, last_name="Мельничук", first_name="Степан", patronymic="Іванович",
                           birth_date=date(1941, 2, 3), sex="M", rnokpp=make_rnokpp(date(1941, 2, 3), "M", 901))
    misspelt = make_person(hromada, last_name="Мельничук", first_name="Степан", patronymic="Петрович",
                           birth_date=date(1941, 2, 3), sex="M", rnokpp=make_rnokpp(date(1941, 2, 4), "M", 905))
    app = draft(front, "funeral_assistance", maria, deceased, misspelt)
    got = run_checks(front, app, django_capture_on_commit_callbacks)
    assert got[("death_record", deceased.pk)].result == "match"
    assert got[("death_record", misspelt.pk)].result == "not_found"
    # The same record under another patronymic: a mismatch on that field.
    simulator.registers.deaths[misspelt.rnokpp] = simulator.registers.deaths[deceased.rnokpp]
    got = run_checks(front, app, django_capture_on_commit_callbacks)
    assert (got[("death_record", misspelt.pk)].result, got[("death_record", misspelt.pk)].field) == (
        "mismatch", "patronymic")


def test_tax_incomes(simulator, front, front2, django_capture_on_commit_callbacks):
    maria, petro = demo(MARIA), demo("ЖТ123456")
    got = run_checks(front, draft(front, "low_income_family", maria, petro), django_capture_on_commit_callbacks)
    row = got[("incomes", maria.pk)]
    assert row.result == "match" and len(row.details["incomes"]) == 2 and row.details["monthly"] == "2400.00"
    assert got[("incomes", petro.pk)].result == "match"
    vasyl = demo(VASYL)
    got = run_checks(front2, draft(front2, "housing_subsidy", vasyl), django_capture_on_commit_callbacks)
    assert (got[("incomes", vasyl.pk)].result, got[("incomes", vasyl.pk)].field) == ("mismatch", "birth_date")
    stranger = make_person(front2.office.hromada, id_document_number="321321321")
    got = run_checks(front2, draft(front2, "housing_subsidy", stranger), django_capture_on_commit_callbacks)
    assert got[("incomes", stranger.pk)].result == "not_found"


def test_idp_register(simulator, front, front2, django_capture_on_commit_callbacks):
    olena = demo(OLENA)
    got = run_checks(front2, draft(front2, "idp_living_allowance", olena), django_capture_on_commit_callbacks)
    assert got[("idp_certificate", olena.pk)].result == "match"
    simulator.registers.idp[olena.rnokpp] = {**simulator.registers.idp[olena.rnokpp], "status": "cancelled"}
    got = run_checks(front2, draft(front2, "idp_living_allowance", olena), django_capture_on_commit_callbacks)
    assert (got[("idp_certificate", olena.pk)].result, got[("idp_certificate", olena.pk)].field) == ("mismatch", "status")
    simulator.registers.idp[olena.rnokpp]["status"] = "active"
    maria = demo(MARIA)
    got = run_checks(front, draft(front, "idp_living_allowance", maria), django_capture_on_commit_callbacks)
    assert got[("idp_certificate", maria.pk)].result == "not_found"


# --- the X-Road header ------------------------------------------------------------------------------------------


def test_simulator_refuses_a_message_without_a_proper_x_road_header(simulator, settings):
    import requests

    body = (f'<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>'
            f'<r:GetIdpCertificate xmlns:r="{xroad.NS}"><r:rnokpp>1</r:rnokpp></r:GetIdpCertificate></s:Body></s:Envelope>')
    answer = requests.post(settings.HROMADA_TREMBITA_URL, data=body.encode(), timeout=5)
    assert answer.status_code == 500 and b"Client.MissingHeader" in answer.content
    # What the client sends passes, and the simulator saw every header field.
    result = xroad.call("idp", "GetIdpCertificate", user_id="UA-front_demo", rnokpp="1")
    assert result.ok and result.body["found"] is False
    seen = simulator.requests[-1]
    assert seen["userId"] == "UA-front_demo" and seen["id"] == result.last.request_id
    assert seen["client"] == "UA/GOV/12345678/HROMADA-TEST"
    # Another service version of the protocol is refused.
    settings.HROMADA_TREMBITA_SERVICES = {"idp": "UA/GOV/99999999/OTHER"}
    refused = xroad.call("idp", "GetIdpCertificate", user_id="UA-x", rnokpp="1")
    assert not refused.ok and refused.last.outcome == "fault" and "UnknownService" in refused.last.detail


# --- unavailable, retried later; the circuit breaker -------------------------------------------------------------


def test_timeout_is_unavailable_and_a_later_retry_matches(simulator, front, django_capture_on_commit_callbacks,
                                                          settings):
    settings.HROMADA_TREMBITA_TIMEOUT = 0.3
    maria = demo(MARIA)
    simulator.configure({"identity": {"latency": 1.0}})
    app = draft(front, "birth_assistance", maria)
    got = run_checks(front, app, django_capture_on_commit_callbacks)
    row = got[("identity_document", maria.pk)]
    assert row.result == "unavailable" and row.next_attempt_at is not None and row.checked_at is None
    log = ExchangeLog.objects.filter(verification=row)
    assert [e.outcome for e in log] == ["timeout", "timeout"]           # one try and one retry at once
    assert selectors.summary(list(Verification.objects.filter(application=app))).label == "не перевірено"
    # The register recovers; the sweep picks the row once its time has come.
    simulator.configure({"identity": {"latency": 0}})
    assert tasks.retry_unavailable.delay().get() == 0                    # not yet due
    Verification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert tasks.retry_unavailable.delay().get() == 1
    row.refresh_from_db()
    assert row.result == "match" and row.checked_at is not None and row.attempts == 2


def test_circuit_opens_after_repeated_failures_and_closes_again(simulator, front, settings,
                                                                django_capture_on_commit_callbacks):
    settings.HROMADA_TREMBITA_RETRIES = 0
    maria = demo(MARIA)
    app = draft(front, "birth_assistance", maria)
    simulator.configure({"identity": {"failure_rate": 1.0}})
    for _ in range(3):
        run_checks(front, app, django_capture_on_commit_callbacks)
    state = CircuitState.objects.get(register="identity")
    assert state.state == "open" and state.failures == 3
    # Open: no message leaves (the state is in the database: a fresh process sees it too).
    sent = len(simulator.requests)
    simulator.configure({"identity": {"failure_rate": 0}})
    got = run_checks(front, app, django_capture_on_commit_callbacks)
    assert got[("identity_document", maria.pk)].result == "unavailable"
    assert len([r for r in simulator.requests[sent:] if r["register"] == "identity"]) == 0
    assert ExchangeLog.objects.filter(application=app, outcome="circuit_open").exists()
    # Other registers are not affected.
    assert got[("pension_status", maria.pk)].result == "match"
    # After the pause one probe goes through; its success closes the circuit.
    CircuitState.objects.filter(register="identity").update(open_until=timezone.now() - timedelta(seconds=1))
    got = run_checks(front, app, django_capture_on_commit_callbacks)
    assert got[("identity_document", maria.pk)].result == "match"
    assert CircuitState.objects.get(register="identity").state == "closed"


def test_half_open_probe_failure_reopens(simulator, settings):
    settings.HROMADA_TREMBITA_BREAKER_FAILURES = 2
    services.breaker_record("tax", ok=False)
    assert services.breaker_record("tax", ok=False) == "open"
    assert not services.breaker_allows("tax")
    CircuitState.objects.filter(register="tax").update(open_until=timezone.now() - timedelta(seconds=1))
    assert services.breaker_allows("tax")
    assert services.breaker_record("tax", ok=False) == "open"


# --- the log on the case, overrides, the API -------------------------------------------------------------------


def test_request_log_on_the_case_and_its_csv(simulator, front, back, django_capture_on_commit_callbacks, client):
    maria = demo(MARIA)
    app = draft(front, "birth_assistance", maria, demo(SOFIA))
    run_checks(front, app, django_capture_on_commit_callbacks)
    log = list(ExchangeLog.objects.filter(application=app))
    assert {e.register for e in log} == {"identity", "pension", "civil"}
    assert all(e.outcome == "ok" and len(e.response_sha256) == 64 and e.request_id and e.via_simulator for e in log)
    assert {e.user_id for e in log} == {"UA-front_demo"}
    ids = {r.request_id for r in Verification.objects.filter(application=app)}
    assert ids <= {e.request_id for e in log}
    client.force_login(front)
    answer = client.get(f"/registers/applications/{app.pk}/log.csv", {"format": "machine"})
    assert answer.status_code == 200
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8"))))
    assert len(rows) == len(log) and rows[0]["application"] == app.number and rows[0]["simulator"] == "true"
    people = client.get(f"/registers/applications/{app.pk}/log.csv").content.decode("utf-8")
    assert people.startswith("\ufeffЗаява;Реєстр;")
    assert AuditEntry.objects.filter(action="registers.log_export").exists()
    # The auditor exports the whole log (every case and the birth feed); a front office may not.
    auditor = front.__class__.objects.get(username="auditor_demo")
    client.force_login(auditor)
    answer = client.get("/registers/log.csv", {"from": timezone.localdate().isoformat()})
    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    assert answer.status_code == 200 and all(e.request_id in text for e in log)
    client.force_login(front)
    assert client.get("/registers/log.csv").status_code == 403
    # Another hromada's desk does not see it.
    client.force_login(front.__class__.objects.get(username="front2_demo"))
    assert client.get(f"/registers/applications/{app.pk}/log.csv").status_code == 404


def test_mismatch_override_needs_a_reason_and_is_audited(simulator, front, django_capture_on_commit_callbacks):
    from hromada.core.errors import Conflict, ValidationFailed

    hanna = demo(HANNA)
    got = run_checks(front, draft(front, "low_income_family", hanna), django_capture_on_commit_callbacks)
    row = got[("identity_document", hanna.pk)]
    with pytest.raises(ValidationFailed):
        services.override_mismatch(actor=front, verification_id=row.pk, reason="ok")
    services.override_mismatch(actor=front, verification_id=row.pk,
                               reason="Оригінал паспорта пред’явлено; заява про втрату відкликана")
    row.refresh_from_db()
    assert row.override_reason.startswith("Оригінал") and row.overridden_by == front
    assert AuditEntry.objects.filter(action="registers.override", object_id=str(row.application_id)).exists()
    maria = demo(MARIA)
    matched = run_checks(front, draft(front, "birth_assistance", maria), django_capture_on_commit_callbacks)
    with pytest.raises(Conflict):
        services.override_mismatch(actor=front, verification_id=matched[("identity_document", maria.pk)].pk,
                                   reason="x" * 20)


def test_api_contract(simulator, front, front2, api, django_capture_on_commit_callbacks):
    hanna = demo(HANNA)
    app = draft(front, "low_income_family", hanna)
    client = api(front)
    assert client.get(f"applications/{app.pk}/verifications").json() == []
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"applications/{app.pk}/verifications")
    assert answer.status_code == 202
    rows = client.get(f"applications/{app.pk}/verifications").json()
    assert {tuple(sorted(r)) for r in rows} == {("check", "checked_at", "field", "override_reason", "register",
                                                  "request_id", "result")}
    identity = next(r for r in rows if r["register"] == "identity")
    assert identity["check"] == "identity_document" and identity["result"] == "mismatch" and identity["field"] == "status"
    assert identity["checked_at"] and identity["request_id"] and identity["override_reason"] == ""
    assert {r["result"] for r in rows} <= {"match", "mismatch", "not_found", "unavailable", "pending"}
    # Out of scope: 404 both ways.
    other = api(front2)
    assert other.get(f"applications/{app.pk}/verifications").status_code == 404
    assert other.post(f"applications/{app.pk}/verifications").status_code == 404


def test_not_configured_is_said_never_defaulted(front, api, settings, django_capture_on_commit_callbacks):
    settings.HROMADA_TREMBITA_URL = ""
    app = draft(front, "birth_assistance", demo(MARIA))
    answer = api(front).post(f"applications/{app.pk}/verifications")
    assert answer.status_code == 409 and answer.json()["code"] == "registers_not_configured"
    assert not Verification.objects.filter(application=app).exists()


def test_submission_starts_the_checks(simulator, front, django_capture_on_commit_callbacks):
    from hromada.applications.demo import _attach
    from hromada.applications.services.intake import submit_application
    from hromada.catalog.models import Timing

    app = draft(front, "birth_assistance", demo(MARIA), demo(SOFIA))
    _attach(app, front, [Timing.BEFORE_SUBMIT], 500)
    with django_capture_on_commit_callbacks(execute=True):
        submit_application(actor=front, application_id=app.pk)
    results = {r.check_code: r.result for r in Verification.objects.filter(application=app)}
    assert results == {"identity_document": "match", "pension_status": "match", "birth_record": "match"}


# --- the calculator's pre-fill -----------------------------------------------------------------------------------


def test_income_prefill_with_provenance_and_correction(simulator, front, back, django_capture_on_commit_callbacks,
                                                       client):
    maria, petro = demo(MARIA), demo("ЖТ123456")
    app = draft(front, "low_income_family", maria, petro)
    run_checks(front, app, django_capture_on_commit_callbacks)
    prefill = selectors.income_prefill(front, app.pk)
    assert prefill.register_monthly == Decimal("5500.00") == prefill.monthly     # 2400 + 3100
    assert {f.person for f in prefill.figures} == {maria.full_name, petro.full_name}
    assert all("тестовий реєстр" in f.source and "запит" in f.source for f in prefill.figures)
    assert selectors.calculator_prefill(front, app) == {"income": "5500.00"}
    from hromada.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        services.correct_income(actor=back, application_id=app.pk, monthly_income="5000", reason="")
    # The back office sees the case once it is sent; it corrects the figure with a reason.
    from hromada.applications.models import Application

    Application.objects.filter(pk=app.pk).update(status="submitted", back_office=back.office)
    services.correct_income(actor=back, application_id=app.pk, monthly_income="5000,50",
                            reason="Петро звільнився в останньому місяці (трудова книжка)")
    prefill = selectors.income_prefill(back, app.pk)
    assert prefill.monthly == Decimal("5000.50") and prefill.register_monthly == Decimal("5500.00")
    assert "виправлено фахівцем" in prefill.source
    from hromada.backoffice.services import take_application

    take_application(actor=back, application_id=app.pk)
    client.force_login(back)
    page = client.get(f"/back/cases/{app.pk}/").content.decode()
    assert 'id="calc-income"' in page and 'value="5000.50"' in page and "calc-income-source" in page
    assert "Перевірки в державних реєстрах" in page and "тестовий реєстр" in page


# --- proactive offers ------------------------------------------------------------------------------------------


def test_birth_notification_becomes_an_offer_and_an_application(simulator, front, front2, api, client):
    maria = demo(MARIA)
    sequence = simulator.add_birth({"katottg": data.BARANIVSKA, "mother_rnokpp": maria.rnokpp,
                                    "certificate": ["I-ЖТ", "812345"],
                                    "child": {"last_name": "Коваленко", "first_name": "Олеся", "patronymic": "Петрівна",
                                              "birth_date": (date.today() - timedelta(days=3)).isoformat(),
                                              "sex": "F"}})["sequence"]
    assert tasks.poll_births.delay().get() >= 1
    assert tasks.poll_births.delay().get() == 0       # the cursor moved: the same birth never makes two offers
    offer = ProactiveOffer.objects.get(certificate_number="812345")
    assert offer.sequence == sequence and offer.mother == maria and offer.reference.startswith("ПП-")
    listed = api(front).get("offers").json()
    assert any(o["reference"] == offer.reference and o["mother_id"] == maria.pk for o in listed)
    assert all(o["reference"] != offer.reference for o in api(front2).get("offers").json())
    assert selectors.offer_counts(front)["converted"] == 0
    client.force_login(front)
    answer = client.post(f"/registers/offers/{offer.pk}/start/")
    offer.refresh_from_db()
    assert offer.status == "converted" and answer.status_code == 302
    app = offer.application
    assert app.service.code == "birth_assistance" and app.applicant_person == maria
    assert offer.reference in app.note
    child = app.participants.get(role=ParticipantRole.FAMILY_MEMBER).person
    assert child.first_name == "Олеся" and child.id_document_number == "I-ЖТ 812345"
    counts = selectors.offer_counts(front)
    assert counts["converted"] >= 1 and counts["total"] >= counts["converted"]
    page = client.get("/registers/offers/").content.decode()
    assert offer.reference in page and "тестовий реєстр" in page
    # The monitoring's figures: the oblast sees the hromada's offers and conversions, no names.
    oblast = front.__class__.objects.get(username="oblast_demo")
    figures = {r["code"]: r for r in selectors.offer_figures(oblast)}
    assert figures[data.BARANIVSKA]["converted"] >= 1
    client.force_login(oblast)
    page = client.get("/registers/offers/figures/").content.decode()
    assert 'id="offers-converted"' in page and "Олеся" not in page
