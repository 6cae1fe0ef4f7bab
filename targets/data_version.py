"""Reads kept until the data they were read from changes.

The dashboard's figures and a page of 我的目标 cost a statement of every figure and the objects built
from it, while the data behind them changes a few times an hour. `remembered` keeps such a read in
the `figures` cache under the writes it saw, and reads again once anything it reads has changed.

Which writes a read saw: every transaction that writes to a watched table (targets' migration 0020,
reportgov_watch) records its transaction id in reportgov_data_change. In a snapshot, the highest
recorded id visible (M) and the transactions still in progress below it (X) name exactly the set of
writing transactions whose work it sees: a writer below M that is not in X has ended, committed
(seen) or rolled back (not), and stays so; a writer that commits later is either above M, so M
changes, or in X, so X changes. That holds while M is below the snapshot's xmax, as every id of this
cluster that is visible is; after a restore from another cluster's dump it may not be, and nothing
is kept until it is. A transaction that has written itself reads without the cache: its view holds
writes that may yet be rolled back. The read is computed after its key is taken, so what is kept
is never older than its key: at worst it holds writes committed meanwhile, which every later key
sees too.

reportgov_data_change grows by one row of 8 bytes per writing transaction, and its highest row is
read from its primary key's index.

A test (tests/test_data_version.py) checks that every table the kept reads query, and every table
the figures' SQL functions read, is watched."""

import hashlib

from django.core.cache import caches
from django.db import connection
from django.utils import timezone
from django.utils.translation import get_language

CACHE = "figures"
_MISSING = object()

# A hot standby's snapshot lists no transaction in progress (they are its subtransactions'): it keeps nothing.
# The transactions in progress are the whole cluster's: those seen working in another database cannot
# write here, and are left out (an id of 32 bits names one transaction among those in progress).
_VERSION_SQL = """
    SELECT pg_current_xact_id_if_assigned() IS NULL AND NOT pg_is_in_recovery()
        AND (m IS NULL OR m < pg_snapshot_xmax(s)),
        m::text,
        ARRAY(
            SELECT x::text FROM pg_snapshot_xip(s) AS x
            WHERE x < m AND NOT EXISTS (
                SELECT FROM pg_stat_activity AS elsewhere
                WHERE elsewhere.datname <> current_database()
                    AND elsewhere.backend_xid::text::bigint = (x::text::numeric % 4294967296)::bigint
            )
            ORDER BY x
        )
    FROM (SELECT max(xid) AS m FROM reportgov_data_change) AS changes, pg_current_snapshot() AS s
"""


# Recorded after every migrate (targets.apps): the figures' functions are created again, and DDL fires no trigger.
RULES_CHANGED_SQL = """
    DO $$ BEGIN
        IF to_regclass('reportgov_data_change') IS NOT NULL THEN
            INSERT INTO reportgov_data_change VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
        END IF;
    END $$
"""


def version() -> tuple | None:
    """The writes this connection's reads see now, as a key; None when no read may be kept."""
    with connection.cursor() as cursor:
        cursor.execute(_VERSION_SQL)
        usable, highest, in_progress = cursor.fetchone()
    if not usable:
        return None
    database = connection.settings_dict
    return (database["HOST"], database["PORT"], database["NAME"], highest, tuple(in_progress))


def remembered(name: str, parts: tuple, compute):
    """compute(), or what it returned for the same `name` and `parts` under the same writes, today and in
    the active language. `parts` is everything else the read depends on (the report, the user's scope,
    the as-of day…), as values whose repr says them exactly."""
    seen = version()
    if seen is None:
        return compute()
    # Today and the language are part of every key: figures "as of today" move with the calendar, and
    # what is kept holds words and pages in the language they were written in.
    kept_for = (parts, seen, timezone.localdate(), get_language())
    key = f"{name}:" + hashlib.sha256(repr(kept_for).encode()).hexdigest()
    cache = caches[CACHE]
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value)
    return value
