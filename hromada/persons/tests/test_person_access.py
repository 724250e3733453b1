"""Person visibility without a scan (#24 p.4): "persons in a case I can see" is answered from persons.PersonAccess
(the (hromada, person) index) instead of joining every participant row to its application — with the same answer.

The old rule (the participants of the applications the user sees) is still there: it is the back offices' way in,
``applications.selectors.participant_person_ids``. The tests compare both on generated data for users of every
scope, after the services added and removed participants, and after the data migration filled the table.
"""
from __future__ import annotations

import importlib
from datetime import date
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.db.models import Count, F, Q

from hromada import testing
from hromada.accounts import access
from hromada.accounts.models import Role, User
from hromada.applications.models import Application, Participant, ParticipantRole, Status
from hromada.applications.selectors import participant_person_ids
from hromada.applications.services import intake
from hromada.children.models import ChildCase
from hromada.core.text import normalize_name
from hromada.demo.dataset import Options, generate
from hromada.persons import scoping, selectors
from hromada.persons.duplicates import name_score, surname_prefilter
from hromada.persons.models import Person, PersonAccess, PersonLink
from hromada.persons.services import grant_case_access
from hromada.persons.tests.factories import make_person
from hromada.territory.models import Category, Unit

pytestmark = pytest.mark.django_db

AS_OF = date(2026, 11, 20)
fill_migration = importlib.import_module("hromada.applications.migrations.0009_lean_fill_person_access")
beyond_migration = importlib.import_module("hromada.applications.migrations.0026_person_access_beyond_home")


def _old_scope_q(user) -> Q:
    """``scoping.person_scope_q`` as it was: the case part read from the participants of the visible cases."""
    scope = access.scope_of(user)
    linked = PersonLink.objects.filter(scope.hromada_q("hromada")).values("person_id")
    home = scope.hromada_q("registered_hromada") | Q(pk__in=linked)
    if not access.may(user, "childcase.view"):
        home &= ~Q(pk__in=ChildCase.objects.values("child_id"))
    return home | Q(pk__in=participant_person_ids(user))


def _from_elsewhere(front: User, *persons: Person) -> None:
    """The persons registered in another hromada, taken into the desk's work (so the desk may use them)."""
    other = Unit.objects.filter(category=Category.HROMADA).exclude(pk=front.office.hromada_id).order_by("pk").first()
    Person.objects.filter(pk__in=[p.pk for p in persons]).update(registered_hromada=other)
    PersonLink.objects.bulk_create([PersonLink(person=p, hromada=front.office.hromada, linked_by=front,
                                               reason="rnokpp_document") for p in persons])


def _ids(qs) -> set[int]:
    return set(qs.values_list("pk", flat=True)) if qs.model is Person else set(qs.values_list("person_id", flat=True))


def _users() -> list[User]:
    """A user of every scope: the demo's (hromada, raion, oblast, country, back offices, no access to cases) and
    front and back staff of other hromadas from the generated data."""
    users = [testing.user(name) for name in testing.DEMO_USERS]
    for role in (Role.FRONT_SPECIALIST, Role.BACK_SPECIALIST, Role.BACK_HEAD):
        users += list(User.objects.filter(role=role).exclude(username__endswith="_demo")
                      .select_related("office", "territory").order_by("pk")[:3])
    return users


