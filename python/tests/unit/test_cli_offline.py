"""CLI pieces that need no server: the live watch view, settings files, argument errors."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest
from rich.console import Console

from axme.cli import settings
from axme.cli.intents import watch_live
from axme.cli.main import main
from axme.models import Event


def ev(seq: int, event_type: str, status: str) -> Event:
    return Event(
        {
            "intent_id": "i-1",
            "seq": seq,
            "event_type": event_type,
            "status": status,
            "at": f"2026-01-01T00:00:0{seq}.000Z",
            "data": {},
        }
    )


def test_watch_live_renders_each_event_and_the_final_status() -> None:
    buffer = io.StringIO()
    out = Console(file=buffer, force_terminal=True, width=120)
    events = [ev(1, "intent.submitted", "SUBMITTED"), ev(2, "intent.completed", "COMPLETED")]
    seen = watch_live("i-1", iter(events), out)
    assert [e.seq for e in seen] == [1, 2]
    text = buffer.getvalue()
    assert "intent.submitted" in text and "intent.completed" in text
    assert "i-1  ·  COMPLETED" in text


def test_private_settings_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXME_CONFIG_DIR", str(tmp_path / "axme"))
    path = settings.write_private_json("config.json", {"api_key": "k"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert settings.read_json("config.json") == {"api_key": "k"}
    saved = settings.remember_scenario_agents(
        "http://x",
        "s1",
        "i-1",
        [
            {"role": "r", "address": "agent://a/b/c", "api_key": "axme_agent_1_2", "created": True},
            {"role": "old", "address": "agent://a/b/d", "api_key": None, "created": False},
        ],
    )
    assert saved is not None and stat.S_IMODE(saved.stat().st_mode) == 0o600
    stored = json.loads(saved.read_text())["agents"]
    assert list(stored) == ["agent://a/b/c"] and stored["agent://a/b/c"]["intent_id"] == "i-1"
    assert not [p for p in os.listdir(tmp_path / "axme") if p.endswith(".tmp")]
    settings.remember_created_agent("http://x", "agent://a/b/e", "axme_agent_3_old")
    created = settings.remember_created_agent("http://x", "agent://a/b/e", "axme_agent_3_new")
    settings.remember_created_agent("http://x", "agent://a/b/f", "axme_agent_4_x")
    assert created.name == "agents.json" and stat.S_IMODE(created.stat().st_mode) == 0o600
    keys = {a: e["api_key"] for a, e in json.loads(created.read_text())["agents"].items()}
    assert keys == {"agent://a/b/e": "axme_agent_3_new", "agent://a/b/f": "axme_agent_4_x"}


def test_broken_settings_file_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AXME_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("AXME_API_KEY", raising=False)
    (tmp_path / "config.json").write_text("{broken")
    assert main(["intents", "list"]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_flags_beat_environment_beat_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AXME_CONFIG_DIR", str(tmp_path))
    (tmp_path / "config.json").write_text(json.dumps({"api_key": "file", "base_url": "http://f"}))
    monkeypatch.delenv("AXME_API_KEY", raising=False)
    monkeypatch.delenv("AXME_BASE_URL", raising=False)
    assert settings.resolve_connection(None, None) == ("file", "http://f")
    monkeypatch.setenv("AXME_API_KEY", "env")
    assert settings.resolve_connection(None, None) == ("env", "http://f")
    assert settings.resolve_connection("flag", "http://g") == ("flag", "http://g")


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["intents"])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["tasks", "list", "--status", "bogus"])
    assert info.value.code == 2
