#!/usr/bin/env python3
"""Hromada's national topology on one machine, as several hosts: `make cluster-up` / `make cluster-down`.

    scripts/clusterctl.py up          # network, databases, broker, storage, app hosts, worker, balancer
    scripts/clusterctl.py down        # stop everything, remove the network (the data stay in var/cluster/)
    scripts/clusterctl.py status      # which host runs what
    scripts/clusterctl.py stop HOST / start HOST     # one process: app1 app2 worker beat db1 db2 pgbouncer broker …
    scripts/clusterctl.py cut HOST / heal HOST       # the host's link to the database network down / up
    scripts/clusterctl.py env         # the environment of the app hosts (for manage.py against the cluster)

Hosts are Linux network namespaces with addresses of their own, joined by three bridges, as on real hosts:

    front   10.77.1.0/24  balancer (this machine, 127.0.0.1:8107) ↔ app1 .11, app2 .12
    service 10.77.2.0/24  app hosts, worker .21 ↔ broker .41 (Redis: broker 6379, cache 6380), s3 .51 (9000)
    data    10.77.3.0/24  app hosts, worker ↔ db1 .31 (PostgreSQL primary 5432, pgbouncer 6432), db2 .32 (replica)

This machine (the root namespace, .1 on every bridge) runs HAProxy and the tests. Without the privilege to make
namespaces (or with HROMADA_CLUSTER_LOOPBACK=1) every host is 127.0.0.1 with ports of its own — the same
topology minus the network faults, and the command says so. PostgreSQL 15 (Debian's packages), pgbouncer, HAProxy
and Redis are Debian packages: installed with apt-get when missing. The S3 store is moto's server, the same
stand-in `make test-prod` uses (in production: MinIO or a certified S3 service). Authentication between the hosts
is `trust` on these private bridges: a stand-in, never a production setting (docs/operations.md).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent


def _others_may_enter(path: Path) -> bool:
    """Every directory from ``path`` up lets other users through: the databases run as the postgres user."""
    return all(d.stat().st_mode & 0o001 for d in (path, *path.parents))


def _default_var() -> Path:
    """var/cluster in the checkout; for a checkout the postgres user cannot enter (``mktemp -d`` makes one, 0700), a
    directory of this checkout's own in the system's temporary directory (``up`` says where)."""
    if _others_may_enter(BASE):
        return BASE / "var" / "cluster"
    return Path(tempfile.gettempdir()) / f"hromada-cluster-{hashlib.sha256(str(BASE).encode()).hexdigest()[:12]}"


VAR = Path(os.environ.get("HROMADA_CLUSTER_VAR") or _default_var()).resolve()
LOGS, RUN = VAR / "logs", VAR / "run"
PGBIN = Path(os.environ.get("HROMADA_PG_BIN", "/usr/lib/postgresql/15/bin"))
PYBIN = Path(sys.executable).parent
DB_NAME = "hromada_cluster"
APP_PASSWORD = "hromada-app-local"
LB_PORT = int(os.environ.get("HROMADA_CLUSTER_PORT", "8107"))
PACKAGES = {"haproxy": "/usr/sbin/haproxy", "pgbouncer": "/usr/sbin/pgbouncer", "redis-server": "/usr/bin/redis-server",
            "postgresql-15": str(PGBIN / "postgres")}
NETWORKS = {"front": ("hrcf0", "10.77.1"), "service": ("hrcs0", "10.77.2"), "data": ("hrcd0", "10.77.3")}
# host → (last octet, networks it is on)
HOSTS = {
    "app1": (11, ("front", "service", "data")),
    "app2": (12, ("front", "service", "data")),
    "worker": (21, ("service", "data")),
    "db1": (31, ("data",)),
    "db2": (32, ("data",)),
    "broker": (41, ("service",)),
    "s3": (51, ("service",)),
}
# process → host
PROCESSES = {"db1": "db1", "db2": "db2", "pgbouncer": "db1", "broker": "broker", "cache": "broker", "s3": "s3",
             "app1": "app1", "app2": "app2", "worker": "worker", "beat": "worker", "lb": None}
LOOPBACK_PORTS = {"app1": 18111, "app2": 18112, "db1": 15432, "pgbouncer": 16432, "db2": 15433, "broker": 16379,
                  "cache": 16380, "s3": 19107}
NETNS_PORTS = {"app1": 8000, "app2": 8000, "db1": 5432, "pgbouncer": 6432, "db2": 5432, "broker": 6379,
               "cache": 6380, "s3": 9000}


def say(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


def sh(*args: str, check: bool = True, quiet: bool = False, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(list(args), capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({result.returncode}): {result.stderr.strip() or result.stdout}")
    if not quiet and result.returncode != 0:
        say(f"{' '.join(args)}: {result.stderr.strip()}")
    return result


# --- topology -----------------------------------------------------------------------------------------------
def netns_possible() -> tuple[bool, str]:
    if os.environ.get("HROMADA_CLUSTER_LOOPBACK") == "1":
        return False, "HROMADA_CLUSTER_LOOPBACK=1"
    if os.geteuid() != 0:
        return False, "not root (network namespaces need CAP_NET_ADMIN)"
    if not shutil.which("ip"):
        return False, "iproute2 (`ip`) is not installed"
    probe = "hrc-probe"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode != 0:
        return False, f"`ip netns add` refused: {made.stderr.strip()}"
    bridge = subprocess.run(["ip", "link", "add", "hrcprobe0", "type", "bridge"], capture_output=True, text=True)
    subprocess.run(["ip", "link", "del", "hrcprobe0"], capture_output=True)
    subprocess.run(["ip", "netns", "del", probe], capture_output=True)
    if bridge.returncode != 0:
        return False, f"cannot make a bridge: {bridge.stderr.strip()}"
    return True, "network namespaces"


class Topology:
    """Where each process listens, in the mode chosen at `up` (kept in var/cluster/topology.json)."""

    def __init__(self, netns: bool, reason: str = ""):
        self.netns, self.reason = netns, reason

    @classmethod
    def load(cls) -> Topology | None:
        path = VAR / "topology.json"
        if not path.exists():
            return None
        data = json.loads(path.read_text())
        return cls(data["netns"], data.get("reason", ""))

    def save(self) -> None:
        VAR.mkdir(parents=True, exist_ok=True)
        (VAR / "topology.json").write_text(json.dumps({"netns": self.netns, "reason": self.reason}))

    def ns(self, process: str) -> str | None:
        host = PROCESSES[process]
        return f"hrc-{host}" if self.netns and host else None

    def address(self, process: str, network: str | None = None) -> str:
        """The address a process listens on (front network for app hosts, data for databases, service else)."""
        if not self.netns:
            return "127.0.0.1"
        host = PROCESSES[process]
        if host is None:
            return "127.0.0.1"
        octet, networks = HOSTS[host]
        network = network or ("front" if host.startswith("app") else networks[0])
        return f"{NETWORKS[network][1]}.{octet}"

    def port(self, process: str) -> int:
        return (NETNS_PORTS if self.netns else LOOPBACK_PORTS)[process]

    def url(self) -> str:
        return f"http://127.0.0.1:{LB_PORT}"

    def env(self) -> dict[str, str]:
        """The environment of the app hosts, the worker and manage.py (docs/operations.md lists every variable)."""
        pgb = f"{self.address('pgbouncer')}:{self.port('pgbouncer')}"
        primary = f"{self.address('db1')}:{self.port('db1')}"
        replica = f"{self.address('db2')}:{self.port('db2')}"
        broker = f"{self.address('broker')}:{self.port('broker')}"
        cache = f"{self.address('cache')}:{self.port('cache')}"
        return {
            "DJANGO_SETTINGS_MODULE": "hromada.settings",
            "DEBUG": "0",
            "HROMADA_HTTPS": "0",
            # The balancer passes the client's Host; its health checks name the app host's own address.
            "ALLOWED_HOSTS": "127.0.0.1,localhost,10.77.1.11,10.77.1.12",
            "DATABASE_URL": f"postgres://hromada_app:{APP_PASSWORD}@{pgb}/{DB_NAME}",
            "DATABASE_MIGRATE_URL": f"postgres://postgres@{primary}/{DB_NAME}",
            "DATABASE_REPLICA_URL": f"postgres://hromada_app:{APP_PASSWORD}@{replica}/{DB_NAME}",
            "HROMADA_REPLICA_APPS": "monitoring",
            "HROMADA_REPLICA_MAX_LAG_SECONDS": os.environ.get("HROMADA_REPLICA_MAX_LAG_SECONDS", "5"),
            "HROMADA_REPLICA_CHECK_SECONDS": os.environ.get("HROMADA_REPLICA_CHECK_SECONDS", "1"),
            # pgbouncer pools the servers: no persistent connections on the app side, no prepared statements.
            "HROMADA_PGBOUNCER": "1",
            "DB_CONN_MAX_AGE": "0",
            "DB_CONNECT_TIMEOUT": "2",
            "DB_TCP_USER_TIMEOUT_MS": "4000",
            "DB_KEEPALIVES_IDLE": "2",
            "CELERY_BROKER_URL": f"redis://{broker}/0",
            "REDIS_URL": f"redis://{cache}/0",
            "HROMADA_CELERY_ROUTE_BY_KIND": "1",
            # "celery": the default queue — every task no route names (registers, audit, social services…).
            "HROMADA_CELERY_QUEUES": "celery,pdf,notify,billing,aggregates",
            # A killed worker's message comes back after the visibility timeout: short here, an hour in production.
            "HROMADA_CELERY_VISIBILITY_TIMEOUT": "15",
            "HROMADA_CELERY_RESTORE_INTERVAL": "2",
            "HROMADA_STRANDED_SWEEP_SECONDS": "5",
            "HROMADA_STRANDED_SWEEP_MIN_AGE_SECONDS": "5",
            "HROMADA_S3_BUCKET": "hromada-cluster",
            "HROMADA_S3_ENDPOINT_URL": f"http://{self.address('s3')}:{self.port('s3')}",
            "HROMADA_S3_ACCESS_KEY_ID": "hromada-local",
            "HROMADA_S3_SECRET_ACCESS_KEY": "hromada-local-secret",
            "HROMADA_LOG_FORMAT": "json",
            # Static files straight from the apps' folders (whitenoise's finders): collectstatic with hashed names
            # takes minutes on a shared 2-core machine and proves nothing about the cluster (make test-prod does).
            "HROMADA_STATIC_MANIFEST": "0",
            "WHITENOISE_USE_FINDERS": "1",
            "HROMADA_REQUIRE_2FA": "0",
            "HROMADA_VAR_DIR": str(VAR / "app"),
            "STATIC_ROOT": str(VAR / "static"),
            "SECRET_KEY": _kept_secret("secret_key"),
            "HROMADA_FIELD_KEY": _kept_secret("field_key"),
            "HROMADA_BEHIND_PROXY": "1",
            "FORWARDED_ALLOW_IPS": "10.77.1.1,127.0.0.1",
            "GUNICORN_WORKERS": os.environ.get("HROMADA_CLUSTER_GUNICORN_WORKERS", "2"),
            "GUNICORN_THREADS": "4",
            "PYTHONUNBUFFERED": "1",
        }


def _kept_secret(name: str) -> str:
    """Every host of the cluster shares SECRET_KEY and the field key (sessions and sealed secrets work on any)."""
    import secrets

    path = VAR / name
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


# --- packages -----------------------------------------------------------------------------------------------
def ensure_packages() -> None:
    missing = [name for name, path in PACKAGES.items() if not Path(path).exists()]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise SystemExit(f"missing Debian packages {', '.join(missing)}: install them (apt-get install {' '.join(missing)})")
    say(f"installing {' '.join(missing)} (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if sh("apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, check=False, env=env).returncode:
        sh("apt-get", "update", "-q", check=False, env=env)
        sh("apt-get", "install", "-y", "-q", "--no-install-recommends", *missing, env=env)


# --- network ------------------------------------------------------------------------------------------------
def net_up() -> None:
    existing = sh("ip", "-o", "link", "show", check=False).stdout
    for bridge, prefix in NETWORKS.values():
        if f" {bridge}:" not in existing:
            sh("ip", "link", "add", bridge, "type", "bridge")
            sh("ip", "addr", "add", f"{prefix}.1/24", "dev", bridge)
        sh("ip", "link", "set", bridge, "up")
    namespaces = sh("ip", "netns", "list", check=False).stdout
    for host, (octet, networks) in HOSTS.items():
        ns = f"hrc-{host}"
        if ns not in namespaces.split():
            sh("ip", "netns", "add", ns)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        for network in networks:
            bridge, prefix = NETWORKS[network]
            outer, inner = f"hrc-{host}-{network[0]}", f"eth-{network[0]}"
            if f" {outer}:" not in existing and f" {outer}@" not in existing:
                sh("ip", "link", "add", outer, "type", "veth", "peer", "name", inner, "netns", ns)
                sh("ip", "-n", ns, "addr", "add", f"{prefix}.{octet}/24", "dev", inner)
            sh("ip", "link", "set", outer, "master", bridge, "up")
            sh("ip", "-n", ns, "link", "set", inner, "up")


def net_down() -> None:
    namespaces = sh("ip", "netns", "list", check=False).stdout.split()
    for host in HOSTS:
        if f"hrc-{host}" in namespaces:
            sh("ip", "netns", "del", f"hrc-{host}", check=False)  # its veth pairs go with it
    for bridge, _prefix in NETWORKS.values():
        sh("ip", "link", "del", bridge, check=False, quiet=True)


def link(host: str, up: bool) -> None:
    """The host's link to the data network (its database path), as a cable pulled and plugged back."""
    sh("ip", "link", "set", f"hrc-{host}-d", "up" if up else "down")