def _assert_same_answers(users) -> int:
    """For each user: the case part and the whole visible set agree under the old and the new rule; returns how
    many users see persons through cases (so the comparison is never vacuous)."""
    through_cases = 0
    for user in users:
        new_cases = _ids(Person.objects.filter(pk__in=scoping.case_person_ids(user)))
        old_cases = _ids(Person.objects.filter(pk__in=participant_person_ids(user)))
        # The new case part holds what the home part does not show of the old one: the rest are residents of a
        # hromada in scope whom the home part shows.
        assert new_cases <= old_cases, (user.username, user.role, len(new_cases - old_cases))
        shown_at_home = Person.objects.filter(access.scope_of(user).hromada_q("registered_hromada"))
        if scoping.children_hidden(user):
            shown_at_home = shown_at_home.exclude(scoping.CHILDREN)
        assert old_cases - new_cases <= _ids(shown_at_home), (user.username, user.role)
        old_visible = Person.objects.filter(_old_scope_q(user)) if access.may(user, "person.view") \
            else Person.objects.none()
        assert _ids(access.visible(user, Person)) == _ids(old_visible), user.username
        if access.may(user, "person.view"):
            # The list's total (X-Total-Count) is counted as a UNION of the parts: the same number as the rule's.
            for cond in _count_conditions():
                assert (scoping.person_scope_count(user, access.scope_of(user), cond)
                        == access.visible(user, Person).filter(cond).count()), (user.username, cond)
        # The name search reads the parts' candidates without applying the rule again: the same persons (none
        # for a role that may not see persons).
        for typed in ("Шев", "ко", "Бондаренко Ол"):
            key = normalize_name(typed)
            shown = {p.pk for p in selectors.search_page(user, q=typed, limit=10**4).persons}
            assert shown == {pk for pk, name in access.visible(user, Person).filter(
                surname_prefilter(key.split()[0])).values_list("pk", "name_key") if name_score(key, name) > 0}, \
                (user.username, typed)
        through_cases += bool(old_cases)
    return through_cases


def _count_conditions() -> list[Q]:
    """No area; the raion and the settlement most residents live in; a birth-date range."""
    raion = (Person.objects.exclude(settlement=None).values("settlement__raion_id").order_by()
             .annotate(n=Count("pk")).order_by("-n").values_list("settlement__raion_id", flat=True).first())
    settlement = (Person.objects.exclude(settlement=None).values("settlement_id").order_by()
                  .annotate(n=Count("pk")).order_by("-n").values_list("settlement_id", flat=True).first())
    assert not Person.objects.exclude(settlement=None).exclude(raion_id=F("settlement__raion_id")).exists()
    return [Q(), Q(settlement__raion_id=raion), Q(raion_id=raion), Q(settlement_id=settlement),
            Q(settlement__raion_id=raion, birth_date__gte=date(1970, 1, 1))]


@pytest.fixture
def generated(demo):
    generate(Options(applications=900, persons=500, seed=11, as_of=AS_OF, staff=2100))


def test_old_and_new_rule_see_the_same_persons_on_generated_data(generated, front):
    users = _users()
    assert _assert_same_answers(users) >= 6
    # Generated applicants also come from other hromadas (a hromada without persons of its own): the case part
    # shows persons the home part does not, so the comparison covers it.
    foreign = Application.objects.exclude(applicant_person__registered_hromada=F("hromada"))
    assert foreign.exists()

    # The services keep the table: a case made, members set, then taken off again (the person leaves the case
    # part of the hromada unless another case of it holds them).
    people = list(Person.objects.filter(registered_hromada=front.office.hromada).order_by("pk")[:3])
    applicant, member, other = people
    # Residents of another hromada here, so that each has a row of access (the desk's own residents have none).
    _from_elsewhere(front, applicant, member, other)
    app = intake.create_application(actor=front, service_code="birth_assistance", applicant_id=applicant.pk,
                                    member_ids=[member.pk])
    assert PersonAccess.objects.filter(hromada=app.hromada, person__in=[applicant, member]).count() == 2
    intake.update_draft_details(actor=front, application_id=app.pk, members=[(other.pk, ParticipantRole.FAMILY_MEMBER)])
    held = (Participant.objects.filter(person=member, application__hromada=app.hromada).exists()
            or Application.objects.filter(applicant_person=member, hromada=app.hromada).exists())
    assert PersonAccess.objects.filter(hromada=app.hromada, person=member).exists() == held
    assert PersonAccess.objects.filter(hromada=app.hromada, person=other).exists()
    assert _assert_same_answers(users) >= 6


