"""Every write request is one transaction: an error after a first insert rolls the whole request back.

A service that writes in steps (a project and its participants; a case, its alerts and its history) may
meet an error after its first insert: an unexpected exception, or a read-back that fails. Without a
request-wide transaction, that answers 500 and leaves half of the write in the database. Here a POST,
PUT, PATCH or DELETE runs in one transaction that is rolled back when an exception escapes the view or
the answer is a 5xx; a refusal (4xx) keeps what the view chose to record on the way (an identity
conflict, a failed login), since services check who may and what is wrong before they write.

GET and HEAD requests run without a transaction (behind pgbouncer in transaction mode a request-long
transaction would pin a server connection for nothing). Signed device requests leave the stack earlier
(attendance/api/fastlane.py) and manage their own transactions, as does every path under /api/device/.
"""

from __future__ import annotations

from django.db import transaction

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
OWN_TRANSACTIONS = ("/api/device/",)


class AtomicWritesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in SAFE_METHODS or request.path.startswith(OWN_TRANSACTIONS):
            return self.get_response(request)
        with transaction.atomic():
            response = self.get_response(request)
            if getattr(request, "_smz_view_failed", False) or response.status_code >= 500:
                transaction.set_rollback(True)
        return response

    def process_exception(self, request, exception):
        """An exception escaped the view (it becomes a 404, 403 or 500 further out): nothing it wrote stays."""
        request._smz_view_failed = True
