"""No N+1: the number of SQL queries of every list page and list endpoint is pinned.

Each entry of ``PINS`` and ``ADMIN_PINS`` is one list (an HTML page or a GET operation of /api/v1/) read by a
role allowed to see it. The test reads it once with the data as it is (plus one row of the listed kind, so that
the list is never empty), adds ``MORE`` rows of that kind in the user's scope, reads it again and asserts:

* the new rows are listed (their markers appear in the answer), so the second read really lists more rows;
* the number of queries is the same for both reads — it does not grow with the rows;
* it is at most the pinned ``max_queries`` (the count measured; SQLite and PostgreSQL agree on every entry), so a
  regression (an extra query per request, or a lookup per row) fails here. A change that saves queries lowers the
  pin in the same commit.

Each read is preceded by a warm-up read, so one-off work (a token's ``last_used_at``, a cache filled once, a month
of monitoring aggregates built on first view) is not counted. The row factories are deterministic: the counts do
not depend on the order the tests run in (checked forwards, backwards and with xdist).

``test_every_list_route_is_pinned`` enumerates every URL pattern and every GET operation of the API: each must
be pinned here or listed in ``NOT_LISTS`` with the reason it is not a list. A new list route without a pin
fails that test.
"""
from __future__ import annotations

import itertools
import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from hromada import testing
from hromada.accounts.models import ApiToken, Role, User
from hromada.applications import workflow
from hromada.applications.models import Application, Status
from hromada.audit.services import record
from hromada.backoffice.models import Decision
from hromada.backoffice.tests.factories import person, submitted_case
from hromada.billing.models import BillingLine, BillingPeriod, BillingRun, Tariff
from hromada.catalog.models import DocumentRequirement, Holiday, LegalFigure, ServiceType
from hromada.core.text import normalize_name
from hromada.demo.services import BARANIVSKA, OBLAST, TETERIVSKA
from hromada.monitoring.models import Equipment, OnboardingStep, Workplace
from hromada.offices.models import Function, HromadaServing, Kind, Office, StaffPosition
from hromada.ops.models import FailedTask, WorkerProbe
from hromada.persons.models import HouseholdMember, Person
from hromada.territory.models import Category, Edition, Unit

pytestmark = pytest.mark.django_db

MORE = 6                         # rows added between the two reads
_seq = itertools.count(100_001)     # six digits: no marker is a prefix of another
_LETTERS = "абвгдежзик"


def _word(n: int) -> str:
    """A distinct Cyrillic word per number (names are searched and validated as letters)."""
    return "Пе" + "".join(_LETTERS[int(d)] for d in str(n))


def _n() -> int:
    return next(_seq)


# ---- row factories: each adds ``n`` rows the reading user sees and returns a marker per row --------------------

def _applications(ctx, n, **kw):
    return [submitted_case("front", **kw).number for _ in range(n)]


def _returned(ctx, n):
    front = testing.user("front")
    markers = []
    for _ in range(n):
        app = submitted_case("front", status=Status.RETURNED)
        reason = f"Причина {_word(_n())}"
        workflow.record_event(app, "return", from_status=Status.IN_REVIEW, actor=front, comment=reason,
                              data={"items": ["identity_document"]})
        markers += [app.number, reason]
    return markers


def _results(ctx, n):
    """Results to hand out, each with its decision (the page shows the outcome, amount and period)."""
    back = testing.user("back")
    markers = []
    for _ in range(n):
        app = submitted_case("front", status=Status.RESULT_SENT, result_sent_at=timezone.now())
        Decision.objects.create(application=app, outcome="granted", amount=Decimal("1234.50"),
                                period_from=date(2026, 1, 1), period_to=date(2026, 6, 30), decided_by=back,
                                decided_at=timezone.now())
        markers.append(app.number)
    return markers


def _searched(ctx, n):
    """Cases whose applicant's surname is «Пʼятничук» (found by «п'ятничук»: case and apostrophe variants)."""
    markers = []
    for _ in range(n):
        app = submitted_case("front", status=Status.IN_REVIEW)
        Person.objects.filter(pk=app.applicant_person_id).update(
            last_name="Пʼятничук", name_key=normalize_name(f"Пʼятничук {_word(_n())}"))
        markers.append(app.number)
    return markers


def _documents_overdue(ctx, n):
    """Sent cases whose "may follow" documents are still missing after their deadline (the resident to call)."""
    return [submitted_case("front", documents_deadline=timezone.localdate() - timedelta(days=2)).number
            for _ in range(n)]


def _staff(office, n) -> list[User]:
    users = []
    for _ in range(n):
        k = _n()
        users.append(User.objects.create(username=f"perf_staff_{k}", first_name="Олена", last_name=_word(k),
                                         role=Role.BACK_SPECIALIST, office=office))
    return users


def _overdue_with_staff(ctx, n):
    """The head's board: new specialists (workload rows), each with an overdue case (overdue rows)."""
    markers = []
    for member in _staff(ctx.user.office, n):
        app = submitted_case("front", due_date=timezone.localdate() - timedelta(days=3), assigned_to=member,
                             status=Status.IN_REVIEW)
        markers += [app.number, member.last_name]
    return markers


def _workload(ctx, n):
    """The workload endpoint lists the specialists (not the cases)."""
    return [m for m in _overdue_with_staff(ctx, n) if not m.startswith("T-")]


def _persons(ctx, n):
    front = testing.user("front")
    return [person(front, last_name="Перфенко", first_name=_word(_n())).first_name for _ in range(n)]


def _household(ctx, n):
    front = testing.user("front")
    if not hasattr(ctx, "head"):
        ctx.head = person(front, last_name="Голова")
    markers = []
    for _ in range(n):
        member = person(front, last_name="Перфенко", first_name=_word(_n()))
        HouseholdMember.objects.create(person=ctx.head, member=member, relation="child")
        markers.append(member.first_name)
    return markers


