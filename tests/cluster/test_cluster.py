"""Faults under load on the multi-host topology (`make test-cluster`, run by .ci/run when the machine allows).

`scripts/clusterctl.py up` starts the hosts (network namespaces: two app hosts behind HAProxy, a worker host,
PostgreSQL primary + streaming replica, pgbouncer, Redis, S3); each test runs a bounded load (load.py) through
the balancer while it injects one fault, then prints its figures — sent, acknowledged, failed with a clean error,
duplicates (0), lost (0) — and asserts them. Capacity with one and two app hosts is measured in the same run
(var/cluster/capacity.json; the figures are in docs/scaling.md).

Skipped unless HROMADA_TEST_CLUSTER=1 (the Makefile target sets it): `make test` stays fast.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.environ.get("HROMADA_TEST_CLUSTER") != "1",
                                reason="the cluster test runs with `make test-cluster`")

BASE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(BASE / "scripts"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import clusterctl  # noqa: E402
from cluster_load import Figures, Load, verify  # noqa: E402

PYTHON = str(Path(sys.executable).parent / "python")
CLIENTS = int(os.environ.get("HROMADA_CLUSTER_CLIENTS", "3"))
_T0 = time.monotonic()


def stage(name: str) -> None:
    print(f"[test-cluster {time.monotonic() - _T0:6.1f} s] {name}", flush=True)


def ctl(*args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HROMADA_", "DATABASE_", "CELERY_", "DJANGO_"))}
    result = subprocess.run([PYTHON, str(BASE / "scripts" / "clusterctl.py"), *args], cwd=BASE, env=env,
                            capture_output=True, text=True, timeout=timeout)
    assert result.returncode == 0, f"clusterctl {' '.join(args)}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


class Cluster:
    def __init__(self, topo: clusterctl.Topology):
        self.topo = topo
        self.env = topo.env()
        self.url = topo.url()

    def sql(self, query: str, params=(), server: str = "db1"):
        import psycopg

        url = f"postgres://postgres@{self.topo.address(server)}:{self.topo.port(server)}/{clusterctl.DB_NAME}"
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
            return conn.execute(query, params).fetchall()

    def token(self, username: str) -> str:
        import requests

        response = requests.post(f"{self.url}/api/v1/auth/token", timeout=60,
                                 json={"username": username, "password": "demo12345"})
        assert response.status_code == 200, response.text
        return response.json()["token"]

    def load(self, name: str, seconds: float, **kwargs) -> Load:
        return Load(self.url, self.front_token, self.author_id, self.desk_id, clients=kwargs.pop("clients", CLIENTS),
                    seconds=seconds, name=name, **kwargs)

    def wait_app(self, name: str) -> None:
        clusterctl.wait_healthy(self.topo, name, timeout=120)
        wait_for(lambda: clusterctl.balanced(name), 30, f"the balancer to see {name} up")

    def send_task(self, name: str, *args) -> None:
        from celery import Celery

        client = Celery("clustertest", broker=self.env["CELERY_BROKER_URL"])
        client.conf.task_routes = {"hromada.ops.tasks.*": {"queue": "aggregates"}}
        client.send_task(name, args=list(args))
        client.close()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def cluster():
    ctl("down")
    up = ctl("up")
    print(up.stdout[-1500:])
    topo = clusterctl.Topology.load()
    c = Cluster(topo)
    c.front_token = c.token("front_demo")
    c.author_id, c.desk_id = c.sql("SELECT id, office_id FROM accounts_user WHERE username = 'front_demo'")[0]
    stage("cluster up: " + ("network namespaces" if topo.netns else f"loopback ports ({topo.reason})"))
    try:
        yield c
    finally:
        print(ctl("down").stdout)


def check(figures: Figures, cluster: Cluster, *, all_acknowledged: bool = False) -> Figures:
    verify(figures, cluster.sql)
    print(figures.line(), flush=True)
    with open(clusterctl.VAR / "figures.log", "a") as log:
        log.write(time.strftime("%Y-%m-%d %H:%M:%S UTC ", time.gmtime()) + figures.line() + "\n")
    assert figures.unclean == [], figures.unclean[:5]
    assert figures.duplicates == 0 and figures.lost == 0
    assert figures.acknowledged > 0
    assert figures.replayed_ok == figures.resent, "a re-sent intake was not replayed with the same case"
    if all_acknowledged:
        assert figures.acknowledged == figures.sent and figures.gave_up == 0
    return figures


def receipts_once(cluster: Cluster, figures: Figures, timeout: float = 90) -> None:
    ids = list(figures.acked.values())

    def counts():
        rows = dict(cluster.sql("SELECT application_id, count(*) FROM applications_receipt "
                                "WHERE application_id = ANY(%s) GROUP BY application_id", (ids,)))
        return rows if len(rows) == len(ids) else None

    rows = wait_for(counts, timeout, f"a receipt for each of the {len(ids)} acknowledged intakes", interval=1)
    assert set(rows.values()) == {1}, {k: v for k, v in rows.items() if v != 1}


# --- capacity -------------------------------------------------------------------------------------------------
def test_capacity_one_and_two_app_hosts(cluster):
    seconds = float(os.environ.get("HROMADA_CLUSTER_CAPACITY_SECONDS", "20"))
    clients = int(os.environ.get("HROMADA_CLUSTER_CAPACITY_CLIENTS", "4"))
    cluster.load("warm-up", 4, clients=2).run()
    clusterctl.lb_command("set server apps/app2 state maint")
    try:
        one = check(cluster.load("capacity, 1 app host", seconds, clients=clients).run(), cluster)
    finally:
        clusterctl.lb_command("set server apps/app2 state ready")
    wait_for(lambda: clusterctl.balanced("app2"), 30, "app2 back in the balancer")
    two = check(cluster.load("capacity, 2 app hosts", seconds, clients=clients).run(), cluster)
    result = {"clients": clients, "seconds": seconds, "one_host": round(one.throughput, 2),
              "two_hosts": round(two.throughput, 2), "factor": round(two.throughput / one.throughput, 2),
              "cpus": os.cpu_count(), "load_average": round(os.getloadavg()[0], 1),
              "at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    (clusterctl.VAR / "capacity.json").write_text(json.dumps(result, indent=1))
    print(f"[capacity] {result}", flush=True)
    stage("capacity measured")


# --- faults ---------------------------------------------------------------------------------------------------
def test_app_host_killed_mid_load(cluster):
    killed = []

    def fault(elapsed):
        if elapsed > 6 and not killed:
            pid = clusterctl.running("app1")
            os.killpg(pid, signal.SIGKILL)  # the host's gunicorn and its workers, as if the machine died
            killed.append(elapsed)

    figures = cluster.load("app host killed", 20).run(fault)
    assert killed and not clusterctl.running("app1")
    check(figures, cluster)
    ctl("start", "app1")
    cluster.wait_app("app1")
    stage("app1 killed and back")


def test_worker_killed_mid_task(cluster):
    token = f"cluster-{uuid.uuid4().hex}"
    cluster.send_task("hromada.ops.tasks.worker_probe", token, 8)

    def probe():
        rows = cluster.sql("SELECT attempts, completed_at FROM ops_workerprobe WHERE token = %s", (token,))
        return rows[0] if rows else None

    wait_for(lambda: probe() and probe()[0] >= 1, 60, "the worker to start the probe task")
    killed = []

    def fault(elapsed):
        if elapsed > 2 and not killed:
            assert probe()[1] is None, "the probe must still run when the worker is killed"
            os.killpg(clusterctl.running("worker"), signal.SIGKILL)
            killed.append(elapsed)

    figures = cluster.load("worker killed", 8).run(fault)
    assert killed
    ctl("start", "worker")
    attempts, completed_at = wait_for(lambda: probe() if probe()[1] else None, 90,
                                      "the interrupted task to run again and complete")
    assert attempts >= 2, "delivered again after the worker died (acks late)"
    check(figures, cluster)
    receipts_once(cluster, figures)
    print(f"[worker killed] probe task attempts {attempts}, every acknowledged intake has exactly one receipt")
    stage("worker killed and back")


def _monitoring(cluster: Cluster, token: str):
    import requests

    response = requests.get(f"{cluster.url}/api/v1/onboarding/summary", timeout=30,
                            headers={"Authorization": f"Bearer {token}"})
    return response.status_code, response.headers.get("X-Hromada-Read-From")


def _signed_in(cluster: Cluster, username: str):
    import re

    import requests

    session = requests.Session()
    page = session.get(f"{cluster.url}/accounts/login/", timeout=30)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(f"{cluster.url}/accounts/login/", timeout=30,
                            data={"csrfmiddlewaretoken": csrf, "username": username, "password": "demo12345"},
                            headers={"Referer": f"{cluster.url}/accounts/login/"})
    assert response.status_code == 200 and "/accounts/login/" not in response.url, response.url
    return session


def _dashboard(cluster: Cluster, session) -> list:
    """The national dashboard and its CSV export, as the ministry sees them: (status, server) of each."""
    answers = []
    for path in ("/monitoring/", "/monitoring/?export=csv&table=children"):
        response = session.get(f"{cluster.url}{path}", timeout=60)
        answers.append((response.status_code, response.headers.get("X-Hromada-Read-From")))
    return answers


def test_replica_lag_rule_and_replica_stopped(cluster):
    ministry = cluster.token("ministry_demo")
    web = _signed_in(cluster, "ministry_demo")
    # Up to date: the monitoring reads come from the replica — API, the national dashboard and its export.
    wait_for(lambda: _monitoring(cluster, ministry) == (200, "replica"), 30, "monitoring read from the replica")
    assert _dashboard(cluster, web) == [(200, "replica"), (200, "replica")]
    # Replay paused while the primary takes writes: lag beyond the bound → the primary answers.
    cluster.sql("SELECT pg_wal_replay_pause()", server="db2")
    try:
        check(cluster.load("replica paused", 3, clients=1).run(), cluster)
        wait_for(lambda: _monitoring(cluster, ministry) == (200, "primary"), 30,
                 "the lag rule to send monitoring reads to the primary")
        lag = float(cluster.sql("SELECT EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp())",
                                server="db2")[0][0])
        print(f"[replica lag] replay paused: lag {lag:.1f} s > {cluster.env['HROMADA_REPLICA_MAX_LAG_SECONDS']} s "
              "→ monitoring answered from the primary")
    finally:
        cluster.sql("SELECT pg_wal_replay_resume()", server="db2")
    wait_for(lambda: _monitoring(cluster, ministry) == (200, "replica"), 30, "the replica in use again")

    # The replica stopped: every monitoring read still answers, from the primary.
    answers = []
    ctl("stop", "db2")
    for _ in range(10):
        answers.append(_monitoring(cluster, ministry))
        time.sleep(0.3)
    assert all(status == 200 for status, _source in answers), answers
    assert answers[-1] == (200, "primary"), answers
    assert _dashboard(cluster, web) == [(200, "primary"), (200, "primary")]
    figures = check(cluster.load("replica stopped", 5, clients=2).run(), cluster)
    primary_lsn = cluster.sql("SELECT pg_current_wal_lsn()::text")[0][0]
    ctl("start", "db2")
    wait_for(lambda: cluster.sql("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (primary_lsn,), server="db2")[0][0],
             60, "the replica to catch up")
    ids = list(figures.acked.values())
    on_replica = cluster.sql("SELECT count(*) FROM applications_application WHERE id = ANY(%s)", (ids,),
                             server="db2")[0][0]
    assert on_replica == len(ids)
    wait_for(lambda: _monitoring(cluster, ministry) == (200, "replica"), 30, "monitoring back on the replica")
    print(f"[replica stopped] {len(answers)} monitoring reads (and the national dashboard, its export) all 200 from "
          "the primary; started again it caught up "
          f"({on_replica}/{len(ids)} intakes made meanwhile are on it) and serves monitoring again")
    stage("replica checked")


def _database_unavailable(url: str, token: str) -> tuple[dict, float]:
    """A request that needs the database, while it is away: a 503 with the code and «спробуйте ще раз»."""
    import requests

    begun = time.monotonic()
    response = requests.get(f"{url}/api/v1/applications", headers={"Authorization": f"Bearer {token}"}, timeout=60)
    took = time.monotonic() - begun
    assert response.status_code == 503, (response.status_code, response.text[:300])
    body = response.json()
    assert body["code"] == "database_unavailable" and "спробуйте ще раз" in body["message"].lower(), body
    assert response.headers["Retry-After"]
    return body, took


def test_primary_restarted_mid_load(cluster):
    probe = {}

    def fault(elapsed):
        if elapsed > 5 and not probe:
            # The restart, in two steps so that a request is sure to meet the primary away.
            clusterctl.stop_db(cluster.topo, "db1", "fast")
            probe["body"], probe["took"] = _database_unavailable(cluster.url, cluster.front_token)
            clusterctl.start_db(cluster.topo, "db1")

    figures = check(cluster.load("primary restarted", 16).run(fault), cluster)
    assert probe
    print(f"[primary restarted] with the primary down a request answered 503 {probe['body']['code']} in "
          f"{probe['took']:.1f} s: «{probe['body']['message']}»; under load {figures.kinds or 'no'} clean errors, "
          "none a 500; the app hosts reconnected by themselves")
    # Reconnected: a fresh request is served.
    status, _ = _monitoring(cluster, cluster.front_token)
    assert status in (200, 403, 404)
    stage("primary restarted")


def test_broker_down(cluster):
    ctl("stop", "broker")
    try:
        figures = check(cluster.load("broker down", 8, clients=2).run(), cluster, all_acknowledged=True)
        ids = list(figures.acked.values())
        assert cluster.sql("SELECT count(*) FROM applications_receipt WHERE application_id = ANY(%s)",
                           (ids,))[0][0] == 0, "no receipt can be rendered while the broker is down"
    finally:
        ctl("start", "broker")
    receipts_once(cluster, figures, timeout=120)
    print("[broker down] every intake acknowledged while the broker was down; their receipts were rendered once "
          "it was back (queue_stranded_work)")
    stage("broker down and back")


def test_network_between_app_host_and_database_cut(cluster):
    if not cluster.topo.netns:
        pytest.skip(f"no network namespaces ({cluster.topo.reason}): a link cannot be cut")
    state = {}

    def fault(elapsed):
        if elapsed > 4 and "cut" not in state:
            clusterctl.link("app1", up=False)
            state["cut"] = elapsed
            # app1 itself (not through the balancer) answers fast and cleanly while it cannot reach the database.
            app1 = f"http://{cluster.topo.address('app1')}:{cluster.topo.port('app1')}"
            state["body"], state["took"] = _database_unavailable(app1, cluster.front_token)
        if "cut" in state and elapsed > state["cut"] + 10 and "healed" not in state:
            clusterctl.link("app1", up=True)
            state["healed"] = elapsed

    try:
        figures = check(cluster.load("app1 ↔ database cut 10 s", 22).run(fault), cluster)
    finally:
        clusterctl.link("app1", up=True)
    assert "healed" in state
    print(f"[network cut] app1's link to the data network down for 10 s: app1 answered 503 "
          f"{state['body']['code']} in {state['took']:.1f} s; under load {figures.kinds or 'no'} clean errors, "
          "no 500, nothing lost")
    stage("network cut and healed")
