"""Who may see and do what. The groups are created by a migration; access is checked here, once,
by narrowing querysets to what a user may see (`visible_targets`) and may write (`writable_targets`)."""

import functools
from dataclasses import dataclass

from django.db.models import BooleanField, Exists, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext_lazy as _

from .choices import ReportState

REPORTER = "填报员"
SUPERVISOR = "督查"
OFFICIAL = "领导"
ADMIN = "管理员"
GROUPS = (REPORTER, SUPERVISOR, OFFICIAL, ADMIN)

NOT_YOUR_DEPARTMENT = _("只能填报本单位牵头或配合的目标。")


class _CommandLine:
    """Stands for the operator at the command line (manage.py), who reads the whole ledger."""

    is_authenticated = True

    def __repr__(self):
        return "COMMAND_LINE"


COMMAND_LINE = _CommandLine()


def group_names(user) -> set[str]:
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_reportgov_groups", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._reportgov_groups = cached
    return cached


def is_admin(user) -> bool:
    return user.is_authenticated and (user.is_superuser or ADMIN in group_names(user))


def is_supervisor(user) -> bool:
    return is_admin(user) or SUPERVISOR in group_names(user)


def sees_everything(user) -> bool:
    """Officials, supervisors and admins read every department's targets."""
    return is_supervisor(user) or OFFICIAL in group_names(user)


def department_of(user):
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_reportgov_department"):
        from .models import Department

        user._reportgov_department = Department.objects.filter(staff__user=user).first()
    return user._reportgov_department


def _own_department(queryset, department_id):
    # A subquery, not a join, so that a target with several co-units stays one row.
    supports = queryset.model.co_departments.through.objects.filter(target=OuterRef("pk"), department=department_id)
    return queryset.filter(Q(lead_department=department_id) | Exists(supports))


# A scope is whose targets a user may read or write: ANY_DEPARTMENT (every report, drafts included:
# superusers and the command line), one department's id (the targets it leads or supports, in its
# government's published reports), an Oversight (a supervisor's, official's or admin's governments),
# or None (nothing).
ANY_DEPARTMENT = "any"
# Reports past 草稿: what reporters, officials and the public may read.
PUBLISHED = (ReportState.ACTIVE, ReportState.CLOSED)


@dataclass(frozen=True)
class Oversight:
    """The governments user `user_id` oversees (StaffProfile.governments; none given: every one), and
    whether they see reports still in 草稿 (supervisors and admins do, officials do not)."""

    user_id: int
    drafts: bool


def _oversight(user, *, drafts):
    return ANY_DEPARTMENT if user.is_superuser else Oversight(user.pk, drafts)


def read_scope(user):
    """Whose targets `user` may read: officials, supervisors and admins (and the command line) any
    department's of the governments they oversee, anyone else their own department's."""
    if user is COMMAND_LINE:
        return ANY_DEPARTMENT
    if not user.is_authenticated:
        return None
    if sees_everything(user):
        return _oversight(user, drafts=is_supervisor(user))
    department = department_of(user)
    return department.pk if department else None


def _write_scope(user):
    """Whose targets `user` may record progress on: supervisors and admins any department's of the
    governments they oversee, a reporter their own department's; officials read and write nothing."""
    if not user.is_authenticated:
        return None
    if is_supervisor(user):
        return _oversight(user, drafts=True)
    department = department_of(user) if REPORTER in group_names(user) else None
    return department.pk if department else None


@functools.lru_cache(maxsize=1024)
def _overseen_governments(user_id):
    """The governments user `user_id` is assigned (StaffProfile.governments), as a standalone SQL query
    with its parameters. Compiled once per user: as a queryset, Django relabelled and compiled it again
    inside every query and every Exists that reads an Oversight; as SQL it is read when the query runs."""
    from .models import StaffProfile

    assigned = StaffProfile.governments.through.objects.filter(staffprofile__user_id=user_id)
    return assigned.values("government_id").query.sql_with_params()


def _oversight_reports(scope: Oversight, prefix=""):
    """A condition on reports (`prefix` leads from the queried model to the report) for an Oversight:
    the governments assigned, or every one when none is."""
    sql, params = _overseen_governments(scope.user_id)
    unassigned = RawSQL(f"NOT EXISTS ({sql})", params, output_field=BooleanField())
    condition = Q(unassigned) | Q(**{f"{prefix}government__in": RawSQL(sql, params)})
    return condition if scope.drafts else condition & Q(**{f"{prefix}state__in": PUBLISHED})


def in_scope(queryset, scope):
    """The targets of `queryset` within `scope` (read_scope)."""
    if scope is None:
        return queryset.none()
    if scope == ANY_DEPARTMENT:
        return queryset
    if isinstance(scope, Oversight):
        return queryset.filter(_oversight_reports(scope, "report__"))
    # A department's targets are its own government's: only the reports past 草稿 need saying.
    return _own_department(queryset, scope).filter(report__state__in=PUBLISHED)


def visible_reports(queryset, user):
    """The reports `user` may choose: every one for superusers; a supervisor's, official's or admin's
    governments' (drafts for supervisors and admins only); a reporter's own government's published
    ones; the published ones of every government for anyone else (reports are public documents)."""
    scope = read_scope(user)
    if scope == ANY_DEPARTMENT:
        return queryset
    if isinstance(scope, Oversight):
        return queryset.filter(_oversight_reports(scope))
    published = queryset.filter(state__in=PUBLISHED)
    if scope is None:
        return published
    from .models import Department

    return published.filter(government=Subquery(Department.objects.filter(pk=scope).values("government")[:1]))


def visible_targets(queryset, user):
    """The targets `user` may read."""
    return in_scope(queryset, read_scope(user))


def _writable(queryset, scope):
    # Only a report 执行中 takes progress, and of it only the targets still in use.
    return in_scope(queryset.filter(report__state=ReportState.ACTIVE, retired_at__isnull=True), scope)


def writable_targets(queryset, user):
    """The targets `user` may record progress on: a reporter's own department's, or any of their
    governments' for supervisors and admins, of the reports 执行中 only."""
    return _writable(queryset, _write_scope(user))


def writable_targets_sql(user) -> tuple[str, tuple] | None:
    """The same rule as a standalone SQL query of the writable targets' ids, with its parameters, for
    a statement written in SQL (record_progress's read under its lock); None if `user` may write nothing."""
    scope = _write_scope(user)
    return None if scope is None else _compiled_writable(scope)


@functools.lru_cache(maxsize=1024)
def _compiled_writable(scope):
    # Compiled once per scope: building the query costs more than running it.
    from .models import Target

    return _writable(Target.objects.order_by(), scope).values("pk").query.sql_with_params()


def reviewers_of(target):
    """The supervisors (督查) who review `target`'s entries: the active ones overseeing its report's
    government (StaffProfile.governments; none given: every one), by name."""
    from django.contrib.auth import get_user_model

    from .models import StaffProfile

    assigned = StaffProfile.governments.through.objects.filter(staffprofile__user_id=OuterRef("pk"))
    overseeing = ~Exists(assigned) | Exists(assigned.filter(government_id=target.report.government_id))
    users = get_user_model().objects.filter(overseeing, is_active=True, groups__name=SUPERVISOR)
    return users.order_by("username").distinct()
