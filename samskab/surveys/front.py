"""The front page's section of open surveys."""

from django.http import HttpRequest

from samskab.surveys.selectors import surveys_open


def front_surveys(request: HttpRequest) -> dict | None:
    surveys = list(surveys_open()[:5])
    return {"surveys": surveys} if surveys else None
