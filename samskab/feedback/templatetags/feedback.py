from django import template

from samskab.feedback.forms import FeedbackForm

register = template.Library()


@register.simple_tag
def feedback_form_for(meeting) -> FeedbackForm:
    return FeedbackForm(meeting=meeting)
