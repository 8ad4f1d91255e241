"""The admin, in Chinese, every page cut to the account's scope (projects.scope): the registry's pages,
accounts, and the platform's and libraries' records. Other apps' pages build on projects.admin.base."""

from projects.admin import accounts, platform, registry
from projects.admin.base import ReadOnlyAdminMixin, ScopedAdmin, ScopedInline

__all__ = ["ReadOnlyAdminMixin", "ScopedAdmin", "ScopedInline", "accounts", "platform", "registry"]
