"""Commercial cryptography (GB/T 39786-2021) helpers: SM3 digests and HMACs, SM4-GCM, and key loading.

Every key lives outside the repository and the database: in an environment variable
(``MIAOPU_<NAME>_KEY``) or in a key file (``settings.MIAOPU_KEY_FILES[name]``, default
``var/<name>.key``, mode 0600). Development creates a missing key file on first use;
production settings turn that off (``MIAOPU_GENERATE_MISSING_KEYS = False``), so a
production server without its keys fails loudly instead of inventing new ones.

A key file or variable holds one or more keys, hex-encoded, separated by newlines or
commas. The first is the *current* key (used to write); the others are older keys kept
to read (verify, decrypt) what they wrote. Each key is named by a *key id* — the first
8 hex digits of ``SM3("miaopu-key-id:" || key)`` — which is stored beside everything
the key protected, so rotation needs no guessing and the id reveals nothing about the key.

The primitives come from the ``cryptography`` package (OpenSSL). That is software
cryptography: a deployment that must use a certified cryptographic module (GM/T 0028)
replaces this module's functions with calls into the module; see docs/security.md.
"""

from __future__ import annotations

import base64
import functools
import os
import secrets
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

#: Key lengths in bytes: HMAC-SM3 keys are as long as the digest; SM4 keys are 128 bits.
#: ``field`` encrypts sensitive columns (SM4-GCM), ``index`` keys their blind indexes (HMAC-SM3).
KEY_LENGTHS = {"audit": 32, "backup": 16, "field": 16, "index": 32}


def sm3(data: bytes) -> bytes:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize()


def hmac_sm3(key: bytes, *parts: bytes) -> bytes:
    mac = hmac.HMAC(key, hashes.SM3())
    for part in parts:
        mac.update(part)
    return mac.finalize()


@functools.lru_cache(maxsize=64)
def key_id_of(key: bytes) -> str:
    return sm3(b"miaopu-key-id:" + key).hex()[:8]


@dataclass(frozen=True)
class Keyring:
    """The current key of one purpose and the older ones still needed to read old data."""

    name: str
    keys: tuple[bytes, ...]

    @property
    def current(self) -> bytes:
        return self.keys[0]

    @property
    def current_id(self) -> str:
        return key_id_of(self.keys[0])

    def get(self, key_id: str) -> bytes | None:
        for key in self.keys:
            if key_id_of(key) == key_id:
                return key
        return None


def _parse_keys(text: str, name: str, source: str) -> tuple[bytes, ...]:
    items = [item.strip() for item in text.replace(",", "\n").splitlines()]
    items = [item for item in items if item and not item.startswith("#")]
    if not items:
        raise ImproperlyConfigured(f"{source}: no {name} key found")
    keys = []
    for item in items:
        try:
            key = bytes.fromhex(item)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{source}: a {name} key is not hexadecimal") from exc
        if len(key) != KEY_LENGTHS[name]:
            raise ImproperlyConfigured(f"{source}: a {name} key must be {KEY_LENGTHS[name] * 2} hex digits")
        keys.append(key)
    return tuple(keys)


def key_file(name: str) -> Path:
    files = getattr(settings, "MIAOPU_KEY_FILES", {}) or {}
    return Path(files.get(name) or Path(settings.VAR_DIR) / f"{name}.key")


def _create_key_file(path: Path, name: str) -> None:
    """A new random key in a file only the owner can read (created 0600 before anything is written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_bytes(KEY_LENGTHS[name]).hex() + "\n")


_cache: dict[str, tuple[tuple, Keyring]] = {}


def keyring(name: str) -> Keyring:
    """The keys for ``name`` ("audit", "backup", "field", "index"): environment first, then the key file."""
    if name not in KEY_LENGTHS:
        raise ValueError(name)
    env_name = f"MIAOPU_{name.upper()}_KEY"
    env_value = os.environ.get(env_name, "").strip()
    path = key_file(name)
    if env_value:
        stamp: tuple = ("env", env_value)
    else:
        if not path.exists():
            if not getattr(settings, "MIAOPU_GENERATE_MISSING_KEYS", True):
                raise ImproperlyConfigured(
                    f"no {name} key: set {env_name} or create {path} (mode 0600); see docs/security.md"
                )
            try:
                _create_key_file(path, name)
            except FileExistsError:
                pass  # another process created it first
        stat = path.stat()
        stamp = ("file", str(path), stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(name)
    if cached and cached[0] == stamp:
        return cached[1]
    if env_value:
        keys = _parse_keys(env_value, name, env_name)
    else:
        keys = _parse_keys(path.read_text(), name, str(path))
    ring = Keyring(name=name, keys=keys)
    _cache[name] = (stamp, ring)
    return ring


_fast: dict[str, tuple[float, tuple, Keyring]] = {}

#: How long :func:`current_keyring` trusts its cached ring before looking at the key file again.
FAST_TTL = 1.0


def current_keyring(name: str) -> Keyring:
    """:func:`keyring` for hot paths (every encrypted value read or written): the key file is looked at again
    at most once a second, a change of the environment variable or the key-file setting is seen at once."""
    now = time.monotonic()
    files = getattr(settings, "MIAOPU_KEY_FILES", None) or {}
    probe = (os.environ.get(f"MIAOPU_{name.upper()}_KEY", ""), files.get(name))
    cached = _fast.get(name)
    if cached and cached[1] == probe and now < cached[0]:
        return cached[2]
    ring = keyring(name)
    _fast[name] = (now + FAST_TTL, probe, ring)
    return ring


def reset_key_cache() -> None:
    """Forget every cached key ring (after a key file was rewritten, e.g. by tests or a rotation)."""
    _cache.clear()
    _fast.clear()


def key_configured(name: str) -> bool:
    """True when ``name``'s key comes from the environment or an existing key file (used by deploy checks)."""
    return bool(os.environ.get(f"MIAOPU_{name.upper()}_KEY", "").strip()) or key_file(name).exists()