def _history(ctx, n):
    if not hasattr(ctx, "app"):
        ctx.app = submitted_case("front")
    markers = []
    for _ in range(n):
        comment = f"Подія {_word(_n())}"
        workflow.record_event(ctx.app, "document_added", actor=testing.user("front"), comment=comment)
        markers.append(comment)
    return markers


def _notifications(ctx, n):
    """Messages about one case (each a different occasion); the marker is the failure note."""
    from hromada.notifications.models import Notification
    if not hasattr(ctx, "app"):
        ctx.app = submitted_case("front")
    markers = []
    for _ in range(n):
        note = f"Помилка {_word(_n())}"
        Notification.objects.create(application=ctx.app, channel="sms", kind="documents_due", reference=note,
                                    state="failed", attempts=3, last_error=note)
        markers.append(note)
    return markers


def _register_checks(ctx, n):
    """State-register checks of one case (hromada.registers); the marker is the request id."""
    from hromada.registers.models import Verification
    if not hasattr(ctx, "app"):
        ctx.app = submitted_case("front")
    markers = []
    for _ in range(n):
        request_id = f"req-{_n()}"
        Verification.objects.create(application=ctx.app, register="identity", check_code="identity_document",
                                    subject=None, result="match", requested_at=timezone.now(),
                                    checked_at=timezone.now(), request_id=request_id)
        markers.append(request_id)
    return markers


def _offers(ctx, n):
    """Proactive offers of Баранівська (births registered to its residents); the marker is the reference."""
    from hromada.registers.models import ProactiveOffer
    hromada = Unit.objects.get(code=BARANIVSKA)
    markers = []
    for _ in range(n):
        k = _n()
        ProactiveOffer.objects.create(
            reference=f"ПП-2026-{k}", hromada=hromada, source_key=f"perf:{k}", sequence=k,
            registered_at=timezone.now(), child_last_name="Перфенко", child_first_name=_word(k),
            child_birth_date=date.today(), child_sex="F", certificate_series="I-ЖТ", certificate_number=str(k),
            mother_name="Перфенко Марія")
        markers.append(f"ПП-2026-{k}")
    return markers


def _failed_notifications(ctx, n):
    """Failed messages about new cases of the front office (the "call the resident" worklist)."""
    from hromada.notifications.models import Notification
    markers = []
    for _ in range(n):
        app = submitted_case("front")
        Notification.objects.create(application=app, channel="sms", kind="result_ready", state="failed",
                                    attempts=6, last_error="SMS-шлюз тимчасово недоступний (HTTP 503).")
        markers.append(app.number)
    return markers


def _settlements(ctx, n):
    """Villages of Баранівська whose names start with «Перфівка» (settlement search, territory API)."""
    hromada = Unit.objects.get(code=BARANIVSKA)
    markers = []
    for _ in range(n):
        k = _n()
        name = f"Перфівка{_word(k).lower()}"
        Unit.objects.create(code=f"UA99{k:015d}", category=Category.VILLAGE, name=name, name_key=normalize_name(name),
                            parent=hromada, level=4, oblast_id=hromada.oblast_id, raion_id=hromada.raion_id,
                            hromada=hromada)
        markers.append(name)
    return markers


def _tokens(ctx, n):
    markers = []
    for _ in range(n):
        name = f"perf-token-{_n()}"
        raw = "hm_" + secrets.token_urlsafe(24)
        ApiToken.objects.create(user=ctx.user, name=name, prefix=raw[:12], key_hash=ApiToken.hash(raw),
                                expires_at=timezone.now() + timedelta(days=1),
                                last_used_at=timezone.now() - timedelta(hours=1))
        markers.append(name)
    return markers


def _services(ctx, n):
    """Active service types with a checklist of two documents each (catalog, intake wizard)."""
    markers = []
    for _ in range(n):
        k = _n()
        name = f"Послуга {_word(k)}"
        service = ServiceType.objects.create(
            code=f"perf-{k}", name_uk=name, name_en=f"Service {k}", category="assistance", legal_basis="Закон",
            term_days=10, term_kind="working", ordering=900 + k % 50)
        for j, timing in enumerate(("before_submit", "may_follow")):
            DocumentRequirement.objects.create(service=service, code=f"doc-{j}", title_uk=f"Документ {j}",
                                               title_en=f"Document {j}", timing=timing, ordering=j)
        markers.append(name)
    return markers


def _failed_tasks(ctx, n):
    markers = []
    for i in range(n):
        task_id = f"perf-task-{_n()}"
        FailedTask.objects.create(task_id=task_id, task_name="hromada.billing.tasks.run_billing_period_task",
                                  exception="RuntimeError: db gone",
                                  resolved_at=timezone.now() if i % 2 else None,
                                  resolved_by=ctx.user if i % 2 else None)
        markers.append(task_id)
    return markers


def _audit(ctx, n):
    front = testing.user("front")
    return [str(record(actor=front, action="perf.probe", object_type="persons.person", object_id=f"9{_n()}",
                       hromada_id=front.office.hromada_id).object_id) for _ in range(n)]


def _child_cases(ctx, n):
    from hromada.children import services

    markers = []
    for _ in range(n):
        child = services.PersonInput(last_name="Перфенко", first_name=_word(_n()), birth_date=date(2015, 3, 14),
                                     sex="M")
        case = services.register_child_case(actor=ctx.user, child=child, urgency="planned", reporter_type="school",
                                            circumstances=["neglect"], reporter_name="ЗЗСО № 1")
        markers.append(case.number)
    return markers


