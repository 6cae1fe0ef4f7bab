"""Requests per second under gunicorn (2 workers), from keep-alive clients on 127.0.0.1.

gunicorn serves bench.wsgi (the project's application plus /bench/no-db and /bench/one-query)
against bench_s with the gthread worker, the one that keeps connections alive. Each client thread
holds one HTTP/1.1 connection and sends a bounded number of requests; rounds of the figures
alternate so that each sees the same load. /bench/one-query answers with the PostgreSQL backend
pid it used: as many distinct pids as workers means the database connections were reused."""

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
WORKERS = 2
CLIENTS = 4


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, env):
        self.port = free_port()
        gunicorn = Path(sys.executable).with_name("gunicorn")
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                "bench.wsgi:application",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "gthread",
                "--threads",
                "1",
                "--keep-alive",
                "60",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--log-level",
                "warning",
            ],
            cwd=BASE,
            env={**env, "DJANGO_SETTINGS_MODULE": "bench.settings"},
        )

    def __enter__(self):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _ = request(http.client.HTTPConnection("127.0.0.1", self.port, timeout=5), "/bench/no-db")
                if status == 200:
                    return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)


def request(connection, path, cookie=None):
    headers = {"Host": "127.0.0.1", "Connection": "keep-alive"}
    if cookie:
        headers["Cookie"] = cookie
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def load(port, path, per_client, cookie=None):
    """CLIENTS threads, each with one kept-alive connection, send per_client requests each.
    Returns (requests per second, set of bodies of the responses)."""
    bodies, failures = set(), []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS + 1)

    def client():
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        request(connection, path, cookie)  # connect and warm before the clock starts
        barrier.wait()
        seen = set()
        for _ in range(per_client):
            status, body = request(connection, path, cookie)
            if status != 200:
                failures.append(status)
            if len(body) < 32:
                seen.add(body)
        connection.close()
        with lock:
            bodies.update(seen)

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise RuntimeError(f"{path}: {len(failures)} failed requests, e.g. {failures[:3]}")
    return CLIENTS * per_client / elapsed, bodies


def measure(env, cookie, urls, runs):
    """{figure: [requests/s per round]} and the backend pids /bench/one-query used."""
    samples = {name: [] for name in urls}
    pids = set()
    with Server(env) as server:
        for index in range(runs + 1):  # the first round warms the workers
            for name, (path, per_client, needs_login) in urls.items():
                rate, bodies = load(server.port, path, per_client, cookie if needs_login else None)
                if index:
                    samples[name].append(rate)
                if name == "one_query":
                    pids.update(bodies)
    return samples, sorted(int(pid) for pid in pids)


if __name__ == "__main__":  # a quick look: python bench/throughput.py (DATABASE_URL=…bench_s)
    rates, used = measure(os.environ, None, {"no_db": ("/bench/no-db", 200, False)}, 1)
    print(rates, used)
