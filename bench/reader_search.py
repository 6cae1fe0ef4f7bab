"""How to find Chinese substrings in PostgreSQL without ICU: plain strpos/ILIKE scans versus a
pg_trgm GIN index, on a scratch database of the embedded server (never the dev or test data).

    DEBUG=1 .venv/bin/python bench/reader_search.py [rows ...]

Rows are made from windows of the real report text (fixtures/report.json), so the character
mix is a real report's. Prints the median of 25 runs per query and method, in milliseconds.
The figures are quoted in reader/selectors.py where the choice is made.
"""

import json
import random
import statistics
import sys
import time
from pathlib import Path

import psycopg2

BASE = Path(__file__).resolve().parent.parent
SCRATCH = "bench_reader"
QUERIES = ["菜市", "社区", "肉菜市", "社区卫生", "一刻钟精品服务社区", "A3.2.01", "鲲鹏"]


def connect(database):
    sys.path.insert(0, str(BASE))
    from reportgov import embedded_db

    embedded_db.database_url()  # starts the server if needed
    connection = psycopg2.connect(f"postgresql://postgres:@/{database}?host={embedded_db.PGDATA}")
    connection.autocommit = True
    return connection


def report_text():
    for obj in json.loads((BASE / "fixtures" / "report.json").read_text(encoding="utf-8")):
        if obj["model"] == "targets.report":
            return obj["fields"]["text"].replace("\n", "")
    raise SystemExit("no report text in fixtures/report.json")


def fill(cursor, rows, text, rng):
    cursor.execute("DROP TABLE IF EXISTS item")
    cursor.execute("CREATE TABLE item (id serial PRIMARY KEY, code text, name text, source_text text)")
    values = []
    for n in range(rows):
        start = rng.randrange(len(text) - 80)
        name = text[start : start + rng.randint(6, 14)]
        source = text[start : start + rng.randint(15, 60)]
        values.append((f"A{n % 7}.{n % 5}.{n:05d}", name, source))
    cursor.executemany("INSERT INTO item (code, name, source_text) VALUES (%s, %s, %s)", values)
    cursor.execute("ANALYZE item")


METHODS = {
    "strpos": "SELECT count(*) FROM item WHERE strpos(code, %(q)s) > 0 OR strpos(name, %(q)s) > 0 "
    "OR strpos(source_text, %(q)s) > 0",
    "ilike": "SELECT count(*) FROM item WHERE code ILIKE %(p)s OR name ILIKE %(p)s OR source_text ILIKE %(p)s",
}


def timed(cursor, sql, params, runs=25):
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        samples.append((time.perf_counter() - began) * 1000)
    return statistics.median(samples)


def plan_uses_index(cursor, sql, params):
    cursor.execute("EXPLAIN " + sql, params)
    return any("Bitmap Index Scan" in line for (line,) in cursor.fetchall())


def main():
    sizes = [int(arg) for arg in sys.argv[1:]] or [3000, 30000]
    admin = connect("postgres")
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        cursor.execute(f"CREATE DATABASE {SCRATCH}")
    connection = connect(SCRATCH)
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT datcollate, datctype FROM pg_database WHERE datname = current_database()")
        print("collate, ctype:", cursor.fetchone())
        cursor.execute("CREATE EXTENSION pg_trgm")
        for query in ("肉菜", "肉菜市"):
            cursor.execute("SELECT show_trgm(%s)", [query])
            print(f"show_trgm({query}) = {cursor.fetchone()[0]}")
        text = report_text()
        for rows in sizes:
            fill(cursor, rows, text, random.Random(rows))
            print(f"\n{rows} rows (median ms of 25 runs; * = plan uses the trigram index)")
            print(f"{'query':<20}{'matches':>8}{'strpos':>10}{'ilike':>10}{'trgm':>10}")
            results = {}
            for query in QUERIES:
                params = {"q": query, "p": f"%{query}%"}
                cursor.execute(METHODS["strpos"], params)
                results[query] = [cursor.fetchone()[0], timed(cursor, METHODS["strpos"], params)]
                results[query].append(timed(cursor, METHODS["ilike"], params))
            for column in ("code", "name", "source_text"):
                cursor.execute(f"CREATE INDEX item_{column}_trgm ON item USING gin ({column} gin_trgm_ops)")
            cursor.execute("ANALYZE item")
            for query in QUERIES:
                params = {"q": query, "p": f"%{query}%"}
                used = plan_uses_index(cursor, METHODS["ilike"], params)
                trgm = timed(cursor, METHODS["ilike"], params)
                count, strpos, ilike = results[query]
                print(f"{query:<20}{count:>8}{strpos:>10.2f}{ilike:>10.2f}{trgm:>9.2f}{'*' if used else ' '}")
            for column in ("code", "name", "source_text"):
                cursor.execute(f"DROP INDEX item_{column}_trgm")
    finally:
        connection.close()
        with admin.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        admin.close()


if __name__ == "__main__":
    main()
