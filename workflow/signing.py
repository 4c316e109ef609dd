"""Ed25519 keys for signing audit checkpoints, kept in files outside the database.

Why outside: whoever can write the database can recompute every hash chain; they cannot
sign a checkpoint without the private key, which lives in a file only the service's
account reads (``INKUBATORS_SIGNING_KEY_FILE``, mode 0600). Auditors keep the public key
and check signatures with it. Keys are PEM (PKCS #8 private, SubjectPublicKeyInfo
public), the formats every tool reads; a key's id is the SHA-256 of its 32 raw bytes.
"""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from workflow.errors import WorkflowError

PRIVATE_NAME = "signing.key"
PUBLIC_NAME = "signing.pub"
ALGORITHM = "Ed25519"


class SigningError(WorkflowError):
    """A key file is missing, unreadable, too open, or not an Ed25519 key."""


@dataclass(frozen=True, slots=True)
class Signer:
    """A loaded private key and the id of its public half."""

    key: Ed25519PrivateKey
    key_id: str

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message``."""
        return self.key.sign(message)


@dataclass(frozen=True, slots=True)
class KeyPair:
    """Where ``keygen`` wrote the two halves, and the key's id."""

    private: Path
    public: Path
    key_id: str


def key_id(public: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, lowercase hex: names a key in checkpoints and output."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def generate(out_dir: Path) -> KeyPair:
    """Write a new key pair into ``out_dir``; never overwrite an existing private key.

    The private key file is created with mode 0600 in one step (no window in which it is
    readable by others); the directory is created 0700 if missing.
    """
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    private_path, public_path = out_dir / PRIVATE_NAME, out_dir / PUBLIC_NAME
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise SigningError(
            f"{private_path} already exists; refusing to overwrite a signing key "
            "(checkpoints signed with it could no longer be told from forgeries)"
        ) from None
    except OSError as exc:
        raise SigningError(f"cannot create {private_path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    public = key.public_key()
    public_path.write_bytes(
        public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return KeyPair(private_path, public_path, key_id(public))


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"{what} {path} does not exist") from None
    except OSError as exc:
        raise SigningError(f"cannot read {what} {path}: {exc.strerror}") from None


def load_signer(path: Path) -> Signer:
    """The private key in ``path``, refused if group or others may read it."""
    data = _read(path, "signing key")
    mode = stat.S_IMODE(path.stat().st_mode)
    if os.name == "posix" and mode & 0o077:
        raise SigningError(
            f"signing key {path} is readable by others (mode {mode:04o}); run: chmod 600 {path}"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        raise SigningError(
            f"signing key {path} is not an unencrypted PEM private key "
            "(create one with: inkubators audit keygen --out DIR)"
        ) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningError(f"signing key {path} is not an {ALGORITHM} key")
    return Signer(key, key_id(key.public_key()))


def load_public(path: Path) -> Ed25519PublicKey:
    """The public key in ``path`` (PEM, as ``keygen`` writes it)."""
    data = _read(path, "public key")
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise SigningError(f"public key {path} is not a PEM public key") from None
    if not isinstance(key, Ed25519PublicKey):
        raise SigningError(f"public key {path} is not an {ALGORITHM} key")
    return key


def is_valid(public: Ed25519PublicKey, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``public``'s signature of ``message``."""
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True


def configured_signer(path: Path | None) -> Signer | None:
    """The signer ``INKUBATORS_SIGNING_KEY_FILE`` names, or None when it names none."""
    return load_signer(path) if path is not None else None