def _social_cases(ctx, n):
    """Applications for social services of new residents of Баранівська (registered at the front office)."""
    from hromada.social import services

    front = testing.user("front")
    markers = []
    for _ in range(n):
        resident = person(front, last_name="Перфенко", first_name=_word(_n()))
        case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["counselling"],
                                             urgency="normal")
        markers.append(case.number)
    return markers


def _social_in_service(ctx, n):
    """Clients of provider_demo's provider in service (the phone page lists them by name)."""
    from hromada.social import rules, services
    from hromada.social.models import Provider

    front, social = testing.user("front"), testing.user("social")
    centre = Provider.objects.get(staff__user__username="provider_demo")
    markers = []
    for _ in range(n):
        resident = person(front, last_name="Перфенко", first_name=_word(_n()))
        case = services.register_social_case(actor=front, person_id=resident.pk, service_codes=["counselling"],
                                             urgency="normal")
        services.complete_assessment(actor=social, case_id=case.pk, data=services.AssessmentInput(
            sections={c: services.SectionInput(1) for c in rules.sections()}, conclusion="Потреба є",
            recommended=["counselling"]))
        services.decide(actor=social, case_id=case.pk, outcome="provide", reason="Потреба є",
                        services=[services.ServiceChoice("counselling", centre.pk)])
        services.approve_plan(actor=social, case_id=case.pk, goals="Мета", consent_on=timezone.localdate(),
                              items=[services.PlanItemInput("counselling", "щотижня")])
        markers.append(resident.first_name)
    return markers


def _social_results(ctx, n):
    """Applications for social services taken at the front office, decided in their social cases: results to hand
    out whose decision is the social case's (read for the whole page at once, hromada.social through the slot)."""
    from hromada.applications.services.intake import create_application, save_draft, submit_application
    from hromada.applications.tests.factories import fill_required
    from hromada.social import rules, services
    from hromada.social.models import Provider, SocialCase

    front, social = testing.user("front"), testing.user("social")
    centre = Provider.objects.get(staff__user__username="provider_demo")
    markers = []
    for _ in range(n):
        resident = person(front, last_name="Перфенко", first_name=_word(_n()))
        app = create_application(actor=front, service_code="social_services", applicant_id=resident.pk)
        fill_required(app, front)
        save_draft(actor=front, application_id=app.pk, data={"social_services": ["counselling"], "urgency": "normal"})
        app = submit_application(actor=front, application_id=app.pk).application
        case = SocialCase.objects.get(application=app)
        services.complete_assessment(actor=social, case_id=case.pk, data=services.AssessmentInput(
            sections={c: services.SectionInput(1) for c in rules.sections()}, conclusion="Потреба є",
            recommended=["counselling"]))
        services.decide(actor=social, case_id=case.pk, outcome="provide", reason="Потреба є",
                        services=[services.ServiceChoice("counselling", centre.pk)])
        markers.append(app.number)
    return markers


def _social_providers(ctx, n):
    from hromada.social import services

    social = testing.user("social")
    return [services.register_provider(actor=social, name=f"ГО «{_word(_n())}»", kind="ngo",
                                       offers={"counselling": 3}).name for _ in range(n)]


def _tariffs(ctx, n):
    services = list(ServiceType.objects.order_by("id")[:n])
    markers = []
    for i in range(n):
        basis = f"тариф {_word(_n())}"
        Tariff.objects.create(service=services[i % len(services)], amount=Decimal("40.00") + i,
                              effective_from=date(2019, 1, 1) + timedelta(days=_n() % 2000), basis=basis, set_by=ctx.user)
        markers.append(basis)
    return markers


def _free_month() -> tuple[int, int]:
    while True:
        k = _n()
        year, month = 2000 + k // 12 % 20, k % 12 + 1
        if not BillingPeriod.objects.filter(year=year, month=month).exists():
            return year, month


def _periods(ctx, n, *, hromada_code=BARANIVSKA):
    """Periods with a run and a line of the hromada: the ministry's periods and the hromada's acts."""
    hromada = Unit.objects.get(code=hromada_code)
    service = ServiceType.objects.order_by("id").first()
    markers = []
    for _ in range(n):
        year, month = _free_month()
        period = BillingPeriod.objects.create(year=year, month=month)
        BillingRun.objects.create(period=period, run_id=uuid.uuid4(), status="done", progress=100,
                                  requested_by=testing.user("ministry"), finished_at=timezone.now())
        BillingLine.objects.create(period=period, kind="regular", hromada=hromada, service=service,
                                   unit_amount=Decimal("50.00"), count=3, amount=Decimal("150.00"))
        markers.append(f"{year:04d}-{month:02d}")
    return markers


BILLED_PERIOD = "2024-03"


def _billed_hromadas(ctx, n):
    """Lines of ``BILLED_PERIOD`` in hromadas of different oblasts: act rows, and the drill-down's oblast rows."""
    year, month = map(int, BILLED_PERIOD.split("-"))
    period, _ = BillingPeriod.objects.get_or_create(year=year, month=month)
    service = ServiceType.objects.order_by("id").first()
    billed = BillingLine.objects.filter(period=period).values("hromada__oblast_id")
    hromadas = []
    for h in (Unit.objects.filter(category=Category.HROMADA, is_active=True, in_crimea=False)
              .exclude(oblast_id__in=billed).select_related("oblast").order_by("oblast__code", "code")):
        if all(h.oblast_id != other.oblast_id for other in hromadas):
            hromadas.append(h)
        if len(hromadas) == n:
            break
    BillingLine.objects.bulk_create([
        BillingLine(period=period, kind="regular", hromada=h, service=service, unit_amount=Decimal("50.00"),
                    count=2, amount=Decimal("100.00")) for h in hromadas])
    return [h.oblast.name for h in hromadas]


ITEMS_PERIOD = "2024-04"


