"""AES-GCM tokens for personal data: bound to their field, tamper-evident, and rotatable."""

import base64
from collections.abc import Callable, Iterator

import pytest
from pydantic import ValidationError

from app.config import Settings, get_settings
from app.core import crypto

OLD = "old:" + base64.b64encode(b"o" * 32).decode()
NEW = "new:" + base64.b64encode(b"n" * 32).decode()


@pytest.fixture
def use_keys(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    def configure(keys: str) -> None:
        monkeypatch.setenv("DATA_ENCRYPTION_KEYS", keys)
        get_settings.cache_clear()

    yield configure
    monkeypatch.delenv("DATA_ENCRYPTION_KEYS", raising=False)
    get_settings.cache_clear()


def test_round_trip_with_a_fresh_nonce_every_time():
    first = crypto.encrypt("张三 13812341234", aad="ticket.name")
    second = crypto.encrypt("张三 13812341234", aad="ticket.name")
    assert first != second
    assert "13812341234" not in first
    assert crypto.decrypt(first, aad="ticket.name") == "张三 13812341234"


def test_a_token_only_decrypts_for_its_own_field():
    token = crypto.encrypt("13812341234", aad="ticket.phone")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(token, aad="ticket.name")


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1],
        lambda token: token.partition(":")[0] + ":",
        lambda token: "no separator",
        lambda token: token + "!!",
    ],
)
def test_tampered_tokens_are_refused(tamper):
    token = crypto.encrypt("13812341234", aad="f")
    with pytest.raises(crypto.DecryptionFailed):
        crypto.decrypt(tamper(token), aad="f")


def test_key_rotation_keeps_old_tokens_readable(use_keys):
    use_keys(OLD)
    old_token = crypto.encrypt("13812341234", aad="f")
    assert crypto.key_id_of(old_token) == "old"
    use_keys(f"{NEW}, {OLD}")
    assert crypto.decrypt(old_token, aad="f") == "13812341234"
    assert crypto.needs_reencryption(old_token)
    new_token = crypto.encrypt("13812341234", aad="f")
    assert crypto.key_id_of(new_token) == "new"
    assert not crypto.needs_reencryption(new_token)


def test_a_token_whose_key_was_removed_names_the_missing_key(use_keys):
    use_keys(OLD)
    token = crypto.encrypt("x", aad="f")
    use_keys(NEW)
    with pytest.raises(crypto.KeyConfigurationError, match="old"):
        crypto.decrypt(token, aad="f")


def test_production_never_derives_a_key_from_the_secret():
    # Settings already refuse production without keys; the keyring refuses on its own too.
    with pytest.raises(crypto.KeyConfigurationError, match="DATA_ENCRYPTION_KEYS"):
        crypto._keyring("", "k" * 40, "production")


@pytest.mark.parametrize(
    "keys",
    [
        "no-separator",
        "bad id!:" + base64.b64encode(b"k" * 32).decode(),
        "k1:not base64 at all",
        "k1:" + base64.b64encode(b"short").decode(),
        f"{OLD},{OLD}",
    ],
)
def test_malformed_keys_stop_the_settings_from_loading(tmp_path, keys):
    with pytest.raises(ValidationError, match="DATA_ENCRYPTION_KEYS"):
        Settings(_env_file=None, var_dir=tmp_path, data_encryption_keys=keys)  # type: ignore[call-arg]


def test_generated_entries_are_valid():
    entry = crypto.generate_key_entry("k2026")
    keys = crypto.parse_keys(entry)
    assert list(keys) == ["k2026"]
    assert len(keys["k2026"]) == 32
