"""Preferences: saved atomically, read back typed, a damaged file set aside."""
from __future__ import annotations

from pathlib import Path

from desktop import settings


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    prefs = settings.Settings(language="nl", citation_style="vancouver", data_folder="/x")
    settings.save(prefs, path)
    loaded, problem = settings.load(path)
    assert problem is None and loaded == prefs


def test_damaged_file_is_kept_aside_and_defaults_used(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text("{ half written")
    loaded, problem = settings.load(path)
    assert loaded == settings.Settings()
    assert problem is not None and "s.json" in problem
    assert (tmp_path / "s.json.bad").read_text() == "{ half written"


def test_wrong_types_and_unknown_keys_fall_back(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text('{"language": 3, "secret": "x", "citation_style": "ieee"}')
    loaded, _problem = settings.load(path)
    assert loaded.language == "system" and loaded.citation_style == "ieee"
    assert not hasattr(loaded, "secret")
