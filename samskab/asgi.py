"""The ASGI application: pages, the API and server-sent events from one process.

The players' statistics beacon is answered in front of Django and checked in batches by a
thread (stats/fastbeacon.py); the vote button of a vox pop is answered by a lean path in
front of Django when the request is the common one (polls/fastvote.py); everything else goes
to Django unchanged.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")

django_application = get_asgi_application()

from samskab.polls.fastvote import VoteFastPath  # noqa: E402  # after Django is set up
from samskab.stats.fastbeacon import BeaconFastPath  # noqa: E402

application = BeaconFastPath(VoteFastPath(django_application))
