"""Concurrency campaign: N writers at once on SQLite or PostgreSQL, through the workspace API or MCP write tools.

Every save must land as a revision or end as a conflict whose text is kept (workspace API: a conflict file, as
`bridge edit` keeps it; MCP: the peer is told the record changed, and no two peers are told they made the same
version). ``benchmarks/bench_concurrency.py`` prints the figures; ``tests/reliability/test_concurrency.py`` checks
the invariant on small runs.
"""

from __future__ import annotations

import asyncio
import json
import math
import multiprocessing
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.postgres_server import PG_BIN_DIRS


@dataclass
class ConcurrencyResult:
    """What one configuration of concurrent writers did."""

    via: str
    backend: str
    processes: int
    same_record: bool
    attempted: int = 0
    saved: int = 0
    conflicts: int = 0
    errors: list[str] = field(default_factory=list)
    """Anything that was neither a save nor a conflict (must be empty)."""
    lost: list[str] = field(default_factory=list)
    """Saves in neither a revision nor a kept conflict (must be empty)."""
    seconds: float = 0.0

    @property
    def saves_per_s(self) -> float:
        """Saves that landed per second of wall time."""
        return self.saved / self.seconds if self.seconds else 0.0


# -- PostgreSQL ---------------------------------------------------------------------------------------------


def postgres_available() -> bool:
    """Return whether a PostgreSQL server can be started here (binaries and the psycopg driver)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return False
    return bool(PG_BIN_DIRS)


def fresh_database(server_url: str, name: str) -> str:
    """Create an empty database called name on the server and return its URL."""
    from sqlalchemy import create_engine

    engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}"')
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"


# -- writers through the workspace API ----------------------------------------------------------------------


def _use(home: str, database_url: str | None) -> None:
    """Point this process's bridge at home (and database_url, when given)."""
    os.environ["BRIDGE_HOME"] = home
    os.environ["BRIDGE_USER_NAME"] = "Concurrent Writer"
    os.environ["BRIDGE_USER_EMAIL"] = "writer@example.com"
    os.environ.pop("BRIDGE_DATABASE_URL", None)
    if database_url:
        os.environ["BRIDGE_DATABASE_URL"] = database_url


def api_writer(home: str, database_url: str | None, worker: int, saves: int, keys: list[str],
               start: float) -> tuple[int, int, list[str]]:
    """Make saves edits (round-robin over keys), each with a unique token; return (saved, conflicts, errors)."""
    _use(home, database_url)
    from bridge.errors import BridgeError, ConflictError
    from bridge.tui.drafts import save_conflict_text
    from bridge.workspace import Workspace

    saved = conflicts = 0
    errors: list[str] = []
    with Workspace.open() as workspace:
        while time.time() < start:
            time.sleep(0.001)
        for number in range(saves):
            key = keys[number % len(keys)]
            token = f"tok{worker}x{number}"
            try:
                record = workspace.get_record(key)
                record.body = f"# Context\n\nedit {token} by worker {worker}\n"
                workspace.save_record(record, expected_version=record.version, message=token)
                saved += 1
            except ConflictError:
                save_conflict_text(key, record.body, record.version)
                conflicts += 1
            except BridgeError as exc:
                errors.append(f"{token}: {exc}")
            except Exception as exc:  # noqa: BLE001 - counted: anything else is a finding
                errors.append(f"{token}: {type(exc).__name__}: {exc}")
    return saved, conflicts, errors


@contextmanager
def _using(home: str, database_url: str | None) -> Iterator[None]:
    """Point this process's bridge at home (and database_url) for the block, then restore the environment.

    The campaign runs inside pytest workers too: a BRIDGE_DATABASE_URL left behind would send a later test's
    ``bridge`` subprocesses to this campaign's (stopped) database.
    """
    saved = {name: value for name, value in os.environ.items() if name.startswith("BRIDGE_")}
    _use(home, database_url)
    try:
        yield
    finally:
        for name in [name for name in os.environ if name.startswith("BRIDGE_")]:
            del os.environ[name]
        os.environ.update(saved)


def _seed_records(home: str, database_url: str | None, count: int) -> list[str]:
    """Create count records to write to and return their keys."""
    from bridge.workspace import Workspace

    with _using(home, database_url), Workspace.open() as workspace:
        return [workspace.new_record("decision", f"Record {number}", body="# Context\n\nstart\n").key
                for number in range(1, count + 1)]


