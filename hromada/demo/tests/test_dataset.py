import uuid
from collections import Counter
from datetime import date

from django.db.models import Min
from django.test import Client
from stdnum.ua import rntrc

from hromada.accounts.models import Role, User
from hromada.applications.models import HISTORY, Application, Document, Participant, Status
from hromada.applications.selectors import told_data
from hromada.catalog.models import ServiceType
from hromada.demo.dataset import Options, generate, make_rnokpp
from hromada.offices.models import Authority, Function, Kind, Office
from hromada.offices.selectors import deciding_office_for
from hromada.persons.models import Person
from hromada.territory.models import Unit

AS_OF = date(2026, 11, 20)


def test_make_rnokpp_is_valid_and_encodes_birth_and_sex():
    number = make_rnokpp(date(1985, 3, 14), "F", 42)
    assert rntrc.is_valid(number)
    assert int(number[:5]) == (date(1985, 3, 14) - date(1899, 12, 31)).days
    assert int(number[8]) % 2 == 0
    assert int(make_rnokpp(date(1985, 3, 14), "M", 42)[8]) % 2 == 1


def test_generated_dataset_is_national_realistic_and_consistent(demo):
    demo_cases = Application.objects.order_by("-id").values_list("id", flat=True).first() or 0
    result = generate(Options(applications=1500, persons=900, seed=3, as_of=AS_OF, staff=2100))
    assert result.counts["applications.Application"] == 1500
    # Every hromada outside occupied Crimea has a front office; every raion's hromadas a back office.
    served = set(Office.objects.filter(function=Function.FRONT).values_list("hromada_id", flat=True))
    hromadas = set(Unit.objects.filter(category="H", in_crimea=False, is_active=True).values_list("id", flat=True))
    assert hromadas <= served
    front_offices = Office.objects.filter(function=Function.FRONT)
    assert not front_offices.filter(staff__isnull=True).exists()  # every front office is staffed
    assert User.objects.filter(role__in=[Role.FRONT_SPECIALIST, Role.BACK_SPECIALIST, Role.BACK_HEAD]).count() >= 2100
    # Persons: valid РНОКПП whose birth date agrees.
    for p in Person.objects.exclude(rnokpp=None)[:300]:
        assert rntrc.is_valid(p.rnokpp)
        assert int(p.rnokpp[:5]) == (p.birth_date - date(1899, 12, 31)).days
    states = Counter(Application.objects.values_list("status", flat=True))
    for status in (Status.SUBMITTED, Status.IN_REVIEW, Status.CLOSED, Status.RESULT_SENT):
        assert states[status] > 0, states
    assert Application.objects.filter(return_count__gt=0).exists()
    overdue = Application.objects.filter(status__in=[Status.SUBMITTED, Status.IN_REVIEW], due_date__lt=AS_OF)
    assert overdue.exists()
    # History agrees with state: every submitted application has exactly one submit event, a draft none.
    histories = _histories(Application.objects.all())
    statuses = dict(Application.objects.values_list("id", "status"))
    submits = {pk: sum(e.action == "submit" for e in events) for pk, events in histories.items()}
    assert all(n == (0 if statuses[pk] == Status.DRAFT else 1) for pk, n in submits.items())
    submitted = sum(submits.values())
    assert Application.objects.exclude(status=Status.DRAFT).count() == submitted
    # Numbers unique and in the intake format.
    assert Application.objects.values("number").distinct().count() == Application.objects.count()
    # The intake's audit entries are generated too (#24: the bytes measured include them), chained per oblast.
    from hromada.audit.models import AuditEntry
    from hromada.audit.services import verify_chain

    generated = AuditEntry.objects.filter(action="application.create", object_type="applications.application")
    assert generated.count() >= 1500
    assert AuditEntry.objects.filter(action="application.submit").count() >= submitted
    assert generated.values("chain").distinct().count() > 1
    assert verify_chain()[1] == []
    _after_intake_as_the_services_write_it(Application.objects.filter(id__gt=demo_cases))
    _persons_as_the_services_audit_them(result)


