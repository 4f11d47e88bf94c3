"""Words inside identifiers, for the keyword index and the embedded text."""

from __future__ import annotations

import pytest

from bridge.terms import (
    expand_identifiers,
    identifier_words,
    readable,
    split_identifier,
    with_identifier_words,
    without_instance_values,
)


@pytest.mark.parametrize(("identifier", "words"), [
    ("KubeJobFailed", ["Kube", "Job", "Failed"]),
    ("ACMRemoteWriteError", ["ACM", "Remote", "Write", "Error"]),
    ("k8sPrometheusAdapter", ["k8s", "Prometheus", "Adapter"]),
    ("HTTPServer", ["HTTP", "Server"]),
    ("IPv6Address", ["IPv6", "Address"]),
    ("MyURL", ["My", "URL"]),
])
def test_split_identifier_finds_word_starts(identifier: str, words: list[str]) -> None:
    assert split_identifier(identifier) == words


def test_plain_words_acronyms_and_snake_case_are_left_alone() -> None:
    assert identifier_words("The Disk is full, see PEP 8, OAuth, IPv6 and body_size_limit") == ""


def test_identifier_words_lists_each_identifier_once() -> None:
    text = "The `KubeNodeNotReady` alert; KubeNodeNotReady again, and TargetDown."
    assert identifier_words(text) == "Kube Node Not Ready Target Down"
    assert with_identifier_words("KubeJobFailed") == "KubeJobFailed Kube Job Failed"
    assert with_identifier_words("Disk full") == "Disk full"


def test_readable_replaces_and_expand_keeps_the_identifier() -> None:
    assert readable("KubeJobFailed › Meaning") == "Kube Job Failed › Meaning"
    assert expand_identifiers("why KubeJobFailed?") == "why KubeJobFailed Kube Job Failed?"


@pytest.mark.parametrize(("pasted", "kept"), [
    ("Pod openshift-monitoring/prometheus-k8s-0 has been in a non-ready state for longer than 15 minutes.",
     "Pod has been in a non-ready state for longer than 15 minutes."),
    ("Filesystem on /dev/sda1, mounted on /var, at 10.0.12.7:9100 has only 33.3% available space left.",
     "Filesystem on mounted on at has only available space left."),
    ("Job default/db-backup-28761234 failed to complete.", "Job failed to complete."),
    ("ip-10-0-12-7 has been unready for more than 5m.", "has been unready for more than"),
    ("{{ $labels.instance }} has {{ $value | humanizePercentage }} of inodes left", "has of inodes left"),
])
def test_instance_values_leave_the_words_of_an_alert(pasted: str, kept: str) -> None:
    assert without_instance_values(pasted) == kept


def test_versions_identifiers_and_value_only_text_are_kept() -> None:
    prose = "Remove distutils, deprecated in Python 3.10; KubeJobFailed and k8sPrometheusAdapter stay."
    assert without_instance_values(prose) == prose
    assert without_instance_values("10.0.12.7:9100 /var") == "10.0.12.7:9100 /var", "nothing else to search for"
    assert without_instance_values("") == ""


@pytest.mark.parametrize("query", ["supersedes ADR-0005", "RB-0017 damaged store", "PEP-0008 style guide",
                                   "CVE-2021-44228 in the logging library", "utf-8 decoding errors",
                                   "encodings (utf-16-le, utf-16-be)", "upgrade to python-3.13",
                                   "worker-2 is not ready"])
def test_record_keys_standards_and_versions_are_not_instance_values(query: str) -> None:
    assert without_instance_values(query) == query
