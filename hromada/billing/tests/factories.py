"""Test data for billing: submitted applications with chosen instants, statuses and histories (bulk-friendly)."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal

from hromada.applications.models import Application, Status
from hromada.billing.models import Tariff
from hromada.billing.rules import KYIV
from hromada.catalog.models import ServiceType
from hromada.offices.models import Function, Kind, Office
from hromada.persons.models import Person
from hromada.test_values import UniqueValues
from hromada.testing import with_history


class _Sequence:
    """Numbers of test rows, unique in the database across processes: browser tests set their data up through
    `manage.py shell` on one shared server database, and a fresh process must not start at 1 again (the numbers
    it gave would collide with the rows an earlier test's process wrote). Blocks of numbers come from the
    database's one counter table (hromada.test_values), above the highest number already stored."""

    BLOCK = 200

    def __init__(self) -> None:
        self._block: Iterator[int] = iter(())
        self._last = 0

    def __iter__(self) -> _Sequence:
        return self

    def __next__(self) -> int:
        n = next(self._block, None)
        if n is None:
            last_case = (Application.objects.filter(number__startswith="TB-").order_by("-number")
                         .values_list("number", flat=True).first())
            last_person = (Person.objects.filter(id_document_number__startswith="ТТ")
                           .order_by("-id_document_number").values_list("id_document_number", flat=True).first())
            # Never below a number this process gave (a rolled-back test's counter row is gone, its numbers are
            # not: bulk builders hold them unsaved, and tie-breaks follow the numbers' order).
            floor = max(int(last_case[3:]) if last_case else 0, int(last_person[2:]) if last_person else 0, self._last)
            self._block = iter(UniqueValues.for_django().reserve("billing-factory", self.BLOCK, floor=floor))
            n = next(self._block)
        self._last = n
        return n


_seq = _Sequence()


def kyiv(y, m, d, hh=12, mm=0, ss=0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=KYIV)


def service(code="birth_assistance") -> ServiceType:
    return ServiceType.objects.get(code=code)


def front_office_for(hromada) -> Office:
    office = Office.objects.filter(function=Function.FRONT, hromada=hromada).first()
    return office or Office.objects.create(name=f"Фронт-офіс {hromada.name}", function=Function.FRONT,
                                           kind=Kind.CNAP, territory=hromada, hromada=hromada)


def person(hromada, n=None) -> Person:
    n = n if n is not None else next(_seq)
    return Person.objects.create(last_name=f"Тестенко{n}", first_name="Іван", birth_date=date(1980, 1, 1), sex="M",
                                 no_rnokpp_reason="відмова з релігійних переконань", name_key=f"тестенко{n} іван",
                                 registered_hromada=hromada, id_document_type="passport",
                                 id_document_number=f"ТТ{n:06d}")


def build_application(*, office: Office, user, service_obj, submitted_at: datetime | None,
                      status=Status.SUBMITTED, decided_at=None, withdrawn_at=None, applicant=None) -> Application:
    """An unsaved Application (for bulk_create)."""
    n = next(_seq)
    return Application(number=f"TB-{n:07d}", service=service_obj, status=status, front_office=office,
                       hromada_id=office.hromada_id, registered_by=user,
                       application_date=(submitted_at.astimezone(KYIV).date() if submitted_at else date(2025, 1, 1)),
                       first_submitted_at=submitted_at, submitted_at=submitted_at, decided_at=decided_at,
                       withdrawn_at=withdrawn_at, applicant_person=applicant)


def make_application(*, office, user, service_obj=None, submitted_at, status=Status.SUBMITTED, applicant=None,
                     events=(), decided_at=None, withdrawn_at=None) -> Application:
    """A saved case whose history holds ``submit`` and then ``events`` (step names), with the columns those steps
    write (take and assign: ``assigned_to`` = ``user``; grant and refuse: ``granted``)."""
    applicant = applicant or person(office.hromada)
    app = build_application(office=office, user=user, service_obj=service_obj or service(), submitted_at=submitted_at,
                            status=status, decided_at=decided_at, withdrawn_at=withdrawn_at, applicant=applicant)
    with_history(app, ("submit", *events), actor=user, at=submitted_at)
    app.save()
    return app


def tariff(amount, start, *, end=None, service_obj=None) -> Tariff:
    return Tariff.objects.create(service=service_obj, amount=Decimal(amount), effective_from=start, effective_to=end,
                                 basis="тестовий тариф")
