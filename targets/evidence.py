"""佐证材料: an entry's evidence file, downloaded by those who may read its target, as an attachment.

Nothing under MEDIA_ROOT is served as /media/ (not even with DEBUG on): every download passes here,
is checked against roles.visible_targets, and is sent with its type and nosniff, so a file can never
run as a page of the site. Django sends it itself, or, with REPORTGOV_SENDFILE = "nginx" or
"apache", hands the transfer to the web server in front once the check has passed
(X-Accel-Redirect to REPORTGOV_SENDFILE_URL, an internal location; X-Sendfile with the file's path).
"""

from pathlib import PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from . import roles
from .models import ProgressEntry, Target

# The type each kind of evidence the form accepts (forms.EVIDENCE_TYPES) is sent as.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def visible_evidence(user):
    """The entries with evidence that `user` may download: those of the targets they may read."""
    targets = roles.visible_targets(Target.objects.all(), user)
    return ProgressEntry.objects.exclude(evidence="").filter(target__in=targets)


@login_required
@require_safe
def download(request, pk):
    entry = visible_evidence(request.user).filter(pk=pk).first()
    if entry is None:
        raise Http404  # someone else's evidence and no evidence look the same
    return send(entry.evidence)


@login_required
@require_safe
def legacy_media(request, name):
    """/media/evidence/…, the links written before downloads were checked: the same file, through `download`."""
    if "\x00" in name:
        raise Http404
    entry = visible_evidence(request.user).filter(evidence=name).order_by("-pk").first()
    if entry is None:
        raise Http404
    return redirect("evidence", entry.pk)


def send(evidence):
    """The response that delivers `evidence` (a stored FieldFile) as an attachment."""
    name = PurePosixPath(evidence.name)
    content_type = CONTENT_TYPES.get(name.suffix.lower(), "application/octet-stream")
    if settings.REPORTGOV_SENDFILE == "nginx":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = quote(f"{settings.REPORTGOV_SENDFILE_URL.rstrip('/')}/{evidence.name}")
    elif settings.REPORTGOV_SENDFILE == "apache":
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = quote(evidence.path)  # mod_xsendfile unescapes it (XSendFileUnescape, on by default)
    else:
        try:
            handle = evidence.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, name.name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
