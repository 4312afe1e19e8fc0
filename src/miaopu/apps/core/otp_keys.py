"""The TOTP secrets of django-otp, encrypted at rest (GB/T 22239-2019 §8.1.4.8).

django-otp's ``TOTPDevice.key`` is a plain ``CharField`` holding the shared secret in hex: whoever reads the
table (a dump, a backup restored elsewhere) could generate every user's one-time codes. :func:`install`, called
from ``CoreConfig.ready``, turns that field into an SM4-GCM encrypted field *in place* — the same envelope,
associated data (``otp_totp_totpdevice`` / ``key`` / key id) and key (``field``) as every other encrypted
column — while its migration state stays django-otp's ``CharField`` (``deconstruct`` is unchanged), so
django-otp's own migrations and ``makemigrations`` see nothing new. django-otp, the enrolment page and the
login check keep reading ``device.key`` / ``device.bin_key`` in clear.

The envelope (≈111 characters) is longer than the column's ``varchar(80)``: migration
``core.0003_encrypt_totp_keys`` widens the PostgreSQL column to ``text`` (SQLite does not enforce the length)
and encrypts the existing secrets; going back decrypts them and narrows the column again.
"""

from __future__ import annotations

from django.db import models

from .fields import _EncryptedMixin

TOTP_TABLE = "otp_totp_totpdevice"
TOTP_COLUMN = "key"


class EncryptedTOTPKeyField(_EncryptedMixin, models.CharField):
    """django-otp's key field with encryption; migrations still see the original ``CharField``."""

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


def install() -> None:
    """Swap the class of ``TOTPDevice.key`` (idempotent); a no-op when django-otp's TOTP plugin is absent."""
    from django.apps import apps

    if not apps.is_installed("django_otp.plugins.otp_totp"):
        return
    from django_otp.plugins.otp_totp.models import TOTPDevice

    field = TOTPDevice._meta.get_field("key")
    if not isinstance(field, EncryptedTOTPKeyField):
        field.__class__ = EncryptedTOTPKeyField
