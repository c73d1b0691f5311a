"""Secrets go to the keyring only; an unavailable keyring gives a plain message."""
from __future__ import annotations

import keyring
import pytest
from keyring.errors import NoKeyringError

from desktop.services import credentials


def test_round_trip_in_the_keyring(isolated) -> None:  # noqa: ANN001
    credentials.store("sync-passphrase", "s3cret", "the sync passphrase")
    assert isolated.secrets[("Tandem", "sync-passphrase")] == "s3cret"
    assert credentials.fetch("sync-passphrase", "the sync passphrase") == "s3cret"
    credentials.forget("sync-passphrase", "the sync passphrase")
    credentials.forget("sync-passphrase", "the sync passphrase")
    assert credentials.fetch("sync-passphrase", "the sync passphrase") is None


def test_no_keyring_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_args: object) -> None:
        raise NoKeyringError("No recommended backend was available.")

    monkeypatch.setattr(keyring, "set_password", fail)
    with pytest.raises(credentials.CredentialsUnavailable, match="the sync passphrase"):
        credentials.store("k", "v", "the sync passphrase")
