from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "miaopu.apps.core"
    label = "core"
    verbose_name = _("基础")

    def ready(self) -> None:
        from .otp_keys import install

        install()  # django-otp's TOTP secrets are stored SM4-GCM encrypted (otp_keys.py)
