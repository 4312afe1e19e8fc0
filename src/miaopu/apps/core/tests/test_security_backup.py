"""Encrypted backups (SM4-GCM) and the restore drill: back up, restore into a scratch database, compare."""

import io
import secrets
import stat
import uuid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from miaopu.apps.core import backup as backups
from miaopu.apps.core.audit import Actor, record
from miaopu.apps.core.crypto import DecryptionError, Keyring, decrypt_stream, encrypt_stream, key_id_of
from miaopu.apps.core.models import AuditEvent


@pytest.fixture(autouse=True)
def chinese():
    """Command messages are checked in Chinese, whatever language an earlier test left active."""
    with translation.override("zh-hans"):
        yield


def ring() -> Keyring:
    return Keyring(name="backup", keys=(secrets.token_bytes(16),))


def encrypt(data: bytes, keys: Keyring, chunk_size: int = 64) -> bytes:
    out = io.BytesIO()
    encrypt_stream(io.BytesIO(data), out, key=keys.current, key_id=keys.current_id, meta=b"{}", chunk_size=chunk_size)
    return out.getvalue()


def decrypt(blob: bytes, keys: Keyring) -> bytes:
    return b"".join(decrypt_stream(io.BytesIO(blob), ring=keys))


@pytest.mark.parametrize("size", [0, 1, 64, 65, 1000])
def test_sm4_gcm_stream_round_trip_in_chunks(size):
    keys = ring()
    data = secrets.token_bytes(size)
    blob = encrypt(data, keys)
    assert decrypt(blob, keys) == data
    assert keys.current_id.encode() in blob[:64]  # the key id is in the clear header
    assert size < 16 or data[:16] not in blob  # (a byte or two may turn up in any random-looking file)


def test_a_changed_cut_or_foreign_backup_is_refused():
    keys = ring()
    blob = encrypt(b"x" * 500, keys)
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 1
    with pytest.raises(DecryptionError):
        decrypt(bytes(flipped), keys)
    header_len = len(encrypt(b"", keys)) - (4 + 16)  # header only (one empty final chunk follows)
    chunk = 4 + 64 + 16
    with pytest.raises(DecryptionError):  # cut at a chunk boundary: the final chunk is missing
        decrypt(blob[: header_len + 3 * chunk], keys)
    with pytest.raises(DecryptionError, match="not configured"):
        decrypt(blob, ring())
    rotated = Keyring(name="backup", keys=(secrets.token_bytes(16), keys.current))  # an old key still reads
    assert decrypt(blob, rotated) == b"x" * 500
    assert key_id_of(keys.current) == keys.current_id and len(keys.current_id) == 8


DRILL_TABLES = ("cadres_cadre", "core_auditevent", "core_user")


def snapshot(conn) -> tuple[dict[str, int], dict[str, str]]:
    """What the drill compares: every table's row count, and a digest of the key tables' rows."""
    if not AuditEvent.objects.exists():
        record(Actor.system(), category="change", action="generate", obj="test.drill")
    return backups.table_counts(conn), {t: backups.table_digest(conn, t) for t in DRILL_TABLES}


def check_copy(before, copy_conn) -> None:
    counts, digests = before
    assert counts["cadres_cadre"] > 0 and counts["core_auditevent"] > 0
    assert snapshot(copy_conn) == before


@pytest.mark.django_db(transaction=True)  # the backup reads committed data, as a running system's would
@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite drill")
def test_restore_drill_sqlite(city, tmp_path):
    out = tmp_path / "drill.mpbak"
    before = snapshot(connection)  # the backup command's own audit row comes after the backup
    call_command("backup", "--output", str(out))
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    raw = out.read_bytes()
    assert b"SQLite format" not in raw and city.cadres["town_a"].name.encode() not in raw
    assert AuditEvent.objects.filter(action="backup").exists()

    scratch = tmp_path / "scratch.sqlite3"
    call_command("restore", str(out), "--database-url", f"sqlite:///{scratch}")
    copy = backups.connect_like("default", str(scratch))
    try:
        check_copy(before, copy)
    finally:
        copy.close()


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_to_overwrite_the_live_database_without_replace(city, tmp_path):
    out = tmp_path / "b.mpbak"
    call_command("backup", "--output", str(out))
    with pytest.raises(CommandError, match="--replace"):
        call_command("restore", str(out))
    damaged = tmp_path / "damaged.mpbak"
    data = bytearray(out.read_bytes())
    data[-40] ^= 0xFF
    damaged.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="恢复失败"):
        call_command("restore", str(damaged), "--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert not (tmp_path / "x.sqlite3").exists() or (tmp_path / "x.sqlite3").stat().st_size == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL drill (pg_dump/pg_restore)")
def test_restore_drill_postgresql(city, tmp_path):
    out = tmp_path / "drill.mpbak"
    before = snapshot(connection)
    call_command("backup", "--output", str(out))
    name = f"miaopu_drill_{uuid.uuid4().hex[:8]}"
    settings_dict = connection.settings_dict
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        user = settings_dict.get("USER") or ""
        url = f"postgres://{user}@{settings_dict.get('HOST') or ''}:{settings_dict.get('PORT') or 5432}/{name}"
        call_command("restore", str(out), "--database-url", url)
        copy = backups.connect_like("default", name)
        try:
            check_copy(before, copy)
        finally:
            copy.close()
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
