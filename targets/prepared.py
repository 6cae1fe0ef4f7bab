"""Server-side prepared statements, for a statement on a hot write path whose planning costs PostgreSQL
more than running it (record_progress's read under the target's lock). psycopg2 has none of its own.

A statement is prepared once per database connection, under a name derived from its text, and then
only executed: PostgreSQL switches to a cached generic plan when it plans no worse than a fresh one.
A prepared statement outlives a rolled-back transaction and ends with its connection, so the names
this connection holds are forgotten when Django opens a new one.
"""

import hashlib
import re

from django.db.backends.signals import connection_created
from django.dispatch import receiver

_PLACEHOLDER = re.compile(r"%%|%s")


@receiver(connection_created)
def _new_connection(sender, connection, **kwargs):
    connection.prepared_statements = set()


def statement(cursor, sql: str) -> str:
    """The SQL that executes `sql` (one statement with psycopg2 %s placeholders) as a statement
    prepared on the cursor's connection, preparing it first if needed. Run it with `sql`'s parameters."""
    name = "prepared_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
    prepared = cursor.db.__dict__.setdefault("prepared_statements", set())
    placeholders = _PLACEHOLDER.findall(sql).count("%s")
    if name not in prepared:
        numbers = iter(range(1, placeholders + 1))
        server_side = _PLACEHOLDER.sub(lambda match: "%" if match[0] == "%%" else f"${next(numbers)}", sql)
        cursor.execute(f"PREPARE {name} AS {server_side}")
        prepared.add(name)
    return f"EXECUTE {name}({', '.join(['%s'] * placeholders)})" if placeholders else f"EXECUTE {name}"
