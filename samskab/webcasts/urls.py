from django.urls import path

from samskab.webcasts import feeds, views_search

app_name = "webcasts"

# Data side (webcasts-data): feeds, tracks, search. The player, console, embed and share
# pages (webcasts-ui) add theirs below.
urlpatterns = [
    path("soeg/", views_search.search, name="search"),
    path("kalender.ics", feeds.calendar_all, name="calendar"),
    path("feed/", feeds.MeetingsFeed(), name="feed"),
    path("feed/atom/", feeds.MeetingsAtomFeed(), name="feed_atom"),
    path("<int:pk>/kapitler.vtt", feeds.chapters_track, name="chapters_vtt"),
    path("<int:pk>/talere.vtt", feeds.speakers_track, name="speakers_vtt"),
    path("<slug:body_slug>/kalender.ics", feeds.calendar_body, name="body_calendar"),
]
