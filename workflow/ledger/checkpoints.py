"""Signed ledger checkpoints: C2SP signed notes with Ed25519, kept in files outside the database.

A checkpoint says "at ``time`` the chain of ``tenant`` had ``size`` entries and its last entry
hashed to ``head``", signed by the ledger key. The text and signature follow the C2SP
``signed-note`` and ``tlog-checkpoint`` formats, so generic tools can check them too; the exact
format is in docs/ledger.md. Each key's public half is published beside the checkpoints under
``keys/`` so checkpoints signed before a key rotation still verify.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import structlog
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from config import ConfigurationError, Settings

log = structlog.get_logger(__name__)

ORIGIN_PREFIX = "meritflow.ledger/"
SIGNATURE_PREFIX = "\u2014 "
"""A signature line starts with an em dash and a space (C2SP signed-note)."""
ED25519_ALGORITHM = b"\x01"
KEY_HASH_BYTES = 4
SEED_BYTES = 32
HEAD_BYTES = 32
CHECKPOINT_SUFFIX = ".checkpoint"
KEY_SUFFIX = ".vkey"
KEYS_DIRECTORY = "keys"
DEVELOPMENT_KEY_FILE = "ledger-signing.key"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

_KEY_NAME = re.compile(r"[!-*,-~]+")
"""Printable ASCII without spaces or ``+`` (the separator of verifier key strings)."""
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


class MalformedCheckpoint(ValueError):
    """A checkpoint or key file that does not follow the documented format."""


def rfc3339(instant: dt.datetime) -> str:
    """Return ``instant`` as RFC 3339 UTC with microseconds (``2026-11-23T08:00:00.000000Z``)."""
    if instant.tzinfo is None:
        raise ValueError("a naive datetime has no defined instant; pass a timezone-aware one")
    return instant.astimezone(dt.UTC).strftime(TIME_FORMAT)


def parse_rfc3339(text: str) -> dt.datetime:
    """Return the instant written by :func:`rfc3339`; raise ``ValueError`` on any other form."""
    return dt.datetime.strptime(text, TIME_FORMAT).replace(tzinfo=dt.UTC)


def key_hash(name: str, public_key: bytes) -> bytes:
    """Return the 4-byte key hash of C2SP signed-note: SHA-256(name, LF, 0x01, key)[:4]."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519_ALGORITHM + public_key)
    return digest.digest()[:KEY_HASH_BYTES]


def _check_key_name(name: str) -> None:
    if not _KEY_NAME.fullmatch(name):
        raise ValueError(f"key name {name!r} must be printable ASCII without spaces or '+'")


@dataclass(frozen=True, slots=True)
class VerifierKey:
    """The public half of a signing key, named as in C2SP signed-note verifier keys."""

    name: str
    key_hash: bytes
    public_key: bytes

    @classmethod
    def from_public_key(cls, name: str, public_key: bytes) -> VerifierKey:
        """Return the verifier key for a raw 32-byte Ed25519 public key called ``name``."""
        _check_key_name(name)
        return cls(name=name, key_hash=key_hash(name, public_key), public_key=public_key)

    @classmethod
    def parse(cls, text: str) -> VerifierKey:
        """Read a verifier key string ``<name>+<hash hex>+<base64(0x01 || public key)>``.

        :raises MalformedCheckpoint: the string is not such a key, or its hash does not match.
        """
        parts = text.strip().split("+", 2)
        if len(parts) != 3:
            raise MalformedCheckpoint("a verifier key is <name>+<hash hex>+<base64 key>")
        name, hash_hex, encoded = parts
        try:
            declared = bytes.fromhex(hash_hex)
            raw = base64.b64decode(encoded, validate=True)
        except (ValueError, binascii.Error) as exc:
            raise MalformedCheckpoint(f"verifier key {name!r} is not hex/base64: {exc}") from None
        if len(raw) != 1 + HEAD_BYTES or raw[:1] != ED25519_ALGORITHM:
            raise MalformedCheckpoint(f"verifier key {name!r} is not an Ed25519 key")
        try:
            key = cls.from_public_key(name, raw[1:])
        except ValueError as exc:
            raise MalformedCheckpoint(str(exc)) from None
        if key.key_hash != declared:
            raise MalformedCheckpoint(f"verifier key {name!r} declares the wrong key hash")
        return key

    @property
    def key_id(self) -> str:
        """Return ``<name>+<hash hex>``, which names this key uniquely."""
        return f"{self.name}+{self.key_hash.hex()}"

    def encode(self) -> str:
        """Return the verifier key string that :meth:`parse` reads."""
        encoded = base64.b64encode(ED25519_ALGORITHM + self.public_key).decode("ascii")
        return f"{self.key_id}+{encoded}"

    def verifies(self, message: bytes, signature: bytes) -> bool:
        """Return whether ``signature`` is this key's Ed25519 signature of ``message``."""
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True


