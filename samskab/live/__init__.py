"""Server push: live channels over server-sent events. See docs/live.md.

from samskab import live
live.register_channel("poll", authorize=poll_is_visible)
live.publish_on_commit(f"poll:{poll.pk}", "tally", tally)
"""

from samskab.live.brokers.base import LiveUnavailable
from samskab.live.channels import declare_events, register_channel
from samskab.live.publishing import (
    apublish,
    aviewer_count,
    close_channel_on_commit,
    publish,
    publish_coalesced,
    publish_on_commit,
    viewer_count,
)

__all__ = [
    "LiveUnavailable",
    "apublish",
    "aviewer_count",
    "close_channel_on_commit",
    "declare_events",
    "publish",
    "publish_coalesced",
    "publish_on_commit",
    "register_channel",
    "viewer_count",
]
