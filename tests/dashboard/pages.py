"""What the page tests share: a client signed in as one of the test city's accounts, and a page's
visible text."""

from __future__ import annotations

import re

from django.test import Client


def signed_in(city, who: str) -> Client:
    client = Client()
    client.force_login(city.users[who])
    return client


def text(response) -> str:
    """What the reader sees: the page without its tags."""
    return re.sub(r"<[^>]+>", " ", response.content.decode())
