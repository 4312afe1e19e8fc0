"""Encrypted backups and restores (GB/T 22239-2019 §8.1.4.9 数据备份恢复; SM4 per GB/T 39786-2021).

- SQLite: SQLite's online backup API copies a consistent snapshot while the system runs.
- PostgreSQL: ``pg_dump --format=custom``; restored with ``pg_restore --single-transaction``.

The dump is encrypted with SM4-GCM as it is produced (``crypto.encrypt_stream``: 1 MiB chunks, so a large
database needs no more memory than a chunk) under the backup key (``MIAOPU_BACKUP_KEY`` or
``var/backup.key``), whose id is in the file header; a restore refuses a file that was changed, cut short,
or written with a key it does not have. A PostgreSQL dump never touches the disk in clear; an SQLite
snapshot does, briefly, as a 0600 temporary file beside the output, deleted at once.

``table_counts``/``table_digest`` are what the restore drill compares between the source and the copy.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.utils import timezone

from .crypto import DecryptionError, encrypt_stream, keyring, read_header, sm3

FORMAT = "miaopu-backup"
SUFFIX = ".mpbak"


class BackupError(Exception):
    pass


@dataclass
class BackupResult:
    path: Path
    vendor: str
    key_id: str
    size: int  # plaintext bytes


@dataclass
class Target:
    """Where to restore: a database vendor plus how to reach it."""

    vendor: str
    name: str  # SQLite file path, or PostgreSQL database name
    settings_dict: dict | None = None  # PostgreSQL connection settings
    url: str = ""

    @classmethod
    def from_url(cls, url: str) -> Target:
        import dj_database_url

        config = dj_database_url.parse(url)
        engine = config["ENGINE"]
        if engine.endswith("sqlite3"):
            return cls(vendor="sqlite", name=str(config["NAME"]), url=url)
        if "postgresql" in engine:
            return cls(vendor="postgresql", name=str(config["NAME"]), settings_dict=config, url=url)
        raise BackupError(f"unsupported database: {engine}")

    @classmethod
    def from_connection(cls, alias: str = "default") -> Target:
        conn = connections[alias]
        if conn.vendor == "sqlite":
            return cls(vendor="sqlite", name=str(conn.settings_dict["NAME"]))
        if conn.vendor == "postgresql":
            return cls(vendor="postgresql", name=str(conn.settings_dict["NAME"]), settings_dict=conn.settings_dict)
        raise BackupError(f"unsupported database: {conn.vendor}")

    @property
    def display(self) -> str:
        """For messages and the audit trail: never the password."""
        if self.vendor == "sqlite":
            return f"sqlite:{self.name}"
        s = self.settings_dict or {}
        return f"postgresql://{s.get('USER') or ''}@{s.get('HOST') or ''}:{s.get('PORT') or ''}/{self.name}"


def _pg_env_args(settings_dict: dict) -> tuple[dict[str, str], list[str]]:
    """libpq environment (the password never appears on a command line) and connection arguments."""
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    args = []
    if settings_dict.get("HOST"):
        args += ["--host", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["--port", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["--username", str(settings_dict["USER"])]
    return env, args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} not found: install the PostgreSQL client tools")
    return path


def default_output() -> Path:
    directory = Path(getattr(settings, "MIAOPU_BACKUP_DIR", Path(settings.VAR_DIR) / "backups"))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    return directory / f"miaopu-{stamp}{SUFFIX}"


@contextlib.contextmanager
def _private_file(path: Path) -> Iterator:
    """Open ``path`` for writing with mode 0600 (created so; never world-readable, even for a moment)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        yield handle


@contextlib.contextmanager
def _temp_path(directory: Path, suffix: str) -> Iterator[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=directory, suffix=suffix, prefix=".miaopu-")  # mkstemp: mode 0600
    os.close(fd)
    try:
        yield Path(name)
    finally:
        for extra in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(name + extra)


def backup(output: Path | None = None, *, using: str = "default") -> BackupResult:
    """Write an encrypted backup of database ``using`` to ``output`` (default: ``var/backups/miaopu-<time>.mpbak``)."""
    output = Path(output or default_output())
    conn = connections[using]
    ring = keyring("backup")
    meta = json.dumps(
        {"format": FORMAT, "version": 1, "vendor": conn.vendor, "created": timezone.now().isoformat()},
        separators=(",", ":"),
    ).encode()
    partial = output.with_name(output.name + ".part")
    try:
        with _private_file(partial) as target:
            if conn.vendor == "sqlite":
                size = _backup_sqlite(conn, target, ring, meta, output.parent)
            elif conn.vendor == "postgresql":
                size = _backup_postgresql(conn.settings_dict, target, ring, meta)
            else:
                raise BackupError(f"unsupported database: {conn.vendor}")
        os.replace(partial, output)
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return BackupResult(path=output, vendor=conn.vendor, key_id=ring.current_id, size=size)