def _persons_as_the_services_audit_them(result):
    """Each generated resident is registered once, before any case that names her, and each household link has its
    entry, by a specialist of her hromada (the writes persons.services audits; #24's figure)."""
    from hromada.audit.models import AuditEntry
    from hromada.persons.models import HouseholdMember

    # The generator's residents (the demo's were registered by the services, by a specialist of theirs).
    people = set(Person.objects.filter(registered_by__isnull=True, in_child_case=False).values_list("id", flat=True))
    assert len(people) >= result.counts.get("persons.Person", 900) * 0.9
    registrations = Counter(AuditEntry.objects.filter(action="person.register", object_type="persons.person")
                            .values_list("object_id", flat=True))
    assert {int(pk) for pk in registrations} >= people
    assert all(registrations[str(pk)] == 1 for pk in people)
    links = HouseholdMember.objects.filter(person_id__in=people)
    added = Counter(AuditEntry.objects.filter(action="person.household_add").values_list("object_id", flat=True))
    assert links.exists() and sum(added[str(pk)] for pk in people) == links.count()
    from hromada.applications.models import Participant

    first_case = dict(Participant.objects.filter(person_id__in=people).values("person_id").order_by()
                      .annotate(first=Min("application__registered_at")).values_list("person_id", "first"))
    registered_at = dict(AuditEntry.objects.filter(action="person.register", object_id__in=[str(p) for p in first_case])
                         .values_list("object_id", "at"))
    assert first_case and all(registered_at[str(pk)] < first for pk, first in first_case.items())
    entry = AuditEntry.objects.filter(action="person.household_add").order_by("id").first()
    link = HouseholdMember.objects.get(person_id=int(entry.object_id), member_id=entry.details["member_id"])
    assert entry.details == {"member_id": link.member_id, "relation": link.relation}
    assert entry.actor is not None and entry.actor.office.hromada_id == link.person.registered_hromada_id


def _histories(applications) -> dict[int, list]:
    """Each case's history as its row holds it (``Application.history``), by the case's id."""
    return {pk: HISTORY.decode(blob) for pk, blob in applications.values_list("id", "history")}


