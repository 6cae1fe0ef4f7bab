"""The load test: many reporters recording progress through the web form while officials read the
dashboard, the ledger and the report. Started by loadtest/run.sh (which prepares a copy of the dev
database, the plan and gunicorn); never aimed at anything but 127.0.0.1.

Every progress POST carries a unique note `lt-<run>-<n>`. At the end the entries with this run's
notes are counted in the database: the run fails (exit code 1) on any 5xx, any unexpected answer,
any acknowledged entry that is not stored, any entry stored twice or stored without being submitted.

With the fault phase (loadtest/run.sh writes the moments of its faults to LOADTEST_FAULTS_FILE),
what the faults cause is counted apart: from the database's stop until 10 s after its start, 503s
(the app's answer while the database is down) and the requests that needed it; for 15 s from the
kill of a worker, the requests it was answering (cut off: no status). Outside those, the rules
above hold. Throughput (answered requests per second) is measured in two windows: from the end of
the warm-up to the database's stop, and from `recovered` to the end; the run fails if the second is
under 90 % of the first.
"""

import datetime
import itertools
import json
import os
import random
import re
import threading
import time
from urllib.parse import urlsplit

import psycopg2
from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"], encoding="utf-8").read())  # noqa: SIM115
RUN = os.environ.get("LOADTEST_RUN", "local")
PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo12345")
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

counter = itertools.count(1)
lock = threading.Lock()
latest = {target["code"]: target["latest"] for targets in PLAN["reporters"].values() for target in targets}
step = {target["code"]: target["step"] for targets in PLAN["reporters"].values() for target in targets}
tally = {"submitted": [], "acknowledged": [], "rejected": 0}
outcomes = []  # (moment answered, "ok" / "server error" / "unexpected" / "no answer", status), every request


def only_loopback(host):
    if urlsplit(host).hostname not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load test only runs against 127.0.0.1")


