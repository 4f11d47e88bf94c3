"""The app paints before any heavy library loads: the model and vector index load behind the first frame."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bridge.config import Settings

PROBE = r"""
import asyncio, json, os, sys
HEAVY = ("torch", "faiss", "sentence_transformers")
from bridge.config import load_settings
from bridge.tui.app import BridgeApp
after_import = sorted(name for name in HEAVY if name in sys.modules)

class Probe(BridgeApp):
    def on_mount(self) -> None:
        # Textual also runs BridgeApp.on_mount (handlers run for every class in the MRO).
        self.call_after_refresh(self.report)

    def report(self) -> None:
        at_paint = sorted(name for name in HEAVY if name in sys.modules)
        print(json.dumps({"after_import": after_import, "at_paint": at_paint}), flush=True)
        os._exit(0)

async def main() -> None:
    async with Probe(load_settings(), load_demo=False).run_test() as pilot:
        await pilot.pause(30)

asyncio.run(main())
"""


def test_first_paint_loads_no_model_library(kb_settings: Settings, tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(PROBE, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    result = subprocess.run([sys.executable, str(probe)], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert loaded == {"after_import": [], "at_paint": []}