def _billed_items(ctx, n):
    """Paid applications of Баранівська in ``ITEMS_PERIOD``: the drill-down's rows (#23 p.1)."""
    from hromada.billing.models import BillingItem
    from hromada.billing.tests.factories import kyiv, make_application

    year, month = map(int, ITEMS_PERIOD.split("-"))
    period, _ = BillingPeriod.objects.get_or_create(year=year, month=month)
    front = testing.user("front")
    numbers = []
    for i in range(n):
        app = make_application(office=front.office, user=front, submitted_at=kyiv(year, month, 1 + i % 28))
        BillingItem.objects.create(period=period, kind="regular", application=app, hromada_id=app.hromada_id,
                                   service_id=app.service_id, event_date=app.first_submitted_at.date(), count=1,
                                   amount=Decimal("50.00"))
        numbers.append(app.number)
    return numbers


def _onboarding(ctx, n, *, date_format="%d.%m.%Y"):
    """Steps of the first hromadas of the onboarding table (oblast, name order) that have none yet; the marker is
    each step's distinct date as the page (``date_format``) or the API (ISO) shows it."""
    started = OnboardingStep.objects.values("hromada_id")
    hromadas = (Unit.objects.filter(category=Category.HROMADA, is_active=True, in_crimea=False)
                .exclude(pk__in=started).order_by("oblast__name", "name")[:n])
    markers = []
    for h in hromadas:
        done_on = date(2021, 1, 1) + timedelta(days=_n() % 1000)
        for step in ("council_decision", "staff_appointed"):
            OnboardingStep.objects.get_or_create(hromada=h, step=step, defaults={
                "done_on": done_on, "recorded_by": testing.user("oblast"), "recorded_at": timezone.now()})
        markers.append(done_on.strftime(date_format))
    return markers


def _onboarding_api(ctx, n):
    return _onboarding(ctx, n, date_format="%Y-%m-%d")


def _aggregated(grow):
    """For lists of fixed rows (oblasts, indicators) whose figures aggregate the new rows: nothing new to find,
    the query count must still not change."""
    def aggregated(ctx, n):
        grow(ctx, n)
        return []
    aggregated.__name__ = f"aggregated_{grow.__name__}"
    return aggregated


def _workplaces(ctx, n, *, hromada_code=BARANIVSKA):
    hromada = Unit.objects.get(code=hromada_code)
    office = Office.objects.filter(function=Function.FRONT, hromada=hromada).order_by("id").first()
    markers = []
    for i in range(n):
        inventory = f"PERF-WP-{_n()}"
        w = Workplace.objects.create(office=office, inventory_number=inventory, label="Вікно", status="equipped",
                                     equipped_on=timezone.localdate() - timedelta(days=5), funding_source="world_bank",
                                     created_by=ctx.user)
        for kind in ("computer", "mfd")[: i % 2 + 1]:
            k = _n()
            Equipment.objects.create(workplace=w, type=kind, serial_number=f"SN{k}", inventory_number=f"PERF-EQ-{k}",
                                     funding_source="world_bank", delivered_on=timezone.localdate(), status="in_use",
                                     created_by=ctx.user)
        markers.append(inventory)
    return markers


def _monitoring_data(ctx, n):
    """Hromadas of the demo oblast with a case decided on time this month (the default period): each becomes a row
    of the dashboards' rankings. The month's aggregates are rebuilt, as the Celery beat would."""
    from hromada.billing.tests.factories import front_office_for
    from hromada.monitoring.periods import current_month
    from hromada.monitoring.services import refresh_aggregates

    ranked = Application.objects.filter(decided_at__gte=timezone.now() - timedelta(hours=1)).values("hromada_id")
    hromadas = list(Unit.objects.filter(category=Category.HROMADA, oblast__code=OBLAST, is_active=True)
                    .exclude(pk__in=ranked).order_by("code")[:n])
    front, service, now = testing.user("front"), ServiceType.objects.order_by("id").first(), timezone.now()
    for h in hromadas:
        Application.objects.create(
            number=f"PERF-M-{_n()}", service=service, status=Status.DECIDED_GRANTED, front_office=front_office_for(h),
            hromada=h, registered_by=front, application_date=timezone.localdate(), first_submitted_at=now,
            submitted_at=now, due_date=timezone.localdate() + timedelta(days=10), decided_at=now)
    refresh_aggregates(months=[current_month()])
    return [h.name for h in hromadas]


# ---- Django admin (system administrators): one factory per registered model --------------------------------------

def _admin_users(ctx, n):
    office = testing.user("back").office
    territory = Unit.objects.get(code=TETERIVSKA)
    markers = []
    for i in range(n):
        k = _n()
        markers.append(User.objects.create(
            username=f"perf_user_{k}", role=Role.BACK_SPECIALIST if i % 2 else Role.HROMADA_ADMIN,
            office=office if i % 2 else None, territory=None if i % 2 else territory).username)
    return markers


def _admin_offices(ctx, n):
    hromadas = list(Unit.objects.filter(category=Category.HROMADA, oblast__code=OBLAST).order_by("code")[:n])
    markers = []
    for h in hromadas:
        name = f"Офіс {_word(_n())}"
        Office.objects.create(name=name, function=Function.FRONT, kind=Kind.CNAP, territory=h, hromada=h)
        markers.append(name)
    return markers


def _admin_serving(ctx, n):
    back = testing.user("back").office
    served = HromadaServing.objects.values("hromada_id")
    hromadas = list(Unit.objects.filter(category=Category.HROMADA, oblast__code=OBLAST).exclude(pk__in=served)
                    .order_by("code")[:n])
    for h in hromadas:
        HromadaServing.objects.create(hromada=h, back_office=back, since=date(2024, 1, 1))
    return [h.name for h in hromadas]


