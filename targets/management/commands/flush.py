"""Django's flush, said on purpose: the history tables refuse TRUNCATE (migration 0012) unless their
owner sets reportgov.erase_history in its session, as this does around the flush. The test suite's
transactional tests end with a flush; an operator who runs it means to erase everything."""

from django.core.management.commands import flush
from django.db import connections

ERASE_HISTORY = "SELECT set_config('reportgov.erase_history', %s, false)"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options["database"]]
        with connection.cursor() as cursor:
            cursor.execute(ERASE_HISTORY, ["on"])
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(ERASE_HISTORY, [""])
