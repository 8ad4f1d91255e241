"""The menu's 待办 count on every page, counted only when a page shows it (one query); the error pages (403, 404,
500) show the menu without it (their templates empty its blocks)."""

from __future__ import annotations

from django.db import DatabaseError
from django.utils.functional import SimpleLazyObject

from reports.dashboard.todo import request_todo_counts


def todo(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def total() -> int:
        try:
            return sum(request_todo_counts(request).values())
        except DatabaseError:  # the database gone while the page renders: the menu goes without its count
            return 0

    return {"todo_total": SimpleLazyObject(total)}
