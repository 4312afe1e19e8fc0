"""Encrypted model fields and blind indexes (GB/T 22239-2019 §8.1.4.8 数据保密性; GB/T 39786-2021 §8.4).

:class:`EncryptedTextField` / :class:`EncryptedCharField` keep a column encrypted at rest with SM4-GCM under the
``field`` key (``MIAOPU_FIELD_KEY`` or ``var/field.key``). The column holds a versioned text envelope::

    sm4gcm:v1:<key id>:<base64(96-bit nonce || ciphertext || 128-bit tag)>

The associated data is ``"miaopu-field:v1" NUL table NUL column NUL key id``, so a ciphertext that is changed,
or copied into another column or table, fails to decrypt — loudly (``DecryptionError``), never as wrong text.

The row's primary key is deliberately *not* in the associated data: an ``INSERT`` encrypts before the
database assigns the key (``save()`` and ``bulk_create()`` alike), so binding to the pk would need a second
write of every new row. The residual risk — swapping two ciphertexts of the same column between rows — needs
write access to the database, which the audit chain and the database's own access control cover.

Python sees plaintext: values are decrypted in ``from_db_value`` and encrypted in ``get_prep_value`` (every
``save``, ``bulk_create``, ``bulk_update`` and ``QuerySet.update``). ``None`` and ``""`` are stored as they
are. An encrypted column cannot be searched: any lookup except ``isnull`` and ``exact ""`` raises
``FieldError``; exact search goes through a companion :class:`BlindIndexField` (HMAC-SM3 under the
``index`` key, ``MIAOPU_INDEX_KEY`` or ``var/index.key``) and :func:`blind_lookup`.

Raw SQL (``cursor.execute``, ``iterdump``, ``pg_dump``) sees only envelopes and index digests.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import FieldError
from django.db import models
from django.db.models import Q
from django.db.models.lookups import Exact, IsNull

from .crypto import DecryptionError, blind_index_with, current_keyring, decrypt_value, encrypt_value

__all__ = [
    "BlindIndexField",
    "DecryptionError",
    "EncryptedCharField",
    "EncryptedTextField",
    "blind_index",
    "blind_index_candidates",
    "blind_lookup",
    "encrypted_fields",
    "blind_index_fields",
]


# --- blind indexes -----------------------------------------------------------------------------------------------


def _normalize_id_number(value: str) -> str:
    from miaopu.domain.idcard import normalize_id_number

    return normalize_id_number(value)


#: How a value is normalised before it is indexed, by purpose (default: surrounding whitespace stripped).
NORMALIZERS: dict[str, Callable[[str], str]] = {"id_number": _normalize_id_number}


def normalize_for_index(value: str, purpose: str) -> str:
    return NORMALIZERS.get(purpose, str.strip)(value or "")


def blind_index(value: str | None, purpose: str) -> str | None:
    """``<key id>:<hex HMAC-SM3>`` of the normalised ``value`` under the current index key; None for empty."""
    normalized = normalize_for_index(value or "", purpose)
    if not normalized:
        return None
    return blind_index_with(current_keyring("index").current, normalized, purpose)


def blind_index_candidates(value: str | None, purpose: str) -> list[str]:
    """The index of ``value`` under every configured index key (current first): what to search for while a
    rotation is under way, so rows not yet re-indexed are still found."""
    normalized = normalize_for_index(value or "", purpose)
    if not normalized:
        return []
    return [blind_index_with(key, normalized, purpose) for key in current_keyring("index").keys]


def blind_lookup(index_field: str, value: str | None, purpose: str = "id_number") -> Q:
    """A ``Q`` matching rows whose ``index_field`` is the blind index of ``value`` (matches nothing if empty).

    ``index_field`` may traverse relations: ``blind_lookup("cadre__id_number_index", text)``.
    """
    candidates = blind_index_candidates(value, purpose)
    if not candidates:
        return Q(pk__in=[])
    return Q(**{f"{index_field}__in": candidates})


class BlindIndexField(models.CharField):
    """The HMAC-SM3 blind index of another field of the same row, recomputed on every ``save``/``bulk_create``.

    ``bulk_update`` and ``QuerySet.update`` do not call ``pre_save``: callers that use them set the index
    themselves (``obj.<index> = blind_index(obj.<source>, purpose)``) and list it among the updated fields.
    """

    blind_index = True

    def __init__(self, *args, source: str = "", purpose: str = "", **kwargs) -> None:
        self.source = source
        self.purpose = purpose or source
        kwargs.setdefault("max_length", 80)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        if self.purpose != self.source:
            kwargs["purpose"] = self.purpose
        for key, default in (("max_length", 80), ("editable", False), ("null", True), ("blank", True)):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
            else:
                kwargs[key] = kwargs.get(key, default)
        if self.editable is not False:
            kwargs["editable"] = self.editable
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = blind_index(getattr(model_instance, self.source), self.purpose)
        setattr(model_instance, self.attname, value)
        return value


# --- encrypted columns -------------------------------------------------------------------------------------------


class _EncryptedExact(Exact):
    """``field=""`` still works (an empty value is stored empty); anything else cannot match a ciphertext."""

    def get_prep_lookup(self):
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.output_field.model.__name__}.{self.lhs.output_field.name} is encrypted and cannot be "
                "searched; use its blind index (miaopu.apps.core.fields.blind_lookup)"
            )
        return self.rhs


class _EncryptedMixin:
    """Shared by the text and char variants: encrypt on the way in, decrypt on the way out."""

    encrypted = True

    def _where(self) -> tuple[str, str]:
        return self.model._meta.db_table, self.column

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        table, column = self._where()
        return encrypt_value(str(value), table=table, column=column)

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        table, column = self._where()
        return decrypt_value(value, table=table, column=column)

    def get_lookup(self, lookup_name):
        if lookup_name == "isnull":
            return IsNull
        if lookup_name == "exact":
            return _EncryptedExact
        raise FieldError(
            f"{self.model.__name__}.{self.name} is encrypted and cannot be searched with “{lookup_name}”; "
            "use its blind index (miaopu.apps.core.fields.blind_lookup)"
        )

    def get_transform(self, lookup_name):
        return None


class EncryptedTextField(_EncryptedMixin, models.TextField):
    """A ``TextField`` stored SM4-GCM encrypted (see the module docstring)."""


class EncryptedCharField(_EncryptedMixin, models.CharField):
    """A ``CharField`` (``max_length`` limits the *plaintext*; forms get a one-line input) stored encrypted in a
    text column, since the envelope is longer than the value."""

    def db_type(self, connection):
        return models.TextField().db_type(connection)

    def get_internal_type(self) -> str:
        return "TextField"

    def cast_db_type(self, connection):
        return models.TextField().cast_db_type(connection)


def encrypted_fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]


def blind_index_fields(model: type[models.Model]) -> list[BlindIndexField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField)]
