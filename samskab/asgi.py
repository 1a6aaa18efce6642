"""The ASGI application: pages, the API and server-sent events from one process.

The players' statistics beacon is answered in front of Django and checked in batches by a
thread (stats/fastbeacon.py); the vote button of a vox pop is answered by a lean path in
front of Django when the request is the common one (polls/fastvote.py); live streams are let
into Django a few at a time (live/gate.py); everything else goes to Django unchanged.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")

django_application = get_asgi_application()

from django.conf import settings  # noqa: E402

from samskab.live.gate import HandshakeGate  # noqa: E402
from samskab.polls.fastvote import VoteFastPath  # noqa: E402  # after Django is set up
from samskab.stats.fastbeacon import BeaconFastPath  # noqa: E402

# Live streams are set up a few at a time (live/gate.py): a web process's viewers moving
# to this one at once must not start a thousand threads.
application = BeaconFastPath(
    VoteFastPath(HandshakeGate(django_application, limit=settings.LIVE_HANDSHAKES_PER_PROCESS))
)
