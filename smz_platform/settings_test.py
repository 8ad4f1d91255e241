"""Settings for the test suite: the real PostgreSQL and Redis on localhost.

Values already in the environment win, so CI or a developer can point the suite elsewhere.
"""

import os
import tempfile

from django.core.exceptions import ImproperlyConfigured

# Through the local pgbouncer in transaction mode (scripts/pgbouncer.sh; make test starts it for its system tests):
# they hold the platform to what a pooled, scaled-out deployment allows. The unit and API tests (make test's first
# stage, make test-quick) set the environment to PostgreSQL itself instead (the Makefile's UNIT_ENV).
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:6432/smz")
os.environ.setdefault("DATABASE_TRANSACTION_POOLING", "true")
os.environ.setdefault("DATABASE_DIRECT_URL", "postgres://postgres@127.0.0.1:5432/smz")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
# pytest-xdist's workers (make test-quick and make test run the suite on two): each has its own test
# database (pytest-django adds _gw0, _gw1), and here its own Redis database, counted down from the one
# given (gw0 the given one, gw1 the one below), so that one worker's flush never empties another's.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if _worker.startswith("gw"):
    _base, _db = os.environ["REDIS_URL"].rsplit("/", 1)
    os.environ["REDIS_URL"] = f"{_base}/{int(_db) - int(_worker[2:])}"
os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")
# Two keys: the suite exercises rotation (the first one encrypts, both decrypt).
os.environ.setdefault(
    "SMZ_PII_KEY",
    "dGVzdHMtb25seS1waWkta2V5LTAxMjM0NTY3ODlhYmM=,b2xkLXRlc3RzLW9ubHktcGlpLWtleS0wMTIzNDU2Nzg=",
)
# The lookup digests' own key, apart from the encryption keys.
os.environ.setdefault("SMZ_LOOKUP_KEY", "dGVzdHMtb25seS1sb29rdXAta2V5LTAxMjM0NTY3ODk=")
os.environ.setdefault("DJANGO_DEBUG", "false")
os.environ.setdefault("SMZ_LOG_FORMAT", "plain")  # readable in the captured output of a failing test
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
os.environ.pop("CELERY_BROKER_URL", None)
# The local streaming replica scripts/replica.sh starts (make test does): the router's tests read from it.
os.environ.setdefault("DATABASE_REPLICA_URL", "postgres://postgres@127.0.0.1:5433/smz")

from .settings import *  # noqa: F403, E402  (after the environment above)
from .settings import DATABASES  # noqa: E402

if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("The test suite runs on PostgreSQL only; DATABASE_URL must be postgres://…")

# Hashing passwords slowly protects nothing in tests and costs seconds.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="smz-test-media-")
STORAGES = {
    # Every stored file encrypted at rest (smz_platform/common/storage.py).
    "default": {"BACKEND": "smz_platform.common.storage.EncryptedFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# Static files come from the apps' folders (no collectstatic before tests).
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The browser tests' live server answers from its own thread: closing its connection after each
# request leaves none open when the test database is dropped at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0
if "replica" in DATABASES:  # a developer may run the suite without the local replica
    DATABASES["replica"]["CONN_MAX_AGE"] = 0
# The router is on only in the tests that read from the real replica (tests/platform/test_replica.py): in
# every other test the data lives in the test's own transaction, which no replica sees.
SMZ_REPLICA_READS = False
