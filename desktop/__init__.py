"""Tandem: practice questions, literature and joint funding proposals for science-practice pairs.

The package root owns the product's name, version and the location of the bundled resources.
"""
from __future__ import annotations

from pathlib import Path

APP_NAME = "Tandem"
__version__ = "0.1.0"


def resources_dir() -> Path:
    """The top-level ``resources/`` folder (beside the package in a checkout or an installer)."""
    return Path(__file__).resolve().parent.parent / "resources"
