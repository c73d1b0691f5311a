"""The headless CLI: help, demo, info, and where it finds the workspace."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop", *args], cwd=ROOT, text=True,
                          capture_output=True, env={**os.environ, **(env or {})}, timeout=120)


def test_help_lists_the_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    for word in ("demo", "info", "gui", "--workspace"):
        assert word in out.stdout


def test_demo_then_info_json(tmp_path: Path) -> None:
    path = tmp_path / "cli.tandem"
    made = run("demo", "--workspace", str(path))
    assert made.returncode == 0, made.stderr
    assert str(path) in made.stdout
    info = run("info", "--json", "--workspace", str(path))
    assert info.returncode == 0, info.stderr
    data = json.loads(info.stdout)
    assert data["schema_version"] == data["latest_schema_version"] >= 2
    assert data["counts"]["reference"] >= 40
    assert data["counts"]["practice_question"] == 5
    assert data["changes"] > 0


def test_workspace_option_before_the_command_and_from_the_environment(
        demo_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert main(["--workspace", str(demo_path), "info", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["path"] == str(demo_path)
    monkeypatch.setenv("TANDEM_WORKSPACE", str(demo_path))
    assert main(["info"]) == 0
    assert "AI@Work" in capsys.readouterr().out


def test_missing_workspace_is_a_clear_error(tmp_path: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", "--workspace", str(tmp_path / "gone.tandem")]) == 1
    err = capsys.readouterr().err
    assert "gone.tandem" in err and "Traceback" not in err


def test_demo_refuses_to_overwrite(demo_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--workspace", str(demo_path)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_messages_follow_the_language_setting(tmp_path: Path) -> None:
    config = tmp_path / "cfg"
    config.mkdir()
    (config / "settings.json").write_text(json.dumps({"language": "nl"}))
    out = run("info", "--workspace", str(tmp_path / "none.tandem"),
              env={"TANDEM_CONFIG_DIR": str(config)})
    assert out.returncode == 1
    assert "Er is geen werkruimte" in out.stderr or "werkruimte" in out.stderr.lower()
