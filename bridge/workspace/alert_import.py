"""Import side of alerting rules: find Prometheus rule files among the YAML files a scan skipped and store them.

The record scan skips YAML files as "not a record file"; this step reads those that are rule files, stores each
alerting rule with its rule file's git history, and takes them off the skipped list. Bad rule files become
import failures and keep the rules stored from earlier imports.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bridge.domain import FileChange, ImportFailure, ImportReport

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from bridge.config import Settings
    from bridge.ingest.scan import ScannedRoot
    from bridge.store.alerts import RuleFileHistory


def import_rule_files(engine: Engine, settings: Settings, roots: Sequence[ScannedRoot],
                      chosen_roots: set[Path], report: ImportReport) -> int:
    """Read and store the rule files among each root's skipped files; return the number of alerting rules stored.

    chosen_roots are roots imported file by file (their other rule files stay as they were).
    """
    from bridge.alerts.rules import RULE_FILE_SUFFIXES, read_rule_files
    from bridge.store.alerts import replace_rules

    stored = 0
    for root in roots:
        candidates = [path for path in root.skipped if Path(path).suffix.lower() in RULE_FILE_SUFFIXES]
        if not candidates:
            continue
        scan = read_rule_files(root.root, candidates, settings.max_file_bytes)
        if not scan.rule_files:
            continue
        taken = set(scan.rule_files)
        report.skipped[:] = [path for path in report.skipped if not (path in taken and path in root.skipped)]
        for path in taken:
            report.skip_reasons.pop(path, None)
        failed = {path for path, _reason, _line in scan.failures}
        for path, reason, line in scan.failures:
            report.failed.append(ImportFailure(path=path, error=reason, line=line))
        history = _rule_file_history(root.root, sorted(taken - failed), settings.bot_patterns)
        files = None if root.root not in chosen_roots else taken
        stored += replace_rules(engine, str(root.root), scan.rules, files=files, keep=failed, history=history)
    report.alert_rules += stored
    return stored


def _rule_file_history(root: Path, paths: Sequence[str], bot_patterns: Sequence[str]) -> dict[str, RuleFileHistory]:
    """Return each rule file's commit count and last change from git (empty outside a repository)."""
    from bridge.errors import BridgeError
    from bridge.ingest.git_history import find_git_root, read_history
    from bridge.store.alerts import RuleFileHistory

    if not paths or find_git_root(root) is None:
        return {}
    try:
        history = read_history(root, bot_patterns)
    except BridgeError:
        return {}
    result: dict[str, RuleFileHistory] = {}
    for path in paths:
        changes: list[FileChange] = history.get(path, [])
        if changes:
            last = changes[-1]
            result[path] = RuleFileHistory(len(changes), last.author_name, last.at)
    return result
