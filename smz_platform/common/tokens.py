"""API tokens (knox): the presented token checked, the account's other tokens left to the night.

knox's TokenAuthentication reads every token of the account on every API call, to delete the expired ones
among them: a query a call, for housekeeping. Here a call checks the token it presents (expired: deleted and
refused, as knox does), and the nightly housekeeping (clear_expired_sessions_task) deletes every expired token
of every account in one statement.
"""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.signals import token_expired


class TokenAuthentication(KnoxTokenAuthentication):
    def _cleanup_token(self, auth_token) -> bool:
        """True (and the token deleted) when the presented token has expired."""
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            username = auth_token.user.get_username()
            auth_token.delete()
            token_expired.send(sender=self.__class__, username=username, source="auth_token")
            return True
        return False


class TokenScheme(KnoxTokenScheme):
    """The OpenAPI document's security scheme for these tokens: knox's, found by this class."""

    target_class = "smz_platform.common.tokens.TokenAuthentication"