def _after_intake_as_the_services_write_it(generated):
    """Each later step of a generated case is written as its service writes it: every event but the system's close
    has its audit entry (#24: the bytes measured hold the back office's entries too), every decision its row and
    the event's data, every return its request, every submission its receipt."""
    from hromada.applications.models import Receipt
    from hromada.audit.models import AuditEntry
    from hromada.backoffice.models import Decision, ReturnRequest

    histories = _histories(generated)
    assert len(histories) == generated.count() > 0
    events = Counter(e.action for history in histories.values() for e in history if e.action != "create")
    audited = Counter(AuditEntry.objects.filter(object_type="applications.application",
                                                object_id__in=[str(i) for i in generated.values_list("id", flat=True)])
                      .values_list("action", flat=True))
    for action in ("submit", "take", "return", "resubmit", "grant", "refuse", "send_result", "issue", "withdraw"):
        assert events[action] > 0 or action in ("withdraw", "refuse", "return", "resubmit"), (action, events)
        assert audited[f"application.{action}"] == events[action], action
    assert audited["application.close"] == 0 and events["close"] == events["issue"]
    assert audited["application.document_attach"] == Document.objects.filter(application__in=generated).count()
    decided = [(pk, e) for pk, history in histories.items() for e in history if e.action in ("grant", "refuse")]
    assert Decision.objects.filter(application__in=generated).count() == len(decided) > 0
    for pk, event in decided[:50]:
        decision = Decision.objects.get(application_id=pk)
        assert decision.decided_at == event.at and decision.decided_by_id == event.actor_id
        assert event.data == ({"amount": str(decision.amount)} if event.action == "grant"
                              else {"reason_code": decision.reason_code})
        entry = AuditEntry.objects.get(action=f"application.{event.action}", object_id=str(pk))
        assert entry.details == {"decision": decision.pk} and entry.actor_id == event.actor_id
    # The columns the steps write with the history: the decision's outcome (``granted``: only a decided case has
    # it, as its Decision tells it) and who took or was assigned the case (``assigned_to``: exactly the cases
    # whose history has a take or an assign).
    outcomes = dict(Decision.objects.filter(application__in=generated).values_list("application_id", "outcome"))
    assert {"granted", "refused"} <= set(outcomes.values())
    granted = dict(generated.values_list("id", "granted"))
    assert {pk: g for pk, g in granted.items() if g is not None} == {pk: o == "granted" for pk, o in outcomes.items()}
    assigned = dict(generated.values_list("id", "assigned_to_id"))
    taken = {pk for pk, history in histories.items() if any(e.action in ("take", "assign") for e in history)}
    assert taken and {pk for pk, who in assigned.items() if who is not None} == taken
    # The case's status is where its last step left it; every step starts where the one before ended.
    statuses = dict(generated.values_list("id", "status"))
    for pk, history in histories.items():
        assert history[-1].to_status == statuses[pk], pk
        assert all(e.from_status == before.to_status for before, e in zip(history, history[1:])), pk
    assert ReturnRequest.objects.filter(application__in=generated).count() == events["return"]
    assert Receipt.objects.filter(application__in=generated).count() == events["submit"] + events["resubmit"]
    # Created at version 1, a version per scan and per step; the receipt rendered at the submission's version.
    for app in generated.filter(status=Status.CLOSED).prefetch_related("documents", "receipts")[:30]:
        steps = [e for e in histories[app.pk] if e.action != "create"]
        assert app.version == 1 + len(app.documents.all()) + len(steps), app.number
        submit_at = next(n for n, e in enumerate(steps) if e.action == "submit")
        assert min(r.application_version for r in app.receipts.all()) == 1 + len(app.documents.all()) + submit_at + 1
        issue = next(e for e in steps if e.action == "issue")
        # The method is the case's issue_method, told from it (selectors.told_data), as the product writes the issue.
        assert (issue.data, app.issued_by_id) == ({}, issue.actor_id) and app.issue_method
    # Every case begins with its creation, once.
    assert all(history[0].action == "create" and [e.action for e in history].count("create") == 1
               for history in histories.values())
    pk, submit = next((pk, e) for pk in sorted(histories) for e in histories[pk] if e.action == "submit")
    assert submit.data == {}   # as submit_application writes it: the back office is told from the case
    assert told_data(submit, generated.get(pk=pk))["back_office"] == generated.get(pk=pk).back_office_id
    # An address only where the service is given the request; the decision's system step in the decision's request.
    entries = AuditEntry.objects.filter(object_type="applications.application",
                                        object_id__in=[str(i) for i in generated.values_list("id", flat=True)])
    assert not entries.filter(action__in=["application.take", "application.grant", "application.send_result"],
                              ip__isnull=False).exists()
    assert not entries.filter(action__in=["application.submit", "application.issue"], ip__isnull=True).exists()
    grant = entries.filter(action="application.grant").first()
    sent = entries.get(action="application.send_result", object_id=grant.object_id)
    assert sent.request_id == grant.request_id and sent.actor_id is None
    assert entries.filter(object_id=grant.object_id).values("request_id").distinct().count() > 5
    # The middleware's kind of id: a version 7 UUID of the time its request began.
    assert uuid.UUID(grant.request_id).version == 7
    assert int(grant.request_id[:12], 16) == int(min(grant.at, sent.at).timestamp() * 1000)


class _Rollback(Exception):
    pass


