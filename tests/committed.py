"""`committed_db`: for tests whose threads or processes must see committed rows (concurrency,
database faults, backup and restore).

pytest-django's transactional_db empties every table after the test, including the rows the data
migrations created (the role groups). With --reuse-db the next run would start without them, so
this fixture restores the migrated contents once the tables have been emptied: it is set up before
the transactional database and so torn down after it."""

import pytest
from django.db import connection


@pytest.fixture
def _restore_migrated_contents(django_db_blocker):
    yield
    contents = getattr(connection, "_test_serialized_contents", None)
    if contents:
        with django_db_blocker.unblock():
            connection.creation.deserialize_db_from_string(contents)


@pytest.fixture
def committed_db(_restore_migrated_contents, django_db_serialized_rollback, transactional_db):
    """A transactional database that starts, and is left, with the migrated contents."""