def _revision_bodies(database_url: str) -> str:
    """Return every revision body of the database, joined by spaces."""
    from sqlalchemy import create_engine

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return " ".join(str(row[0]) for row in conn.exec_driver_sql("SELECT body FROM revision") if row[0])
    finally:
        engine.dispose()


def run_api(processes: int, saves: int, same_record: bool, database_url: str | None = None) -> ConcurrencyResult:
    """Run processes workspace-API writers at once in a fresh data directory (and database) and check the result."""
    result = ConcurrencyResult("workspace API", "PostgreSQL" if database_url else "SQLite", processes, same_record,
                               attempted=processes * saves)
    with tempfile.TemporaryDirectory(prefix="bridge-conc-") as home:
        url = database_url or f"sqlite:///{Path(home) / 'bridge.db'}"
        keys = _seed_records(home, database_url, processes)
        start = time.time() + 3.0
        with multiprocessing.get_context("spawn").Pool(processes) as pool:
            jobs = [pool.apply_async(api_writer, (home, database_url, worker, saves,
                                                  [keys[0]] if same_record else [keys[worker]], start))
                    for worker in range(processes)]
            outcomes = [job.get(timeout=1800) for job in jobs]
        result.seconds = time.time() - start
        result.saved = sum(outcome[0] for outcome in outcomes)
        result.conflicts = sum(outcome[1] for outcome in outcomes)
        result.errors = [error for outcome in outcomes for error in outcome[2]]
        bodies = _revision_bodies(url)
        kept = " ".join(path.read_text() for path in (Path(home) / "drafts" / "conflicts").glob("*.md"))
        tokens = [f"tok{worker}x{number}" for worker in range(processes) for number in range(saves)]
        result.lost = [token for token in tokens if f"{token} " not in bodies and f"{token} " not in kept]
    return result


# -- writers through MCP ------------------------------------------------------------------------------------


STATUSES = ("proposed", "accepted", "deprecated")
"""The statuses MCP peers cycle a decision through (each change is a new revision)."""


def _mcp_env(home: str, database_url: str | None) -> dict[str, str]:
    """Return the environment of a `bridge mcp` subprocess using home (and database_url)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("BRIDGE_")}
    env.update(BRIDGE_HOME=home, HF_HUB_OFFLINE="1")
    if database_url:
        env["BRIDGE_DATABASE_URL"] = database_url
    return env


async def _mcp_peer(stack: AsyncExitStack, home: str, database_url: str | None, worker: int) -> Any:
    """Start `bridge mcp --allow-write` acting as Peer N and return an initialized client session."""
    from mcp.client.session import ClientSession
    from mcp.client.stdio import StdioServerParameters, stdio_client

    params = StdioServerParameters(
        command=sys.executable,
        args=["-c", "from bridge.cli import main; main()", "mcp", "--allow-write", "--no-preload",
              "--as", f"Peer {worker} <peer{worker}@example.com>"],
        env=_mcp_env(home, database_url),
    )
    errlog = stack.enter_context(open(Path(home) / f"mcp-{worker}.log", "w"))  # noqa: SIM115 - closed by stack
    read_stream, write_stream = await stack.enter_async_context(stdio_client(params, errlog=errlog))
    session = await stack.enter_async_context(ClientSession(read_stream, write_stream))
    await session.initialize()
    return session


async def _call(session: Any, name: str, arguments: dict[str, Any]) -> tuple[bool, Any]:
    """Call a tool; return (is_error, structured result or the error text)."""
    result = await session.call_tool(name, arguments)
    text = result.content[0].text
    return (True, text) if result.is_error else (False, json.loads(text))


async def _mcp_writer(session: Any, worker: int, saves: int, key: str) -> tuple[list[int], int, list[str]]:
    """Change key's status saves times from what was read; return (versions saved, conflicts, errors)."""
    versions: list[int] = []
    conflicts = 0
    errors: list[str] = []
    for number in range(saves):
        is_error, record = await _call(session, "get_record", {"key": key})
        if is_error:
            errors.append(f"peer {worker} read {number}: {record}")
            continue
        front = record["front_matter"]
        status = STATUSES[(STATUSES.index(front["status"]) + 1) % len(STATUSES)]
        is_error, answer = await _call(session, "update_status",
                                       {"key": key, "status": status, "expected_version": front["version"]})
        if not is_error:
            versions.append(int(answer["version"]))
        elif "changed" in answer.lower() or "conflict" in answer.lower():
            conflicts += 1
        else:
            errors.append(f"peer {worker} save {number}: {answer}")
    return versions, conflicts, errors


