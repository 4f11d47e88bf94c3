"""Words inside identifiers, for the keyword index and the embedded text."""

from __future__ import annotations

import pytest

from bridge.terms import (
    expand_identifiers,
    identifier_words,
    readable,
    split_identifier,
    with_identifier_words,
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
