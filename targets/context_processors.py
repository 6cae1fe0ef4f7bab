from .models import Report


def report(request):
    """The report every page is about: its title in the header, and the demo banner."""
    return {"current_report": Report.objects.current()}
