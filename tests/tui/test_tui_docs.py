"""docs/tui.md documents every key binding and palette command the app has."""

from __future__ import annotations

from pathlib import Path

from bridge.config import Settings
from bridge.tui.app import BridgeApp
from bridge.tui.commands import palette_commands
from bridge.tui.keymap import binding_rows

DOC = Path(__file__).resolve().parents[2] / "docs" / "tui.md"


def test_every_binding_id_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [row.binding_id for row in binding_rows() if f"`{row.binding_id}`" not in text]
    assert missing == []


def test_every_palette_command_is_documented() -> None:
    app = BridgeApp(Settings(), load_demo=False, warm_up=False)
    app.knowledge_available = True
    text = DOC.read_text(encoding="utf-8")
    names = [command.name for command in palette_commands(app) if command.discoverable]
    missing = [name for name in names if name not in text]
    assert missing == []


def test_screenshots_exist() -> None:
    for name in ("tui-search.svg", "tui-record-history.svg"):
        svg = DOC.parent / "images" / name
        assert svg.exists() and svg.read_text(encoding="utf-8").lstrip().startswith("<svg")
