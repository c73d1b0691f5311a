"""Where Tandem keeps its files: the data folder (workspaces) and the config folder (settings).

Environment overrides (``TANDEM_DATA_DIR``, ``TANDEM_CONFIG_DIR``, ``TANDEM_WORKSPACE``,
``TANDEM_CSL_DIR``) let tests and scripted use run against temporary folders without touching the
user's own data.
"""
from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from . import APP_NAME, resources_dir

WORKSPACE_FILE = "workspace.tandem"


def data_dir() -> Path:
    override = os.environ.get("TANDEM_DATA_DIR")
    return Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, False))


def config_dir() -> Path:
    override = os.environ.get("TANDEM_CONFIG_DIR")
    return Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, False))


def default_workspace(data_folder: str | None = None) -> Path:
    """``TANDEM_WORKSPACE``, else the workspace in the chosen (or platform) data folder."""
    override = os.environ.get("TANDEM_WORKSPACE")
    if override:
        return Path(override).expanduser()
    base = Path(data_folder).expanduser() if data_folder else data_dir()
    return base / WORKSPACE_FILE


def csl_dir() -> Path:
    """The citation engine's third-party files (citeproc-js, CSL styles and locales).

    ``TANDEM_CSL_DIR``, else ``.cache/csl`` beside ``resources/`` (where set-up puts them in a
    checkout and where the installer bundles them), else ``csl`` in the data folder (an app
    installed without them can fetch them there once).
    """
    override = os.environ.get("TANDEM_CSL_DIR")
    if override:
        return Path(override).expanduser()
    beside = resources_dir().parent / ".cache" / "csl"
    return beside if beside.is_dir() else data_dir() / "csl"


def cache_dir() -> Path:
    """Files Tandem can always make again (the matching index): ``cache`` in the data folder,
    never beside a workspace, so copying or syncing a workspace never carries one along."""
    return data_dir() / "cache"
