"""Test set-up: offscreen Qt, temporary data and config folders, an in-memory keyring.

``QT_QPA_PLATFORM`` must be set before anything imports Qt, hence at the top of this file.
"""
from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"

import shutil  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import keyring  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.errors import PasswordDeleteError  # noqa: E402

from desktop import i18n  # noqa: E402
from desktop.services.demo import build_demo  # noqa: E402
from desktop.services.workspace import Workspace  # noqa: E402


class MemoryKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.secrets: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.secrets.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.secrets[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.secrets.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Every test gets its own data/config folders and keyring, and starts in English."""
    monkeypatch.setenv("TANDEM_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("TANDEM_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("TANDEM_WORKSPACE", raising=False)
    monkeypatch.setenv("LANGUAGE", "en")
    previous = keyring.get_keyring()
    memory = MemoryKeyring()
    keyring.set_keyring(memory)
    i18n.set_language("en")
    yield memory
    keyring.set_keyring(previous)
    i18n.set_language("en")


@pytest.fixture
def workspace(tmp_path: Path) -> Iterator[Workspace]:
    ws = Workspace.create(tmp_path / "test.tandem", name="Test workspace")
    yield ws
    ws.close()


@pytest.fixture(scope="session")
def demo_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_demo(tmp_path_factory.mktemp("demo") / "demo.tandem")


@pytest.fixture
def demo_path(demo_master: Path, tmp_path: Path) -> Path:
    """A private copy of the demo workspace (built once per test session)."""
    target = tmp_path / "demo.tandem"
    shutil.copyfile(demo_master, target)
    return target


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Workspace]:
    ws = Workspace.open(demo_path)
    yield ws
    ws.close()


@pytest.fixture
def inline_runner(qapp):  # noqa: ANN001, ANN201
    """A task runner that runs tasks synchronously on the calling thread."""
    from desktop.views.workers import TaskRunner

    return TaskRunner(inline=True)


@pytest.fixture
def tandem(qapp, demo_path: Path):  # noqa: ANN001, ANN201
    """The app on a private copy of the demo workspace, tasks run inline."""
    from desktop import settings
    from desktop.app import TandemApp
    app = TandemApp(qapp, settings.Settings(language="en"), inline_tasks=True)
    assert app.open_workspace(demo_path)
    yield app
    app._close_window()
    app.shutdown()