# --- processes ----------------------------------------------------------------------------------------------
def pidfile(name: str) -> Path:
    return RUN / f"{name}.pid"


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (ProcessLookupError, FileNotFoundError):
        return False
    except (PermissionError, OSError, IndexError):
        return True


def running(name: str) -> int | None:
    if name in ("db1", "db2"):
        path = VAR / name / "data" / "postmaster.pid"
    else:
        path = pidfile(name)
    try:
        pid = int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if alive(pid) else None


def log_for(name: str, owner: str | None = None) -> Path:
    LOGS.mkdir(parents=True, exist_ok=True)
    path = LOGS / f"{name}.log"
    path.touch()
    if owner:
        shutil.chown(path, owner)
    return path


def prefix(topo: Topology, name: str, user: str | None = None) -> list[str]:
    cmd = []
    ns = topo.ns(name)
    if ns:
        cmd += ["ip", "netns", "exec", ns]
    if user:
        cmd += ["runuser", "-u", user, "--"]
    return cmd


def spawn(topo: Topology, name: str, argv: list[str], *, env: dict | None = None, user: str | None = None) -> int:
    """Start a foreground process in its host's namespace, in a session of its own (killed as a group)."""
    if running(name):
        return running(name)  # type: ignore[return-value]
    RUN.mkdir(parents=True, exist_ok=True)
    with open(log_for(name, user), "ab") as log:
        proc = subprocess.Popen(prefix(topo, name, user) + argv, stdout=log, stderr=subprocess.STDOUT, cwd=BASE,
                                env={**os.environ, **(env or {})}, start_new_session=True)
    pidfile(name).write_text(str(proc.pid))
    return proc.pid


