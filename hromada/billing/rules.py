"""THE billable-event rule: which applications the ministry pays a hromada for, when, and at what tariff.

The rule (this text is copied into the README):

1. **What is paid.** One payment per application that a hromada's front office accepted and sent to
   the back office. The event is the application's FIRST submission (``Application.first_submitted_at``,
   set once by the workflow's ``submit`` action). The payment is for the work of accepting the
   documents and forming the electronic case, which is complete at that moment, whatever the later
   decision (a refusal is paid too).
2. **To whom.** The hromada whose front office accepted and submitted it (``Application.hromada``, the
   front office's hromada copied at creation and never changed) — not the applicant's residence, not
   the back office's territory.
3. **Which month.** The calendar month of the first submission in Kyiv time (Europe/Kyiv, the legal time
   of Ukraine): an application sent at 23:59 on 31 March Kyiv time (20:59/21:59 UTC) belongs to March;
   one sent at 00:00 on 1 April to April.
4. **Resubmission is not a new event.** A case returned for correction and sent again (``resubmit``)
   keeps its first submission: it is counted once, in the original month.
5. **Withdrawn before review is excluded.** An application withdrawn by the applicant (status
   ``withdrawn``) for which the back office never started the review (no ``take`` event, nor an
   ``assign`` event, which also moves a case into review) is not paid: the case was never used to decide
   anything. Once the review has started, the accepted case was real work and stays paid even if
   withdrawn later.
6. **Duplicates are excluded.** Application A is a duplicate when an earlier application E (earlier first
   submission; equal instants: lower id) exists with the same applicant (the person in the ``applicant``
   role), the same service type and the same hromada, E itself not withdrawn before review and not
   excluded by the ministry, and at A's first submission E was either still open (not decided and not
   withdrawn by then) or granted within ``DUPLICATE_GRANT_WINDOW_DAYS`` days before. A second submission
   of the same claim by the same office is not a second accepted application. A new application after a
   refusal, or long after a grant (e.g. the next subsidy season), is a new claim and is paid.
   The ministry may also mark an application as not payable explicitly (``BillingExclusion``, with the
   reason), e.g. a duplicate found on audit across services.
7. **Tariff.** The tariff in force on the event's Kyiv date: the tariff of the application's service
   type if one is in force that day, otherwise the default tariff. A tariff change in the middle of a
   month therefore splits the month: events before the change use the old amount, events from the change
   day the new one. A tariff is data set by the ministry; no figure is embedded in code.
8. **Closed months are never rewritten.** Anything that changes an already closed month's result later (a
   late withdrawal before review, a duplicate found, a late-found submission of that month) is booked as
   a signed adjustment in the next open month, referencing the original month and application
   (see ``runner._adjustments``).

Legal reasoning: the Cabinet's payment for front-office work pays for *accepting documents and forming
the electronic case* (resolution 1035 of 28.10.2020 moved acceptance to hromadas), so the accepting
hromada and the acceptance date are decisive; the fiscal month follows Kyiv civil time; a correction
of the same case, a case abandoned before anyone processed it, and a repeated submission of the same claim
do not represent a new acceptance and would otherwise pay twice from the state budget.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from hromada.applications.models import Application, Event, Participant, ParticipantRole, Status

from .models import BillingExclusion, Tariff

KYIV = ZoneInfo("Europe/Kyiv")
DUPLICATE_GRANT_WINDOW_DAYS = 30
# Workflow actions that start the back office's review of a case.
REVIEW_ACTIONS = ("take", "assign")

PAYABLE = ""
WITHDRAWN_BEFORE_REVIEW = "withdrawn_before_review"
DUPLICATE = "duplicate"
EXCLUDED = "excluded"


def month_bounds(year: int, month: int) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in Kyiv time, as aware datetimes."""
    start = datetime(year, month, 1, tzinfo=KYIV)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=KYIV)
    return start, end


def event_date(first_submitted_at: datetime) -> date:
    return first_submitted_at.astimezone(KYIV).date()


@dataclass(frozen=True)
class Verdict:
    application_id: int
    hromada_id: int
    service_id: int
    event_date: date
    reason: str = PAYABLE          # "" when payable, else why not

    @property
    def payable(self) -> bool:
        return self.reason == PAYABLE


_FIELDS = ("id", "hromada_id", "service_id", "first_submitted_at", "status", "decided_at", "withdrawn_at")


