"""The billable-event rule on tricky cases (rules.py)."""
from datetime import date
from decimal import Decimal

import pytest

from hromada.applications.models import Status
from hromada.billing import rules, services
from hromada.billing.models import BillingLine, ItemKind

from .factories import kyiv, make_application, person, service, tariff


@pytest.fixture
def office(front):
    return front.office


def lines(period, hromada):
    return {(line.kind, line.service.code, line.unit_amount): (line.count, line.amount)
            for line in BillingLine.objects.filter(period__year=int(period[:4]), period__month=int(period[5:]),
                                                   hromada=hromada).select_related("service")}


def verdict(app):
    (v,) = rules.classify([app.pk])
    return v


def test_month_is_kyiv_time_at_the_last_minute(office, front):
    # 31.03.2025 23:59 Kyiv = 20:59 UTC (summer time started 30.03): March. 00:00 on 1 April: April.
    march = make_application(office=office, user=front, submitted_at=kyiv(2025, 3, 31, 23, 59, 59))
    april = make_application(office=office, user=front, submitted_at=kyiv(2025, 4, 1, 0, 0, 0))
    assert march.first_submitted_at.utctimetuple().tm_mday == 31
    assert verdict(march).event_date == date(2025, 3, 31)
    assert verdict(april).event_date == date(2025, 4, 1)
    march_ids = set(rules.applications_of_month(2025, 3).values_list("id", flat=True))
    april_ids = set(rules.applications_of_month(2025, 4).values_list("id", flat=True))
    assert march.pk in march_ids and march.pk not in april_ids
    assert april.pk in april_ids and april.pk not in march_ids


def test_winter_month_edge_uses_kyiv_offset(office, front):
    # 31.01.2025 23:30 Kyiv is 21:30 UTC — January even though UTC is also 31 Jan; 01.02 00:30 Kyiv is 31 Jan UTC.
    feb = make_application(office=office, user=front, submitted_at=kyiv(2025, 2, 1, 0, 30))
    assert feb.first_submitted_at.astimezone(rules.KYIV).month == 2
    assert feb.pk in set(rules.applications_of_month(2025, 2).values_list("id", flat=True))
    assert feb.pk not in set(rules.applications_of_month(2025, 1).values_list("id", flat=True))


def test_resubmission_counts_once_in_the_first_month(office, front, ministry):
    app = make_application(office=office, user=front, submitted_at=kyiv(2025, 5, 20),
                           status=Status.RESUBMITTED, events=("take", "return", "resubmit"))
    # Resubmitted in June: submitted_at moves, first_submitted_at does not.
    app.submitted_at = kyiv(2025, 6, 3)
    app.save(update_fields=["submitted_at"])
    services.run_billing_period(actor=ministry, period="2025-05")
    services.run_billing_period(actor=ministry, period="2025-06")
    assert lines("2025-05", office.hromada)[(ItemKind.REGULAR, "birth_assistance", Decimal("50.00"))] == (
        1, Decimal("50.00"))
    assert lines("2025-06", office.hromada) == {}


def test_withdrawn_before_review_is_excluded_after_review_is_paid(office, front):
    before = make_application(office=office, user=front, submitted_at=kyiv(2025, 5, 2), status=Status.WITHDRAWN,
                              events=("withdraw",), withdrawn_at=kyiv(2025, 5, 3))
    after = make_application(office=office, user=front, submitted_at=kyiv(2025, 5, 2), status=Status.WITHDRAWN,
                             events=("take", "withdraw"), withdrawn_at=kyiv(2025, 5, 6))
    assigned = make_application(office=office, user=front, submitted_at=kyiv(2025, 5, 2), status=Status.WITHDRAWN,
                                events=("assign", "withdraw"), withdrawn_at=kyiv(2025, 5, 6))
    assert verdict(before).reason == rules.WITHDRAWN_BEFORE_REVIEW
    assert verdict(after).payable
    assert verdict(assigned).payable


