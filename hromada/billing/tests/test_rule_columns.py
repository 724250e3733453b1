"""The billing rule reads the columns the workflow's steps write (``assigned_to``: the review started; ``granted``:
the decision's outcome) instead of the case's events: for cases driven through the real services, its verdicts
agree with what each case's history tells."""
from datetime import timedelta

import pytest

from hromada.applications.models import Application, Status
from hromada.applications.services.front import withdraw_application
from hromada.applications.services.intake import create_application, submit_application
from hromada.applications.tests.factories import fill_required
from hromada.backoffice import services as back_services
from hromada.backoffice.tests.factories import person
from hromada.billing import rules
from hromada.testing import case_events

pytestmark = pytest.mark.django_db


def submitted(front, applicant) -> Application:
    """A case created, filled and submitted by the front office's services."""
    app = create_application(actor=front, service_code="birth_assistance", applicant_id=applicant.pk)
    fill_required(app, front)
    return submit_application(actor=front, application_id=app.pk).application


def refused(back, app) -> None:
    back_services.take_application(actor=back, application_id=app.pk)
    back_services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="no_right")


def granted(back, app) -> None:
    back_services.take_application(actor=back, application_id=app.pk)
    born = app.application_date - timedelta(days=20)
    back_services.decide(actor=back, application_id=app.pk, outcome="granted",
                         calculator_inputs={"birth_date": born.isoformat()})


def verdicts(*apps) -> list[str]:
    by_id = {v.application_id: v.reason for v in rules.classify([a.pk for a in apps])}
    return [by_id[a.pk] for a in apps]


def as_the_history_tells(apps) -> None:
    """Each case's columns agree with its history: ``assigned_to`` set exactly when a take or an assign is in it,
    ``granted`` the outcome of its grant or refuse step (None without one)."""
    for app in apps:
        row = Application.objects.get(pk=app.pk)
        actions = [e.action for e in case_events(app)]
        assert actions[:2] == ["create", "submit"], actions
        assert (row.assigned_to_id is not None) == bool({"take", "assign"} & set(actions)), actions
        decided = [a for a in actions if a in ("grant", "refuse")]
        assert row.granted == ((decided[-1] == "grant") if decided else None), actions


def test_withdrawn_after_take_or_assign_is_paid_before_either_is_excluded(front, back, head):
    early = submitted(front, person(front))
    withdraw_application(actor=front, application_id=early.pk, reason="передумала")
    taken = submitted(front, person(front))
    back_services.take_application(actor=back, application_id=taken.pk)
    withdraw_application(actor=front, application_id=taken.pk, reason="передумала")
    assigned = submitted(front, person(front))
    back_services.assign_application(actor=head, application_id=assigned.pk, user_id=back.pk)
    withdraw_application(actor=front, application_id=assigned.pk, reason="передумала")
    cases = [early, taken, assigned]
    assert all(Application.objects.get(pk=a.pk).status == Status.WITHDRAWN for a in cases)
    as_the_history_tells(cases)
    assert [[e.action for e in case_events(a)][2:] for a in cases] == [
        ["withdraw"], ["take", "withdraw"], ["assign", "withdraw"]]
    assert verdicts(*cases) == [rules.WITHDRAWN_BEFORE_REVIEW, rules.PAYABLE, rules.PAYABLE]


def test_a_refused_earlier_claim_is_no_duplicate_a_granted_one_within_30_days_is(front, back):
    after_refusal, after_grant = person(front), person(front)
    refused_first = submitted(front, after_refusal)
    refused(back, refused_first)
    repeat_of_refused = submitted(front, after_refusal)
    granted_first = submitted(front, after_grant)
    granted(back, granted_first)
    repeat_of_granted = submitted(front, after_grant)
    cases = [refused_first, repeat_of_refused, granted_first, repeat_of_granted]
    as_the_history_tells(cases)
    assert [Application.objects.get(pk=a.pk).granted for a in (refused_first, granted_first)] == [False, True]
    assert verdicts(*cases) == [rules.PAYABLE, rules.PAYABLE, rules.PAYABLE, rules.DUPLICATE]
    # Beyond the window the grant no longer makes the later claim a duplicate (the rule's other half of point 6).
    late = Application.objects.get(pk=repeat_of_granted.pk).first_submitted_at + timedelta(
        days=rules.DUPLICATE_GRANT_WINDOW_DAYS + 1)
    Application.objects.filter(pk=repeat_of_granted.pk).update(first_submitted_at=late)
    assert verdicts(repeat_of_granted) == [rules.PAYABLE]
