"""WSGI entry point (gunicorn smz_platform.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smz_platform.settings")

application = get_wsgi_application()