def _snapshot(seed, **options):
    """Generate inside a savepoint, read what came out, roll it back."""
    from django.db import transaction

    try:
        with transaction.atomic():
            generate(Options(applications=150, persons=100, seed=seed, as_of=AS_OF, staff=2100, **options))
            # Participants in their own order too: PostgreSQL returns a join's rows in any order otherwise.
            rows = list(Application.objects.order_by("id", "participants__id").values_list(
                "number", "status", "service__code", "hromada__code", "due_date", "applicant_person__rnokpp",
                "participants__person__rnokpp"))
            raise _Rollback(rows)
    except _Rollback as done:
        return done.args[0]


def test_dataset_is_deterministic_for_a_seed(demo):
    first = _snapshot(11)
    assert len(first) >= 150
    assert _snapshot(11) == first
    assert _snapshot(12) != first


def test_written_in_steps_the_dataset_is_the_same(demo):
    """The national size is written in steps of ``chunk`` applications (memory); the rows must not depend on it."""
    from hromada.audit.models import AuditEntry
    from hromada.audit.services import verify_chain
    from hromada.persons.models import PersonAccess

    assert _snapshot(11, chunk=40) == _snapshot(11)
    created_before = AuditEntry.objects.filter(action="application.create").count()  # the demo's own
    generate(Options(applications=150, persons=100, seed=11, as_of=AS_OF, staff=2100, chunk=40))
    # Each applicant and other participant registered in another hromada may be seen in its case's hromada, each
    # pair once, across the steps.
    taking_part = (set(Application.objects.values_list("applicant_person", "hromada",
                                                       "applicant_person__registered_hromada"))
                   | set(Participant.objects.values_list("person", "application__hromada", "person__registered_hromada")))
    expected = {(person, hromada) for person, hromada, home in taking_part if home != hromada}
    assert expected and len(expected) < len(taking_part)
    assert set(PersonAccess.objects.values_list("person", "hromada")) == expected
    assert PersonAccess.objects.count() == len(expected)
    assert AuditEntry.objects.filter(action="application.create").count() == created_before + 150
    assert verify_chain()[1] == []