async def _run_mcp_peers(home: str, database_url: str | None, processes: int, saves: int,
                         keys: list[str]) -> tuple[list[tuple[list[int], int, list[str]]], float]:
    """Start the peers, then let them all write at once; return each peer's outcome and the writing time."""
    async with AsyncExitStack() as stack:
        sessions = [await _mcp_peer(stack, home, database_url, worker) for worker in range(processes)]
        started = time.monotonic()
        outcomes = await asyncio.gather(*(_mcp_writer(session, worker, saves, keys[worker])
                                          for worker, session in enumerate(sessions)))
        return list(outcomes), time.monotonic() - started


def run_mcp(processes: int, saves: int, same_record: bool, database_url: str | None = None) -> ConcurrencyResult:
    """Run processes MCP peers (`bridge mcp --allow-write`) changing statuses at once and check the result.

    Invariant: every update_status call either saved a version or was refused as a conflict; no two peers were told
    they saved the same version of a record; each record's history holds exactly one revision per reported save,
    attributed to the peer that was told so.
    """
    result = ConcurrencyResult("MCP", "PostgreSQL" if database_url else "SQLite", processes, same_record,
                               attempted=processes * saves)
    with tempfile.TemporaryDirectory(prefix="bridge-conc-mcp-") as home:
        keys = _seed_records(home, database_url, processes)
        targets = [keys[0]] * processes if same_record else keys
        outcomes, result.seconds = asyncio.run(_run_mcp_peers(home, database_url, processes, saves, targets))
        result.saved = sum(len(outcome[0]) for outcome in outcomes)
        result.conflicts = sum(outcome[1] for outcome in outcomes)
        result.errors = [error for outcome in outcomes for error in outcome[2]]
        from bridge.workspace import Workspace

        with _using(home, database_url), Workspace.open() as workspace:
            for key in dict.fromkeys(targets):
                told = sorted((version, worker) for worker, outcome in enumerate(outcomes)
                              if targets[worker] == key for version in outcome[0])
                history = {revision.number: revision for revision in workspace.history(key)}
                if len({version for version, _ in told}) != len(told):
                    result.lost.append(f"{key}: two peers were told they saved the same version: {told}")
                if sorted(history) != list(range(1, len(told) + 2)):
                    result.lost.append(f"{key}: {len(told)} saves reported, history numbers {sorted(history)}")
                for version, worker in told:
                    revision = history.get(version)
                    if revision is None or f"peer{worker}" not in re.sub(r"[^a-z0-9]", "", revision.author.lower()):
                        result.lost.append(f"{key} v{version}: reported saved by peer {worker}, history has "
                                           f"{revision.author if revision else 'nothing'}")
    return result


# -- readers during a long write ----------------------------------------------------------------------------


CORPORA = Path(__file__).resolve().parents[2].parent / "shared" / "corpora"


@dataclass
class ReaderFigures:
    """Latencies of one kind of reader, quiet and while a long write runs."""

    name: str
    quiet: list[float] = field(default_factory=list)
    busy: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    """Answers that were errors, tracebacks or empty (must be none)."""
    keyword_only: int = 0
    """Hybrid answers during the write that were keyword results with a note (chunks waiting for vectors)."""


