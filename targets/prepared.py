"""Server-side prepared statements, for statements whose parsing and planning cost PostgreSQL a good
part of running them: record_progress's read under the target's lock, and the ledger computation's
SELECTs of the list and the dashboard (planning the figures' inlined functions costs more than
running them). psycopg2 has none of
its own.

A statement is prepared once per database connection, under a name derived from its text, and then
only executed: PostgreSQL switches to a cached generic plan when it plans no worse than a fresh one.
A connection keeps at most MAX_PER_CONNECTION of them, the least recently used deallocated first. A
prepared statement outlives a rolled-back transaction and ends with its connection, so the names
this connection holds are forgotten when Django opens a new one.
"""

import contextlib
import hashlib
import re
from collections import OrderedDict

from django.db import connection
from django.db.backends.signals import connection_created
from django.dispatch import receiver

MAX_PER_CONNECTION = 64
# The ledger computation's SELECTs call the figures' functions (targets/figures.sql): planning them
# inlines every rule, which costs more than running them; the page's small queries are left alone.
FIGURES_CALL = "reportgov_status("
_PLACEHOLDER = re.compile(r"%%|%s")


@receiver(connection_created)
def _new_connection(sender, connection, **kwargs):
    connection.prepared_statements = OrderedDict()


def statement(cursor, sql: str) -> str:
    """The SQL that executes `sql` (one statement with psycopg2 %s placeholders) as a statement
    prepared on the cursor's connection, preparing it first if needed. Run it with `sql`'s parameters."""
    name = "prepared_" + hashlib.blake2b(sql.encode(), digest_size=8).hexdigest()
    prepared = cursor.db.__dict__.setdefault("prepared_statements", OrderedDict())  # name: placeholders
    if name in prepared:
        prepared.move_to_end(name)
    else:
        placeholders = _PLACEHOLDER.findall(sql).count("%s")
        numbers = iter(range(1, placeholders + 1))
        server_side = _PLACEHOLDER.sub(lambda match: "%" if match[0] == "%%" else f"${next(numbers)}", sql)
        evicted = prepared.popitem(last=False)[0] if len(prepared) >= MAX_PER_CONNECTION else None
        cursor.execute(
            f"DEALLOCATE {evicted}; PREPARE {name} AS {server_side}" if evicted else f"PREPARE {name} AS {server_side}"
        )
        prepared[name] = placeholders
    placeholders = prepared[name]
    return f"EXECUTE {name}({', '.join(['%s'] * placeholders)})" if placeholders else f"EXECUTE {name}"


def _execute_figure_selects_prepared(execute, sql, params, many, context):
    if many or not sql.startswith("SELECT") or FIGURES_CALL not in sql:
        return execute(sql, params, many, context)
    return execute(statement(context["cursor"], sql), params, many, context)


@contextlib.contextmanager
def figure_selects():
    """Within the block, run each SELECT of the figures on the default connection as a prepared statement."""
    with connection.execute_wrapper(_execute_figure_selects_prepared):
        yield
