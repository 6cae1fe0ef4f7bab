"""The project's URLs plus the two floors of the throughput figure, served only in the bench process:
/bench/no-db (a response that touches no database) and /bench/one-query (one SELECT that names its
database backend, so the client can tell whether connections are reused)."""

from django.db import connection
from django.http import HttpResponse
from django.urls import include, path


def no_db(request):
    return HttpResponse(b"ok", content_type="text/plain")


def one_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    return HttpResponse(str(pid).encode(), content_type="text/plain")


urlpatterns = [
    path("bench/no-db", no_db),
    path("bench/one-query", one_query),
    path("", include("reportgov.urls")),
]