@dataclass(frozen=True, slots=True)
class Signer:
    """A named Ed25519 private key that signs checkpoints; its repr never shows the key."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Signer:
        """Return the signer for a raw 32-byte Ed25519 seed."""
        _check_key_name(name)
        if len(seed) != SEED_BYTES:
            raise ValueError(f"an Ed25519 seed has {SEED_BYTES} bytes, not {len(seed)}")
        return cls(name=name, private_key=Ed25519PrivateKey.from_private_bytes(seed))

    @property
    def verifier(self) -> VerifierKey:
        """Return the public key others verify this signer's checkpoints with."""
        public = self.private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return VerifierKey.from_public_key(self.name, public)

    def sign(self, message: bytes) -> bytes:
        """Return the 64-byte Ed25519 signature of ``message``."""
        return self.private_key.sign(message)


def load_signer(settings: Settings) -> Signer:
    """Return the checkpoint signer that ``settings`` describe.

    ``LEDGER_SIGNING_KEY`` (base64 of a raw 32-byte seed) wins; outside production a missing key
    is generated once into ``<instance>/ledger-signing.key`` (mode 0600) and reused.

    :raises ConfigurationError: the key is not base64 of 32 bytes, production has none, or
        the key name is not usable in a signed note.
    """
    if settings.ledger_signing_key:
        seed = _decode_seed(settings.ledger_signing_key, "LEDGER_SIGNING_KEY")
    elif settings.is_production:
        raise ConfigurationError("LEDGER_SIGNING_KEY is required in production (checkpoints)")
    else:
        seed = _development_seed(settings.instance_path / DEVELOPMENT_KEY_FILE)
    try:
        return Signer.from_seed(settings.ledger_key_id, seed)
    except ValueError as exc:
        raise ConfigurationError(f"LEDGER_KEY_ID: {exc}") from None


def _decode_seed(encoded: str, source: str) -> bytes:
    try:
        seed = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise ConfigurationError(f"{source} is not valid base64") from None
    if len(seed) != SEED_BYTES:
        raise ConfigurationError(f"{source} must decode to {SEED_BYTES} bytes, not {len(seed)}")
    return seed