def _reviewed_ids(ids: Iterable[int]) -> set[int]:
    return set(Event.objects.filter(application_id__in=list(ids), action__in=REVIEW_ACTIONS)
               .values_list("application_id", flat=True))


def _excluded_ids(ids: Iterable[int]) -> set[int]:
    return set(BillingExclusion.objects.filter(application_id__in=list(ids)).values_list("application_id", flat=True))


def _granted_ids(ids: Iterable[int]) -> set[int]:
    return set(Event.objects.filter(application_id__in=list(ids), action="grant")
               .values_list("application_id", flat=True))


def classify(applications) -> list[Verdict]:
    """Verdicts for submitted applications (a queryset or a list of ids), in application id order."""
    if not hasattr(applications, "values"):
        applications = Application.objects.filter(pk__in=list(applications))
    rows = list(applications.filter(first_submitted_at__isnull=False).order_by("id").values(*_FIELDS))
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    reviewed, excluded = _reviewed_ids(ids), _excluded_ids(ids)
    duplicates = _duplicate_ids(rows)
    verdicts = []
    for r in rows:
        if r["id"] in excluded:
            reason = EXCLUDED
        elif r["status"] == Status.WITHDRAWN and r["id"] not in reviewed:
            reason = WITHDRAWN_BEFORE_REVIEW
        elif r["id"] in duplicates:
            reason = DUPLICATE
        else:
            reason = PAYABLE
        verdicts.append(Verdict(r["id"], r["hromada_id"], r["service_id"], event_date(r["first_submitted_at"]), reason))
    return verdicts


def _duplicate_ids(rows: list[dict]) -> set[int]:
    """Ids among ``rows`` that are duplicates of an earlier application (point 6 of the rule)."""
    ids = [r["id"] for r in rows]
    applicant_of = dict(Participant.objects.filter(application_id__in=ids, role=ParticipantRole.APPLICANT)
                        .values_list("application_id", "person_id"))
    if not applicant_of:
        return set()
    # Every submitted application of the same applicants: the possible earlier ones.
    others = list(Participant.objects.filter(role=ParticipantRole.APPLICANT, person_id__in=set(applicant_of.values()),
                                             application__first_submitted_at__isnull=False)
                  .values("person_id", *(f"application__{f}" for f in _FIELDS)))
    other_ids = [o["application__id"] for o in others]
    reviewed, excluded, granted = _reviewed_ids(other_ids), _excluded_ids(other_ids), _granted_ids(other_ids)
    claims = defaultdict(list)   # (person, service, hromada) → earlier candidates
    for o in others:
        oid = o["application__id"]
        if oid in excluded or (o["application__status"] == Status.WITHDRAWN and oid not in reviewed):
            continue
        claims[(o["person_id"], o["application__service_id"], o["application__hromada_id"])].append(o)
    window = timedelta(days=DUPLICATE_GRANT_WINDOW_DAYS)
    result = set()
    for r in rows:
        person = applicant_of.get(r["id"])
        if person is None:
            continue
        at = r["first_submitted_at"]
        for e in claims.get((person, r["service_id"], r["hromada_id"]), ()):
            e_at, e_id = e["application__first_submitted_at"], e["application__id"]
            if not (e_at < at or (e_at == at and e_id < r["id"])):
                continue
            decided, withdrawn = e["application__decided_at"], e["application__withdrawn_at"]
            still_open = (decided is None or decided > at) and (withdrawn is None or withdrawn > at)
            recently_granted = e_id in granted and decided is not None and at - window <= decided <= at
            if still_open or recently_granted:
                result.add(r["id"])
                break
    return result


def applications_of_month(year: int, month: int):
    start, end = month_bounds(year, month)
    return Application.objects.filter(first_submitted_at__gte=start, first_submitted_at__lt=end)


class TariffBook:
    """All tariffs loaded once; ``for_event`` applies point 7 of the rule."""

    def __init__(self, tariffs: Iterable[Tariff] | None = None):
        self.by_service: dict[int | None, list[Tariff]] = defaultdict(list)
        for t in (Tariff.objects.all() if tariffs is None else tariffs):
            self.by_service[t.service_id].append(t)

    def for_event(self, service_id: int, day: date) -> Tariff | None:
        for key in (service_id, None):
            for t in self.by_service.get(key, ()):
                if t.in_force_on(day):
                    return t
        return None