def _admin_positions(ctx, n):
    office = testing.user("back").office
    markers = []
    for member in _staff(office, n):
        title = f"Посада {_word(_n())}"
        StaffPosition.objects.create(office=office, title=title, user=member, since=date(2024, 1, 1))
        markers.append(title)
    return markers


def _admin_static_devices(ctx, n):
    from django_otp.plugins.otp_static.models import StaticDevice

    return [StaticDevice.objects.create(user=member, name=f"perf-codes-{_n()}", confirmed=True).name
            for member in _staff(testing.user("back").office, n)]


def _admin_devices(ctx, n):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return [TOTPDevice.objects.create(user=member, name=f"perf-device-{_n()}", confirmed=True).name
            for member in _staff(testing.user("back").office, n)]


def _admin_groups(ctx, n):
    from django.contrib.auth.models import Group

    return [Group.objects.create(name=f"perf-group-{_n()}").name for _ in range(n)]


def _admin_axes(model_name):
    def grow(ctx, n):
        from axes import models as axes_models

        model = getattr(axes_models, model_name)
        markers = []
        for _ in range(n):
            username = f"perf_axes_{_n()}"
            data = {"username": username, "ip_address": "10.0.0.1", "user_agent": "pytest", "path_info": "/accounts/login/"}
            if model_name == "AccessAttempt":
                data.update(get_data="", post_data="", failures_since_start=3)
            elif model_name == "AccessFailureLog":
                data.update(locked_out=False)
            model.objects.create(**data)
            markers.append(username)
        return markers
    return grow


def _admin_editions(ctx, n):
    markers = []
    for _ in range(n):
        source = f"perf-edition-{_n()}.xlsx"
        Edition.objects.create(source=source, sha256="0" * 64, edition=date(2024, 1, 1), total=1)
        markers.append(source)
    return markers


def _admin_holidays(ctx, n):
    markers = []
    for _ in range(n):
        name = f"Свято {_word(_n())}"
        day = date(1990, 1, 1) + timedelta(days=_n() % 3000)
        Holiday.objects.create(date=day, name=name, basis="тест")
        markers.append(name)
    return markers


def _admin_figures(ctx, n):
    markers = []
    for _ in range(n):
        key = f"test.figure_{_n()}"
        LegalFigure.objects.create(key=key, label_uk="Тест", value=1, unit="uah", valid_from=date(2020, 1, 1),
                                   act="Тестовий акт", article="ст. 1", act_date=date(2020, 1, 1))
        markers.append(key)
    return markers


def _admin_probes(ctx, n):
    markers = []
    for _ in range(n):
        token = f"perf-probe-{_n()}"
        WorkerProbe.objects.create(token=token, attempts=1, completed_by="worker@host")
        markers.append(token)
    return markers


# ---- the pinned table ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Pin:
    route: str                      # URL name ("front:list") or "GET /api/v1/…" as in the OpenAPI schema
    who: str | None                 # demo role (conftest fixture); None: anonymous
    path: str | Callable            # the URL (or a callable of the context, for URLs with ids)
    grow: Callable | None           # adds rows the user sees, returns their markers; None: rows are code constants
    max_queries: int
    params: dict = field(default_factory=dict)
    variant: str = ""               # when one route is pinned for several roles or filters

    @property
    def id(self) -> str:
        return f"{self.route}[{self.variant}]" if self.variant else self.route

    @property
    def is_api(self) -> bool:
        return self.route.startswith("GET ")


