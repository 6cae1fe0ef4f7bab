"""The named people of the suite, in one place: a reporter of department A, a reporter of
department B, an official, a supervisor, an admin and an outsider."""

import pytest

from targets import roles

from . import builders


@pytest.fixture(autouse=True)
def _plain_static_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def report(db):
    return builders.report()


@pytest.fixture
def dept_a(db):
    return builders.department("fgw", "发展和改革局")


@pytest.fixture
def dept_b(db):
    return builders.department("jyj", "教育局")


@pytest.fixture
def reporter_a(dept_a):
    return builders.person("reporter-a", roles.REPORTER, dept_a)


@pytest.fixture
def reporter_b(dept_b):
    return builders.person("reporter-b", roles.REPORTER, dept_b)


@pytest.fixture
def official(db):
    return builders.person("leader", roles.OFFICIAL)


@pytest.fixture
def supervisor(db):
    return builders.person("supervisor", roles.SUPERVISOR)


@pytest.fixture
def admin_user(db):
    return builders.person("admin", is_superuser=True, is_staff=True)


@pytest.fixture
def outsider(db):
    return builders.person("outsider")


@pytest.fixture
def target_a(report, dept_a):
    return builders.target(report, code="A1.1.01", lead=dept_a)


@pytest.fixture
def target_b(report, dept_b):
    return builders.target(
        report,
        code="A3.1.01",
        lead=dept_b,
        name="新建中小学教学楼",
        unit="栋",
        source_text="翻建8所中小学教学楼",
        target_value=8,
    )
