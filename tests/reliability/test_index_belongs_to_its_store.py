"""A FAISS file is never taken for another store's: two databases in one home reach the same generation."""

from __future__ import annotations

from pathlib import Path

from bridge.config import Settings
from bridge.store import chunks as chunk_store
from bridge.workspace import Workspace

KAFKA = "## Context\n\nThe alpha service number {n} handles kafka consumer lag and partition rebalancing.\n"
CERTIFICATES = "## Context\n\nThe beta service number {n} handles certificate rotation for nginx ingress.\n"


def _fill(settings: Settings, body: str) -> None:
    """Write three records from body into the store settings name, and embed them (saving the FAISS file)."""
    with Workspace.open(settings) as workspace:
        for n in range(1, 4):
            workspace.new_record("decision", f"Service {n}", body=body.format(n=n), author="Ann Smith")
        workspace.reindex()


def _best_score(settings: Settings, query: str) -> tuple[str, float]:
    """Return the top semantic hit's snippet and score in a freshly opened workspace (loading the saved file)."""
    with Workspace.open(settings) as workspace:
        hit = workspace.search(query, mode="semantic")[0]
        return hit.snippet, hit.score


def test_switching_databases_in_one_home_never_searches_the_other_stores_vectors(tmp_path: Path) -> None:
    kafka = Settings()
    certificates = Settings(database_url=f"sqlite:///{tmp_path / 'team.db'}")
    _fill(kafka, KAFKA)
    _fill(certificates, CERTIFICATES)  # the same generation as the first store, saved to the same FAISS file
    with Workspace.open(kafka) as first, Workspace.open(certificates) as second:
        assert chunk_store.generation(first.engine) == chunk_store.generation(second.engine)
        assert chunk_store.store_identity(first.engine) != chunk_store.store_identity(second.engine)

    snippet, score = _best_score(kafka, "certificate rotation for nginx ingress")
    assert "kafka" in snippet and score < 0.5, f"the kafka store answered with the other store's vectors: {score}"
    snippet, score = _best_score(kafka, "kafka consumer lag")
    assert "kafka" in snippet and score > 0.5
    snippet, score = _best_score(certificates, "certificate rotation for nginx ingress")
    assert "certificate" in snippet and score > 0.5



def test_each_store_keeps_its_own_file_so_switching_back_rebuilds_nothing(tmp_path: Path) -> None:
    kafka = Settings()
    certificates = Settings(database_url=f"sqlite:///{tmp_path / 'team.db'}")
    _fill(kafka, KAFKA)
    _fill(certificates, CERTIFICATES)
    with Workspace.open(kafka) as first, Workspace.open(certificates) as second:
        files = {first.dense.index_path(), second.dense.index_path()}
        assert len(files) == 2 and all(path.is_file() for path in files)
        unnamed = first.dense.index_path().with_name(first.dense._unnamed_file())
        assert not unnamed.exists(), "no file without a store id is written"
        unnamed.write_bytes(b"the file an older bridge wrote")
        first.dense.index_path().unlink()
    with Workspace.open(kafka) as first:
        first.dense.ensure_index()
        assert first.dense.index_path().is_file() and not unnamed.exists(), "the older file is replaced, not left"

    for settings in (kafka, certificates, kafka):
        with Workspace.open(settings) as workspace:
            assert workspace.dense.index_file_current(), "the store's own file is still current after a switch"