def kill(name: str, sig: int = signal.SIGTERM, wait: float = 30) -> None:
    pid = running(name)
    if pid is None:
        pidfile(name).unlink(missing_ok=True)
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline and alive(pid):
        time.sleep(0.1)
    if alive(pid):
        say(f"{name} ({pid}) did not stop: killing it")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    pidfile(name).unlink(missing_ok=True)


def wait_port(host: str, port: int, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.5)
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"{what} does not answer on {host}:{port} after {timeout:.0f} s (see {LOGS})")


# --- PostgreSQL ---------------------------------------------------------------------------------------------
def pg_options(topo: Topology, name: str) -> str:
    sockets = VAR / name / "sock"
    options = (f"-c listen_addresses={topo.address(name)} -c port={topo.port(name)} "
               f"-c unix_socket_directories={sockets}")
    # The backstop behind pgbouncer's idle_transaction_timeout: no session sits on its locks in an open transaction.
    options += " -c idle_in_transaction_session_timeout=15s"
    # JIT off on the server: the application asks for it per connection, which PgBouncer refuses (docs/operations.md).
    options += " -c jit=off"
    if name == "db2":  # where the primary is, in this mode (pg_ctl passes the options through the shell)
        options += (f" -c primary_conninfo='host={topo.address('db1')} port={topo.port('db1')} user=postgres "
                    "application_name=db2'")
    return options