PINS = [
    # --- front office -----------------------------------------------------------------------------------------------
    Pin("front:list", "front", "/front/", _applications, 11),
    Pin("front:returned", "front", "/front/returned/", _returned, 11),   # + the checklist titles, one query
    Pin("front:results", "front", "/front/results/", _results, 9),
    # + the social-services rows' decisions: which of them the user sees and their cases, with services and
    # assessments — 3 queries for the page, whatever the rows.
    Pin("front:results", "front", "/front/results/", _social_results, 12, variant="social services"),
    Pin("front:list", "front", "/front/", _searched, 11, {"q": "п'ятничук"}, variant="search"),
    Pin("front:list", "front", "/front/", _documents_overdue, 11, {"w": "documents_overdue"}, variant="worklist"),
    Pin("front:new", "front", "/front/new/", _services, 8),
    Pin("offline:intake", "front", "/front/offline/", _services, 9),
    Pin("persons:search", "front", "/persons/", _persons, 11, {"q": "Перфенко"}),
    Pin("persons:settlements", "front", "/persons/settlements/", _settlements, 6, {"settlement_q": "Перфівка"}),
    Pin("accounts:security", "front", "/accounts/security/", _tokens, 8),
    Pin("notifications:failed", "front", "/notifications/failed/", _failed_notifications, 8),
    Pin("registers:offers", "front", "/registers/offers/", _offers, 8),
    # --- back office ------------------------------------------------------------------------------------------------
    Pin("back:queue", "back", "/back/", _applications, 17),
    Pin("back:queue", "back", "/back/", _searched, 17, {"q": "ПʼЯТНИЧУК"}, variant="search"),
    Pin("back:board", "head", "/back/board/", _overdue_with_staff, 14),
    # --- billing ----------------------------------------------------------------------------------------------------
    Pin("billing:periods", "ministry", "/billing/", _periods, 8, variant="ministry"),
    Pin("billing:periods", "hadmin", "/billing/", _periods, 11, variant="hromada acts"),
    Pin("billing:tariffs", "ministry", "/billing/tariffs/", _tariffs, 7),
    Pin("billing:period", "ministry", f"/billing/{BILLED_PERIOD}/", _billed_hromadas, 14),
    # --- monitoring -------------------------------------------------------------------------------------------------
    Pin("monitoring:dashboard", "ministry", "/monitoring/", _monitoring_data, 23),
    Pin("monitoring:area", "oblast", f"/monitoring/oblast/{OBLAST}/", _monitoring_data, 25),
    Pin("monitoring:onboarding", "ministry", "/monitoring/onboarding/", _onboarding, 11),
    Pin("monitoring:workplaces", "ministry", "/monitoring/workplaces/", _aggregated(_workplaces), 8),
    Pin("monitoring:workplaces_hromada", "hadmin", f"/monitoring/workplaces/{BARANIVSKA}/", _workplaces, 10),
    # --- children's service, audit, operations ----------------------------------------------------------------------
    Pin("children:list", "child", "/children/", _child_cases, 13),
    # + the hromadas' names and codes of the page's entries, one query (#23 p.4)
    Pin("audit:list", "auditor", "/audit/", _audit, 9, {"action": "perf.probe"}),
    Pin("GET /api/v1/audit", "auditor", "/api/v1/audit", _audit, 7, {"action": "perf.probe"}),
    Pin("billing:items", "ministry", f"/billing/{ITEMS_PERIOD}/hromadas/{BARANIVSKA}/", _billed_items, 15),
    Pin("GET /api/v1/billing/periods/{period}/hromadas/{code}/items", "ministry",
        f"/api/v1/billing/periods/{ITEMS_PERIOD}/hromadas/{BARANIVSKA}/items", _billed_items, 9),
    Pin("social:list", "social", "/social/", _social_cases, 9),
    Pin("social:deliveries", "provider", "/social/deliveries/", _social_in_service, 11),
    Pin("social:providers", "social", "/social/providers/", _social_providers, 8),
    Pin("monitoring:social", "ministry", "/monitoring/social/", _aggregated(_social_cases), 15),
    Pin("monitoring:social_area", "oblast", f"/monitoring/social/oblast/{OBLAST}/", _aggregated(_social_cases), 18),
    Pin("ops:status", "sysadmin", "/ops/", _failed_tasks, 7, {"all": "1"}),
    # --- API ----------------------------------------------------------------------------------------------------
    Pin("GET /api/v1/auth/tokens", "front", "/api/v1/auth/tokens", _tokens, 2),
    Pin("GET /api/v1/catalog/services", None, "/api/v1/catalog/services", _services, 2),
    Pin("GET /api/v1/territory/units", None, "/api/v1/territory/units", _settlements, 1, {"q": "Перфівка"}),
    Pin("GET /api/v1/territory/units/{code}/children", None, f"/api/v1/territory/units/{BARANIVSKA}/children",
        _settlements, 2),
    # + 2 queries on each list of personal data: its one audit entry (audit.services.audited_read), whatever the rows;
    # + 1 for the bearer token where the cache is per process (the test settings): a revoked token fails at once.
    Pin("GET /api/v1/persons", "front", "/api/v1/persons", _persons, 9, {"q": "Перфенко"}),
    Pin("GET /api/v1/persons/{person_id}/household", "front",
        lambda ctx: f"/api/v1/persons/{ctx.head.pk}/household", _household, 9),
    Pin("GET /api/v1/applications", "front", "/api/v1/applications", _applications, 7),
    Pin("GET /api/v1/applications", "front", "/api/v1/applications", _searched, 7, {"q": "Пʼятн"}, variant="search"),
    Pin("GET /api/v1/applications/{application_id}/history", "front",
        lambda ctx: f"/api/v1/applications/{ctx.app.pk}/history", _history, 9),
    Pin("GET /api/v1/applications/{application_id}/notifications", "front",
        lambda ctx: f"/api/v1/applications/{ctx.app.pk}/notifications", _notifications, 6),
    Pin("GET /api/v1/applications/{application_id}/verifications", "front",
        lambda ctx: f"/api/v1/applications/{ctx.app.pk}/verifications", _register_checks, 7),
    Pin("GET /api/v1/offers", "front", "/api/v1/offers", _offers, 5),
    Pin("GET /api/v1/backoffice/queue", "back", "/api/v1/backoffice/queue", _applications, 9),
    Pin("GET /api/v1/backoffice/queue", "back", "/api/v1/backoffice/queue", _searched, 9, {"q": "пʼятничук"},
        variant="search"),
    Pin("GET /api/v1/backoffice/workload", "head", "/api/v1/backoffice/workload", _workload, 8),
    Pin("GET /api/v1/billing/periods/{period}/acts", "ministry", f"/api/v1/billing/periods/{BILLED_PERIOD}/acts",
        _billed_hromadas, 4),
    Pin("GET /api/v1/billing/tariffs", "ministry", "/api/v1/billing/tariffs", _tariffs, 2),
    Pin("GET /api/v1/indicators", "ministry", "/api/v1/indicators", None, 1),
    Pin("GET /api/v1/indicators/values", "ministry", "/api/v1/indicators/values", _aggregated(_monitoring_data), 7),
    Pin("GET /api/v1/onboarding/summary", "ministry", "/api/v1/onboarding/summary", _aggregated(_onboarding), 4),
    Pin("GET /api/v1/onboarding", "ministry", "/api/v1/onboarding", _onboarding_api, 3, {"limit": "500"}),
    Pin("GET /api/v1/workplaces", "ministry", "/api/v1/workplaces", _workplaces, 3),
    Pin("GET /api/v1/workplaces/plan", "ministry", "/api/v1/workplaces/plan", _aggregated(_workplaces), 4),
    Pin("GET /api/v1/child-cases", "child", "/api/v1/child-cases", _child_cases, 8),
    Pin("GET /api/v1/providers", "social", "/api/v1/providers", _social_providers, 4),
    Pin("GET /api/v1/social-services", "social", "/api/v1/social-services", None, 1),
]


