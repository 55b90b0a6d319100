"""Checkpoint notes, keys and signers follow docs/ledger.md to the byte."""

from __future__ import annotations

import base64
import datetime as dt
import stat
from pathlib import Path

import pytest

from config import ConfigurationError, Settings
from workflow.ledger.checkpoints import (
    DEVELOPMENT_KEY_FILE,
    MalformedCheckpoint,
    Signer,
    VerifierKey,
    checkpoint_for,
    key_hash,
    load_signer,
    parse_note,
    tenant_directory,
)

DOC = (Path(__file__).resolve().parents[3] / "docs" / "ledger.md").read_text("utf-8")
EXAMPLE_KEY = Signer.from_seed("meritflow-example", bytes(range(32)))
EXAMPLE_HEAD = "24b21238d741c776aacb5946324bc6eb9f4310fdd08e8153cb1a60911535a4e4"
EXAMPLE_TIME = dt.datetime(2026, 11, 23, 2, 0, tzinfo=dt.UTC)


def _example_note() -> str:
    checkpoint = checkpoint_for("36", 2, EXAMPLE_HEAD, EXAMPLE_TIME, "meritflow-example")
    return checkpoint.signed_note(EXAMPLE_KEY)


def test_the_documented_example_checkpoint_is_what_we_write() -> None:
    note = _example_note()
    assert f"```\n{note}```" in DOC
    assert EXAMPLE_KEY.verifier.encode() in DOC


def test_a_note_parses_back_and_its_signature_verifies() -> None:
    checkpoint, signed, signatures = parse_note(_example_note())
    assert (checkpoint.tenant, checkpoint.size, checkpoint.head) == ("36", 2, EXAMPLE_HEAD)
    assert checkpoint.time == EXAMPLE_TIME
    assert signed == checkpoint.text().encode()
    assert signed.count(b"\n") == 5
    (signature,) = signatures
    assert signature.key_id == EXAMPLE_KEY.verifier.key_id
    assert len(signature.signature) == 64
    assert EXAMPLE_KEY.verifier.verifies(signed, signature.signature)
    assert not EXAMPLE_KEY.verifier.verifies(
        signed.replace(b"\n2\n", b"\n3\n"), signature.signature
    )


def test_key_hash_is_the_signed_note_rule() -> None:
    import hashlib

    public = EXAMPLE_KEY.verifier.public_key
    expected = hashlib.sha256(b"meritflow-example\n\x01" + public).digest()[:4]
    assert key_hash("meritflow-example", public) == expected == EXAMPLE_KEY.verifier.key_hash


def test_verifier_keys_round_trip_even_with_plus_signs_in_base64() -> None:
    for seed in range(40):
        key = Signer.from_seed("k", bytes([seed]) * 32).verifier
        assert VerifierKey.parse(key.encode()) == key


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("name+00", "is <name>+<hash hex>+<base64 key>"),
        ("name+zz+AQ==", "not hex/base64"),
        ("name+00000000+AQ==", "not an Ed25519 key"),
        ("name+00000000+" + base64.b64encode(b"\x01" + b"k" * 32).decode(), "wrong key hash"),
    ],
)
def test_bad_verifier_keys_are_refused(text: str, complaint: str) -> None:
    with pytest.raises(MalformedCheckpoint, match=complaint.replace("+", r"\+")):
        VerifierKey.parse(text)


@pytest.mark.parametrize(
    ("mangle", "complaint"),
    [
        (lambda n: n.replace("\n\n", "\n"), "no blank line"),
        (lambda n: n.replace("key meritflow-example\n", ""), "has 4 lines"),
        (lambda n: n.replace("\n2\n", "\n02\n"), "not a decimal"),
        (lambda n: n.replace("JLIS", "JL!S"), "not base64"),
        (lambda n: n.replace("JLISONdBx3aqy1lGMkvG659DEP3QjoFTyxpgkRU1pOQ=", "AAAA"), "3 bytes"),
        (lambda n: n.replace("time 2026-11-23T02:00:00.000000Z", "time yesterday"), "does not"),
        (lambda n: n.replace("meritflow.ledger/36", "other.log/36"), "does not start with"),
        (lambda n: n.replace("\u2014 ", "- "), "em dash"),
        (lambda n: n.rstrip("\n"), "end with a newline"),
    ],
)
def test_malformed_notes_are_refused(mangle: object, complaint: str) -> None:
    note = mangle(_example_note())  # type: ignore[operator]
    with pytest.raises(MalformedCheckpoint, match=complaint):
        parse_note(note)


def test_fields_that_would_make_an_ambiguous_note_are_refused() -> None:
    with pytest.raises(ValueError, match="origin line"):
        checkpoint_for("36 x", 1, EXAMPLE_HEAD, EXAMPLE_TIME, "k")
    with pytest.raises(ValueError, match="64 lowercase hex"):
        checkpoint_for("36", 1, EXAMPLE_HEAD.upper(), EXAMPLE_TIME, "k")
    with pytest.raises(ValueError, match="key name"):
        Signer.from_seed("two words", b"k" * 32)
    with pytest.raises(ValueError, match="32 bytes"):
        Signer.from_seed("k", b"short")


def test_tenant_directories_cannot_escape() -> None:
    assert tenant_directory("36") == "36"
    assert tenant_directory("..") == "%2E%2E"
    assert tenant_directory("a/b") == "a%2Fb"


def test_the_configured_signing_key_is_used(tmp_path: Path) -> None:
    seed = base64.b64encode(b"s" * 32).decode()
    settings = Settings(
        app_env="production",
        instance_path=tmp_path,
        ledger_signing_key=seed,
        ledger_key_id="banten-2026",
    )
    signer = load_signer(settings)
    assert signer.name == "banten-2026"
    assert signer.verifier == Signer.from_seed("banten-2026", b"s" * 32).verifier
    assert seed not in repr(signer)
    assert not (tmp_path / DEVELOPMENT_KEY_FILE).exists()


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"app_env": "production"}, "required in production"),
        ({"ledger_signing_key": "not base64!"}, "not valid base64"),
        ({"ledger_signing_key": base64.b64encode(b"x" * 31).decode()}, "32 bytes, not 31"),
        ({"ledger_key_id": "has space"}, "LEDGER_KEY_ID"),
    ],
)
def test_unusable_key_settings_are_configuration_errors(
    tmp_path: Path, changes: dict[str, object], complaint: str
) -> None:
    settings = Settings(app_env="test", instance_path=tmp_path).replace(**changes)
    with pytest.raises(ConfigurationError, match=complaint):
        load_signer(settings)


def test_development_generates_a_private_key_file_once(tmp_path: Path) -> None:
    settings = Settings(app_env="development", instance_path=tmp_path / "instance")
    first = load_signer(settings)
    path = tmp_path / "instance" / DEVELOPMENT_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_signer(settings).verifier == first.verifier
    assert [p.name for p in path.parent.iterdir()] == [DEVELOPMENT_KEY_FILE]
