from django.conf import settings
from django.contrib import admin
from django.http import Http404
from django.urls import include, path, re_path
from django.views.static import serve

from samskab.api.api import api
from samskab.core import health, metrics, objectstore
from samskab.core import views as core
from samskab.webcasts import views_embed as webcasts_embed
from samskab.webcasts import views_media as webcasts_media

urlpatterns = [
    path("", core.home, name="home"),
    path("forside/<slug:key>/", core.front_section, name="front_section"),
    # Normally answered by core.health.ProbeMiddleware before the host check.
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("theme.css", core.theme_css, name="theme_css"),
    path("tilgaengelighed/", core.accessibility, name="accessibility"),
    path("privatliv/", core.privacy, name="privacy"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    path("konto/", include("samskab.accounts.urls")),
    path("personale/", include("samskab.staff.urls")),
    path("moeder/", include("samskab.webcasts.urls")),
    path("streaming/", include("samskab.streaming.urls")),
    path("sociale-medier/", include("samskab.social.urls")),
    path("moeder/", include("samskab.recordings.urls")),
    path("live/", include("samskab.live.urls")),
    path("feedback/", include("samskab.feedback.urls")),
    path("afstemninger/", include("samskab.polls.urls")),
    path("undersoegelser/", include("samskab.surveys.urls")),
    path("borgerbudget/", include("samskab.budgets.urls")),
    path("debatter/", include("samskab.debates.urls")),
    path("forslag/", include("samskab.proposals.urls")),
    path("hoeringer/", include("samskab.hearings.urls")),
    path("praesentationer/", include("samskab.presentations.urls")),
    path("bindende-afstemninger/", include("samskab.votes.urls")),
    path("kommentarer/", include("samskab.comments.urls")),
    path("moderation/", include("samskab.moderation.urls")),
    path("vedhaeftninger/", include("samskab.attachments.urls")),
    path("steder/", include("samskab.places.urls")),
    path("foelg/", include("samskab.follows.urls")),
    path("stoet/", include("samskab.supports.urls")),
    path("statistik/", include("samskab.stats.urls")),
    path("notifikationer/", include("samskab.notifications.urls")),
    # oEmbed discovery answers at the site root, as consumers expect.
    path("oembed", webcasts_embed.oembed, name="oembed"),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    # A meeting's files (video, pictures, documents, slides, captions) only for whoever may
    # see the meeting, in production too: nginx hands these addresses to the app, which
    # answers with X-Accel-Redirect (samskab/webcasts/views_media.py, docs/deployment.md).
    re_path(webcasts_media.MEDIA_PATH_RE, webcasts_media.media_file, name="meeting_media"),
]


# The other uploaded media (pictures of people, comments, the logo). In production on the
# local disk nginx serves them from MEDIA_ROOT and never asks; with media on object storage
# they come from the bucket through the app (or nginx, X-Accel-Redirect; core/objectstore.py).
# Both settings are read per request, so the folder or bucket a test sets is the one served.
def media(request, path):
    if settings.MEDIA_STORAGE == "s3":
        return objectstore.serve_media(request, path)
    if settings.PRODUCTION:
        raise Http404
    return serve(request, path, document_root=settings.MEDIA_ROOT)


urlpatterns += [path("media/<path:path>", media)]

handler400 = "samskab.core.errors.bad_request"
handler403 = "samskab.core.errors.permission_denied"
handler404 = "samskab.core.errors.page_not_found"
handler500 = "samskab.core.errors.server_error"