# --- SM4-GCM streams ---------------------------------------------------------------------------------------------

MAGIC = b"MIAOPU-SM4GCM\x00"
_LEN = struct.Struct(">I")
TAG_BYTES = 16
DEFAULT_CHUNK = 1 << 20


class DecryptionError(Exception):
    """The stream is not ours, was encrypted with an unknown key, or was changed, cut short or reordered."""


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">Q", index)


def _aad(header: bytes, index: int, last: bool) -> bytes:
    # The header (key id, metadata) is authenticated by every chunk; the index and the last flag stop
    # chunks being reordered, dropped, or the stream being cut after a chunk boundary.
    return sm3(header) + struct.pack(">Q?", index, last)


def encrypt_stream(
    source: BinaryIO, target: BinaryIO, *, key: bytes, key_id: str, meta: bytes = b"", chunk_size: int = DEFAULT_CHUNK
) -> int:
    """Encrypt ``source`` into ``target`` chunk by chunk (constant memory); returns the plaintext size.

    Layout: MAGIC, u32 header length, header (``key_id`` ASCII, NUL, ``meta``, NUL, 4-byte nonce prefix),
    then chunks of u32 length || SM4-GCM ciphertext || 16-byte tag. Each chunk's nonce is the prefix
    and its 64-bit index; the final chunk (possibly empty) is flagged in its associated data.
    """
    prefix = secrets.token_bytes(4)
    header = key_id.encode("ascii") + b"\x00" + meta + b"\x00" + prefix
    target.write(MAGIC + _LEN.pack(len(header)) + header)
    total = 0
    index = 0
    block = source.read(chunk_size)
    while True:
        following = source.read(chunk_size) if block else b""
        last = not following
        encryptor = Cipher(algorithms.SM4(key), modes.GCM(_nonce(prefix, index))).encryptor()
        encryptor.authenticate_additional_data(_aad(header, index, last))
        cipher = encryptor.update(block) + encryptor.finalize()
        target.write(_LEN.pack(len(cipher)) + cipher + encryptor.tag)
        total += len(block)
        if last:
            return total
        block = following
        index += 1


def read_header(source: BinaryIO) -> tuple[str, bytes, bytes]:
    """(key id, meta, raw header) of an encrypted stream; the stream is left at the first chunk."""
    magic = source.read(len(MAGIC))
    if magic != MAGIC:
        raise DecryptionError("not a Miaopu encrypted file")
    (length,) = _LEN.unpack(_read_exact(source, _LEN.size))
    header = _read_exact(source, length)
    try:
        key_id, meta, prefix = header.split(b"\x00", 2)
    except ValueError as exc:
        raise DecryptionError("damaged header") from exc
    if len(prefix) != 4:
        raise DecryptionError("damaged header")
    return key_id.decode("ascii", "replace"), meta, header


def _read_exact(source: BinaryIO, size: int) -> bytes:
    data = source.read(size)
    if len(data) != size:
        raise DecryptionError("the file is cut short")
    return data


