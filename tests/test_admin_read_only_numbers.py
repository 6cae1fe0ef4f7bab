"""Admin's change pages write a read-only decimal as people do (8, 25,000.5), not as stored (8.0000):
the fields in readonly_fields, a read-only inline, and every decimal on a page the user may only view,
through targets.admin_numbers, the same rule (targets.units.format_number) as the lists. A decimal the
user may edit stays an input."""

import re
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from supervision.models import ExtensionRequest
from targets import roles

from . import builders


@pytest.fixture
def housing(report, dept_a, reporter_a):
    target = builders.target(report, code="M03", unit="平方米", target_value=Decimal("100000.0000"), lead=dept_a)
    builders.entry(target, "2026-11-20", Decimal("25000.5"), user=reporter_a, growth_rate=Decimal("3.50"))
    return target


def shown(page, name):
    """The text admin shows read-only for the field `name`: the first read-only value after its
    field-<name> class (a change page's div.readonly, an inline's cell)."""
    match = re.search(rf'field-{name}\b.*?(?:<div class="readonly">|<p>)([^<]*)<', page, re.S)
    assert match, f"no read-only {name} on the page"
    return match.group(1).strip()


def test_an_extension_requests_change_page_writes_its_requested_value_as_people_do(admin_client, housing, reporter_a):
    request = ExtensionRequest.objects.create(
        target=housing, requested_target_value=Decimal("8"), reason="拆迁进度滞后", requested_by=reporter_a
    )
    response = admin_client.get(reverse("admin:supervision_extensionrequest_change", args=[request.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert shown(page, "requested_target_value") == "8"
    assert "8.0000" not in page
    assert "申请目标值" in page  # labelled with the field's own name


def test_a_view_only_entry_page_writes_value_and_growth_as_people_do(admin_client, housing):
    entry = housing.entries.get()
    page = admin_client.get(reverse("admin:targets_progressentry_change", args=[entry.pk])).content.decode()
    assert (shown(page, "value"), shown(page, "growth_rate")) == ("25,000.5", "3.5")
    assert "25000.5000" not in page and "3.50" not in page


def test_the_targets_read_only_entries_inline_writes_values_as_people_do(admin_client, housing):
    page = admin_client.get(reverse("admin:targets_target_change", args=[housing.pk])).content.decode()
    entries = page.split('id="entries-group"', 1)[1].split("</fieldset>", 1)[0]
    assert shown(entries, "value") == "25,000.5"
    assert 'class="column-value' in entries  # the column keeps the field's name
    assert "25000.5000" not in entries


def test_a_decimal_an_admin_may_edit_stays_an_input(admin_client, housing):
    page = admin_client.get(reverse("admin:targets_target_change", args=[housing.pk])).content.decode()
    assert re.search(r'<input[^>]+name="target_value"', page)
    # Its value as typed, not 100000.0000: saving the form unchanged keeps the number.
    assert re.search(r'<input[^>]+name="target_value"[^>]+value="100000"', page) or re.search(
        r'<input[^>]+value="100000"[^>]+name="target_value"', page
    )
    assert not re.search(r'<input(?![^>]*type="hidden")[^>]*value="100000\.0000"', page)  # hidden: the stale-form check


def test_an_admin_who_may_only_view_targets_sees_their_decimals_as_people_do(client, housing):
    viewer = builders.person("viewer", roles.ADMIN, is_staff=True)
    Group.objects.get(name=roles.ADMIN).permissions.remove(Permission.objects.get(codename="change_target"))
    client.force_login(viewer)
    page = client.get(reverse("admin:targets_target_change", args=[housing.pk])).content.decode()
    assert shown(page, "target_value") == "100,000"
    assert not re.search(r'<input[^>]+name="target_value"', page)
    assert "100000.0000" not in page
