"""A data folder bridge may not write, for real: bridge run by a user without write permission on it.

As root, the commands run as user nobody (``setpriv --reuid 65534``) when that user can run this interpreter, and
otherwise as root with every capability dropped (``setpriv --bounding-set=-all``: file modes then bind root too)
on a folder owned by nobody. Reading commands answer; writing ones end in one line; nothing is a traceback and
the folder is left exactly as it was.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.helpers import bridge_command, bridge_env, run_bridge, write_records

pytestmark = pytest.mark.slow

NOBODY = 65534


def _setpriv() -> str:
    path = shutil.which("setpriv")
    if path is None:
        pytest.skip("setpriv is not installed")
    return path


def _nobody_can_run_python(setpriv: str) -> bool:
    """Return whether user nobody can start this interpreter and import bridge from this checkout."""
    probe = subprocess.run([setpriv, "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups",
                            sys.executable, "-c", "import bridge"], capture_output=True, env=bridge_env(Path("/")),
                           check=False)
    return probe.returncode == 0


def _snapshot(folder: Path) -> dict[str, str]:
    """Return relative path → sha256 of every file in folder."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


@pytest.fixture
def scratch() -> Iterator[Path]:
    """Return a folder every user may enter (pytest's tmp_path is private to its owner)."""
    folder = Path(tempfile.mkdtemp(prefix="bridge-read-only-"))
    folder.chmod(0o755)
    yield folder
    for path in [folder, *folder.rglob("*")]:
        if path.is_dir():
            path.chmod(0o755)
    shutil.rmtree(folder, ignore_errors=True)


def _read_only(setpriv: str, home: Path) -> tuple[list[str], str]:
    """Make home read-only for the bridge processes that run with the returned argv prefix; return it and who runs."""
    if os.geteuid() == 0 and _nobody_can_run_python(setpriv):
        prefix = [setpriv, "--reuid", str(NOBODY), "--regid", str(NOBODY), "--clear-groups"]
        how = "user nobody"
    elif os.geteuid() == 0:
        for path in [home, *home.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
        prefix = [setpriv, "--inh-caps=-all", "--bounding-set=-all"]
        how = "root without capabilities on a folder owned by nobody"
    else:
        prefix = []
        how = "this user, folder made read-only"
    for path in home.rglob("*"):
        path.chmod(0o555 if path.is_dir() else 0o444)
    home.chmod(0o555)
    return prefix, how


def test_a_read_only_data_folder_still_searches_and_refuses_writes_in_one_line(scratch: Path) -> None:
    setpriv = _setpriv()
    tmp_path = scratch
    home = tmp_path / "home"
    home.mkdir()
    records = write_records(tmp_path / "records", 4, words=30)
    assert run_bridge(home, "import", str(records)).returncode == 0
    assert run_bridge(home, "reindex", timeout=600).returncode == 0
    shutil.rmtree(home / "drafts", ignore_errors=True)
    edit = tmp_path / "edit.md"
    edit.write_text("---\ntitle: Changed\n---\n# Context\n\nchanged\n", encoding="utf-8")
    prefix, how = _read_only(setpriv, home)
    before = _snapshot(home)
    backups = tmp_path / "backups"
    backups.mkdir(mode=0o777)
    backups.chmod(0o777)

    def bridge(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*prefix, *bridge_command(*args)], env=bridge_env(home), capture_output=True,
                              text=True, timeout=600, check=False, cwd=tmp_path)

    reads = {
        "list": (bridge("list"), "Record 3 about marker3"),
        "show": (bridge("show", "ADR-0002"), "marker2"),
        "keyword search": (bridge("search", "--mode", "keyword", "marker3"), "ADR-0003"),
        "hybrid search": (bridge("search", "marker4"), "ADR-0004"),
        "doctor": (bridge("doctor"), "read-only"),
        "backup": (bridge("backup", str(backups / "copy.db")), "backed up 4 records"),
    }
    for name, (done, expected) in reads.items():
        assert "Traceback" not in done.stderr, f"{name} as {how}:\n{done.stderr}"
        assert done.returncode == 0 and expected in done.stdout, f"{name} as {how}:\n{done.stdout}\n{done.stderr}"
    writes = {
        "new": bridge("new", "--kind", "decision", "--title", "Refused"),
        "edit": bridge("edit", "ADR-0001", "--file", str(edit)),
        "reindex": bridge("reindex"),
    }
    for name, done in writes.items():
        lines = done.stderr.strip().splitlines()
        assert done.returncode != 0, f"{name} as {how} should fail"
        assert len(lines) == 1 and lines[0].startswith("error:"), f"{name} as {how}:\n{done.stderr}"
        assert "Traceback" not in done.stderr
    assert _snapshot(home) == before


async def _mcp_search(prefix: list[str], home: Path, query: str) -> tuple[bool, Any]:
    """Start `bridge mcp` with prefix (as the reading user) and call search_records once."""
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    argv = [*prefix, *bridge_command("mcp")]
    params = StdioServerParameters(command=argv[0], args=argv[1:], env=bridge_env(home), cwd=str(home.parent))
    with open(home.parent / "mcp.log", "w") as errlog:  # noqa: ASYNC230 - a local log file
        async with stdio_client(params, errlog=errlog) as (read_stream, write_stream), \
                ClientSession(read_stream, write_stream) as session:
            await session.initialize()
            result = await session.call_tool("search_records", {"query": query})
    text = result.content[0].text
    return (True, text) if result.is_error else (False, json.loads(text))


def test_hybrid_search_of_records_without_vectors_on_a_read_only_folder_answers_with_keyword_results_and_a_note(
        scratch: Path) -> None:
    setpriv = _setpriv()
    embedded, bare = scratch / "embedded", scratch / "bare"
    for home in (embedded, bare):
        home.mkdir()
        assert run_bridge(home, "import", str(write_records(scratch / f"records-{home.name}", 4, words=30))).returncode == 0
    assert run_bridge(embedded, "reindex", timeout=600).returncode == 0
    later = write_records(scratch / "later", 2, words=30, start=5)
    assert run_bridge(embedded, "import", str(later)).returncode == 0
    for home, target in ((embedded, "ADR-0006"), (bare, "ADR-0003")):
        shutil.rmtree(home / "drafts", ignore_errors=True)
        prefix, how = _read_only(setpriv, home)
        before = _snapshot(home)
        query = "marker6" if target == "ADR-0006" else "marker3"
        plain = subprocess.run([*prefix, *bridge_command("search", query)], env=bridge_env(home),
                               capture_output=True, text=True, timeout=600, check=False, cwd=scratch)
        assert "Traceback" not in plain.stderr, f"{home.name} as {how}:\n{plain.stderr}"
        assert plain.returncode == 0 and target in plain.stdout, f"{home.name} as {how}:\n{plain.stdout}\n{plain.stderr}"
        assert "note:" in plain.stderr and "read-only" in plain.stderr, plain.stderr
        as_json = subprocess.run([*prefix, *bridge_command("search", "--json", query)], env=bridge_env(home),
                                 capture_output=True, text=True, timeout=600, check=False, cwd=scratch)
        answer = json.loads(as_json.stdout)
        assert target in [hit["key"] for hit in answer["hits"]] and "read-only" in answer["note"], as_json.stdout
        is_error, found = asyncio.run(_mcp_search(prefix, home, query))
        assert not is_error, f"{home.name} as {how}: {found}"
        assert target in [hit["key"] for hit in found["hits"]] and "read-only" in found.get("note", ""), found
        assert _snapshot(home) == before
