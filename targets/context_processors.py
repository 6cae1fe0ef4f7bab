from django.contrib.auth.models import AnonymousUser
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from . import roles
from .selectors import selected_report


def _user(request):
    """The request's user; anonymous for a request no middleware has seen (the 404 of a missing static
    file, answered by the development server's static handler, rendered the error page without one: a 500)."""
    return getattr(request, "user", None) or AnonymousUser()


def report(request):
    """The report every page is about: its title in the header, and the demo banner."""
    report = selected_report(request, _user(request))
    # Read in the same query as the report (see selected_report); absent where a page chose its report itself.
    return {"current_report": report, "available_reports": getattr(request, "available_reports", ())}


class Navigation:
    """What the header offers `user`: only the pages their role may open (a link that answers 403 is
    no link), and the name of the target list as that role sees it. Read from the user's groups,
    which the request reads once (roles.group_names): drawing the header costs no query of its own."""

    def __init__(self, user):
        self.user = user

    @cached_property
    def signed_in(self):
        # Every page behind the navigation needs a signed-in user: the signed-out see only 登录.
        return self.user.is_authenticated

    @cached_property
    def imports(self):
        """导入进度: for those who record progress (reporters, supervisors, admins), not officials."""
        return roles.is_supervisor(self.user) or roles.REPORTER in roles.group_names(self.user)

    @cached_property
    def supervises(self):
        return roles.is_supervisor(self.user)

    @cached_property
    def targets_title(self):
        """我的目标 for a reporter (their department's targets); 全部目标 for those who read every one."""
        return _("全部目标") if roles.sees_everything(self.user) else _("我的目标")


def navigation(request):
    return {"nav": Navigation(_user(request))}
