from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "miaopu.apps.accounts"
    label = "accounts"
    verbose_name = _("账号与审计")

    def ready(self) -> None:
        from axes.signals import user_locked_out
        from django.contrib.auth import signals

        from . import checks, receivers  # noqa: F401 - checks registers itself

        signals.user_logged_in.connect(receivers.on_logged_in, dispatch_uid="miaopu_audit_login")
        signals.user_logged_out.connect(receivers.on_logged_out, dispatch_uid="miaopu_audit_logout")
        signals.user_login_failed.connect(receivers.on_login_failed, dispatch_uid="miaopu_audit_login_failed")
        user_locked_out.connect(receivers.on_locked_out, dispatch_uid="miaopu_audit_lockout")
