"""A list's total is counted by SQL compiled once per process for each ``scoping.rule_key`` and place (#24): the rule
must depend on the key alone, users of other keys must never share a compilation, and the compiled SQL must count
the data as they are when it runs (it embeds no rows)."""
from __future__ import annotations

import copy

import pytest
from django.db.models import Q

from hromada import testing
from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import Participant, ParticipantRole
from hromada.backoffice.tests.factories import person, submitted_case
from hromada.demo.services import BARANIVKA
from hromada.offices.models import Office
from hromada.territory.models import Category, Unit
from hromada.persons import scoping, selectors
from hromada.persons.models import Person

from .factories import make_person

pytestmark = pytest.mark.django_db


def _rule_sql(user, scope, cond: Q) -> tuple:
    """The rule's page condition and the total's expression, compiled afresh (the cache bypassed)."""
    page = Person.objects.filter(scoping.person_scope_q(user, scope), cond).query.get_compiler(using="default")
    return page.as_sql(), scoping._compiled_count.__wrapped__(scoping._Keyed(user, scope), cond, "default")


def _stranger(user: User) -> User:
    """The same role, office and scope in another user: every other attribute differs."""
    other = copy.copy(user)
    other.pk = other.id = user.pk + 10_000
    other.username, other.first_name, other.last_name = "stranger", "Інша", "Особа"
    other.email, other.is_staff, other.is_superuser = "stranger@example.org", not user.is_staff, False
    other.territory_id = None if user.territory_id else user.office.hromada_id if user.office_id else None
    return other


def test_the_rule_depends_on_its_key_alone(demo):
    area = selectors.area_q(settlement=BARANIVKA)
    for name in testing.DEMO_USERS:
        user = testing.user(name)
        scope = access.scope_of(user)
        for cond in (Q(), area):
            assert _rule_sql(_stranger(user), scope, cond) == _rule_sql(user, scope, cond), (name, cond)


def test_users_of_other_keys_never_share_a_total(front, front2):
    """Two back offices of one scope differ by their cases (the office is in the key); two desks by their scope."""
    case = submitted_case("front")
    deciding = User.objects.select_related("office", "territory").filter(
        office=case.back_office, role="back_specialist", is_active=True).order_by("pk").first()
    other_office = Office.objects.filter(function="back", is_active=True).exclude(pk=case.back_office_id).first()
    assert deciding is not None and other_office is not None
    scope = access.scope_of(deciding)
    far = Unit.objects.filter(category=Category.HROMADA).exclude(pk__in=scope.hromada_ids).order_by("pk").first()
    stranger = person(front, last_name="Приїжджа", registered_hromada=far)   # from outside the office's hromadas
    Participant.objects.create(application=case, person=stranger, role=ParticipantRole.FAMILY_MEMBER)
    colleague = copy.copy(deciding)             # the same role and scope, another office
    colleague.office, colleague.office_id = other_office, other_office.pk
    from_far = Q(registered_hromada=far)
    # (Users compare by their pk: the two are told apart by their position here.)
    by_rule = [Person.objects.filter(scoping.person_scope_q(u, scope), from_far).count() for u in (deciding, colleague)]
    assert by_rule == [1, 0]            # the case's stranger: seen by the deciding office only
    for user, expected in zip((deciding, colleague), by_rule, strict=True):
        assert scoping.person_scope_count(user, scope, from_far) == expected, user.office_id
        assert scoping.person_scope_count(user, scope, Q()) == Person.objects.filter(
            scoping.person_scope_q(user, scope)).count(), user.office_id
    for user in (front, front2):
        assert (scoping.person_scope_count(user, access.scope_of(user), Q())
                == access.visible(user, Person).count()), user.username


def test_the_compiled_total_counts_the_data_as_they_are(front, api):
    area = selectors.area_q(settlement=BARANIVKA)
    scope = access.scope_of(front)
    before = scoping.person_scope_count(front, scope, area)
    cached = scoping._compiled_count.cache_info().hits
    make_person(front, last_name="Новенька", address={"settlement_code": BARANIVKA, "street": "вул. Нова", "house": "1",
                                                       "flat": ""})
    assert scoping.person_scope_count(front, scope, area) == before + 1
    assert scoping._compiled_count.cache_info().hits > cached           # the same compilation, the new row counted
    assert api(front).get("persons", {"settlement": BARANIVKA, "with_total": 1})["X-Total-Count"] == str(before + 1)
