"""A list's total is counted by SQL compiled once per process for each ``scoping.rule_key`` and place (#24): the rule
must depend on the key alone, users of other keys must never share a compilation, and the compiled SQL must count
the data as they are when it runs (it embeds no rows)."""
from __future__ import annotations

import copy
from datetime import date

import pytest
from django.db.models import Q

from hromada import testing
from hromada.accounts import access
from hromada.accounts.models import User
from hromada.applications.models import Participant, ParticipantRole
from hromada.backoffice.tests.factories import person, submitted_case
from hromada.core.compiled import Keyed
from hromada.demo.services import BARANIVKA
from hromada.offices.models import Office
from hromada.persons import scoping, selectors
from hromada.persons.models import RESIDENCE_CATEGORIES, HouseholdMember, Person
from hromada.persons.testing import make_rnokpp
from hromada.territory.models import Category, Unit

from .factories import make_person

pytestmark = pytest.mark.django_db


def _rule_sql(user, scope, cond: Q) -> tuple:
    """The rule's page condition and the total's expression, compiled afresh (the cache bypassed)."""
    page = Person.objects.filter(scoping.person_scope_q(user, scope), cond).query.get_compiler(using="default")
    return page.as_sql(), scoping._compiled_count.__wrapped__(Keyed(None, user, scope), cond, "default")


def _stranger(user: User) -> User:
    """The same role, office and scope (its cache copied) in another user: its id, names, e-mail and flags differ."""
    other = copy.copy(user)
    other.pk = other.id = user.pk + 10_000
    other.username, other.first_name, other.last_name = "stranger", "Інша", "Особа"
    other.email, other.is_staff, other.is_superuser = "stranger@example.org", not user.is_staff, False
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
        assert access.visible(user, Person).filter(from_far).count() == expected, user.office_id   # the list's rule
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


def _uncompiled(user) -> set[int]:
    if not access.may(user, "person.view"):
        return set()
    return set(Person.objects.filter(scoping.person_scope_q(user, access.scope_of(user))).values_list("pk", flat=True))


def test_the_compiled_rule_sees_what_the_rule_sees_also_inside_subqueries(demo, front, back):
    """``visible`` applies the person rule compiled once per key (``core.compiled``): the same persons as the rule
    built afresh, whether the list is read itself, as a subquery or as a subquery of a subquery (its table then has
    another alias in each)."""
    head = make_person(front, last_name="Головна")
    for relation, member in (("child", make_person(front, last_name="Членова")),
                             ("spouse", person(front2_user := testing.user("front2"), last_name="Чужа"))):
        HouseholdMember.objects.create(person=head, member=member, relation=relation)
    for user in (front, back, front2_user, testing.user("ministry"), testing.user("social")):
        expected = _uncompiled(user)
        assert set(access.visible(user, Person).values_list("pk", flat=True)) == expected, user.username
        inner = HouseholdMember.objects.filter(member__in=access.visible(user, Person).values("pk"))
        assert set(inner.values_list("member_id", flat=True)) == set(
            HouseholdMember.objects.filter(member__in=expected).values_list("member_id", flat=True)), user.username
        nested = Person.objects.filter(pk__in=HouseholdMember.objects.filter(
            member__in=access.visible(user, Person).values("pk")).values("person_id"))
        assert set(nested.values_list("pk", flat=True)) == set(Person.objects.filter(
            pk__in=HouseholdMember.objects.filter(member__in=expected).values("person_id")).values_list("pk", flat=True))
    assert head.pk in set(access.visible(front, Person).filter(
        pk__in=HouseholdMember.objects.filter(member__in=access.visible(front, Person).values("pk"))
        .values("person_id")).values_list("pk", flat=True))


def test_the_rule_is_compiled_once_per_key(front, front2):
    before = access._compiled_rule.cache_info()
    for user in (front, front2, front, front2, front):
        list(access.visible(user, Person)[:1])
    after = access._compiled_rule.cache_info()
    assert after.misses - before.misses <= 2 and after.hits - before.hits >= 3


