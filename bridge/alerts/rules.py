"""Read Prometheus rule files: plain rule-group YAML and ``kind: PrometheusRule`` manifests, several documents each.

Only alerting rules are kept; recording rules are counted and skipped. Annotation values stay as written, Go
templates included. A file is a rule file when one of its documents has rule groups; a YAML file that does not
parse is reported as a bad rule file only when its text looks like one (``groups:`` with ``alert:``/``record:``,
or ``kind: PrometheusRule``), so other YAML beside the records stays a plain skipped file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bridge.alert_types import AlertRule, RuleFileScan
from bridge.errors import ParseError

RULE_FILE_SUFFIXES: frozenset[str] = frozenset({".yaml", ".yml"})
_LOOKS_LIKE_RULES = re.compile(r"^\s*kind:\s*PrometheusRule\b|^\s*-?\s*(?:alert|record):\s*\S", re.MULTILINE)
_HAS_GROUPS = re.compile(r"^\s*groups:\s*$", re.MULTILINE)


def looks_like_rule_text(text: str) -> bool:
    """Return whether unparsed text reads like a rule file (used to name broken YAML as a bad rule file)."""
    if re.search(r"^\s*kind:\s*PrometheusRule\b", text, re.MULTILINE):
        return True
    return bool(_HAS_GROUPS.search(text) and _LOOKS_LIKE_RULES.search(text))


def _groups_of(document: Any) -> list[Any] | None:
    """Return a document's rule groups, or None when the document is not a rule document."""
    if not isinstance(document, dict):
        return None
    if document.get("kind") == "PrometheusRule":
        spec = document.get("spec")
        groups = spec.get("groups") if isinstance(spec, dict) else None
        return groups if isinstance(groups, list) else []
    groups = document.get("groups")
    if isinstance(groups, list) and all(isinstance(group, dict) and "rules" in group for group in groups):
        return groups
    return None


def _text_map(value: Any, what: str) -> dict[str, str]:
    """Return a labels/annotations mapping with text values; ParseError when it is not a flat mapping."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError(f"{what} is not a mapping")
    result: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, (dict, list)):
            raise ParseError(
                f"{what} '{key}' is not text (an unquoted '{{{{ … }}}}' template is read as a mapping: quote it)"
            )
        result[str(key)] = "" if item is None else str(item)
    return result


def parse_rule_text(text: str, source_path: str) -> tuple[list[AlertRule], int] | None:
    """Return (alerting rules, recording rules skipped) of a rule file's text, or None when it is no rule file.

    Raises ParseError (with the line for YAML errors) when the file is a rule file that cannot be read.
    """
    try:
        documents = list(yaml.safe_load_all(text))
    except yaml.YAMLError as exc:
        if not looks_like_rule_text(text):
            return None
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        raise ParseError(f"malformed YAML in rule file: {problem}", source_path, line) from exc
    found = False
    rules: list[AlertRule] = []
    recording = 0
    for document_index, document in enumerate(documents):
        groups = _groups_of(document)
        if groups is None:
            continue
        found = True
        for group_index, group in enumerate(groups):
            where = f"document {document_index + 1}, group {group_index + 1}"
            if not isinstance(group, dict):
                raise ParseError(f"{where}: a rule group must be a mapping with name and rules", source_path)
            name = str(group.get("name") or "")
            entries = group.get("rules") or []
            if not isinstance(entries, list):
                raise ParseError(f"{where} ('{name}'): rules must be a list", source_path)
            for rule_index, entry in enumerate(entries):
                rule_where = f"{where} ('{name}'), rule {rule_index + 1}"
                if not isinstance(entry, dict):
                    raise ParseError(f"{rule_where}: a rule must be a mapping", source_path)
                if "record" in entry and "alert" not in entry:
                    recording += 1
                    continue
                if "alert" not in entry:
                    raise ParseError(f"{rule_where}: neither 'alert' nor 'record' is set", source_path)
                alert = entry.get("alert")
                if not isinstance(alert, str) or not alert.strip():
                    raise ParseError(f"{rule_where}: 'alert' must be a name", source_path)
                try:
                    labels = _text_map(entry.get("labels"), "label")
                    annotations = _text_map(entry.get("annotations"), "annotation")
                except ParseError as exc:
                    raise ParseError(f"{rule_where} ({alert}): {exc.reason}", source_path) from exc
                rules.append(AlertRule(
                    name=alert.strip(), group=name, expr=str(entry.get("expr") or "").strip(),
                    source_path=source_path, duration=str(entry.get("for") or ""), labels=labels,
                    annotations=annotations, document=document_index, position=len(rules),
                ))
    return (rules, recording) if found else None


def read_rule_files(root: Path, relative_paths: Iterable[str], max_bytes: int = 2_000_000) -> RuleFileScan:
    """Read the candidate files (YAML paths relative to root) and return the rules, rule files and bad ones."""
    scan = RuleFileScan()
    for relative in sorted(relative_paths):
        path = root / relative
        if path.suffix.lower() not in RULE_FILE_SUFFIXES:
            continue
        try:
            if path.stat().st_size > max_bytes:
                continue
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        try:
            parsed = parse_rule_text(text, relative)
        except ParseError as exc:
            scan.rule_files.append(relative)
            scan.failures.append((relative, exc.reason, exc.line))
            continue
        if parsed is None:
            continue
        rules, recording = parsed
        scan.rule_files.append(relative)
        scan.rules.extend(rules)
        scan.recording_rules += recording
    return scan