def test_duplicate_while_earlier_open_and_after_grant_window(office, front):
    resident = person(office.hromada)
    first = make_application(office=office, user=front, submitted_at=kyiv(2025, 7, 1), applicant=resident,
                             status=Status.DECIDED_GRANTED, events=("take", "grant"), decided_at=kyiv(2025, 7, 10))
    # The two repeats are refused quickly (closed), so they do not keep the claim open for September.
    while_open = make_application(office=office, user=front, submitted_at=kyiv(2025, 7, 5), applicant=resident,
                                  status=Status.DECIDED_REFUSED, events=("take", "refuse"), decided_at=kyiv(2025, 7, 6))
    soon_after_grant = make_application(office=office, user=front, submitted_at=kyiv(2025, 7, 25), applicant=resident,
                                        status=Status.DECIDED_REFUSED, events=("take", "refuse"),
                                        decided_at=kyiv(2025, 7, 26))
    long_after_grant = make_application(office=office, user=front, submitted_at=kyiv(2025, 9, 1), applicant=resident)
    other_service = make_application(office=office, user=front, submitted_at=kyiv(2025, 7, 5), applicant=resident,
                                     service_obj=service("housing_subsidy"))
    assert verdict(first).payable
    assert verdict(while_open).reason == rules.DUPLICATE
    assert verdict(soon_after_grant).reason == rules.DUPLICATE
    assert verdict(long_after_grant).payable
    assert verdict(other_service).payable


def test_new_application_after_refusal_or_withdrawn_original_is_not_duplicate(office, front):
    resident = person(office.hromada)
    make_application(office=office, user=front, submitted_at=kyiv(2025, 7, 1), applicant=resident,
                     status=Status.DECIDED_REFUSED, events=("take", "refuse"), decided_at=kyiv(2025, 7, 3))
    after_refusal = make_application(office=office, user=front, submitted_at=kyiv(2025, 7, 4), applicant=resident)
    assert verdict(after_refusal).payable
    other = person(office.hromada)
    make_application(office=office, user=front, submitted_at=kyiv(2025, 7, 1), applicant=other,
                     status=Status.WITHDRAWN, events=("withdraw",), withdrawn_at=kyiv(2025, 7, 8))
    while_withdrawn_one_open = make_application(office=office, user=front, submitted_at=kyiv(2025, 7, 2),
                                                applicant=other)
    # The earlier one was abandoned before review (not paid), so this one is the paid acceptance.
    assert verdict(while_withdrawn_one_open).payable


def test_same_applicant_in_another_hromada_is_not_duplicate(front, front2):
    resident = person(front.office.hromada)
    make_application(office=front.office, user=front, submitted_at=kyiv(2025, 7, 1), applicant=resident)
    elsewhere = make_application(office=front2.office, user=front2, submitted_at=kyiv(2025, 7, 2), applicant=resident)
    assert verdict(elsewhere).payable


def test_tariff_change_mid_month_splits_the_month(office, front, ministry):
    svc = service("low_income_family")
    tariff("100.00", date(2025, 1, 1), end=date(2025, 3, 14), service_obj=svc)
    tariff("120.50", date(2025, 3, 15), service_obj=svc)
    for day in (1, 14):
        make_application(office=office, user=front, service_obj=svc, submitted_at=kyiv(2025, 3, day, 23, 30))
    for day in (15, 31):
        make_application(office=office, user=front, service_obj=svc, submitted_at=kyiv(2025, 3, day, 0, 5))
    make_application(office=office, user=front, service_obj=svc, submitted_at=kyiv(2025, 3, 20))
    services.run_billing_period(actor=ministry, period="2025-03")
    got = lines("2025-03", office.hromada)
    assert got[(ItemKind.REGULAR, "low_income_family", Decimal("100.00"))] == (2, Decimal("200.00"))
    assert got[(ItemKind.REGULAR, "low_income_family", Decimal("120.50"))] == (3, Decimal("361.50"))


def test_missing_tariff_fails_the_run_with_a_clear_code(office, front, ministry):
    from hromada.billing.models import Tariff

    Tariff.objects.all().delete()
    make_application(office=office, user=front, submitted_at=kyiv(2025, 2, 3))
    run = services.run_billing_period(actor=ministry, period="2025-02")
    assert run.status == "failed" and run.error_code == "tariff_missing"