def test_a_condition_compiles_only_on_its_own_rows_without_correlated_subqueries(demo):
    from django.db.models import OuterRef

    from hromada.core.compiled import NotCompilable, compile_condition
    from hromada.persons.models import PersonLink

    assert compile_condition(Person, Q(), "default") is None                       # every row: no filter
    assert not Person.objects.filter(compile_condition(Person, Q(pk__in=[]), "default")).exists()
    some = Person.objects.order_by("pk").first()
    kept = compile_condition(Person, Q(pk=some.pk) | Q(pk__in=PersonLink.objects.values("person_id")), "default")
    assert some.pk in set(Person.objects.filter(kept).values_list("pk", flat=True))
    # Combined with other conditions as one term (its OR does not swallow them):
    assert list(Person.objects.filter(kept, pk=some.pk).values_list("pk", flat=True)) == [some.pk]
    assert some.pk not in set(Person.objects.filter(kept).exclude(pk=some.pk).values_list("pk", flat=True))
    with pytest.raises(NotCompilable):     # a subquery that refers to the row
        compile_condition(Person, Q(pk__in=PersonLink.objects.filter(person=OuterRef("pk")).values("person_id")),
                          "default")
    with pytest.raises(NotCompilable):     # a join (the oblast of the hromada): select_related would reuse its name
        compile_condition(Person, Q(registered_hromada__oblast_id=1), "default")
    with pytest.raises(NotCompilable):     # another model's query
        HouseholdMember.objects.filter(kept).exists()


def test_a_rule_that_joins_is_built_per_request(front):
    """An oblast's scope reads the hromada's oblast by a join, which a compiled condition cannot carry: that rule is
    applied as built, so a list that joins the same table for the address (``select_related``) still filters by the
    hromada of registration, not by the settlement's oblast."""
    from hromada.accounts.access import UNCOMPILABLE, Scope
    from hromada.persons.models import RESIDENCE_CATEGORIES

    oblast_id = front.office.hromada.oblast_id
    away = Unit.objects.filter(category__in=RESIDENCE_CATEGORIES).exclude(oblast_id=oblast_id).order_by("pk").first()
    moved = make_person(front, last_name="Переїжджа", address={"settlement_code": away.code, "street": "", "house": "1",
                                                                "flat": ""})
    watcher = copy.copy(front)           # a role that sees persons, given an oblast's scope
    scope = watcher._hromada_scope = Scope("oblast", oblast_id=oblast_id)
    key = Keyed((Person, scoping.rule_key(watcher, scope)), Person, access.rule_for(Person), watcher, scope)
    assert access._compiled_rule(key, "default") is UNCOMPILABLE
    shown = set(access.visible(watcher, Person).select_related("settlement").values_list("pk", flat=True))
    assert moved.pk in shown
    assert shown == set(Person.objects.filter(scoping.person_scope_q(watcher, scope)).values_list("pk", flat=True))


def _as_read(people) -> list[tuple]:
    """Everything an instance holds: its fields, its settlement read with it (select_related) and that one's fields."""
    def fields(obj):
        return {k: v for k, v in vars(obj).items() if k != "_state"}

    return [(fields(p), {k: v and fields(v) for k, v in p._state.fields_cache.items()}, p._state.db, p._state.adding)
            for p in people]


def test_the_rnokpp_lookup_compiled_once_reads_what_the_queryset_reads(demo, front, back):
    """``selectors._by_rnokpp`` runs the lookup's statement compiled once per rule key (``core.compiled.CompiledSelect``):
    for every demo user the same persons, with the same fields and settlements, as the queryset built afresh — in the
    scope, out of it, with no settlement, not found; an oblast's rule (built per user) is not cached."""
    near = make_person(front, last_name="Своя")
    homeless = person(front, last_name="Безадресна", rnokpp=make_rnokpp(date(1990, 5, 1), "F", 4241))
    far = person(testing.user("front2"), last_name="Далека", rnokpp=make_rnokpp(date(1990, 5, 1), "F", 4242))
    numbers = [p.rnokpp for p in (near, homeless, far)] + ["1234567899"]
    for name in testing.DEMO_USERS:
        user = testing.user(name)
        for number in numbers:
            expected = selectors._by_identifier(user, Q(rnokpp=number), by_rnokpp=True)
            assert _as_read(selectors._by_rnokpp(user, number)) == _as_read(expected), (name, number)
    assert access.visible_key(testing.user("oblast"), Person, "default") is None   # built per user: nothing to share
    assert access.visible_key(front, Person, "default") != access.visible_key(back, Person, "default")
    assert [p.pk for p in selectors._by_rnokpp(front, near.rnokpp)] == [near.pk]
    assert selectors._by_rnokpp(front, far.rnokpp) == []                      # another hromada's resident
    assert selectors._by_rnokpp(front, homeless.rnokpp)[0].settlement is None


