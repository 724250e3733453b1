"""Two back-office users decide the same case at once: exactly one wins, the other gets a 409 conflict."""
import threading

import pytest
from django.db import connection, connections

from hromada import testing
from hromada.applications.models import Application, Status
from hromada.applications.workflow import IllegalTransition, StaleVersion
from hromada.backoffice import services
from hromada.backoffice.models import Decision
from hromada.core.errors import Conflict

from .factories import submitted_case

needs_postgres = pytest.mark.skipif(connection.vendor != "postgresql",
                                    reason="row locks (SELECT … FOR UPDATE) need PostgreSQL; SQLite serialises writers")


def _race(calls):
    """Run the calls in parallel threads (own DB connections) released together; collect results/errors."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # noqa: BLE001 (the test inspects it)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


# One transactional test (each one costs a flush and a reload of the codifier and demo).
@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_actions_exactly_one_wins():
    testing.ensure_demo()
    back, head = testing.user("back"), testing.user("head")
    _decide_race(back, head, with_version=True)
    _decide_race(back, head, with_version=False)
    _take_race(back, head)


def _decide_race(back, head, *, with_version):
    app = submitted_case()
    app = services.take_application(actor=back, application_id=app.pk)
    version = app.version if with_version else None
    results = _race([
        lambda: services.decide(actor=back, application_id=app.pk, outcome="refused", reason_code="no_right",
                                expected_version=version),
        lambda: services.decide(actor=head, application_id=app.pk, outcome="refused", reason_code="claim_period_expired",
                                expected_version=version),
    ])
    wins = [r for r in results if isinstance(r, Decision)]
    losses = [r for r in results if isinstance(r, Conflict)]
    assert len(wins) == 1 and len(losses) == 1, results
    assert isinstance(losses[0], StaleVersion if with_version else IllegalTransition)
    assert losses[0].status == 409
    assert Decision.objects.filter(application_id=app.pk).count() == 1
    final = Application.objects.get(pk=app.pk)
    assert final.status == Status.RESULT_SENT
    assert [e.action for e in testing.case_events(app.pk) if e.action in ("grant", "refuse")] == ["refuse"]
    assert final.granted is False
    assert Decision.objects.get(application_id=app.pk).reason_code == wins[0].reason_code


def _take_race(back, head):
    app = submitted_case()
    results = _race([lambda: services.take_application(actor=back, application_id=app.pk),
                     lambda: services.take_application(actor=head, application_id=app.pk)])
    winners = [r for r in results if isinstance(r, Application)]
    assert len(winners) == 1 and isinstance([r for r in results if r not in winners][0], IllegalTransition)
    assert Application.objects.get(pk=app.pk).assigned_to_id == winners[0].assigned_to_id
    assert len(testing.case_events(app.pk, "take")) == 1