def _development_seed(path: Path) -> bytes:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".ledger-key-")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(base64.b64encode(os.urandom(SEED_BYTES)).decode("ascii") + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            try:
                # link, not rename: of two processes racing here, the first key wins for both
                os.link(temporary, path)
                log.info("ledger_signing_key_generated", path=str(path))
            except FileExistsError:
                pass
        finally:
            os.unlink(temporary)
    return _decode_seed(path.read_text(encoding="ascii"), str(path))


@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line of a signed note."""

    name: str
    key_hash: bytes
    signature: bytes

    @property
    def key_id(self) -> str:
        """Return ``<name>+<hash hex>`` of the key that made this signature."""
        return f"{self.name}+{self.key_hash.hex()}"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A statement that a tenant's chain had ``size`` entries ending in ``head`` at ``time``."""

    tenant: str
    size: int
    head: str
    time: dt.datetime
    key_name: str

    @property
    def origin(self) -> str:
        """Return the origin line, ``meritflow.ledger/<tenant code>``."""
        return ORIGIN_PREFIX + self.tenant

    def text(self) -> str:
        """Return the signed text: origin, size, base64 head, ``time …``, ``key …`` lines."""
        head = base64.b64encode(bytes.fromhex(self.head)).decode("ascii")
        return (
            f"{self.origin}\n{self.size}\n{head}\ntime {rfc3339(self.time)}\nkey {self.key_name}\n"
        )

    def signed_note(self, signer: Signer) -> str:
        """Return the whole note: the text, a blank line and the signer's signature line."""
        if signer.name != self.key_name:
            raise ValueError(f"checkpoint names key {self.key_name!r}, signer is {signer.name!r}")
        text = self.text()
        blob = signer.verifier.key_hash + signer.sign(text.encode("utf-8"))
        encoded = base64.b64encode(blob).decode("ascii")
        return f"{text}\n{SIGNATURE_PREFIX}{signer.name} {encoded}\n"


def checkpoint_for(
    tenant: str, size: int, head: str, time: dt.datetime, key_name: str
) -> Checkpoint:
    """Return a checkpoint after checking every field can be written unambiguously."""
    if not tenant or any(ch.isspace() or not ch.isprintable() for ch in tenant):
        raise ValueError(f"tenant code {tenant!r} cannot appear in an origin line")
    if size < 0:
        raise ValueError("a checkpoint size cannot be negative")
    if len(head) != 2 * HEAD_BYTES or not all(ch in "0123456789abcdef" for ch in head):
        raise ValueError(f"head {head!r} is not 64 lowercase hex digits")
    _check_key_name(key_name)
    return Checkpoint(tenant=tenant, size=size, head=head, time=time, key_name=key_name)


def parse_note(content: str) -> tuple[Checkpoint, bytes, list[NoteSignature]]:
    """Return the checkpoint, the exact signed bytes and the signatures of a note's text.

    :raises MalformedCheckpoint: anything that does not follow docs/ledger.md exactly.
    """
    split = content.rfind("\n\n")
    if split < 0:
        raise MalformedCheckpoint("no blank line between the text and the signatures")
    text, signature_block = content[: split + 1], content[split + 2 :]
    lines = text.split("\n")[:-1]
    if len(lines) != 5:
        raise MalformedCheckpoint(f"the text has {len(lines)} lines, expected 5")
    origin, size, head, time_line, key_line = lines
    if not origin.startswith(ORIGIN_PREFIX):
        raise MalformedCheckpoint(f"origin {origin!r} does not start with {ORIGIN_PREFIX!r}")
    if not _DECIMAL.fullmatch(size):
        raise MalformedCheckpoint(f"size {size!r} is not a decimal number")
    try:
        head_bytes = base64.b64decode(head, validate=True)
    except binascii.Error:
        raise MalformedCheckpoint(f"head {head!r} is not base64") from None
    if len(head_bytes) != HEAD_BYTES:
        raise MalformedCheckpoint(f"head has {len(head_bytes)} bytes, expected {HEAD_BYTES}")
    if not time_line.startswith("time ") or not key_line.startswith("key "):
        raise MalformedCheckpoint("lines 4 and 5 must be 'time <RFC 3339>' and 'key <name>'")
    try:
        time = parse_rfc3339(time_line.removeprefix("time "))
        checkpoint = checkpoint_for(
            origin.removeprefix(ORIGIN_PREFIX),
            int(size),
            head_bytes.hex(),
            time,
            key_line.removeprefix("key "),
        )
    except ValueError as exc:
        raise MalformedCheckpoint(str(exc)) from None
    if checkpoint.text() != text:
        raise MalformedCheckpoint("the text is not in the canonical checkpoint form")
    return checkpoint, text.encode("utf-8"), _parse_signatures(signature_block)


def _parse_signatures(block: str) -> list[NoteSignature]:
    if not block.endswith("\n"):
        raise MalformedCheckpoint("the signature block must end with a newline")
    signatures = []
    for line in block[:-1].split("\n"):
        if not line.startswith(SIGNATURE_PREFIX):
            raise MalformedCheckpoint(f"signature line {line!r} does not start with an em dash")
        name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise MalformedCheckpoint(f"signature by {name!r} is not base64") from None
        if len(blob) <= KEY_HASH_BYTES:
            raise MalformedCheckpoint(f"signature by {name!r} is too short")
        signatures.append(NoteSignature(name, blob[:KEY_HASH_BYTES], blob[KEY_HASH_BYTES:]))
    return signatures


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    """A checkpoint whose signature verified, with the file it came from."""

    checkpoint: Checkpoint
    path: Path
    key_id: str


@dataclass(frozen=True, slots=True)
class CheckpointProblem:
    """A checkpoint (or, with no tenant, a key) file that cannot be trusted, and why."""

    tenant: str | None
    path: Path
    reason: str


@dataclass(slots=True)
class CheckpointScan:
    """What a directory of checkpoints holds: verified checkpoints per tenant, and problems."""

    valid: dict[str, list[StoredCheckpoint]] = field(default_factory=dict)
    problems: list[CheckpointProblem] = field(default_factory=list)

    def tenants(self) -> set[str]:
        """Return every tenant with a checkpoint file, trusted or not."""
        return set(self.valid) | {p.tenant for p in self.problems if p.tenant is not None}


@dataclass(frozen=True, slots=True)
class CheckpointStore:
    """A directory of checkpoint files, ``<tenant>/<size>-<time>-<digest>.checkpoint``.

    ``trusted_keys`` pins the keys whose signatures count; left ``None`` it trusts the keys
    published under ``keys/`` — fine for the operator, while an auditor should pin the keys
    they obtained separately, since whoever can write this directory can publish a key.
    """

    directory: Path
    trusted_keys: tuple[VerifierKey, ...] | None = None

    def publish_key(self, key: VerifierKey) -> Path:
        """Write ``key`` under ``keys/`` (once) and return its file."""
        path = self.directory / KEYS_DIRECTORY / key_file_name(key)
        if not path.exists():
            _write_atomically(path, key.encode() + "\n")
        return path

    def write(self, checkpoint: Checkpoint, signer: Signer) -> Path:
        """Sign ``checkpoint``, write it to its own file, publish the key, return the file."""
        self.publish_key(signer.verifier)
        note = checkpoint.signed_note(signer)
        digest = hashlib.sha256(note.encode("utf-8")).hexdigest()[:12]
        stamp = checkpoint.time.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{checkpoint.size:012d}-{stamp}-{digest}{CHECKPOINT_SUFFIX}"
        path = self.directory / tenant_directory(checkpoint.tenant) / name
        _write_atomically(path, note)
        log.info("ledger_checkpoint_written", tenant=checkpoint.tenant, size=checkpoint.size)
        return path

    def keys(self) -> tuple[dict[str, VerifierKey], list[CheckpointProblem]]:
        """Return the trusted keys by key id, and problems with published key files."""
        if self.trusted_keys is not None:
            return {key.key_id: key for key in self.trusted_keys}, []
        found: dict[str, VerifierKey] = {}
        problems: list[CheckpointProblem] = []
        for path in sorted((self.directory / KEYS_DIRECTORY).glob(f"*{KEY_SUFFIX}")):
            try:
                key = VerifierKey.parse(path.read_text(encoding="utf-8"))
            except (MalformedCheckpoint, UnicodeDecodeError) as exc:
                problems.append(CheckpointProblem(None, path, f"unreadable key: {exc}"))
                continue
            if path.name != key_file_name(key):
                problems.append(CheckpointProblem(None, path, "file name is not the key id"))
                continue
            found[key.key_id] = key
        return found, problems

    def scan(self, tenant: str | None = None) -> CheckpointScan:
        """Read and check every checkpoint (of one tenant, or all) against the trusted keys."""
        keys, key_problems = self.keys()
        scan = CheckpointScan(problems=list(key_problems))
        for filed_under, path in self._files(tenant):
            try:
                content = path.read_text(encoding="utf-8")
                checkpoint, signed, signatures = parse_note(content)
            except (MalformedCheckpoint, UnicodeDecodeError, OSError) as exc:
                scan.problems.append(CheckpointProblem(filed_under, path, f"malformed: {exc}"))
                continue
            if checkpoint.tenant != filed_under:
                scan.problems.append(
                    CheckpointProblem(
                        filed_under, path, f"names tenant {checkpoint.tenant!r} in its origin"
                    )
                )
                continue
            reason, key_id = _check_signature(checkpoint, signed, signatures, keys)
            if reason:
                scan.problems.append(CheckpointProblem(filed_under, path, reason))
                continue
            stored = StoredCheckpoint(checkpoint=checkpoint, path=path, key_id=key_id)
            scan.valid.setdefault(filed_under, []).append(stored)
        return scan

    def _files(self, tenant: str | None) -> Iterator[tuple[str, Path]]:
        if tenant is not None:
            folders: Iterable[Path] = [self.directory / tenant_directory(tenant)]
        elif self.directory.is_dir():
            folders = sorted(
                p for p in self.directory.iterdir() if p.is_dir() and p.name != KEYS_DIRECTORY
            )
        else:
            folders = []
        for folder in folders:
            for path in sorted(folder.glob(f"*{CHECKPOINT_SUFFIX}")):
                yield unquote(folder.name), path


def _check_signature(
    checkpoint: Checkpoint,
    signed: bytes,
    signatures: list[NoteSignature],
    keys: Mapping[str, VerifierKey],
) -> tuple[str | None, str]:
    """Return (why the checkpoint is untrusted or None, the id of the key that signed it).

    Only the signature by the key the text names counts; other lines (witness cosignatures)
    are left to whoever knows those keys, as signed-note verifiers do.
    """
    own = [s for s in signatures if s.name == checkpoint.key_name]
    if not own:
        return f"no signature by key {checkpoint.key_name!r}, which the text names", ""
    for signature in own:
        key = keys.get(signature.key_id)
        if key is None:
            continue
        if key.verifies(signed, signature.signature):
            return None, key.key_id
        return f"bad signature by key {signature.key_id}", key.key_id
    ids = ", ".join(s.key_id for s in own)
    return f"unknown key id {ids} (not among the trusted keys)", ""


def key_file_name(key: VerifierKey) -> str:
    """Return the file name of a published key: its key id, percent-encoded, and ``.vkey``.

    C2SP key names may hold ``/`` (``example.org/ledger``); encoded, the key stays one file in
    ``keys/`` where :meth:`CheckpointStore.keys` finds it, never a file in a subfolder.
    """
    return quote(key.key_id, safe="+") + KEY_SUFFIX


def tenant_directory(tenant: str) -> str:
    """Return the folder name for a tenant code (percent-encoded, never ``.`` or ``..``)."""
    return quote(tenant, safe="").replace(".", "%2E")


def _write_atomically(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
