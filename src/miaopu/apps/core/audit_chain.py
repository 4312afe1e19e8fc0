"""The tamper-evident audit trail (GB/T 22239-2019 §8.1.4.3 c, d): an HMAC-SM3 hash chain over ``AuditEvent``.

Each row stores ``seq`` (gapless position), ``prev_hmac`` (the previous row's ``chain_hmac``), the id of the
audit key and ``chain_hmac = HMAC-SM3(key, prev_hmac || "\\n" || canonical JSON of the row)``. Rows are
appended while the single ``AuditChainState`` row is locked, so the chain is linear even with many writers.
Someone with write access to the database but without the key cannot change, insert or delete a row without
``verify`` noticing: a changed or forged row fails its HMAC, a deleted row leaves a gap in ``seq`` (and a
broken link), rows cut off the end disagree with the chain head.

Old rows may be purged (never younger than 183 days); the purge is itself a chained record naming the last
purged ``seq`` and its HMAC (the *anchor*), from which ``verify`` continues.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import AuditAction
from .crypto import Keyring, hmac_sm3, keyring

#: The shortest time an audit record is kept (GB/T 22239-2019 §8.1.4.3 c; 网络安全法 第二十一条: ≥ 6 months).
MIN_RETENTION_DAYS = 183

#: The row fields the HMAC covers, in a fixed order (the JSON is sorted anyway; this is the list of what counts).
CHAINED_FIELDS = (
    "seq",
    "at",
    "category",
    "action",
    "source",
    "ip",
    "actor_id",
    "actor_name",
    "actor_role",
    "object_type",
    "object_id",
    "object_repr",
    "before",
    "after",
    "detail",
    "key_id",
)


def normalize_json(value: Any) -> Any:
    """The value as it will read back from a JSON column (tuples → lists, keys → strings)."""
    if value is None:
        return None
    return json.loads(json.dumps(value, ensure_ascii=False, allow_nan=False))


def normalize_ip(value: str | None) -> str | None:
    """The address in the form the database gives back; anything that is not an address is dropped."""
    if not value:
        return None
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return str(address.ipv4_mapped)
    return str(address)


def _at(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(row: dict[str, Any]) -> bytes:
    """Canonical JSON of the chained fields: sorted keys, no spaces, UTF-8, timestamps in UTC to the microsecond."""
    data = {name: row.get(name) for name in CHAINED_FIELDS}
    data["at"] = _at(data["at"])
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def row_hmac(key: bytes, prev_hmac: str, row: dict[str, Any]) -> str:
    return hmac_sm3(key, prev_hmac.encode("ascii"), b"\n", canonical(row)).hex()


def _locked_state():
    """The chain head, locked for this transaction (``SELECT … FOR UPDATE``; SQLite holds the write lock already)."""
    from .models import AuditChainState

    state = AuditChainState.objects.select_for_update().filter(pk=1).first()
    if state is not None:
        return state
    try:
        with transaction.atomic():
            AuditChainState.objects.create(pk=1)
    except IntegrityError:
        pass  # created meanwhile by another writer
    return AuditChainState.objects.select_for_update().get(pk=1)


def append(**fields: Any):
    """Write one audit row at the end of the chain (inside the caller's transaction, if any).

    The lock on the chain head is held until the surrounding transaction ends, so a long import holds up
    other audited writes until it commits; that is the price of a linear chain.
    """
    from .models import AuditChainState, AuditEvent

    ring = keyring("audit")
    with transaction.atomic():
        state = _locked_state()
        event = AuditEvent(**fields)
        event.at = event.at or timezone.now()
        event.seq = state.seq + 1
        event.prev_hmac = state.head_hmac
        event.key_id = ring.current_id
        event.chain_hmac = row_hmac(ring.current, event.prev_hmac, {n: getattr(event, n) for n in CHAINED_FIELDS})
        event.save(force_insert=True)
        AuditChainState.objects.filter(pk=1).update(seq=event.seq, head_hmac=event.chain_hmac)
    return event


# --- verification ---------------------------------------------------------------------------------------------


@dataclass
class Problem:
    kind: str  # "changed", "missing", "unchained", "unknown_key", "truncated", "anchor"
    message: str
    event_id: int | None = None
    seq: int | None = None


@dataclass
class VerifyResult:
    checked: int = 0
    first_seq: int | None = None
    last_seq: int | None = None
    head_hmac: str = ""
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


_VALUES = ("id", "prev_hmac", "chain_hmac", *CHAINED_FIELDS)


def _purge_anchor() -> tuple[int, str] | None:
    """(last purged seq, its HMAC) from the latest purge record; verified as the walk reaches that record."""
    from .models import AuditEvent

    best: tuple[int, str] | None = None
    for detail in AuditEvent.objects.filter(action=AuditAction.PURGE).values_list("detail", flat=True):
        detail = detail or {}
        through, anchor = detail.get("through_seq"), detail.get("anchor")
        if isinstance(through, int) and isinstance(anchor, str) and (best is None or through > best[0]):
            best = (through, anchor)
    return best


def verify(*, ring: Keyring | None = None, limit: int = 20) -> VerifyResult:
    """Walk the whole chain in ``seq`` order; collect up to ``limit`` problems (the first one is what matters)."""
    from .models import AuditChainState, AuditEvent

    ring = ring or keyring("audit")
    result = VerifyResult()

    def problem(kind: str, message: str, row: dict | None = None) -> None:
        if len(result.problems) < limit:
            result.problems.append(
                Problem(kind, message, event_id=row["id"] if row else None, seq=row["seq"] if row else None)
            )

    for row in AuditEvent.objects.filter(seq__isnull=True).order_by("id").values("id")[:limit]:
        problem(
            "unchained",
            _("记录 id=%(id)s 不在校验链上（绕过系统写入的记录）。") % {"id": row["id"]},
            {"id": row["id"], "seq": None},
        )

    anchor = _purge_anchor()
    previous: dict | None = None
    rows = AuditEvent.objects.filter(seq__isnull=False).order_by("seq").values(*_VALUES)
    for row in rows.iterator(chunk_size=2000):
        result.checked += 1
        if previous is None:
            result.first_seq = row["seq"]
            if row["seq"] == 1:
                expected_seq, expected_prev = 1, ""
            elif anchor is not None:
                expected_seq, expected_prev = anchor[0] + 1, anchor[1]
            else:
                expected_seq, expected_prev = 1, ""
        else:
            expected_seq, expected_prev = previous["seq"] + 1, previous["chain_hmac"]
        if row["seq"] != expected_seq:
            if row["seq"] > expected_seq:
                problem(
                    "missing",
                    _("序号 %(a)s–%(b)s 的记录被删除（在记录 id=%(id)s 之前）。")
                    % {"a": expected_seq, "b": row["seq"] - 1, "id": row["id"]},
                    row,
                )
            else:
                problem("anchor", _("记录 id=%(id)s 的序号与清理记录不符。") % {"id": row["id"]}, row)
        elif row["prev_hmac"] != expected_prev:
            problem(
                "missing",
                _("记录 id=%(id)s（序号 %(seq)s）与前一条记录的链接断开：前一条记录被删除、替换或修改。")
                % {"id": row["id"], "seq": row["seq"]},
                row,
            )
        key = ring.get(row["key_id"])
        if key is None:
            problem(
                "unknown_key",
                _("记录 id=%(id)s 使用的密钥 %(key)s 未配置，无法校验。") % {"id": row["id"], "key": row["key_id"]},
                row,
            )
        elif row_hmac(key, row["prev_hmac"], row) != row["chain_hmac"]:
            problem(
                "changed",
                _("记录 id=%(id)s（序号 %(seq)s）的内容被修改，或是伪造插入的记录。")
                % {"id": row["id"], "seq": row["seq"]},
                row,
            )
        previous = row

    state = AuditChainState.objects.filter(pk=1).first()
    head_seq = state.seq if state else 0
    last_seq = previous["seq"] if previous else (anchor[0] if anchor else 0)
    result.last_seq = previous["seq"] if previous else None
    result.head_hmac = previous["chain_hmac"] if previous else ""
    if head_seq > last_seq:
        problem(
            "truncated",
            _("链头记录到序号 %(head)s，但表中最后一条是序号 %(last)s：末尾的记录被删除。")
            % {"head": head_seq, "last": last_seq},
        )
    elif state is not None and previous is not None and state.head_hmac != previous["chain_hmac"]:
        problem("truncated", _("链头校验值与最后一条记录不一致。"))
    return result


# --- purge ----------------------------------------------------------------------------------------------------


class PurgeRefused(Exception):
    pass


def earliest_allowed_cutoff(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=MIN_RETENTION_DAYS)


def purge(*, before: dt.datetime, actor) -> int:
    """Delete the chain's oldest rows written before ``before`` (at least 183 days ago); record the purge.

    Only a prefix of the chain is removed, so the rest stays verifiable from the anchor the purge record
    names. On PostgreSQL the no-update/no-delete trigger lets a DELETE through only inside this transaction
    (``SET LOCAL miaopu.audit_purge``) and only for rows older than 183 days.
    """
    from .audit import record
    from .choices import AuditCategory
    from .models import AuditEvent

    if before > earliest_allowed_cutoff():
        raise PurgeRefused(
            _("审计记录至少保存 %(days)s 天：只能清理 %(date)s 之前的记录。")
            % {"days": MIN_RETENTION_DAYS, "date": timezone.localtime(earliest_allowed_cutoff()).date().isoformat()}
        )
    with transaction.atomic():
        _locked_state()
        first_young = (
            AuditEvent.objects.filter(seq__isnull=False, at__gte=before).order_by("seq").values_list("seq", flat=True)
        ).first()
        old = AuditEvent.objects.filter(seq__isnull=False)
        if first_young is not None:
            old = old.filter(seq__lt=first_young)
        last = old.order_by("-seq").values("seq", "chain_hmac").first()
        deleted = 0
        if last is not None:
            table = AuditEvent._meta.db_table
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SET LOCAL miaopu.audit_purge = 'on'")
                cursor.execute(f"DELETE FROM {table} WHERE seq <= %s", [last["seq"]])  # noqa: S608 - table name
                deleted = cursor.rowcount
        record(
            actor,
            category=AuditCategory.CHANGE,
            action=AuditAction.PURGE,
            obj=AuditEvent,
            object_repr=_("审计记录"),
            detail={
                "before": before.isoformat(),
                "deleted": deleted,
                "through_seq": last["seq"] if last else None,
                "anchor": last["chain_hmac"] if last else None,
            },
        )
    return deleted
