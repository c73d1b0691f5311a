"""Secrets (sync passphrases, project keys) in the OS keyring, and nowhere else.

When no keyring is available (no Secret Service on a bare Linux, say), every call raises
``CredentialsUnavailable`` with a message that says what cannot be remembered, instead of
falling back to a file.
"""
from __future__ import annotations

import keyring
from keyring.errors import KeyringError, PasswordDeleteError

from .. import APP_NAME
from ..i18n import _

SERVICE = APP_NAME


class CredentialsUnavailable(Exception):
    pass


def _unavailable(what: str, exc: Exception) -> CredentialsUnavailable:
    return CredentialsUnavailable(
        _("The system keyring is not available, so Tandem cannot remember {what}: {reason}")
        .format(what=what, reason=exc))


def store(name: str, secret: str, what: str) -> None:
    try:
        keyring.set_password(SERVICE, name, secret)
    except (KeyringError, RuntimeError) as exc:
        raise _unavailable(what, exc) from exc


def fetch(name: str, what: str) -> str | None:
    try:
        return keyring.get_password(SERVICE, name)
    except (KeyringError, RuntimeError) as exc:
        raise _unavailable(what, exc) from exc


def forget(name: str, what: str) -> None:
    try:
        keyring.delete_password(SERVICE, name)
    except PasswordDeleteError:
        return
    except (KeyringError, RuntimeError) as exc:
        raise _unavailable(what, exc) from exc