def test_the_rnokpp_lookup_is_compiled_once_per_key_and_never_shared_across_keys(front, front2):
    near = make_person(front, last_name="Своя")
    selectors._rnokpp_statement.cache_clear()
    for user in (front, front2, front, front2, front):
        selectors.search_page(user, q=near.rnokpp)
    info = selectors._rnokpp_statement.cache_info()
    assert (info.misses, info.hits) == (2, 3)
    assert [p.pk for p in selectors.search_page(front, q=near.rnokpp).persons] == [near.pk]
    assert selectors.search_page(front2, q=near.rnokpp).persons == []       # front2's key: her own statement
    # An area narrows by other values: it is not the compiled statement.
    assert [p.pk for p in selectors.search_page(front, rnokpp=near.rnokpp,
                                                area=selectors.area_q(settlement=BARANIVKA)).persons] == [near.pk]
    assert selectors._rnokpp_statement.cache_info().misses == 2


def test_the_rnokpp_lookup_is_never_shared_by_offices_of_one_scope_nor_given_to_who_may_not_read(front):
    """Two back offices of one scope see different persons (the cases of each): the office is in the key. A user
    who may not read persons, or is no longer active, gets nothing and compiles nothing."""
    case = submitted_case("front")
    deciding = User.objects.select_related("office", "territory").filter(
        office=case.back_office, role="back_specialist", is_active=True).order_by("pk").first()
    other_office = Office.objects.filter(function="back", is_active=True).exclude(pk=case.back_office_id).first()
    scope = access.scope_of(deciding)
    far = Unit.objects.filter(category=Category.HROMADA).exclude(pk__in=scope.hromada_ids).order_by("pk").first()
    stranger = person(front, last_name="Приїжджа", registered_hromada=far,
                      rnokpp=make_rnokpp(date(1990, 5, 1), "F", 4243))
    Participant.objects.create(application=case, person=stranger, role=ParticipantRole.FAMILY_MEMBER)
    colleague = copy.copy(deciding)             # the same role and scope, another office
    colleague.office, colleague.office_id = other_office, other_office.pk
    selectors._rnokpp_statement.cache_clear()
    assert [p.pk for p in selectors._by_rnokpp(deciding, stranger.rnokpp)] == [stranger.pk]
    assert selectors._by_rnokpp(colleague, stranger.rnokpp) == []
    assert selectors._rnokpp_statement.cache_info().misses == 2
    for name in ("auditor", "sysadmin"):
        assert not access.may(testing.user(name), "person.view")
        assert selectors._by_rnokpp(testing.user(name), stranger.rnokpp) == []
    gone = copy.copy(deciding)
    gone.is_active = False
    assert selectors._by_rnokpp(gone, stranger.rnokpp) == []
    assert selectors._rnokpp_statement.cache_info().misses == 2