class Visitor(HttpUser):
    abstract = True
    wait_time = between(0.5, 2.0)
    username = None

    def on_start(self):
        only_loopback(self.host)
        self.client.get("/accounts/login/", name="login page")
        token = self.client.cookies.get("csrftoken")
        with self.client.post(
            "/accounts/login/",
            {"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="login",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"login of {self.username} answered {response.status_code}")

    def read(self, path, name=None):
        with self.client.get(path, name=name or path, catch_response=True) as response:
            judge(response, ok=(200,))


def judge(response, *, ok):
    if response.status_code >= 500:
        response.failure(f"server error {response.status_code}")
    elif response.status_code not in ok:
        response.failure(f"unexpected {response.status_code}")


@events.request.add_listener
def note_outcome(start_time, response_time, response, exception, **kwargs):
    status = getattr(response, "status_code", 0) or 0
    if exception is None:
        outcome = "ok"
    elif status == 0:
        outcome = "no answer"  # the connection was refused, reset or closed before an answer
    elif status >= 500:
        outcome = "server error"
    else:
        outcome = "unexpected"
    outcomes.append((start_time + response_time / 1000, outcome, status))


class Reporter(Visitor):
    """填报员: looks at the list, opens a target, records where it stands."""

    weight = 3

    def on_start(self):
        self.username = random.choice(sorted(PLAN["reporters"]))
        self.targets = PLAN["reporters"][self.username]
        super().on_start()

    @task(1)
    def my_targets(self):
        self.read("/targets/", "target list")

    @task(3)
    def record_progress(self):
        target = random.choice(self.targets)
        path = f"/targets/{PLAN['report']}/{target['code']}/progress/"
        with self.client.get(path, name="progress form", catch_response=True) as form:
            judge(form, ok=(200,))
            match = CSRF_INPUT.search(form.text or "")
            if not match:
                form.failure("no form")
                return
        with lock:
            number = next(counter)
            latest[target["code"]] = round(latest[target["code"]] + step[target["code"]], 4)
            value = latest[target["code"]]
        note = f"lt-{RUN}-{number}"
        tally["submitted"].append(note)
        data = {
            "csrfmiddlewaretoken": match.group(1),
            "reported_on": PLAN["today"],
            "value": f"{value:.4f}",
            "note": note,
            # Many rounds past a small target or a zero start: a value the reporter vouches for.
            "confirm_unusual": "on",
        }
        with self.client.post(
            path, data, name="record progress", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code == 302:
                tally["acknowledged"].append(note)
            elif response.status_code == 200 and 'role="alert"' in response.text:
                # The form's rules said no (two people raced on one target and this one came second
                # with a lower value): an answer, not an error. Nothing is stored.
                tally["rejected"] += 1
            else:
                judge(response, ok=())


class Official(Visitor):
    """领导/督查: reads the dashboard, the ledger, the report and single targets."""

    weight = 1

    def on_start(self):
        self.username = random.choice(PLAN["officials"])
        super().on_start()

    @task(3)
    def dashboard(self):
        self.read("/dashboard/", "dashboard")

    @task(2)
    def ledger(self):
        self.read("/targets/", "target list")
        self.read("/targets/?page=2", "target list page 2")

    @task(1)
    def living_report(self):
        self.read("/report/", "living report")

    @task(1)
    def practical_tasks(self):
        self.read("/tasks/", "practical tasks")

    @task(2)
    def one_target(self):
        reporter = random.choice(sorted(PLAN["reporters"]))
        code = random.choice(PLAN["reporters"][reporter])["code"]
        self.read(f"/targets/{PLAN['report']}/{code}/", "target page")

    @task(1)
    def dashboard_api(self):
        self.read("/api/v1/dashboard", "dashboard API")


@events.quitting.add_listener
def count_what_was_stored(environment, **kwargs):
    time.sleep(3)  # requests cut off by the stop may still be finishing on the server
    with psycopg2.connect(os.environ["DATABASE_URL"]) as database, database.cursor() as cursor:
        cursor.execute("SELECT note FROM targets_progressentry WHERE note LIKE %s", [f"lt-{RUN}-%"])
        stored = [row[0] for row in cursor.fetchall()]
    acknowledged, submitted = set(tally["acknowledged"]), set(tally["submitted"])
    lost = acknowledged - set(stored)
    stats = environment.stats.total
    faults = read_faults()
    caused = [fault_caused(outcome, faults) for outcome in outcomes]
    outside = [outcome for outcome, by_fault in zip(outcomes, caused, strict=True) if not by_fault]
    result = {
        "requests": stats.num_requests,
        "failures": sum(outcome != "ok" for _moment, outcome, _status in outside),
        "server_errors": sum(outcome == "server error" for _moment, outcome, _status in outside),
        "unexpected_answers": sum(outcome == "unexpected" for _moment, outcome, _status in outside),
        "entries_submitted": len(submitted),
        "entries_acknowledged": len(acknowledged),
        "entries_rejected_by_rules": tally["rejected"],
        "entries_stored": len(stored),
        "entries_stored_twice": len(stored) - len(set(stored)),
        "entries_lost": len(lost),
        "entries_stored_not_submitted": len(set(stored) - submitted),
        # Submitted, and stored, but their answer was cut off when the run stopped.
        "entries_in_flight_at_stop": len(set(stored) - acknowledged),
        "p50_ms": stats.get_response_time_percentile(0.5),
        "p95_ms": stats.get_response_time_percentile(0.95),
        "requests_per_second": round(stats.total_rps, 1),
    }
    if faults is not None:
        by_fault = [outcome for outcome, by in zip(outcomes, caused, strict=True) if by]
        before = throughput(faults["start"] + faults["warmup"], faults["database_stopped"])
        end = max(moment for moment, _outcome, _status in outcomes)
        after = throughput(faults["recovered"], end)
        result["faults"] = {
            "database_down_seconds": round(faults["database_started"] - faults["database_stopped"], 1),
            "answered_503_while_database_down": sum(status == 503 for _moment, _outcome, status in by_fault),
            "cut_off_by_worker_kill": sum(outcome == "no answer" for _moment, outcome, _status in by_fault),
            "other_failures_during_faults": sum(
                outcome != "ok" and status != 503 for _moment, outcome, status in by_fault
            ),
            "throughput_before_rps": round(before, 2),
            "throughput_after_recovery_rps": round(after, 2),
            "after_over_before": round(after / before, 3) if before else None,
            "requests_per_worker_before": requests_per_worker(
                faults["start"] + faults["warmup"], faults["database_stopped"]
            ),
            "requests_per_worker_after_recovery": requests_per_worker(faults["recovered"], end),
        }
    path = os.environ.get("LOADTEST_RESULT")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=2)
    print("LOADTEST RESULT " + json.dumps(result))
    bad = (
        result["server_errors"]
        or result["failures"]
        or result["entries_lost"]
        or result["entries_stored_twice"]
        or result["entries_stored_not_submitted"]
        or (os.environ.get("LOADTEST_FAULTS_FILE") and faults is None)  # the fault phase did not finish in time
        or (faults is not None and not (result["faults"]["after_over_before"] or 0) >= 0.9)
    )
    environment.process_exit_code = 1 if bad else 0


DATABASE_GRACE = 10  # seconds after the database is back in which requests may still fail
KILL_GRACE = 15  # a dead keep-alive connection is found at its user's next request, seconds later


def read_faults():
    path = os.environ.get("LOADTEST_FAULTS_FILE")
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def fault_caused(outcome, faults):
    """Whether a failed request is what a fault makes of it: a 503 or any failure while the database is down
    (and shortly after), a request cut off by the kill of the worker answering it. A 500 is never."""
    moment, kind, status = outcome
    if faults is None or kind == "ok" or status == 500:
        return False
    if faults["database_stopped"] <= moment <= faults["database_started"] + DATABASE_GRACE:
        return True
    return kind == "no answer" and faults["worker_killed"] <= moment <= faults["worker_killed"] + KILL_GRACE


def throughput(start, end):
    answered = sum(1 for moment, outcome, _status in outcomes if outcome == "ok" and start <= moment < end)
    return answered / (end - start) if end > start else 0.0


def requests_per_worker(start, end):
    """Requests answered between `start` and `end` by each gunicorn worker (pid), from its access log
    (`<pid> [<time>] <status>`): after the kill, the replacement should take its share."""
    path = os.path.join(os.path.dirname(os.environ["LOADTEST_RESULT"]), "access.log")
    counts = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            pid, moment = line.split(" ", 1)[0], line[line.index("[") + 1 : line.index("]")]
            if start <= datetime.datetime.strptime(moment, "%d/%b/%Y:%H:%M:%S %z").timestamp() < end:
                counts[pid] = counts.get(pid, 0) + 1
    return counts
