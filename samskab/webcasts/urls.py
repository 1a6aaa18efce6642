"""Addresses of meetings, under /moeder/ (Danish for "meetings")."""

from django.urls import path

from samskab.webcasts import (
    feeds,
    views,
    views_console,
    views_embed,
    views_search,
    views_slides,
)

app_name = "webcasts"

# Data side (webcasts-data): search, feeds and tracks. Then the pages (webcasts-ui): the list,
# the player, text-only, embed, thumbnails, the console, the timeline editor, slides.
urlpatterns = [
    path("soeg/", views_search.search, name="search"),
    path("kalender.ics", feeds.calendar_all, name="calendar"),
    path("feed/", feeds.MeetingsFeed(), name="feed"),
    path("feed/atom/", feeds.MeetingsAtomFeed(), name="feed_atom"),
    path("<int:pk>/moede.ics", feeds.calendar_meeting, name="meeting_calendar"),
    path("<int:pk>/kapitler.vtt", feeds.chapters_track, name="chapters_vtt"),
    path("<int:pk>/talere.vtt", feeds.speakers_track, name="speakers_vtt"),
    path("<slug:body_slug>/kalender.ics", feeds.calendar_body, name="body_calendar"),
    path("", views.meeting_list, name="meeting_list"),
    path("<int:pk>/", views.meeting, name="meeting"),
    path("<int:pk>/tekst/", views.meeting_text, name="meeting_text"),
    path("<int:pk>/embed/", views_embed.meeting_embed, name="meeting_embed"),
    path("<int:pk>/billede/<int:second>.jpg", views.meeting_thumbnail, name="meeting_thumbnail"),
    path("<int:pk>/slides/<int:deck_pk>/pdf/", views.deck_pdf, name="deck_pdf"),
    path("<int:pk>/konsol/", views_console.console, name="console"),
    path("<int:pk>/konsol/marker/", views_console.console_mark, name="console_mark"),
    path("<int:pk>/konsol/fortryd/", views_console.console_undo, name="console_undo"),
    path("<int:pk>/konsol/start/", views_console.console_go_live, name="console_go_live"),
    path("<int:pk>/konsol/slut/", views_console.console_end, name="console_end"),
    path("<int:pk>/konsol/proeve/", views_console.console_rehearsal, name="console_rehearsal"),
    path(
        "<int:pk>/konsol/lukket/",
        views_console.console_closed_session,
        name="console_closed_session",
    ),
    path("<int:pk>/tidslinje/", views_console.timeline, name="timeline"),
    path("<int:pk>/tidslinje/ny/", views_console.timeline_add, name="timeline_add"),
    path("<int:pk>/tidslinje/flyt-alle/", views_console.timeline_shift, name="timeline_shift"),
    path(
        "<int:pk>/tidslinje/<int:mark_pk>/flyt/",
        views_console.timeline_correct,
        name="timeline_correct",
    ),
    path(
        "<int:pk>/tidslinje/<int:mark_pk>/fjern/",
        views_console.timeline_remove,
        name="timeline_remove",
    ),
    path("<int:pk>/punkter/<int:item_pk>/slides/", views_slides.item_slides, name="item_slides"),
]
