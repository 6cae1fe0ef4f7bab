from .selectors import selected_report


def report(request):
    """The report every page is about: its title in the header, and the demo banner."""
    return {"current_report": selected_report(request)}