def pg_ctl(topo: Topology, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    data = VAR / name / "data"
    return sh(*prefix(topo, name, "postgres"), str(PGBIN / "pg_ctl"), "-D", str(data), "-l", str(log_for(name, "postgres")),
              "-o", pg_options(topo, name), *args, check=check)


def init_primary(topo: Topology) -> None:
    data = VAR / "db1" / "data"
    if (data / "PG_VERSION").exists():
        return
    say("initdb: the primary (db1)")
    for sub in ("data", "sock"):
        (VAR / "db1" / sub).mkdir(parents=True, exist_ok=True)
    shutil.chown(VAR / "db1", "postgres")
    for sub in ("data", "sock"):
        shutil.chown(VAR / "db1" / sub, "postgres")
    os.chmod(data, 0o700)
    sh("runuser", "-u", "postgres", "--", str(PGBIN / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust",
       "-E", "UTF8", "--locale=C.UTF-8")
    with open(data / "postgresql.conf", "a") as conf:
        conf.write("\n# hromada cluster (scripts/clusterctl.py)\nwal_level = replica\nmax_wal_senders = 5\n"
                   "wal_keep_size = 256MB\nhot_standby = on\nhot_standby_feedback = on\nmax_connections = 200\n"
                   "shared_buffers = 128MB\njit = off\nfsync = on\nsynchronous_commit = on\n"

                   "log_min_messages = warning\nlog_connections = off\n")
    with open(data / "pg_hba.conf", "a") as hba:
        # Trust on the private bridges of this stand-in only; production: scram-sha-256 and TLS (docs/operations.md).
        hba.write("host all all 10.77.0.0/16 trust\nhost replication all 10.77.0.0/16 trust\n"
                  "host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n")


def init_replica(topo: Topology) -> None:
    data = VAR / "db2" / "data"
    if (data / "PG_VERSION").exists():
        return
    say("pg_basebackup: the streaming replica (db2) from the primary")
    for sub in ("data", "sock"):
        (VAR / "db2" / sub).mkdir(parents=True, exist_ok=True)
    shutil.chown(VAR / "db2", "postgres")
    for sub in ("data", "sock"):
        shutil.chown(VAR / "db2" / sub, "postgres")
    os.chmod(data, 0o700)
    sh(*prefix(topo, "db2", "postgres"), str(PGBIN / "pg_basebackup"), "-h", topo.address("db1"),
       "-p", str(topo.port("db1")), "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast")


def start_db(topo: Topology, name: str) -> None:
    if running(name):
        return
    pg_ctl(topo, name, "-w", "-t", "60", "start")


def stop_db(topo: Topology, name: str, mode: str = "fast") -> None:
    if running(name):
        pg_ctl(topo, name, "-m", mode, "-w", "-t", "60", "stop", check=False)


def psql(topo: Topology, name: str, sql: str, db: str = "postgres") -> str:
    return sh(str(PGBIN / "psql"), "-h", topo.address(name), "-p", str(topo.port(name)), "-U", "postgres", "-d", db,
              "-Atqc", sql).stdout.strip()


def ensure_database(topo: Topology) -> None:
    if not psql(topo, "db1", f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}'"):  # noqa: S608 (a constant)
        say(f"creating database {DB_NAME}")
        psql(topo, "db1", f"CREATE DATABASE {DB_NAME}")


# --- the other services -------------------------------------------------------------------------------------
def start_pgbouncer(topo: Topology) -> None:
    conf_dir = VAR / "pgbouncer"
    conf_dir.mkdir(parents=True, exist_ok=True)
    (conf_dir / "userlist.txt").write_text(f'"hromada_app" "{APP_PASSWORD}"\n"postgres" ""\n')
    (conf_dir / "pgbouncer.ini").write_text(
        "; generated by scripts/clusterctl.py\n[databases]\n"
        f"{DB_NAME} = host={topo.address('db1')} port={topo.port('db1')} dbname={DB_NAME}\n\n"
        "[pgbouncer]\n"
        f"listen_addr = {topo.address('pgbouncer')}\nlisten_port = {topo.port('pgbouncer')}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {conf_dir / 'userlist.txt'}\n"
        "pool_mode = transaction\nmax_client_conn = 400\ndefault_pool_size = 20\nreserve_pool_size = 5\n"
        # Fail fast while the primary restarts: a client waits at most 3 s for a server, then gets an error
        # (the app answers 503 «спробуйте ще раз»); pgbouncer tries the primary again every second.
        "query_wait_timeout = 3\nserver_connect_timeout = 2\nserver_login_retry = 1\n"
        # A client that vanished mid-transaction (its host cut off) must not keep its locks — the audit chain's
        # head row among them, which every other host's intake waits for: its server connection is closed.
        "idle_transaction_timeout = 5\n"
        "server_reset_query = DISCARD ALL\nignore_startup_parameters = extra_float_digits,options\n"
        f"pidfile =\nadmin_users = postgres\nlog_connections = 0\nlog_disconnections = 0\n")
    shutil.chown(conf_dir, "postgres")
    for item in conf_dir.iterdir():
        shutil.chown(item, "postgres")
    spawn(topo, "pgbouncer", ["/usr/sbin/pgbouncer", str(conf_dir / "pgbouncer.ini")], user="postgres")


def start_redis(topo: Topology, name: str) -> None:
    data = VAR / name
    data.mkdir(parents=True, exist_ok=True)
    # The broker keeps its queues across a restart (append-only file); the cache need not.
    persist = ["--appendonly", "yes", "--appendfsync", "everysec"] if name == "broker" else ["--appendonly", "no"]
    spawn(topo, name, ["redis-server", "--bind", topo.address(name), "--port", str(topo.port(name)), "--save", "",
                       "--protected-mode", "no", "--dir", str(data), *persist])


def start_s3(topo: Topology) -> None:
    spawn(topo, "s3", [str(PYBIN / "moto_server"), "-H", topo.address("s3"), "-p", str(topo.port("s3"))])


def ensure_bucket(topo: Topology) -> None:
    import boto3

    env = topo.env()
    client = boto3.client("s3", endpoint_url=env["HROMADA_S3_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id=env["HROMADA_S3_ACCESS_KEY_ID"],
                          aws_secret_access_key=env["HROMADA_S3_SECRET_ACCESS_KEY"])
    if env["HROMADA_S3_BUCKET"] not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
        client.create_bucket(Bucket=env["HROMADA_S3_BUCKET"])


def start_app(topo: Topology, name: str) -> None:
    prom = VAR / name / "prom"
    shutil.rmtree(prom, ignore_errors=True)
    prom.mkdir(parents=True)
    env = {**topo.env(), "HROMADA_BIND": f"{topo.address(name)}:{topo.port(name)}",
           "GUNICORN_PIDFILE": "", "PROMETHEUS_MULTIPROC_DIR": str(prom)}
    spawn(topo, name, [str(PYBIN / "gunicorn"), "-c", str(BASE / "deploy" / "gunicorn.conf.py"),
                       "--name", f"hromada-{name}", "hromada.wsgi"], env=env)


def start_worker(topo: Topology) -> None:
    env = topo.env()
    spawn(topo, "worker", [str(PYBIN / "python"), "-m", "celery", "-A", "hromada", "worker", "-l", "INFO",
                           "-n", "worker@cluster", "-Q", env["HROMADA_CELERY_QUEUES"], "--concurrency",
                           os.environ.get("HROMADA_CLUSTER_WORKER_CONCURRENCY", "2")], env=env)


def start_beat(topo: Topology) -> None:
    spawn(topo, "beat", [str(PYBIN / "python"), "-m", "celery", "-A", "hromada", "beat", "-l", "INFO",
                         "-s", str(VAR / "celerybeat-schedule")], env=topo.env())


def start_lb(topo: Topology) -> None:
    conf = VAR / "haproxy.cfg"
    servers = "\n".join(f"    server {name} {topo.address(name)}:{topo.port(name)} check" for name in ("app1", "app2"))
    conf.write_text(
        "# generated by scripts/clusterctl.py\n"
        f"global\n    maxconn 1000\n    stats socket {RUN / 'haproxy.sock'} mode 600 level admin\n\n"
        "defaults\n    mode http\n    option httplog\n    log stdout format raw local0\n"
        "    timeout connect 2s\n    timeout client 60s\n    timeout server 60s\n"
        # A connection refused by a dead host is tried on the other one; a request that reached a host is never
        # re-sent by the balancer (the client retries with its Idempotency-Key instead).
        "    retries 2\n    option redispatch 1\n    retry-on conn-failure\n\n"
        f"frontend web\n    bind 127.0.0.1:{LB_PORT}\n    default_backend apps\n\n"
        "backend apps\n    balance roundrobin\n    option httpchk GET /healthz\n    http-check expect status 200\n"
        # A check gets 3 s of its own (a cold worker on a loaded 2-core machine may take more than the 1 s interval).
        "    timeout check 3s\n    default-server inter 1s fall 2 rise 2\n"
        f"{servers}\n")
    spawn(topo, "lb", ["/usr/sbin/haproxy", "-db", "-f", str(conf)])


def lb_command(command: str) -> str:
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(str(RUN / "haproxy.sock"))
        s.sendall(command.encode() + b"\n")
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks).decode()


def balanced(name: str) -> bool:
    """True when the balancer sends traffic to the app host `name` (its checks passed `rise` times)."""
    for line in lb_command("show servers state apps").splitlines():
        parts = line.split()
        if len(parts) > 5 and parts[3] == name:
            return parts[5] == "2"  # srv_op_state 2 = running
    return False


def wait_balanced(names: tuple[str, ...] = ("app1", "app2"), timeout: float = 60) -> None:
    # The balancer starts with the app hosts not yet listening and marks them down; `up` is done only when the
    # balancer has taken them back, or the first requests get its 503 «No server is available».
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(balanced(name) for name in names):
            return
        time.sleep(0.5)
    raise SystemExit(f"the balancer has not taken {', '.join(names)} into service after {timeout:.0f} s: "
                     f"see {LOGS / 'lb.log'}")


def manage(topo: Topology, *args: str) -> None:
    env = {**os.environ, **topo.env(), "HROMADA_PGBOUNCER": "0"}
    # migrate and the rest talk to the primary directly (session features: advisory locks, DDL).
    env["DATABASE_URL"] = env["DATABASE_URL"].replace(
        f"{topo.address('pgbouncer')}:{topo.port('pgbouncer')}", f"{topo.address('db1')}:{topo.port('db1')}")
    begun = time.monotonic()
    subprocess.run([str(PYBIN / "python"), str(BASE / "manage.py"), *args], env=env, cwd=BASE, check=True)
    say(f"manage.py {' '.join(args)}: {time.monotonic() - begun:.0f} s")


def wait_healthy(topo: Topology, name: str, timeout: float = 120) -> None:
    import urllib.request

    url = f"http://{topo.address(name)}:{topo.port(name)}/readyz"
    deadline, last = time.monotonic() + timeout, ""
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 (our own host)
                if response.status == 200:
                    return
        except OSError as exc:
            last = str(exc)
        if not running(name):
            raise SystemExit(f"{name} exited: see {LOGS / (name + '.log')}")
        time.sleep(0.5)
    raise SystemExit(f"{name} is not ready after {timeout:.0f} s: {last}")


# --- commands -----------------------------------------------------------------------------------------------
def up(*, demo: bool = True) -> Topology:
    begun = time.monotonic()
    ensure_packages()
    if VAR != BASE / "var" / "cluster":
        say(f"the cluster's data, logs and sockets: {VAR}")
    topo = Topology.load()
    if topo is None or not any(running(name) for name in PROCESSES):
        netns, reason = netns_possible()
        topo = Topology(netns, reason)
        topo.save()
    if topo.netns:
        say("hosts are network namespaces (front 10.77.1.0/24, service 10.77.2.0/24, data 10.77.3.0/24)")
        net_up()
    else:
        say(f"NO network namespaces ({topo.reason}): every host on 127.0.0.1 with ports of its own; "
            "the network-cut fault cannot be injected")
    for d in (LOGS, RUN):
        d.mkdir(parents=True, exist_ok=True)
    init_primary(topo)
    start_db(topo, "db1")
    init_replica(topo)
    start_db(topo, "db2")
    start_pgbouncer(topo)
    start_redis(topo, "broker")
    start_redis(topo, "cache")
    start_s3(topo)
    for name in ("pgbouncer", "broker", "cache", "s3"):
        wait_port(topo.address(name), topo.port(name), 30, name)
    ensure_database(topo)
    ensure_bucket(topo)
    if not (VAR / "prepared").exists():
        manage(topo, "prepare_stack", "--no-static", *(["--demo"] if demo else []))
        (VAR / "prepared").write_text(time.strftime("%Y-%m-%dT%H:%M:%S"))
    start_app(topo, "app1")
    start_app(topo, "app2")
    start_worker(topo)
    start_beat(topo)
    start_lb(topo)
    for name in ("app1", "app2"):
        wait_healthy(topo, name)
    wait_port("127.0.0.1", LB_PORT, 30, "the balancer")
    wait_balanced()
    say(f"up in {time.monotonic() - begun:.0f} s: {topo.url()}/ (balancer) — logs per host in {LOGS}")
    return topo


def down() -> None:
    topo = Topology.load() or Topology(False)
    for name in ("lb", "app1", "app2", "beat", "worker", "s3", "cache", "broker", "pgbouncer"):
        kill(name, wait=40 if name == "worker" else 20)
    for name in ("db2", "db1"):
        stop_db(topo, name)
    if topo.netns:
        net_down()
    say("down (data kept in var/cluster/; `rm -rf var/cluster` for a fresh start)")


STARTERS = {
    "db1": lambda t: start_db(t, "db1"), "db2": lambda t: start_db(t, "db2"), "pgbouncer": start_pgbouncer,
    "broker": lambda t: start_redis(t, "broker"), "cache": lambda t: start_redis(t, "cache"), "s3": start_s3,
    "app1": lambda t: start_app(t, "app1"), "app2": lambda t: start_app(t, "app2"), "worker": start_worker,
    "beat": start_beat, "lb": start_lb,
}


def start(name: str) -> None:
    topo = Topology.load()
    if topo is None:
        raise SystemExit("the cluster is not up")
    STARTERS[name](topo)


def stop(name: str, sig: int = signal.SIGTERM) -> None:
    topo = Topology.load() or Topology(False)
    if name in ("db1", "db2"):
        stop_db(topo, name, "immediate" if sig == signal.SIGKILL else "fast")
    else:
        kill(name, sig)


def status() -> int:
    topo = Topology.load()
    if topo is None:
        say("not up")
        return 3
    say("network namespaces" if topo.netns else f"loopback ports ({topo.reason})")
    for name in PROCESSES:
        where = (f"127.0.0.1:{LB_PORT}" if name == "lb" else f"{topo.address(name)}:{topo.port(name)}"
                 if name in NETNS_PORTS else f"host {PROCESSES[name]}")
        print(f"  {name:10} {('pid ' + str(running(name))) if running(name) else 'stopped':12} {where}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    command = args[0] if args else "status"
    if command == "up":
        up(demo="--no-demo" not in args)
    elif command == "down":
        down()
    elif command == "status":
        return status()
    elif command in ("start", "stop", "kill") and len(args) == 2 and args[1] in PROCESSES:
        if command == "start":
            start(args[1])
        else:
            stop(args[1], signal.SIGKILL if command == "kill" else signal.SIGTERM)
    elif command in ("cut", "heal") and len(args) == 2 and args[1] in HOSTS:
        link(args[1], up=command == "heal")
    elif command == "env":
        topo = Topology.load() or Topology(*netns_possible())
        for key, value in topo.env().items():
            print(f"export {key}='{value}'")
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
