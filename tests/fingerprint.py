"""A fingerprint of everything the database holds, to prove that a request changed nothing:
one md5 per table over all its rows, read in one query. Counting rows would miss an UPDATE
(a target moved to another department); this does not."""

from django.db import connection

# Rewritten by an active session on purpose (at most once a minute): the idle timeout renews its expiry.
ALWAYS_CHANGING = {"django_session"}


def tables():
    """Every table in the database (not only those with a model), views left out."""
    return sorted(set(connection.introspection.table_names(include_views=False)) - ALWAYS_CHANGING)


def database_fingerprint() -> dict[str, str]:
    parts = [
        f"SELECT '{table}', count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM \"{table}\" t"
        for table in tables()
    ]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return {table: f"{count}:{digest}" for table, count, digest in cursor.fetchall()}


def changed_tables(before: dict, after: dict) -> list[str]:
    return sorted(table for table in before.keys() | after.keys() if before.get(table) != after.get(table))
