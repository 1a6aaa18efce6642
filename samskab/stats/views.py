from django.http import Http404


def site(request):
    raise Http404


meeting = body = budget = site