def decrypt_stream(source: BinaryIO, *, ring: Keyring) -> Iterator[bytes]:
    """Yield the plaintext chunk by chunk; raise DecryptionError on any change, truncation or wrong key.

    A chunk is only yielded after its tag verified, so a consumer never sees unauthenticated data;
    a stream cut at a chunk boundary is still refused because the final chunk is missing.
    """
    key_id, _meta, header = read_header(source)
    key = ring.get(key_id)
    if key is None:
        raise DecryptionError(f"encrypted with key {key_id}, which is not configured")
    prefix = header[-4:]
    reader = _LookaheadReader(source)
    index = 0
    while True:
        raw_len = reader.read(_LEN.size)
        if not raw_len:
            raise DecryptionError("the file is cut short (no final chunk)")
        if len(raw_len) != _LEN.size:
            raise DecryptionError("damaged chunk")
        (length,) = _LEN.unpack(raw_len)
        if length > 64 * DEFAULT_CHUNK:
            raise DecryptionError("damaged chunk")
        cipher = _read_exact(reader, length)
        tag = _read_exact(reader, TAG_BYTES)
        last = reader.at_end()
        try:
            decryptor = Cipher(algorithms.SM4(key), modes.GCM(_nonce(prefix, index), tag)).decryptor()
            decryptor.authenticate_additional_data(_aad(header, index, last))
            plain = decryptor.update(cipher) + decryptor.finalize()
        except InvalidTag as exc:
            raise DecryptionError(f"chunk {index} fails authentication (changed, reordered or cut)") from exc
        yield plain
        if last:
            return
        index += 1


class _LookaheadReader:
    """A reader that can tell whether the stream has ended without losing a byte."""

    def __init__(self, source: BinaryIO) -> None:
        self._source = source
        self._pending = b""

    def read(self, size: int) -> bytes:
        data, self._pending = self._pending, b""
        if len(data) < size:
            data += self._source.read(size - len(data))
        return data

    def at_end(self) -> bool:
        if not self._pending:
            self._pending = self._source.read(1)
        return not self._pending


# --- SM4-GCM field envelopes -------------------------------------------------------------------------------------

#: ``sm4gcm:v1:<key id>:<base64(nonce || ciphertext || tag)>`` — what an encrypted column holds.
ENVELOPE_PREFIX = "sm4gcm:v1:"
NONCE_BYTES = 12


def field_aad(table: str, column: str, key_id: str) -> bytes:
    """Associated data binding a ciphertext to its table, column and key id (a copy elsewhere fails)."""
    return b"\x00".join((b"miaopu-field:v1", table.encode(), column.encode(), key_id.encode("ascii")))


def encrypt_value(plaintext: str, *, table: str, column: str, ring: Keyring | None = None) -> str:
    """The envelope of ``plaintext`` under the current field key (a fresh random 96-bit nonce each time)."""
    ring = ring or current_keyring("field")
    key_id = ring.current_id
    nonce = secrets.token_bytes(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(ring.current), modes.GCM(nonce)).encryptor()
    encryptor.authenticate_additional_data(field_aad(table, column, key_id))
    cipher = encryptor.update(plaintext.encode("utf-8")) + encryptor.finalize()
    return f"{ENVELOPE_PREFIX}{key_id}:{base64.b64encode(nonce + cipher + encryptor.tag).decode('ascii')}"


def is_envelope(value: object) -> bool:
    return isinstance(value, str) and value.startswith(ENVELOPE_PREFIX)


def envelope_key_id(envelope: str) -> str:
    if not is_envelope(envelope):
        raise DecryptionError("not an encrypted value")
    return envelope[len(ENVELOPE_PREFIX) :].split(":", 1)[0]


def decrypt_value(envelope: str, *, table: str, column: str, ring: Keyring | None = None) -> str:
    """The plaintext of an envelope; DecryptionError if it is not one, its key is unknown, or it was changed
    or moved to another table or column."""
    if not is_envelope(envelope):
        raise DecryptionError(f"{table}.{column} holds a value that is not encrypted")
    try:
        key_id, body = envelope[len(ENVELOPE_PREFIX) :].split(":", 1)
        raw = base64.b64decode(body.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError) as exc:
        raise DecryptionError(f"{table}.{column}: damaged encrypted value") from exc
    if len(raw) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError(f"{table}.{column}: damaged encrypted value")
    ring = ring or current_keyring("field")
    key = ring.get(key_id)
    if key is None:
        raise DecryptionError(f"{table}.{column}: encrypted with field key {key_id}, which is not configured")
    nonce, cipher, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    try:
        decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
        decryptor.authenticate_additional_data(field_aad(table, column, key_id))
        plain = decryptor.update(cipher) + decryptor.finalize()
    except InvalidTag as exc:
        raise DecryptionError(f"{table}.{column}: encrypted value fails authentication (changed or moved)") from exc
    return plain.decode("utf-8")


# --- HMAC-SM3 blind indexes --------------------------------------------------------------------------------------


def blind_index_with(key: bytes, value: str, purpose: str) -> str:
    """``<key id>:<hex HMAC-SM3(key, purpose NUL value)>`` for an already normalised ``value``."""
    mac = hmac_sm3(key, b"miaopu-index:v1\x00", purpose.encode(), b"\x00", value.encode("utf-8"))
    return f"{key_id_of(key)}:{mac.hex()}"
