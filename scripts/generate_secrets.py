"""Write the embedded default's secrets to a dotenv file, once (make run / make test).

Usage: python scripts/generate_secrets.py var/.env

An existing file is left alone: regenerating SMZ_PII_KEY would make stored ID numbers unreadable.
"""

from __future__ import annotations

import base64
import os
import secrets
import sys
from pathlib import Path


def main(path: str) -> None:
    target = Path(path)
    if target.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    pii_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
    target.write_text(
        "# Generated once by `make run` for the embedded default. Keep it: SMZ_PII_KEY decrypts ID numbers,\n"
        "# SMZ_LOOKUP_KEY finds them.\n"
        f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}\n"
        f"SMZ_PII_KEY={pii_key}\n"
        f"SMZ_LOOKUP_KEY={base64.urlsafe_b64encode(os.urandom(32)).decode()}\n"
        "# Debug off, so that pages fail as the site's own error pages do in production; plain HTTP on\n"
        "# loopback (runserver), readable log lines.\n"
        "DJANGO_DEBUG=false\n"
        "SMZ_PLAIN_HTTP=true\n"
        "SMZ_LOG_FORMAT=plain\n"
    )
    target.chmod(0o600)
    print(f"Generated secrets in {target}")


if __name__ == "__main__":
    main(sys.argv[1])
