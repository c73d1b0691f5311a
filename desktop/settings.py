"""Typed user preferences, stored as JSON in the config folder, with defaults and a version.

Secrets never go here (they live in the OS keyring). A settings file that cannot be read is
set aside as ``settings.json.bad`` and defaults are used, so a damaged file never stops the app.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .atomic import write_text
from .paths import config_dir

SCHEMA_VERSION = 1
CITATION_STYLES = ("apa", "vancouver", "harvard-cite-them-right", "chicago-author-date", "ieee")


@dataclass
class Settings:
    schema_version: int = SCHEMA_VERSION
    language: str = "system"
    citation_style: str = "apa"
    data_folder: str = ""
    last_workspace: str = ""
    recent_workspaces: list[str] = field(default_factory=list)
    window_geometry: str = ""
    window_state: str = ""
    page: str = "questions"
    last_import_folder: str = ""
    last_export_folder: str = ""


def settings_path() -> Path:
    return config_dir() / "settings.json"


def load(path: Path | None = None) -> tuple[Settings, str | None]:
    """The saved settings and, if the file was unreadable, a message saying what happened."""
    path = path or settings_path()
    if not path.exists():
        return Settings(), None
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as exc:
        bad = path.with_name(path.name + ".bad")
        os.replace(path, bad)
        return Settings(), f"{path}: {exc}; kept as {bad}, using defaults"
    known = {f.name: f for f in fields(Settings)}
    defaults = Settings()
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in known and isinstance(value, type(getattr(defaults, key))):
            values[key] = value
    values["schema_version"] = SCHEMA_VERSION
    return Settings(**values), None


def save(settings: Settings, path: Path | None = None) -> None:
    """Write atomically: a crash mid-write leaves the previous file, never half a file."""
    write_text(path or settings_path(), json.dumps(asdict(settings), indent=2,
                                                   ensure_ascii=False))
