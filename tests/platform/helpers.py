"""Run Python in a fresh interpreter with a chosen environment, as a deployment would start."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "DJANGO_SECRET_KEY": "a-secret-key-for-this-test-only-0123456789-abcdefghijklmnop",
    "SMZ_PII_KEY": "dGVzdHMtb25seS1waWkta2V5LTAxMjM0NTY3ODlhYmM=",
}


def run_python(code: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """Run `code` with DJANGO_SETTINGS_MODULE=smz_platform.settings and only the given variables.

    SMZ_ENV_FILE is emptied so that a developer's generated var/.env cannot leak in.
    """
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SMZ_", "DATABASE_", "CELERY_"))}
    base.pop("REDIS_URL", None)
    base.update({"DJANGO_SETTINGS_MODULE": "smz_platform.settings", "SMZ_ENV_FILE": ""})
    for key, value in env.items():
        if value is None:
            base.pop(key, None)
        else:
            base[key] = value
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, timeout=60)