def test_a_compiled_select_refuses_what_it_cannot_run_and_puts_each_value_in(demo):
    from django.db.models.expressions import RawSQL

    from hromada.core.compiled import CompiledSelect, NotCompilable, int_slot, slot

    rnokpp, last_name = Person._meta.get_field("rnokpp"), Person._meta.get_field("last_name")
    some = Person.objects.exclude(rnokpp=None).order_by("pk")[:2]
    statement = CompiledSelect(Person.objects.select_related("settlement").filter(rnokpp=slot(0)), slots=[rnokpp])
    for p in some:
        assert _as_read(statement.run(p.rnokpp)) == _as_read(Person.objects.select_related("settlement")
                                                             .filter(rnokpp=p.rnokpp))
    two = CompiledSelect(Person.objects.filter(last_name=slot(1), rnokpp=slot(0)), slots=[rnokpp, last_name])
    assert [p.pk for p in two.run(some[0].rnokpp, some[0].last_name)] == [some[0].pk]
    assert two.run(some[0].rnokpp, some[1].last_name + "x") == []
    with pytest.raises(NotCompilable):
        CompiledSelect(Person.objects.filter(rnokpp="3111902038"), slots=[rnokpp])                # no slot in it
    with pytest.raises(NotCompilable):
        CompiledSelect(Person.objects.filter(rnokpp=slot(0)).values("pk"), slots=[rnokpp])        # not instances
    with pytest.raises(NotCompilable):
        CompiledSelect(Person.objects.filter(rnokpp=slot(0)).prefetch_related("links"), slots=[rnokpp])
    with pytest.raises(NotCompilable):
        CompiledSelect(Person.objects.filter(rnokpp=slot(0)), slots=[rnokpp, last_name])          # a slot missing
    # A value may go in more than one place (a list's area and its total's): each gets it.
    either = CompiledSelect(Person.objects.filter(Q(rnokpp=slot(0)) | Q(id_document_number=slot(0))), slots=[rnokpp])
    assert [p.pk for p in either.run(some[0].rnokpp)] == [some[0].pk]
    # An integer's placeholder, and an annotation set on each instance as Django's iterable sets it.
    settled = Person.objects.exclude(settlement=None).order_by("pk").first()
    by_place = CompiledSelect(Person.objects.filter(settlement_id=int_slot(0)).annotate(
        twice=RawSQL("%s * 2", [int_slot(0)])).order_by("pk")[:3], slots=[Person._meta.get_field("settlement")])
    found = by_place.run(settled.settlement_id)
    assert [p.pk for p in found] == list(Person.objects.filter(settlement_id=settled.settlement_id)
                                         .order_by("pk").values_list("pk", flat=True)[:3])
    assert {p.twice for p in found} == {settled.settlement_id * 2}


def test_a_place_list_compiled_once_reads_the_page_and_total_the_queryset_reads(demo, front):
    """``search_page``'s list of a place (no name, no birth date) runs a statement compiled once per rule key,
    places given and page (``selectors._list_statement``): for every demo user the same persons, in the same
    order, with the same total as the rule's queryset built afresh — no place, a raion, a settlement, both; the
    first page, the second, one past the last."""
    for i in range(23):   # more than a page in the demo's village
        make_person(front, last_name="Списочна" + "абвгґдеєжзиіїйклмнопрстуф"[i])
    raion = Unit.objects.get(code=BARANIVKA).raion.code
    areas = [{}, {"raion": raion}, {"settlement": BARANIVKA}, {"raion": raion, "settlement": BARANIVKA}]
    selectors._list_statement.cache_clear()
    for name in testing.DEMO_USERS:
        user = testing.user(name)
        for given in areas:
            area = selectors.area_q(**given)
            expected = access.visible(user, Person).filter(area).order_by("name_key", "birth_date", "pk")
            total = expected.count() if access.may(user, "person.view") else 0
            for page in (0, 1, 40):
                found = selectors.search_page(user, area=area, offset=20 * page, limit=20, with_total=True)
                for p in found.persons:
                    assert p.__dict__.pop("scope_total") == total   # each row carries the total (one statement)
                assert _as_read(found.persons) == _as_read(
                    list(expected.select_related("settlement")[20 * page:20 * page + 20])), (name, given, page)
                assert found.total == total, (name, given, page)
                assert selectors.search_page(user, area=area, offset=20 * page, limit=20).total is None
    misses = selectors._list_statement.cache_info().misses
    assert misses > 0
    # Another place of the same kind, the same page: the statement compiled for the key, run with the place's id.
    elsewhere = Unit.objects.filter(category__in=RESIDENCE_CATEGORIES).exclude(code=BARANIVKA).order_by("code").first()
    found = selectors.search_page(front, area=selectors.area_q(settlement=elsewhere.code), with_total=True)
    assert ([p.pk for p in found.persons], found.total) == ([], 0)
    assert [p.pk for p in selectors.search_page(front, area=selectors.area_q(settlement=BARANIVKA)).persons] == list(
        access.visible(front, Person).filter(settlement__code=BARANIVKA).order_by("name_key", "birth_date", "pk")
        .values_list("pk", flat=True)[:20])
    info = selectors._list_statement.cache_info()
    assert (info.misses, info.hits) == (misses, 2)
    # A birth date narrows by another value: built afresh, not compiled.
    born = Person.objects.filter(settlement__code=BARANIVKA).order_by("pk").first().birth_date
    assert selectors.search_page(front, area=selectors.area_q(settlement=BARANIVKA), birth_date=born).persons
    assert selectors._list_statement.cache_info().misses == misses
