"""Who is acting, and the audit trail every service writes.

Services take an ``Actor`` (the user plus where the call came from) and call
``record_change`` inside their transaction, so a web edit, an API edit and a CLI
change leave the same kind of record.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models

from .choices import AuditAction, AuditCategory, AuditSource

if TYPE_CHECKING:
    from .models import User

#: Fields whose values never go into a log in clear (GB/T 22239 §8.1.4.3: no raw ID numbers in logs).
MASKED_FIELDS = frozenset({"id_number"})


@dataclass(frozen=True)
class Actor:
    user: User | None
    source: str = AuditSource.SYSTEM
    ip: str | None = None

    @classmethod
    def from_request(cls, request) -> Actor:
        source = AuditSource.API if request.path.startswith("/api/") else AuditSource.WEB
        ip = request.META.get("REMOTE_ADDR")
        if getattr(settings, "MIAOPU_TRUST_X_FORWARDED_FOR", False):
            # Only behind a reverse proxy that sets the header itself; otherwise any client could forge it.
            forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
            ip = forwarded.split(",")[-1].strip() or ip
        user = request.user if request.user.is_authenticated else None
        return cls(user=user, source=source, ip=ip or None)

    @classmethod
    def cli(cls, user: User | None = None) -> Actor:
        return cls(user=user, source=os.environ.get("MIAOPU_AUDIT_SOURCE", AuditSource.CLI))

    @classmethod
    def system(cls) -> Actor:
        return cls(user=None, source=AuditSource.SYSTEM)

    @property
    def role(self) -> str:
        return getattr(self.user, "role", "") if self.user else ""


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    return value


def encrypted_marker(value: str) -> str:
    """What the audit log keeps of an encrypted field's value: a short HMAC-SM3 digest under the index key."""
    from .crypto import current_keyring, hmac_sm3

    digest = hmac_sm3(current_keyring("index").current, b"miaopu-audit-marker\x00", str(value).encode()).hex()
    return f"[encrypted:{digest[:16]}]"


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of ``instance`` as JSON-safe data, sensitive fields masked."""
    from miaopu.domain.idcard import mask_id_number

    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        name = field.attname
        if fields is not None and field.name not in fields and name not in fields:
            continue
        if getattr(field, "blind_index", False):
            continue  # an HMAC of another field: nothing to read in a log
        value = _plain(getattr(instance, name))
        if field.name in MASKED_FIELDS and value:
            value = mask_id_number(value)
        elif getattr(field, "encrypted", False) and value:
            # Encrypted at rest, so never copied into the log in clear: a keyed digest still shows that it changed.
            value = encrypted_marker(value)
        data[field.name] = value
    return data


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that changed, as (before, after)."""
    keys = [k for k in dict.fromkeys([*before, *after]) if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def _object_type(obj: models.Model | type[models.Model] | str) -> str:
    if isinstance(obj, str):
        return obj
    return obj._meta.label_lower


_ID_CANDIDATE = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")


def scrub_id_numbers(value: Any) -> Any:
    """``value`` with every valid 18-character ID number masked, however deep in lists and dicts it sits.

    ``snapshot`` already masks the ``id_number`` field; this catches the rest (a search typed into a filter,
    an ID number typed as a user name at the login page, a file name) so no raw ID number reaches a log.
    """
    from miaopu.domain.idcard import mask_id_number, validate_id_number

    if isinstance(value, str):
        if len(value) < 18:
            return value

        def mask(match: re.Match) -> str:
            text = match.group(0)
            return mask_id_number(text) if validate_id_number(text).ok else text

        return _ID_CANDIDATE.sub(mask, value)
    if isinstance(value, dict):
        return {scrub_id_numbers(k): scrub_id_numbers(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub_id_numbers(v) for v in value]
    return value


def record(
    actor: Actor,
    *,
    category: str,
    action: str,
    obj: models.Model | type[models.Model] | str | None = None,
    object_id: Any = None,
    object_repr: str = "",
    before: dict | None = None,
    after: dict | None = None,
    detail: dict | None = None,
):
    """Append one event to the hash-chained audit trail (``audit_chain.append``), ID numbers masked."""
    from .audit_chain import append, normalize_ip, normalize_json

    if isinstance(obj, models.Model):
        object_id = obj.pk if object_id is None else object_id
        object_repr = object_repr or str(obj)
    return append(
        category=category,
        action=action,
        source=actor.source,
        ip=normalize_ip(actor.ip),
        actor_id=actor.user.pk if actor.user else None,
        actor_name=scrub_id_numbers(actor.user.get_username() if actor.user else "system")[:150],
        actor_role=actor.role,
        object_type=_object_type(obj) if obj is not None else "",
        object_id="" if object_id is None else scrub_id_numbers(str(object_id))[:64],
        object_repr=scrub_id_numbers(object_repr)[:200],
        before=normalize_json(scrub_id_numbers(before)),
        after=normalize_json(scrub_id_numbers(after)),
        detail=normalize_json(scrub_id_numbers(detail)),
    )


def record_change(
    actor: Actor,
    action: str,
    obj: models.Model,
    *,
    before: dict | None = None,
    after: dict | None = None,
    detail: dict | None = None,
):
    if action == AuditAction.UPDATE and before is not None and after is not None:
        before, after = diff(before, after)
    return record(
        actor, category=AuditCategory.CHANGE, action=action, obj=obj, before=before, after=after, detail=detail
    )


def record_access(
    actor: Actor,
    action: str,
    obj: models.Model | type[models.Model] | str,
    *,
    object_id: Any = None,
    object_repr: str = "",
    detail: dict | None = None,
):
    return record(
        actor,
        category=AuditCategory.ACCESS,
        action=action,
        obj=obj,
        object_id=object_id,
        object_repr=object_repr,
        detail=detail,
    )
