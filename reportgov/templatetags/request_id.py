"""`{% request_id %}`: the current request's id, for error pages rendered without a request
(Django renders 500.html with an empty context)."""

from django import template

from reportgov.middleware import current_request_id

register = template.Library()


@register.simple_tag
def request_id():
    value = current_request_id.get()
    return "" if value == "-" else value
