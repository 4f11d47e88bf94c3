"""Words inside identifiers: ``KubeNodeNotReady`` → ``Kube Node Not Ready``, for keyword and embedded text.

Alert names, class names and file stems glue words together; neither FTS5's tokenizer nor the embedding model's
word pieces take them apart. Both the keyword index and the embedded text therefore see the words as well.
"""

from __future__ import annotations

import re

_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z]{2})(?=[A-Z][a-z])")
"""Where a new word starts inside an identifier: lower or digit → upper, or the last capital of an acronym."""
_IDENTIFIER = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[a-z0-9][A-Z]|[A-Z]{3}[a-z])[A-Za-z0-9]*")
"""A run of letters and digits with a word boundary inside (CamelCase, camelCase, k8sAdapter, HTTPServer)."""


def split_identifier(word: str) -> list[str]:
    """Return the words of a CamelCase identifier (``ACMRemoteWriteError`` → ACM, Remote, Write, Error)."""
    return [part for part in _BOUNDARY.split(word) if part]


def identifier_words(text: str) -> str:
    """Return the split words of every CamelCase identifier in text, space-separated (empty when there are none)."""
    seen: set[str] = set()
    words: list[str] = []
    for match in _IDENTIFIER.finditer(text):
        identifier = match.group(0)
        if identifier in seen:
            continue
        seen.add(identifier)
        words.append(" ".join(split_identifier(identifier)))
    return " ".join(words)


def with_identifier_words(text: str) -> str:
    """Return text followed by the split words of its identifiers (the keyword index keeps both forms)."""
    extra = identifier_words(text)
    return f"{text} {extra}" if extra else text


def readable(text: str) -> str:
    """Return text with each CamelCase identifier replaced by its words (for the embedded text)."""
    return _IDENTIFIER.sub(lambda match: " ".join(split_identifier(match.group(0))), text)


def expand_identifiers(text: str) -> str:
    """Return text with each CamelCase identifier followed by its words in place (for queries)."""
    return _IDENTIFIER.sub(lambda match: " ".join([match.group(0), *split_identifier(match.group(0))]), text)


_TEMPLATE = re.compile(r"\{\{.*?\}\}")
"""An unfilled alert template expression (``{{ $labels.pod }}``, ``{{ $value | humanizePercentage }}``)."""
_VALUE_TOKEN = re.compile(
    r"""(?<!\S)[("'`\[]*(?:
        [\w.-]*\d[\w.-]*(?:[/:][\w.%-]*)+        # host:port, namespace/pod-0, 10.0.12.7:9100
      | [\w.-]+/[\w.-]*\d[\w.-]*                 # namespace/name-with-number
      | (?:/[\w.-]+)+/?                          # /var, /dev/sda1
      | [A-Za-z][\w]*(?:[-_][\w]+)*[-_.]\d+[\w.-]*  # worker-2, prometheus-k8s-0, db-backup-28761234
      | [<>=~+-]?\d[\d.,]*%                        # 12.5%, 33.3%
      | \d+(?:ms|[smhdwy])                          # 15m, 4h, 100ms (a duration as Prometheus writes it)
    )[)"'`\],.;:!?]*(?!\S)""",
    re.VERBOSE,
)
"""A word that names an instance rather than the problem: a share, a duration, a path, an address, a numbered name.

Plain numbers and versions (``15 minutes``, ``Python 3.13``) stay: runbooks and decisions use them as words too."""


_NAMED_NUMBER = re.compile(
    r"""[("'`\[]*(?:
        [A-Z][A-Z0-9]*[-_]\d{1,8}(?:-\d+)*                # ADR-0005, RB-0017, PEP-0008, CVE-2021-44228
      | [a-z]{2,12}[-_]\d{1,4}(?:\.\d+)*(?:[-_][A-Za-z]+)*  # utf-8, python-3.13, utf-16-le, worker-2
    )[)"'`\],.;:!?]*""",
    re.VERBOSE,
)
"""One word and a number: a record key or standard, or a name with a version; searchers mean these, so they stay.

Names of several parts or with more numbers (``prometheus-k8s-0``, ``ip-10-0-12-7``, ``db-backup-28761234``) do
not match: they name an instance."""


def _drop_instance_value(match: re.Match[str]) -> str:
    """Return a space for an instance value, or the word itself when it is a key, a standard or a version."""
    word = match.group(0)
    return word if _NAMED_NUMBER.fullmatch(word.strip()) else " "


def without_instance_values(text: str) -> str:
    """Return text without template expressions and instance values (shares, durations, paths, addresses, names).

    An alert pasted from a pager names *where* it fired (``openshift-monitoring/prometheus-k8s-0``, ``/dev/sda1``,
    ``10.0.12.7:9100``, ``33.3%``); runbooks describe *what* fired, so those words only add noise. Text that is
    nothing but such values is returned unchanged.
    """
    stripped = _VALUE_TOKEN.sub(_drop_instance_value, _TEMPLATE.sub(" ", text))
    stripped = re.sub(r"\s+", " ", stripped).strip()
    return stripped if re.search(r"[A-Za-z]{2,}", stripped) else text
