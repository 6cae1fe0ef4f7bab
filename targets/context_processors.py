from .selectors import selected_report


def report(request):
    """The report every page is about: its title in the header, and the demo banner."""
    report = selected_report(request)
    # Read in the same query as the report (see selected_report); absent where a page chose its report itself.
    return {"current_report": report, "available_reports": getattr(request, "available_reports", ())}