def percentile(values: list[float], share: float) -> float:
    """Return the value at share (0..1) of the sorted values (nearest rank; 0 when empty)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def _cli_env(home: str, database_url: str | None) -> dict[str, str]:
    """Return the environment of a bridge CLI subprocess."""
    env = _mcp_env(home, database_url)
    env.update(BRIDGE_USER_NAME="Reader", BRIDGE_USER_EMAIL="reader@example.com", COLUMNS="200", TERM="dumb")
    return env


def _bridge_argv(*args: str) -> list[str]:
    return [sys.executable, "-c", "from bridge.cli import main; main()", *args]


async def _time_cli(figures: ReaderFigures, phase: list[float], env: dict[str, str], args: list[str],
                    expect: str) -> None:
    """Run one CLI reader, time it, and note a failure when it errs or lacks expect."""
    started = time.monotonic()
    done = await asyncio.to_thread(subprocess.run, _bridge_argv(*args), env=env, capture_output=True, text=True,
                                   timeout=300, check=False)
    phase.append(time.monotonic() - started)
    if done.returncode != 0 or "Traceback" in done.stderr or expect not in done.stdout:
        figures.failures.append(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.strip()[-200:]}")
    elif "keyword results" in done.stderr and phase is figures.busy:
        figures.keyword_only += 1


async def _time_mcp(figures: ReaderFigures, phase: list[float], session: Any, query: str) -> None:
    """Call search_records once, time it, and note a failure when it errs or finds nothing."""
    started = time.monotonic()
    is_error, answer = await _call(session, "search_records", {"query": query})
    phase.append(time.monotonic() - started)
    if is_error or not answer.get("hits"):
        figures.failures.append(f"search_records: {str(answer)[:200]}")
    elif answer.get("mode") == "keyword" and phase is figures.busy:
        figures.keyword_only += 1


async def _readers(home: str, database_url: str | None, writer_args: list[str], samples: int, query: str,
                   key: str) -> tuple[list[ReaderFigures], float, str]:
    """Time the readers quiet, then while writer_args runs; return the figures, write time and how it ended."""
    env = _cli_env(home, database_url)
    keyword = ReaderFigures("bridge search --mode keyword")
    hybrid = ReaderFigures("bridge search (hybrid)")
    show = ReaderFigures("bridge show")
    mcp = ReaderFigures("MCP search_records (hybrid)")
    async with AsyncExitStack() as stack:
        session = await _mcp_peer(stack, home, database_url, 0)
        await _call(session, "search_records", {"query": query})  # untimed: the server loads its model once

        async def round_of(phase: str) -> None:
            # Records the write adds may outrank the quiet phase's hits: a search must answer with some hit.
            await _time_cli(keyword, getattr(keyword, phase), env, ["search", "--mode", "keyword", query], "1. ")
            await _time_cli(hybrid, getattr(hybrid, phase), env, ["search", query], "1. ")
            await _time_cli(show, getattr(show, phase), env, ["show", key], key)
            for _ in range(5):
                await _time_mcp(mcp, getattr(mcp, phase), session, query)

        for _ in range(samples):
            await round_of("quiet")
        writer = subprocess.Popen(_bridge_argv(*writer_args), env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE, text=True, start_new_session=True)
        started = time.monotonic()
        rounds = 0
        while writer.poll() is None and rounds < samples:
            await round_of("busy")
            rounds += 1
        if writer.poll() is None:
            ended = f"still writing after {time.monotonic() - started:.0f} s of readers; stopped"
            writer.terminate()
            try:
                writer.wait(timeout=60)
            except subprocess.TimeoutExpired:
                writer.kill()
                writer.wait()
        else:
            ended = f"finished (exit {writer.returncode})"
        seconds = time.monotonic() - started
    return [keyword, hybrid, show, mcp], seconds, ended


def readers_during_write(write: str = "import", samples: int = 6,
                         database_url: str | None = None) -> tuple[list[ReaderFigures], float, str]:
    """Time keyword search, show and MCP search quiet and during a long write on the imported Prometheus runbooks.

    The runbooks are embedded first (``bridge reindex``), so quiet hybrid readers search by meaning. write is
    "import" (the PEP corpus, 736 records with their git history) or "reindex" (``reindex --full``: embedding every
    chunk again with the real model). Returns each reader's figures, the seconds the write ran with readers, and how
    it ended.
    """
    with tempfile.TemporaryDirectory(prefix="bridge-readers-") as scratch:
        home = str(Path(scratch) / "home")
        runbooks = Path(scratch) / "runbooks"
        subprocess.run(["git", "clone", "-q", str(CORPORA / "prometheus-runbooks.bundle"), str(runbooks)],
                       check=True)
        env = _cli_env(home, database_url)
        subprocess.run(_bridge_argv("import", str(runbooks)), env=env, check=True, capture_output=True)
        subprocess.run(_bridge_argv("reindex"), env=env, check=True, capture_output=True)
        if write == "import":
            peps = Path(scratch) / "peps"
            subprocess.run(["git", "clone", "-q", str(CORPORA / "python-peps.bundle"), str(peps)], check=True)
            writer_args = ["import", str(peps)]
        else:
            writer_args = ["reindex", "--full"]
        listed = subprocess.run(_bridge_argv("search", "--mode", "keyword", "--json", "disk space"), env=env,
                                check=True, capture_output=True, text=True)
        key = json.loads(listed.stdout)["hits"][0]["key"]
        return asyncio.run(_readers(home, database_url, writer_args, samples, "disk space", key))