def test_generated_id_cards_avoid_numbers_residents_hold(demo):
    """Generated ID cards are numbered by the person's id; a resident already holding the number of a generated
    id (the demo's 001234567 at the national size) must not stop the load (unique_id_document)."""
    next_id = (Person.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    held = [f"{pid:09d}" for pid in range(next_id + 1, next_id + 4)]
    hromada = Unit.objects.filter(category="H", in_crimea=False).first()
    for number in held:
        Person.objects.create(last_name="Власенко", first_name="Ганна", patronymic="Петрівна", sex="F",
                              birth_date=date(1950, 2, 1), rnokpp=None, no_rnokpp_reason="відмова",
                              id_document_type="id_card", id_document_number=number,
                              registered_hromada=hromada)
    generate(Options(applications=20, persons=30, seed=7, as_of=AS_OF, staff=2100))
    cards = Counter(Person.objects.filter(id_document_type="id_card").values_list("id_document_number", flat=True))
    assert all(n == 1 for n in cards.values())
    assert all(number in cards for number in held)


def test_generated_cases_go_to_their_deciding_authoritys_office(demo):
    generate(Options(applications=800, persons=400, seed=5, as_of=AS_OF, staff=2100))
    # Every hromada has an office of every authority the catalogue names: a new submission of any service routes.
    authorities = set(ServiceType.objects.values_list("deciding_authority", flat=True))
    assert {Authority.PENSION_FUND, Authority.SOCIAL_PROTECTION, Authority.CHILDREN_SERVICE} <= authorities
    office = {}
    for h in Unit.objects.filter(category="H", in_crimea=False, is_active=True):
        for authority in authorities:
            office[(h.id, authority)] = deciding_office_for(h, authority)
    kinds = Counter(o.kind for o in office.values())
    assert kinds[Kind.PFU_SERVICE_CENTRE] and kinds[Kind.CHILDREN_SERVICE] and kinds[Kind.RAION_SOCIAL_PROTECTION]
    # Every generated case sits with the office its service's authority routes to, taken by that office's staff.
    sent = Application.objects.exclude(status=Status.DRAFT).select_related("service", "assigned_to")
    assert Counter(a.service.deciding_authority for a in sent).keys() >= {Authority.PENSION_FUND,
                                                                          Authority.SOCIAL_PROTECTION}
    for app in sent:
        assert app.back_office_id == office[(app.hromada_id, app.service.deciding_authority)].pk, app.number
        if app.assigned_to_id:
            assert app.assigned_to.office_id == app.back_office_id, app.number
    assert not Application.objects.filter(status=Status.DRAFT, back_office__isnull=False).exists()
    # Each deciding office that got cases has staff to take them (the children's service its own specialist).
    for office_id in sent.values_list("back_office_id", flat=True).distinct():
        assert User.objects.filter(office_id=office_id, is_active=True).exists()


def test_generated_child_cases_hide_their_children_and_numbering_goes_on(demo):
    """#24: the children's services' cases are generated (one per 50 applications), so that the bench's person reads
    meet them as production's do; each child is a minor of the case's hromada, hidden from its front office, and a
    case registered by hand afterwards takes the next number of its hromada's year."""
    from hromada.accounts import access
    from hromada.children import services as child_services
    from hromada.children.models import ChildCase
    from hromada.persons import selectors as person_selectors

    before = ChildCase.objects.count()    # the demo's own
    generate(Options(applications=1500, persons=900, seed=3, as_of=AS_OF, staff=2100))
    cases = ChildCase.objects.select_related("child").order_by("id")[before:]
    assert len(cases) == 30
    for case in cases:
        assert case.child.birth_date < case.reported_on and (case.reported_on - case.child.birth_date).days < 18 * 365
        assert case.child.registered_hromada_id == case.hromada_id and case.child.in_child_case
        assert case.number.startswith(f"СД-{case.hromada.code[2:12]}-{case.reported_on.year}-")
        assert case.status == "registered" and [e.action for e in case.events.all()] == ["register"]
    # A case of a hromada with adult residents too: its front office sees them, not the child.
    case = next(c for c in cases if Person.objects.filter(registered_hromada_id=c.hromada_id, child_cases=None).exists())
    front = User.objects.filter(office__function=Function.FRONT, office__hromada_id=case.hromada_id,
                                role=Role.FRONT_SPECIALIST).select_related("office").first()
    residents = set(access.visible(front, Person).filter(registered_hromada_id=case.hromada_id)
                    .values_list("pk", flat=True))
    assert residents and case.child_id not in residents
    assert case.child_id not in {p.pk for p in person_selectors.search_page(front, q=case.child.last_name).persons}
    keeper = User.objects.get(pk=case.registered_by_id)
    assert access.visible(keeper, ChildCase).filter(pk=case.pk).exists()
    # The children's service works the generated case as one it registered: its page, then the assessment begun.
    browser = Client()
    browser.force_login(keeper)
    page = browser.get(f"/children/{case.pk}/", secure=True)
    assert page.status_code == 200 and case.number in page.content.decode()
    assert child_services.start_assessment(actor=keeper, case_id=case.pk).status == "assessment"
    year_cases = ChildCase.objects.filter(hromada_id=case.hromada_id, reported_on__year=AS_OF.year)
    highest = max((c.number for c in year_cases), default=f"СД-{case.hromada.code[2:12]}-{AS_OF.year}-00000")
    new = child_services.register_child_case(
        actor=keeper, child=child_services.PersonInput(last_name="Нова", first_name="Дана", patronymic="",
                                                       birth_date=date(2020, 5, 1), sex="F"),
        urgency="planned", reporter_type="anonymous", circumstances=["neglect"], reported_on=AS_OF)
    assert new.number == highest[:-5] + f"{int(highest[-5:]) + 1:05d}"