def _admin(model: str, grow, max_queries: int, params: dict | None = None) -> Pin:
    """The Django admin change list of ``app_label.model`` (system administrators only)."""
    app_label, model_name = model.split(".")
    return Pin(f"admin:{app_label}_{model_name}_changelist", "sysadmin", f"/admin/{app_label}/{model_name}/", grow,
               max_queries, params or {})


ADMIN_PINS = [
    _admin("accounts.user", _admin_users, 8),
    _admin("accounts.apitoken", _tokens, 8),
    _admin("offices.office", _admin_offices, 8),
    _admin("offices.hromadaserving", _admin_serving, 8),
    _admin("offices.staffposition", _admin_positions, 8),
    # The codifier has ~30 000 units: the search keeps the new rows on the first page.
    _admin("territory.unit", _settlements, 8, {"q": "Перфівка"}),
    _admin("territory.edition", _admin_editions, 8),
    _admin("catalog.servicetype", _services, 8),
    _admin("catalog.holiday", _admin_holidays, 8),
    _admin("catalog.legalfigure", _admin_figures, 8),
    _admin("ops.failedtask", _failed_tasks, 9),
    _admin("ops.workerprobe", _admin_probes, 8),
    # Third-party models registered by their apps.
    _admin("auth.group", _admin_groups, 8),
    _admin("otp_totp.totpdevice", _admin_devices, 8),
    _admin("otp_static.staticdevice", _admin_static_devices, 8),
    _admin("axes.accessattempt", _admin_axes("AccessAttempt"), 11),
    _admin("axes.accesslog", _admin_axes("AccessLog"), 11),
    _admin("axes.accessfailurelog", _admin_axes("AccessFailureLog"), 11),
]
ALL_PINS = PINS + ADMIN_PINS


# ---- measuring -------------------------------------------------------------------------------------------------

def _client(pin: Pin, user):
    if pin.is_api:
        return testing.ApiClient(user)
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _read(client, url: str, params: dict) -> tuple[int, str]:
    client.get(url, params)          # warm-up: one-off work is not what is pinned
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, (url, response.status_code, response.content[:500])
    if response["Content-Type"].startswith("application/json"):
        text = json.dumps(response.json(), ensure_ascii=False)
    else:
        text = response.content.decode()
    return len(queries.captured_queries), text


@pytest.mark.parametrize("pin", ALL_PINS, ids=lambda p: p.id)
def test_list_query_count_is_pinned(pin: Pin, request):
    user = request.getfixturevalue(pin.who) if pin.who else None
    ctx = SimpleNamespace(user=user)
    if pin.grow is not None:
        pin.grow(ctx, 1)
    client = _client(pin, user)
    url = pin.path(ctx) if callable(pin.path) else pin.path
    before, _text = _read(client, url, pin.params)
    markers = pin.grow(ctx, MORE) if pin.grow is not None else []
    after, text = _read(client, url, pin.params)
    missing = [m for m in markers if m not in text]
    assert not missing, f"{pin.id}: the new rows are not listed: {missing}"
    assert after == before, f"{pin.id}: {before} queries with the data as it is, {after} with {MORE} more rows (N+1)"
    assert after <= pin.max_queries, f"{pin.id}: {after} queries, pinned at most {pin.max_queries}"


# ---- coverage: every list route is pinned ------------------------------------------------------------------------

