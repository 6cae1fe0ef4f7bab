"""targets.prepared: the SELECTs of the figures run as statements prepared on their connection, a bounded number
of them per connection, the least recently used deallocated first."""

from django.db import connection

from targets import prepared


def server_side_statements(cursor):
    cursor.execute("SELECT name FROM pg_prepared_statements")
    return {name for (name,) in cursor.fetchall()}


def test_figure_selects_are_prepared_once_and_the_least_recently_used_goes_first(db, monkeypatch):
    monkeypatch.setattr(prepared, "FIGURES_CALL", " + ")
    monkeypatch.setattr(prepared, "MAX_PER_CONNECTION", 2)
    with connection.cursor() as cursor:
        # From an empty slate: earlier tests on this connection may have prepared statements.
        cursor.execute("DEALLOCATE ALL")
        cursor.db.__dict__.setdefault("prepared_statements", {}).clear()
        with prepared.figure_selects():
            for n in (1, 2, 1, 3, 2):  # 3 evicts 2 (1 was used since); 2 comes back and evicts 1
                cursor.execute(f"SELECT %s + {n}", [10])
                assert cursor.fetchone() == (10 + n,)
        held = list(cursor.db.prepared_statements)
        assert len(held) == 2
        assert server_side_statements(cursor) == set(held)
        cursor.execute("SELECT %s + 4", [10])  # outside the block: not prepared
        assert server_side_statements(cursor) == set(held)


def test_another_select_or_a_write_is_not_prepared(db):
    with connection.cursor() as cursor:
        before = server_side_statements(cursor)
        with prepared.figure_selects():
            cursor.execute("SELECT 1")
            cursor.execute("CREATE TEMPORARY TABLE scratch (n int)")
        assert server_side_statements(cursor) == before
