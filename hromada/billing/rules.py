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
   ``withdrawn``) for which the back office never started the review (nobody took the case, nor was
   assigned it, which also moves a case into review: ``assigned_to`` is still empty) is not paid: the case
   was never used to decide anything. Once the review has started, the accepted case was real work and stays paid even if
   withdrawn later.
6. **Duplicates are excluded.** Application A is a duplicate when an earlier application E (earlier first
   submission; equal instants: lower id) exists with the same applicant (the person in the ``applicant`` role,
   copied onto ``Application.applicant_person``), the same service type and the same hromada, E itself not
   withdrawn before review and not excluded by the ministry, and at A's first submission E was either still
   open (not decided and not withdrawn by then) or granted within ``DUPLICATE_GRANT_WINDOW_DAYS`` days before.
   A second submission of the same claim by the same office is not a second accepted application. A new
   application after a refusal, or long after a grant (e.g. the next subsidy season), is a new claim and is
   paid. The ministry may also mark an application as not payable explicitly (``BillingExclusion``, with the
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

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import TruncDate

from hromada.applications.models import Application, Status
from hromada.core.months import KYIV, month_bounds

from .models import BillingExclusion, Tariff

DUPLICATE_GRANT_WINDOW_DAYS = 30

PAYABLE = ""
WITHDRAWN_BEFORE_REVIEW = "withdrawn_before_review"
DUPLICATE = "duplicate"
EXCLUDED = "excluded"


@dataclass(frozen=True)
class Verdict:
    application_id: int
    hromada_id: int
    service_id: int
    event_date: date
    reason: str = PAYABLE          # "" when payable, else why not
    tariff_id: int | None = None   # the tariff in force on the event date (point 7), None when there is none

    @property
    def payable(self) -> bool:
        return self.reason == PAYABLE


# The rule is ONE queryset, evaluated by the database: the monthly run inserts its result with INSERT … SELECT
# (a national month is hundreds of thousands of applications), and single verdicts are the same query filtered by
# id. Expressions take ``ref`` = the application's id column, so each piece also works inside a subquery.

def _reviewed(prefix: str = "") -> Q:
    """The back office started its review: someone took the case or was assigned it (both steps set
    ``assigned_to``, and nothing clears it)."""
    return Q(**{f"{prefix}assigned_to__isnull": False})


def _excluded(ref) -> Exists:
    return Exists(BillingExclusion.objects.filter(application_id=ref))


def _not_counted(prefix: str, ref) -> Q:
    """Point 5 and the ministry's explicit exclusions: applications that never count, not even as an earlier claim."""
    return Q(_excluded(ref)) | (Q(**{f"{prefix}status": Status.WITHDRAWN}) & ~_reviewed(prefix))


def _earlier_claim() -> Exists:
    """Point 6: an earlier counted application of the same applicant, service and hromada, still open at this
    application's first submission or granted within the window before it. One probe of ``applications_claim_idx``
    (the applicant is copied onto the application at creation)."""
    at = OuterRef("first_submitted_at")
    window_start = ExpressionWrapper(at - timedelta(days=DUPLICATE_GRANT_WINDOW_DAYS), output_field=DateTimeField())
    earlier = (Application.objects
               .filter(applicant_person_id=OuterRef("applicant_person_id"), service_id=OuterRef("service_id"),
                       hromada_id=OuterRef("hromada_id"), first_submitted_at__isnull=False)
               .filter(Q(first_submitted_at__lt=at) | Q(first_submitted_at=at, pk__lt=OuterRef("pk")))
               .exclude(_not_counted("", OuterRef("pk")))
               .filter((Q(decided_at__isnull=True) | Q(decided_at__gt=at))
                       & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=at))
                       | Q(granted=True, decided_at__lte=at, decided_at__gte=window_start)))
    return Exists(earlier)


def _tariff_in_force() -> Subquery:
    """Point 7: the service's own tariff in force on the event date, else the default one."""
    day = OuterRef("event_day")
    return Subquery(Tariff.objects
                    .filter(Q(service_id=OuterRef("service_id")) | Q(service_id__isnull=True),
                            Q(effective_to__isnull=True) | Q(effective_to__gte=day), effective_from__lte=day)
                    .order_by(F("service_id").asc(nulls_last=True), "-effective_from").values("id")[:1])


def verdicts(applications: QuerySet | None = None) -> QuerySet:
    """Submitted applications annotated with ``event_day``, ``reason`` ("" = payable) and ``tariff_id``."""
    qs = (Application.objects.all() if applications is None else applications)
    return (qs.filter(first_submitted_at__isnull=False).order_by()
            .annotate(event_day=TruncDate("first_submitted_at", tzinfo=KYIV))
            .annotate(reason=Case(When(_excluded(OuterRef("pk")), then=Value(EXCLUDED)),
                                  When(Q(status=Status.WITHDRAWN) & ~_reviewed(),
                                       then=Value(WITHDRAWN_BEFORE_REVIEW)),
                                  When(_earlier_claim(), then=Value(DUPLICATE)),
                                  default=Value(PAYABLE), output_field=CharField()),
                      verdict_tariff_id=_tariff_in_force()))


def classify(applications) -> list[Verdict]:
    """Verdicts for submitted applications (a queryset or a list of ids), in application id order."""
    if not hasattr(applications, "values"):
        applications = Application.objects.filter(pk__in=list(applications))
    rows = verdicts(applications).order_by("id").values_list("id", "hromada_id", "service_id", "event_day", "reason",
                                                             "verdict_tariff_id")
    return [Verdict(*row) for row in rows]


def applications_of_month(year: int, month: int):
    start, end = month_bounds(year, month)
    return Application.objects.filter(first_submitted_at__gte=start, first_submitted_at__lt=end)

