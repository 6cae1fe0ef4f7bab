"""Who may see and do what. The groups are created by a migration; access is checked here, once,
by narrowing querysets to what a user may see (`visible_targets`) and may write (`writable_targets`)."""

import functools

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

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


# A scope is whose targets a user may read or write: ANY_DEPARTMENT, one department's id (the ones it
# leads or supports), or None (nothing).
ANY_DEPARTMENT = "any"


def read_scope(user):
    """Whose targets `user` may read: officials, supervisors and admins (and the command line) any
    department's, anyone else their own department's."""
    if user is COMMAND_LINE:
        return ANY_DEPARTMENT
    if not user.is_authenticated:
        return None
    if sees_everything(user):
        return ANY_DEPARTMENT
    department = department_of(user)
    return department.pk if department else None


def _write_scope(user):
    """Whose targets `user` may record progress on: supervisors and admins any department's, a
    reporter their own department's; officials read everything and write nothing."""
    if not user.is_authenticated:
        return None
    if is_supervisor(user):
        return ANY_DEPARTMENT
    department = department_of(user) if REPORTER in group_names(user) else None
    return department.pk if department else None


def in_scope(queryset, scope):
    """The targets of `queryset` within `scope` (read_scope)."""
    if scope is None:
        return queryset.none()
    return queryset if scope == ANY_DEPARTMENT else _own_department(queryset, scope)


def visible_targets(queryset, user):
    """The targets `user` may read."""
    return in_scope(queryset, read_scope(user))


def _writable(queryset, scope):
    # Only the current report takes progress: an earlier year's report stays as it was, read-only.
    return in_scope(queryset.filter(report=_current_report_id()), scope)


def writable_targets(queryset, user):
    """The targets `user` may record progress on: a reporter's own department's, or any for
    supervisors and admins, of the current report only."""
    return _writable(queryset, _write_scope(user))


def writable_targets_sql(user) -> tuple[str, tuple] | None:
    """The same rule as a standalone SQL query of the writable targets' ids, with its parameters, for
    a statement written in SQL (record_progress's read under its lock); None if `user` may write nothing."""
    scope = _write_scope(user)
    return None if scope is None else _compiled_writable(scope)


@functools.lru_cache(maxsize=1024)
def _compiled_writable(scope):
    # Compiled once per department: building the query costs more than running it.
    from .models import Target

    return _writable(Target.objects.order_by(), scope).values("pk").query.sql_with_params()


def _current_report_id():
    """The current report (Report.objects.current()) as a subquery: no extra round trip."""
    from django.db.models import Subquery

    from .models import Report

    return Subquery(Report.objects.order_by("-year", "-id").values("pk")[:1])