def test_a_removed_member_keeps_access_while_another_case_of_the_hromada_holds_them(front):
    # Three residents of the desk's own, made here: the test does not depend on how many the demo holds.
    applicant, member, other = (make_person(front, last_name=name) for name in ("Заявенко", "Членко", "Іншенко"))
    # The member is from another hromada: her row of access is what the cases keep.
    _from_elsewhere(front, member)
    first = intake.create_application(actor=front, service_code="birth_assistance", applicant_id=applicant.pk,
                                      member_ids=[member.pk])
    second = intake.create_application(actor=front, service_code="birth_assistance", applicant_id=other.pk,
                                       member_ids=[member.pk])
    intake.update_draft_details(actor=front, application_id=first.pk, members=[])
    assert PersonAccess.objects.filter(hromada=first.hromada, person=member).exists()   # still in `second`
    intake.update_draft_details(actor=front, application_id=second.pk, members=[])
    still = (Participant.objects.filter(person=member, application__hromada=first.hromada).exists()
             or Application.objects.filter(applicant_person=member, hromada=first.hromada).exists())
    assert PersonAccess.objects.filter(hromada=first.hromada, person=member).exists() == still
    assert _assert_same_answers([front, testing.user("oblast"), testing.user("ministry")]) >= 1


def test_the_data_migrations_fill_the_table_and_then_keep_only_persons_from_elsewhere(generated):
    taking_part = (set(Participant.objects.values_list("person_id", "application__hromada_id",
                                                       "person__registered_hromada_id").distinct())
                   | set(Application.objects.values_list("applicant_person_id", "hromada_id",
                                                         "applicant_person__registered_hromada_id")))
    expected = {(person, hromada) for person, hromada, _home in taking_part}
    assert len(expected) > 100
    PersonAccess.objects.all().delete()
    kept = next(iter(expected))
    PersonAccess.objects.create(person_id=kept[0], hromada_id=kept[1])   # a pair already there stays (no error)
    editor = SimpleNamespace(connection=connection, quote_value=connection.schema_editor().quote_value)
    fill_migration.fill(django_apps, editor)
    assert set(PersonAccess.objects.values_list("person_id", "hromada_id")) == expected
    # Rows of the hromada's own residents (as the first fill wrote them) are only less selective.
    assert _assert_same_answers(_users()) >= 6

    beyond_migration.drop_own_residents(django_apps, editor)
    beyond = {(person, hromada) for person, hromada, home in taking_part if home != hromada}
    assert beyond and set(PersonAccess.objects.values_list("person_id", "hromada_id")) == beyond
    assert _assert_same_answers(_users()) >= 6


def test_back_offices_and_roles_without_cases_keep_their_own_way_in(demo):
    # A back office sees the cases sent to it (not a hromada's): its case part is the participants of those.
    back = testing.user("back")
    sent = Application.objects.filter(back_office_id=back.office_id).exclude(status=Status.DRAFT)
    assert _ids(Person.objects.filter(pk__in=scoping.case_person_ids(back))) == set(
        Participant.objects.filter(application__in=sent).values_list("person_id", flat=True)) | set(
        sent.values_list("applicant_person_id", flat=True))
    # A role that may not see applications sees nobody through them.
    for name in testing.DEMO_USERS:
        user = testing.user(name)
        if not access.may(user, "application.view"):
            assert not Person.objects.filter(pk__in=scoping.case_person_ids(user)).exists(), name


