from django import template

from samskab.surveys.selectors import surveys_for_meeting

register = template.Library()


@register.simple_tag
def meeting_surveys(meeting):
    return list(surveys_for_meeting(meeting).select_related("agenda_item"))
