from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "smz_platform.common"
    label = "common"
    verbose_name = _("Platform")

    def ready(self) -> None:
        from smz_platform.common import checks  # noqa: F401  (registers the system checks)


# The third-party apps' sections of the admin, in the platform's words (their own names are "Axes" and
# "Knox"): INSTALLED_APPS names these configs instead of the bare packages.
from axes.apps import AppConfig as _AxesConfig  # noqa: E402


class AxesConfig(_AxesConfig):
    verbose_name = _("Login lockouts")


class KnoxConfig(AppConfig):
    name = "knox"
    verbose_name = _("API tokens")

    def ready(self) -> None:
        # Knox names its model in plain English, outside any catalog: named here in the platform's words.
        from knox.models import AuthToken

        AuthToken._meta.verbose_name = _("auth token")
        AuthToken._meta.verbose_name_plural = _("auth tokens")


# Words of the admin that Django's and the third-party apps' own catalogs leave in English: listed here so
# that makemessages carries them into the platform's catalog, which takes precedence (LOCALE_PATHS).
THIRD_PARTY_WORDS = (
    _("Add link"),
    _("Change or view list link"),
    _("Model name"),
    _("auth token"),
    _("auth tokens"),
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access attempt expiration"),
    _("access attempt expirations"),
    _("access log"),
    _("access logs"),
)
