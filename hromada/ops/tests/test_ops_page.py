import pytest
from django.urls import reverse

from hromada.ops import services
from hromada.ops.models import FailedTask


@pytest.fixture
def failed(db):
    return services.record_failed_task(task_id="t-page", task_name="hromada.billing.tasks.run_billing_period_task",
                                       args=("2026-03", "abc"), kwargs={}, exception=RuntimeError("db gone"))


def test_sysadmin_sees_readiness_and_failed_tasks(client, sysadmin, failed):
    client.force_login(sysadmin)
    response = client.get(reverse("ops:status"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "run_billing_period_task" in html and "db gone" in html and "storage" in html


@pytest.mark.parametrize("who", ["front", "front2", "hadmin", "ministry", "auditor"])
def test_other_roles_may_not(client, request, failed, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(reverse("ops:status")).status_code == 403
    assert client.post(reverse("ops:resolve_failed", args=[failed.pk])).status_code == 403
    assert FailedTask.objects.get(pk=failed.pk).resolved_at is None


def test_anonymous_is_sent_to_login(client, failed):
    response = client.get(reverse("ops:status"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_resolve_failed_task(client, sysadmin, failed):
    client.force_login(sysadmin)
    response = client.post(reverse("ops:resolve_failed", args=[failed.pk]))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.resolved_at is not None and failed.resolved_by == sysadmin
    # Gone from the default list, shown with ?all=1; resolving twice is refused with a message.
    assert "db gone" not in client.get(reverse("ops:status")).content.decode()
    assert "db gone" in client.get(reverse("ops:status") + "?all=1").content.decode()
    page = client.post(reverse("ops:resolve_failed", args=[failed.pk]), follow=True).content.decode()
    assert "вже позначено" in page
    assert client.post(reverse("ops:resolve_failed", args=[999999])).status_code == 404


def test_ops_menu_item_for_sysadmin_only(client, sysadmin, front):
    client.force_login(sysadmin)
    assert reverse("ops:status") in client.get("/").content.decode()
    client.force_login(front)
    assert reverse("ops:status") not in client.get("/").content.decode()
