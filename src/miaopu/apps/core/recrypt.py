"""Bulk work on encrypted columns in raw SQL: encrypt existing plaintext (data migrations), re-encrypt under the
current key and recompute blind indexes (key rotation), decrypt (reversing a migration), count rows per key id.

Raw SQL, because the ORM's encrypted fields refuse to read a value that is not (yet) an envelope, and because
one code path then serves migrations (historical models), the rotation command and third-party tables
(django-otp's ``otp_totp_totpdevice.key``). Rows are handled in primary-key order, in batches, each batch in
its own transaction (a savepoint inside a migration's transaction).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import connections, transaction

from .crypto import (
    ENVELOPE_PREFIX,
    DecryptionError,
    Keyring,
    blind_index_with,
    current_keyring,
    decrypt_value,
    encrypt_value,
    envelope_key_id,
    is_envelope,
)

BATCH_SIZE = 2000


@dataclass(frozen=True)
class IndexSpec:
    column: str  # the blind-index column
    source: str  # the (encrypted or plain) column it indexes
    purpose: str


@dataclass(frozen=True)
class TableSpec:
    table: str
    pk: str
    columns: tuple[str, ...]  # encrypted columns
    indexes: tuple[IndexSpec, ...] = ()
    label: str = ""


@dataclass
class Outcome:
    rows: int = 0  # rows read
    rewritten: Counter = field(default_factory=Counter)  # (table, column) -> rows changed


def registry() -> list[TableSpec]:
    """Every installed model with an encrypted column or a blind index."""
    from .fields import blind_index_fields, encrypted_fields

    specs = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        enc = tuple(f.column for f in encrypted_fields(model))
        idx = tuple(
            IndexSpec(f.column, model._meta.get_field(f.source).column, f.purpose) for f in blind_index_fields(model)
        )
        if enc or idx:
            specs.append(TableSpec(model._meta.db_table, model._meta.pk.column, enc, idx, model._meta.label))
    return sorted(specs, key=lambda s: s.table)


def _index_value(ring: Keyring, source_plain: str | None, purpose: str) -> str | None:
    from .fields import normalize_for_index

    normalized = normalize_for_index(source_plain or "", purpose)
    return blind_index_with(ring.current, normalized, purpose) if normalized else None


def process(
    spec: TableSpec,
    mode: str,
    *,
    using: str = "default",
    batch_size: int = BATCH_SIZE,
    field_ring: Keyring | None = None,
    index_ring: Keyring | None = None,
) -> Outcome:
    """``mode``: ``"encrypt"`` (plaintext → envelope; envelopes and indexes already current are left alone),
    ``"rotate"`` (also re-encrypt envelopes written under an older key, recompute old indexes) or
    ``"decrypt"`` (envelope → plaintext, indexes cleared)."""
    if mode not in ("encrypt", "rotate", "decrypt"):
        raise ValueError(mode)
    connection = connections[using]
    qn = connection.ops.quote_name
    field_ring = field_ring or current_keyring("field")
    index_ring = index_ring or current_keyring("index")
    current_field_id = field_ring.current_id
    current_index_id = index_ring.current_id
    index_cols = [*(i.source for i in spec.indexes), *(i.column for i in spec.indexes)]
    read_cols = list(dict.fromkeys([*spec.columns, *index_cols]))
    select = ", ".join(qn(c) for c in [spec.pk, *read_cols])
    # Lock the batch's rows (PostgreSQL), so a concurrent save between the SELECT and the UPDATE is not overwritten
    # with the older value; SQLite's IMMEDIATE transactions already hold the write lock for the whole batch.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    outcome = Outcome()
    last = None
    while True:
        with transaction.atomic(using=using), connection.cursor() as cursor:
            where, params = ("", [batch_size]) if last is None else (f"WHERE {qn(spec.pk)} > %s ", [last, batch_size])
            cursor.execute(
                f"SELECT {select} FROM {qn(spec.table)} {where}ORDER BY {qn(spec.pk)} LIMIT %s{lock}",  # noqa: S608
                params,
            )
            rows = cursor.fetchall()
            if not rows:
                return outcome
            updates: dict[tuple[str, ...], list[list]] = {}
            for row in rows:
                pk, stored = row[0], dict(zip(read_cols, row[1:], strict=True))
                outcome.rows += 1
                plain: dict[str, str | None] = {}
                changes: dict[str, str | None] = {}
                for column in read_cols:
                    value = stored[column]
                    if column in spec.columns and is_envelope(value):
                        plain[column] = decrypt_value(value, table=spec.table, column=column, ring=field_ring)
                    else:
                        plain[column] = value
                for column in spec.columns:
                    value = stored[column]
                    if value is None or value == "":
                        continue
                    if mode == "decrypt":
                        if is_envelope(value):
                            changes[column] = plain[column]
                    elif not is_envelope(value) or (mode == "rotate" and envelope_key_id(value) != current_field_id):
                        changes[column] = encrypt_value(plain[column], table=spec.table, column=column, ring=field_ring)
                for index in spec.indexes:
                    old = stored[index.column]
                    if mode == "decrypt":
                        new = None
                    elif mode == "encrypt" and old and old.startswith(current_index_id + ":"):
                        continue
                    else:
                        new = _index_value(index_ring, plain[index.source], index.purpose)
                    if new != old:
                        changes[index.column] = new
                if changes:
                    names = tuple(sorted(changes))
                    updates.setdefault(names, []).append([*(changes[n] for n in names), pk])
                    for name in names:
                        outcome.rewritten[(spec.table, name)] += 1
            for names, params in updates.items():
                assignments = ", ".join(f"{qn(n)} = %s" for n in names)
                cursor.executemany(f"UPDATE {qn(spec.table)} SET {assignments} WHERE {qn(spec.pk)} = %s", params)
            last = rows[-1][0]


def key_counts(spec: TableSpec, *, using: str = "default") -> dict[str, Counter]:
    """Per column: rows per key id (``"plaintext"`` for a non-empty value that is not encrypted)."""
    connection = connections[using]
    qn = connection.ops.quote_name
    result: dict[str, Counter] = {}
    start = len(ENVELOPE_PREFIX) + 1
    with connection.cursor() as cursor:
        for column in spec.columns:
            col = qn(column)
            cursor.execute(
                f"SELECT CASE WHEN {col} LIKE %s THEN SUBSTR({col}, {start}, 8) ELSE 'plaintext' END, COUNT(*) "
                f"FROM {qn(spec.table)} WHERE {col} IS NOT NULL AND {col} <> '' GROUP BY 1",
                [ENVELOPE_PREFIX + "%"],
            )
            result[column] = Counter(dict(cursor.fetchall()))
        for index in spec.indexes:
            col = qn(index.column)
            cursor.execute(
                f"SELECT SUBSTR({col}, 1, 8), COUNT(*) FROM {qn(spec.table)} WHERE {col} IS NOT NULL GROUP BY 1"
            )
            result[index.column] = Counter(dict(cursor.fetchall()))
    return result


def run_python(specs: Iterable[TableSpec]):
    """A (forward, backward) pair for ``migrations.RunPython``: encrypt the columns / decrypt them again."""
    specs = tuple(specs)

    def forward(app_registry, schema_editor):
        for spec in specs:
            process(spec, "encrypt", using=schema_editor.connection.alias)

    def backward(app_registry, schema_editor):
        for spec in specs:
            process(spec, "decrypt", using=schema_editor.connection.alias)

    return forward, backward


__all__ = ["DecryptionError", "IndexSpec", "Outcome", "TableSpec", "key_counts", "process", "registry", "run_python"]
