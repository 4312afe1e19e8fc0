"""System checks for the controls that configuration or data could silently switch off.

- ``miaopu.E001`` (三权分立, GB/T 22239-2019 §8.1.4.2 d / §8.1.5): an active account with ``is_superuser``
  holds every power at once, which the separation of the three administrators forbids. Allowed only in
  development (``DEBUG``) or with ``MIAOPU_ALLOW_SUPERUSER=1`` set on purpose. It reads the accounts table,
  so it runs where Django runs database checks: ``miaopu migrate`` and ``miaopu check --database default``
  (part of the deployment procedure in docs/security.md).
- ``miaopu.E002`` (deploy): the audit and backup keys are configured, so a server never starts writing an
  audit chain or a backup with a key nobody kept.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError


def superuser_allowed() -> bool:
    return bool(settings.DEBUG) or os.environ.get("MIAOPU_ALLOW_SUPERUSER", "0") == "1"


@register(Tags.security, Tags.database)
def check_no_superuser(app_configs=None, databases=None, **kwargs) -> list[Error]:
    if not databases or superuser_allowed():
        return []
    from miaopu.apps.core.models import User

    errors: list[Error] = []
    for alias in databases:
        try:
            names = list(
                User.objects.using(alias).filter(is_superuser=True, is_active=True).values_list("username", flat=True)
            )
        except DatabaseError:  # the table does not exist yet (first migrate)
            continue
        if names:
            errors.append(
                Error(
                    f"active superuser account(s) {', '.join(sorted(names))} in database '{alias}'",
                    hint="三权分立: use the sysadmin/secadmin/auditor roles; clear is_superuser "
                    "(or set MIAOPU_ALLOW_SUPERUSER=1 deliberately, e.g. for a one-off repair).",
                    id="miaopu.E001",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def check_keys_configured(app_configs=None, **kwargs) -> list[Error]:
    from miaopu.apps.core.crypto import key_configured, key_file

    if getattr(settings, "MIAOPU_GENERATE_MISSING_KEYS", True):
        return []
    return [
        Error(
            f"no {name} key",
            hint=f"set MIAOPU_{name.upper()}_KEY or create {key_file(name)} (mode 0600); see docs/security.md",
            id="miaopu.E002",
        )
        for name in ("audit", "backup", "field", "index")
        if not key_configured(name)
    ]
