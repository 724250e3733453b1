"""The permission layer: role + scope decide, every check with two users of different territories."""
from datetime import date

import pytest

from hromada.accounts import access
from hromada.applications.models import Application, Status
from hromada.catalog.models import ServiceType
from hromada.core.errors import Forbidden, NotFound
from hromada.demo.services import BARANIVSKA, OBLAST, TETERIVSKA
from hromada.offices.models import HromadaServing
from hromada.territory.models import Unit


def make_application(front_user, status=Status.SUBMITTED, number=None):
    office = front_user.office
    from hromada.offices.selectors import deciding_office_for
    return Application.objects.create(
        number=number or f"T-{office.pk}-{Application.objects.count() + 1}",
        service=ServiceType.objects.get(code="birth_assistance"), status=status, front_office=office,
        hromada=office.hromada, back_office=deciding_office_for(office.hromada, "pension_fund"), registered_by=front_user,
        application_date=date(2026, 11, 2))


def test_scopes_of_demo_roles(front, front2, back, head, hadmin, oblast, ministry, back2):
    baranivska, teterivska = Unit.objects.get(code=BARANIVSKA), Unit.objects.get(code=TETERIVSKA)
    assert access.scope_of(front).hromada_ids == {baranivska.pk}
    assert access.scope_of(front2).hromada_ids == {teterivska.pk}
    assert baranivska.pk in access.scope_of(back).hromada_ids
    assert teterivska.pk not in access.scope_of(back).hromada_ids
    assert teterivska.pk in access.scope_of(back2).hromada_ids
    assert access.scope_of(head) == access.scope_of(back)
    assert access.scope_of(hadmin).hromada_ids == {baranivska.pk}
    assert access.scope_of(oblast).level == "oblast"
    assert access.scope_of(oblast).oblast_id == Unit.objects.get(code=OBLAST).pk
    assert access.scope_of(ministry).level == "country"


def test_served_hromadas_are_listed_only_for_a_scope_of_hromadas(front, back, back2, oblast, ministry):
    baranivska, teterivska = Unit.objects.get(code=BARANIVSKA), Unit.objects.get(code=TETERIVSKA)
    assert access.served_hromada_ids(front) == [baranivska.pk]
    assert access.served_hromada_ids(back) == sorted(access.scope_of(back).hromada_ids)
    assert baranivska.pk in access.served_hromada_ids(back) and teterivska.pk not in access.served_hromada_ids(back)
    assert teterivska.pk in access.served_hromada_ids(back2)
    # an oblast or the whole country is not a list of hromadas: the filters offer none
    assert access.served_hromada_ids(oblast) == [] and access.served_hromada_ids(ministry) == []
    assert access.Scope("oblast", frozenset({baranivska.pk}), oblast_id=1).listed_hromada_ids() == []


def test_where_a_scope_starts_and_who_sees_the_country():
    # no database: the scope's own answers
    country, oblast, one, served = (access.Scope("country"), access.Scope("oblast", oblast_id=7),
                                    access.Scope("hromadas", frozenset({3})), access.Scope("hromadas", frozenset({3, 4})))
    assert [s.home() for s in (country, oblast, one, served, access.NO_SCOPE, access.Scope("hromadas"))] == [
        ("country", None), ("oblast", 7), ("hromada", 3), ("served", None), ("", None), ("", None)]
    assert [s.contains_area("country", None) for s in (country, oblast, one, access.NO_SCOPE)] == [
        True, False, False, False]


def test_front_office_sees_only_its_hromada(front, front2):
    mine, theirs = make_application(front), make_application(front2)
    ours = [mine.pk, theirs.pk]  # the demo has applications of its own
    assert list(access.visible(front, Application).filter(pk__in=ours)) == [mine]
    assert list(access.visible(front2, Application).filter(pk__in=ours)) == [theirs]
    assert not access.visible(front, Application).exclude(hromada=front.office.hromada).exists()
    assert access.get_visible(front, Application, pk=mine.pk) == mine
    with pytest.raises(NotFound):
        access.get_visible(front, Application, pk=theirs.pk)
    with pytest.raises(NotFound):
        access.get_visible(front, Application, pk="not-a-number")


def test_back_office_sees_served_hromadas_and_never_drafts(front, front2, back, back2):
    sent, draft, other = make_application(front), make_application(front, Status.DRAFT), make_application(front2)
    ours = [sent.pk, draft.pk, other.pk]
    assert list(access.visible(back, Application).filter(pk__in=ours)) == [sent]
    assert list(access.visible(back2, Application).filter(pk__in=ours)) == [other]
    assert not access.visible(back, Application).filter(status=Status.DRAFT).exists()


def test_back_office_keeps_the_cases_sent_to_it_when_a_hromada_moves(front, back, back2):
    sent = make_application(front)
    HromadaServing.objects.create(hromada=front.office.hromada, back_office=back2.office)
    fresh = type(back).objects.get(pk=back.pk)   # a new request: the scope is computed again
    assert front.office.hromada_id not in access.scope_of(fresh).hromada_ids
    # the old department still finishes what it received; the new one gets the cases sent from now on
    assert list(access.visible(fresh, Application).filter(pk=sent.pk)) == [sent]
    assert not access.visible(type(back2).objects.get(pk=back2.pk), Application).filter(pk=sent.pk).exists()


def test_aggregate_roles_do_not_read_case_files(front, oblast, ministry, sysadmin):
    make_application(front)
    for user in (oblast, ministry, sysadmin):
        assert access.visible(user, Application).count() == 0


def test_actions_by_role(front, back, head, ministry):
    assert access.may(front, "application.intake") and not access.may(front, "application.review")
    assert access.may(back, "application.review") and not access.may(back, "application.assign")
    assert access.may(head, "application.assign")
    assert access.may(ministry, "billing.run") and not access.may(front, "billing.run")
    with pytest.raises(Forbidden):
        access.require(front, "billing.run")
    with pytest.raises(KeyError):
        access.require(front, "no.such.action")


def test_inactive_user_sees_nothing(front):
    make_application(front)
    front.is_active = False
    assert access.visible(front, Application).count() == 0
    assert not access.may(front, "application.intake")