def _backup_sqlite(conn, target, ring, meta: bytes, workdir: Path) -> int:
    if conn.in_atomic_block:
        # SQLite's backup API waits forever for a connection's own open write transaction to end.
        raise BackupError("cannot back up SQLite from inside a transaction")
    conn.ensure_connection()
    with _temp_path(workdir, ".sqlite3") as snapshot:
        copy = sqlite3.connect(snapshot)
        try:
            conn.connection.backup(copy)  # consistent snapshot, page by page, while others keep working
        finally:
            copy.close()
        with open(snapshot, "rb") as source:
            return encrypt_stream(source, target, key=ring.current, key_id=ring.current_id, meta=meta)


def _backup_postgresql(settings_dict: dict, target, ring, meta: bytes) -> int:
    env, args = _pg_env_args(settings_dict)
    command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", *args, str(settings_dict["NAME"])]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as process:  # noqa: S603
        size = encrypt_stream(process.stdout, target, key=ring.current, key_id=ring.current_id, meta=meta)
        stderr = process.stderr.read().decode(errors="replace")
        if process.wait() != 0:
            raise BackupError(f"pg_dump failed: {stderr.strip()}")
    return size


def read_meta(path: Path) -> tuple[str, dict]:
    """(key id, metadata) of a backup file, without decrypting it."""
    with open(path, "rb") as handle:
        key_id, meta, _header = read_header(handle)
    try:
        data = json.loads(meta)
    except ValueError as exc:
        raise DecryptionError("damaged header") from exc
    if data.get("format") != FORMAT:
        raise DecryptionError("not a Miaopu backup")
    return key_id, data


def restore(path: Path, target: Target) -> dict:
    """Restore backup ``path`` into ``target`` (same vendor), replacing what is there. Returns the metadata.

    Nothing is written unless the whole file authenticates: SQLite is decrypted into a temporary file that
    must pass ``PRAGMA integrity_check`` before it is copied over the target; PostgreSQL restores inside one
    transaction that a failed chunk aborts.
    """
    from .crypto import decrypt_stream

    key_id, meta = read_meta(path)
    if meta.get("vendor") != target.vendor:
        raise BackupError(f"the backup is of a {meta.get('vendor')} database; the target is {target.vendor}")
    ring = keyring("backup")
    if ring.get(key_id) is None:
        raise DecryptionError(f"encrypted with key {key_id}, which is not configured")
    if target.vendor == "sqlite":
        _restore_sqlite(path, target, ring, decrypt_stream)
    else:
        _restore_postgresql(path, target, ring, decrypt_stream)
    return {**meta, "key_id": key_id}


def _restore_sqlite(path: Path, target: Target, ring, decrypt_stream) -> None:
    destination = Path(target.name)
    with _temp_path(destination.parent, ".sqlite3") as plain:
        with open(path, "rb") as source, open(plain, "wb") as out:
            for chunk in decrypt_stream(source, ring=ring):
                out.write(chunk)
        copy = sqlite3.connect(plain)
        try:
            status = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if status != "ok":
                raise BackupError(f"the restored database fails its integrity check: {status}")
            live = sqlite3.connect(destination)
            try:
                copy.backup(live)
            finally:
                live.close()
        finally:
            copy.close()


def _restore_postgresql(path: Path, target: Target, ring, decrypt_stream) -> None:
    env, args = _pg_env_args(target.settings_dict or {})
    command = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
        "--exit-on-error",
        *args,
        "--dbname",
        target.name,
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, env=env)  # noqa: S603
        try:
            with open(path, "rb") as source:
                for chunk in decrypt_stream(source, ring=ring):
                    process.stdin.write(chunk)
            process.stdin.close()
        except (DecryptionError, BrokenPipeError):
            process.kill()  # the open transaction is rolled back: nothing of a bad file is kept
            process.wait()
            errors.seek(0)
            raise
        if process.wait() != 0:
            errors.seek(0)
            raise BackupError(f"pg_restore failed: {errors.read().decode(errors='replace').strip()}")


# --- what a restore drill compares ------------------------------------------------------------------------------


def table_counts(conn) -> dict[str, int]:
    """Row count of every table of the installed apps, through a Django connection."""
    from django.apps import apps

    tables = sorted({m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed})
    existing = set(conn.introspection.table_names())
    counts = {}
    with conn.cursor() as cursor:
        for table in tables:
            if table in existing:
                cursor.execute(f"SELECT COUNT(*) FROM {conn.ops.quote_name(table)}")  # noqa: S608 - model tables
                counts[table] = cursor.fetchone()[0]
    return counts


def table_digest(conn, table: str) -> str:
    """SM3 of every row of ``table`` in primary-key order (values as the database driver returns them)."""
    digest_input = []
    with conn.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {conn.ops.quote_name(table)} ORDER BY 1")  # noqa: S608 - model table
        for row in cursor.fetchall():
            digest_input.append(repr(tuple(row)))
    return sm3("\n".join(digest_input).encode()).hex()


def connect_like(alias: str, name: str, new_alias: str = "restore_drill"):
    """A Django connection to database ``name`` with the settings of ``alias`` (the restore drill's copy)."""
    base = connections[alias]
    settings_dict = {**base.settings_dict, "NAME": name}
    return type(base)(settings_dict, alias=new_alias)
