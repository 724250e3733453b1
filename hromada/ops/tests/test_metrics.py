from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from hromada.applications.models import Application, Status
from hromada.applications.services.intake import create_application
from hromada.applications.tests.factories import make_person


def sample(text: str, prefix: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith(prefix))
    return float(line.rsplit(" ", 1)[1])


def test_metrics_from_monitoring_network(client, db):
    client.get("/readyz")
    response = client.get("/metrics")  # the test client comes from 127.0.0.1
    assert response.status_code == 200
    text = response.content.decode()
    assert 'hromada_http_request_duration_seconds_count{method="GET",status="200",view="ops:readyz"}' in text
    assert "hromada_celery_queue_length" in text
    counts = dict(Application.objects.values_list("status").annotate(n=Count("id")))
    for status in Status.values:
        assert sample(text, f'hromada_applications{{status="{status}"}}') == counts.get(status, 0)


def test_metrics_hidden_outside_allow_list(client, db, settings):
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::1").status_code == 404
    settings.HROMADA_METRICS_ALLOW = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 404


def test_scrape_queries_are_pinned(client, db, django_assert_num_queries):
    # One GROUP BY for the statuses, one COUNT for the overdue ones, whatever the data.
    with django_assert_num_queries(2):
        client.get("/metrics")


def test_overdue_gauge_counts_open_cases_past_due(client, db, front):
    before = sample(client.get("/metrics").content.decode(), "hromada_applications_overdue")
    app = create_application(actor=front, service_code="birth_assistance",
                             applicant_id=make_person(front.office.hromada).pk)
    yesterday = timezone.localdate() - timedelta(days=1)
    # Test data: put the case in the back office's hands past its date (the workflow is tested elsewhere).
    Application.objects.filter(pk=app.pk).update(status=Status.IN_REVIEW, due_date=yesterday)
    assert sample(client.get("/metrics").content.decode(), "hromada_applications_overdue") == before + 1
    Application.objects.filter(pk=app.pk).update(status=Status.RETURNED)  # clock stopped: not overdue
    assert sample(client.get("/metrics").content.decode(), "hromada_applications_overdue") == before
