"""What /readyz and /metrics tell whom (issue 16, finding 18)."""
from hromada import testing


def test_readyz_anonymous_outside_monitoring_network_gets_status_only(client, db):
    response = client.get("/readyz", REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


def test_readyz_details_for_monitoring_network_and_sysadmin(client, demo):
    assert "checks" in client.get("/readyz", REMOTE_ADDR="127.0.0.1").json()
    client.force_login(testing.user("sysadmin"))
    assert "checks" in client.get("/readyz", REMOTE_ADDR="203.0.113.5").json()
    client.force_login(testing.user("front"))
    assert client.get("/readyz", REMOTE_ADDR="203.0.113.5").json() == {"status": "ready"}


def test_metrics_behind_proxy_uses_the_forwarded_client(client, db, settings):
    # Through our proxy every request comes from 127.0.0.1: only the address the proxy appended counts.
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1",
                      HTTP_X_FORWARDED_FOR="127.0.0.1, 203.0.113.5").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


def test_metrics_without_proxy_ignores_forwarded_header(client, db, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 404
