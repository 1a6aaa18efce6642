"""The ASGI application: pages, the API and server-sent events from one process."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "samskab.settings")

application = get_asgi_application()