def test_rows_are_kept_exactly_for_persons_from_elsewhere(generated, front):
    """A hromada's own residents have no row (the home part shows them): the generator and the services write one
    only for a person registered in another hromada than the case's."""
    def wrong() -> list:
        return list(PersonAccess.objects.filter(person__registered_hromada=F("hromada"))
                    .values_list("person_id", "hromada_id")[:5])

    assert PersonAccess.objects.exists() and wrong() == []
    # The services: a resident of the desk's own and one registered elsewhere join a case of the desk's hromada.
    own = make_person(front, last_name="Місценко")
    elsewhere = Person.objects.exclude(registered_hromada=front.office.hromada).order_by("pk").first()
    PersonLink.objects.create(person=elsewhere, hromada=front.office.hromada, linked_by=front, reason="rnokpp_document")
    app = intake.create_application(actor=front, service_code="birth_assistance", applicant_id=own.pk,
                                    member_ids=[elsewhere.pk])
    assert list(PersonAccess.objects.filter(hromada=app.hromada, person__in=[own, elsewhere])
                .values_list("person_id", flat=True)) == [elsewhere.pk]
    assert wrong() == []
    assert _assert_same_answers(_users()) >= 6


def test_a_hidden_child_in_a_case_of_the_hromada_is_seen_and_counted_once(demo, front):
    """Children of protection cases are hidden from the home part but seen through a case of the hromada: the
    count's cover brings them back (its last part) without counting them twice."""
    from hromada.children import services as child_services

    case = child_services.register_child_case(
        actor=testing.user("child"), urgency="planned", reporter_type="anonymous", circumstances=["neglect"],
        child=child_services.PersonInput(last_name="Дитенко", first_name="Марко", patronymic="Іванович",
                                         birth_date=date(2015, 3, 14), sex="M"))
    child = case.child
    assert child.registered_hromada_id == front.office.hromada_id
    area = Q(settlement_id=child.settlement_id) if child.settlement_id else Q()
    scope = access.scope_of(front)

    def counted() -> int:
        return scoping.person_scope_count(front, scope, area)

    parent = make_person(front, last_name="Батьківенко")   # registered first: counted in ``before`` if in the area
    before = counted()
    assert not access.visible(front, Person).filter(pk=child.pk).exists()
    assert before == access.visible(front, Person).filter(area).count()
    # The child takes part in a case of the desk's hromada (as a family member of a parent's application).
    app = intake.create_application(actor=front, service_code="birth_assistance", applicant_id=parent.pk)
    Participant.objects.create(application=app, person=child, role=ParticipantRole.FAMILY_MEMBER)
    grant_case_access(person_ids=[child.pk], hromada_id=app.hromada_id)
    assert not PersonAccess.objects.filter(person=child).exists()    # seen through the case's participants
    assert access.visible(front, Person).filter(pk=child.pk).exists()
    assert counted() == access.visible(front, Person).filter(area).count() == before + 1   # the child, once
    assert _assert_same_answers([front, testing.user("oblast"), testing.user("ministry")]) >= 1


def test_a_child_flagged_after_joining_a_case_is_still_seen_through_it(demo, front):
    """The flag of a protection case's child may come after she joined a case of her own hromada (no row of access
    is kept for a resident there): the desk still sees her through that case, and counts her once; a desk of
    another hromada does not."""
    from hromada.persons.services import mark_child_of_case

    parent = make_person(front, last_name="Матеренко")
    child = make_person(front, last_name="Доненко", born=date(2016, 5, 2))
    app = intake.create_application(actor=front, service_code="birth_assistance", applicant_id=parent.pk,
                                    member_ids=[child.pk])
    assert not PersonAccess.objects.filter(person=child).exists()
    scope = access.scope_of(front)
    before = scoping.person_scope_count(front, scope, Q())
    mark_child_of_case(child)
    assert access.visible(front, Person).filter(pk=child.pk).exists()
    assert scoping.person_scope_count(front, scope, Q()) == before == access.visible(front, Person).count()
    found = {p.pk for p in selectors.search_page(front, q="Доненко", limit=50).persons}
    assert child.pk in found
    # Off the case, the flag hides her from the desk's home part.
    intake.update_draft_details(actor=front, application_id=app.pk, members=[])
    assert not access.visible(front, Person).filter(pk=child.pk).exists()
    assert scoping.person_scope_count(front, scope, Q()) == before - 1