# Routes that do not list rows (detail pages, forms, actions, downloads, health checks). Each says why.
NOT_LISTS = {
    # core and accounts
    "core:home": "role home page: cards and the worklist's counts (pinned in applications/tests/test_worklist.py)",
    "core:healthz": "health check",
    "set_language": "action: switch the language",
    "accounts:login": "form", "accounts:otp_verify": "form", "accounts:otp_enrol": "form",
    "accounts:recovery_codes": "form",
    "accounts:logout": "action", "accounts:password_change": "form", "accounts:token_revoke": "action (POST)",
    # persons
    "persons:register": "form", "persons:card": "detail (one person)", "persons:edit": "form",
    "persons:take": "form (POST action: take a person into the hromada's work)",
    "persons:household_add": "form", "persons:household_remove": "action (POST)",
    # front office
    "front:new_applicant": "wizard step: one service and one applicant", "front:card": "detail (one case)",
    "front:edit": "form (one case)", "front:save_draft": "action (autosave)", "front:save_details": "action (POST)",
    "front:participants": "action (POST)", "front:upload": "action (upload)", "front:download": "download (one scan)",
    "front:remove_document": "action (POST)", "front:review": "detail (one case before submitting)",
    "front:submit": "action (POST)", "front:resubmit": "action (POST)", "front:issue": "action (POST)",
    "front:withdraw": "action (POST)", "front:receipt": "download (PDF)", "front:decision_pdf": "download (PDF)",
    "offline:sw": "static service worker script",
    # back office
    "back:case": "detail (one case)", "back:take": "action (POST)", "back:assign": "action (POST)",
    "back:return": "action (POST)", "back:decide": "action (POST)", "back:calculate": "htmx calculation of one case",
    "back:document": "download (one scan)",
    # billing
    "billing:run": "action (POST)", "billing:run_progress": "htmx status of one run",
    "billing:budget": "fixed 12-month summary of aggregates (one query per figure, not per row)",
    "billing:close": "action (POST)", "billing:exclusion": "action (POST)",
    "GET /api/v1/billing/periods/{period}/hromadas/{code}/items.{fmt}": "download (the list's rows as a file)",
    "persons:access_report": "one person's report: a query per case of hers, whatever the entries",
    "GET /api/v1/persons/{person_id}/access-report.pdf": "download (one person's report, PDF)",
    "audit:verify": "action (POST)", "monitoring:refresh_progress": "htmx status of one rebuild",
    # monitoring
    "monitoring:refresh": "action (POST)", "monitoring:onboarding_hromada": "detail (one hromada's fixed steps)",
    # audit, children, ops
    "audit:export": "download (CSV streamed with iterator())",
    "children:new": "form", "children:detail": "detail (one case)",
    "children:start_assessment": "action (POST)", "children:complete_assessment": "action (POST)",
    "children:decide": "action (POST)", "children:approve_plan": "action (POST)", "children:add_measure": "action (POST)",
    "children:measure_done": "action (POST)", "children:review": "action (POST)", "children:referral": "action (POST)",
    "children:feedback": "action (POST)", "children:close": "action (POST)",
    # social services
    "social:new": "form (one person)", "social:detail": "detail (one case)", "social:receipt": "detail (one case)",
    "social:receipt_pdf": "download (one case)", "social:notice_pdf": "download (one case)",
    "social:status": "public status of one case", "social:assign": "action (POST)",
    "social:assessment": "action (POST)", "social:decision": "action (POST)", "social:plan": "action (POST)",
    "social:delivery": "action (POST)", "social:referral": "action (POST)", "social:suspend": "action (POST)",
    "social:resume": "action (POST)", "social:close": "action (POST)",
    "ops:readyz": "health check", "ops:metrics": "Prometheus scrape (pinned in hromada/ops/tests/test_metrics.py)",
    "ops:resolve_failed": "action (POST)",
    # notifications
    "notifications:status": "public status of one case", "notifications:consent": "action (POST)",
    "notifications:called": "action (POST)",
    # registers
    "registers:run": "action (POST)", "registers:override": "action (POST)", "registers:correct_income": "action (POST)",
    "registers:offers_poll": "action (POST)", "registers:offer_start": "action (POST)",
    "registers:log_csv": "download (CSV of one case's exchanges)",
    "registers:log_export": "download (CSV streamed with iterator())", "registers:log": "form (days to export)",
    "registers:offer_figures": "figures: one aggregate query grouped by hromada (no lookup per row)",
    "GET /api/v1/public/status": "public status of one case",
    "GET /api/v1/notifications/failed-count": "one count",
    # the API's own pages
    "api:openapi-json": "OpenAPI schema", "api:openapi-view": "API docs page", "api:api-root": "API root",
    # API GET operations that are not lists
    "GET /api/v1/auth/me": "detail (the caller)",
    "GET /api/v1/catalog/services/{code}": "detail (one service)",
    "GET /api/v1/territory/units/{code}": "detail (one unit)",
    "GET /api/v1/persons/{person_id}": "detail (one person)",
    "GET /api/v1/applications/{application_id}": "detail (one case)",
    "GET /api/v1/applications/{application_id}/documents/{document_id}": "download (one scan)",
    "GET /api/v1/applications/{application_id}/receipt.pdf": "download (PDF)",
    "GET /api/v1/applications/{application_id}/decision.pdf": "download (PDF)",
    "GET /api/v1/worklist": "counts (one aggregate query; pinned in hromada/applications/tests/test_worklist.py)",
    "GET /api/v1/billing/periods/{period}": "detail (one period's totals)",
    "GET /api/v1/billing/periods/{period}/acts/{hromada_code}.pdf": "download (PDF)",
    "GET /api/v1/billing/periods/{period}/register.xlsx": "download (same act_rows() as the pinned /acts)",
    "GET /api/v1/billing/periods/{period}/register.csv": "download (same act_rows() as the pinned /acts)",
    "GET /api/v1/billing/runs/{run_id}": "detail (one run)",
    "GET /api/v1/billing/budget/{year}": "detail (one year's budget)",
    "GET /api/v1/onboarding/{code}": "detail (one hromada)",
    "GET /api/v1/workplaces/{workplace_id}": "detail (one workplace)",
    "GET /api/v1/child-cases/reference": "reference lists from rules.json (no rows in the database)",
    "GET /api/v1/child-cases/{case_id}": "detail (one case)",
    "GET /api/v1/social-cases/{case_id}": "detail (one case)",
}
# In the Django admin only the change lists (``admin:<app>_<model>_changelist``) list rows; its other pages are the
# index, forms (add, change, password), confirmations (delete), one object's history, redirects and the catch-all.
ADMIN_LIST_SUFFIX = "_changelist"


def _url_names(patterns, namespace=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = ":".join(x for x in (namespace, p.namespace or "") if x)
            yield from _url_names(p.url_patterns, ns)
        elif isinstance(p, URLPattern):
            yield f"{namespace}:{p.name or p.pattern}" if namespace else (p.name or str(p.pattern))


def _routes() -> set[str]:
    from hromada.core.api import api

    names = {n for n in _url_names(get_resolver().url_patterns)
             if not n.startswith("api:")                            # the API is listed by its operations below
             or n in ("api:openapi-json", "api:openapi-view", "api:api-root")}
    names = {n for n in names if not n.startswith("admin:") or n.endswith(ADMIN_LIST_SUFFIX)}
    ops = {f"GET {path}" for path, methods in api.get_openapi_schema()["paths"].items() if "get" in methods}
    return names | ops


def test_every_list_route_is_pinned():
    routes = _routes()
    pinned = {p.route for p in ALL_PINS}
    unaccounted = sorted(routes - pinned - set(NOT_LISTS))
    assert not unaccounted, f"routes neither pinned in PINS nor listed in NOT_LISTS: {unaccounted}"
    stale = sorted((pinned | set(NOT_LISTS)) - routes)
    assert not stale, f"pinned or allow-listed routes that no longer exist: {stale}"
    assert not pinned & set(NOT_LISTS), f"both pinned and allow-listed: {sorted(pinned & set(NOT_LISTS))}"
