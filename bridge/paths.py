"""Where bridge keeps its files: the data dir from platformdirs, overridden by ``BRIDGE_HOME``."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """Return the directory holding the database, index and drafts (created if missing)."""
    home = os.environ.get("BRIDGE_HOME")
    if home:
        path = Path(home).expanduser()
    else:
        from platformdirs import user_data_path

        path = user_data_path("bridge", appauthor=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_file() -> Path:
    """Return the path of the optional ``bridge.toml`` (``BRIDGE_CONFIG`` overrides it)."""
    explicit = os.environ.get("BRIDGE_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    return data_dir() / "bridge.toml"


def default_database_path() -> Path:
    """Return the SQLite database file used when no database URL is configured."""
    return data_dir() / "bridge.db"


def index_dir() -> Path:
    """Return the directory of derived search data (FAISS files), safe to delete."""
    return _writable(data_dir() / "index")


def model_cache_dir() -> Path:
    """Return where exported ONNX models and the measured backend choice live (``BRIDGE_MODEL_CACHE`` overrides).

    When the data folder's cache cannot be written, the per-user stand-in mirrors it first: the store's vectors
    were made by the backend its decision names, so that decision, not one measured elsewhere, must embed queries.
    """
    explicit = os.environ.get("BRIDGE_MODEL_CACHE")
    wanted = Path(explicit).expanduser() if explicit else data_dir() / "models"
    path = _writable(wanted)
    if path != wanted and wanted.is_dir():
        _mirror(wanted, path)
    return path


def _mirror(source: Path, target: Path) -> None:
    """Copy source's decision files into target (replacing different ones) and link its export folders."""
    try:
        entries = list(source.iterdir())
    except OSError:
        return
    for entry in entries:
        copy = target / entry.name
        try:
            if entry.is_dir():
                _link(copy, entry)
            elif entry.suffix == ".json":
                data = entry.read_bytes()
                if not copy.is_file() or copy.read_bytes() != data:
                    partial = copy.with_suffix(f".{os.getpid()}.tmp")
                    partial.write_bytes(data)
                    partial.replace(copy)
        except OSError:
            continue


def _link(link: Path, folder: Path) -> None:
    """Make link point at folder, replacing a link that is dangling or points elsewhere (never a real folder)."""
    if link.is_symlink():
        if os.readlink(link) == str(folder) and link.exists():
            return
    elif link.exists():
        return  # an export this stand-in made itself
    partial = link.with_name(f".{link.name}.{os.getpid()}.link")
    partial.unlink(missing_ok=True)
    partial.symlink_to(folder, target_is_directory=True)
    partial.replace(link)


def _writable(path: Path) -> Path:
    """Return path (created if missing), or a per-user temp folder standing in for it when it cannot be written.

    These folders only cache derived data, so a read-only data folder still searches: its caches go to temp. Each
    data folder has its own stand-in, so one never loads another's index or export.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        if os.access(path, os.W_OK):
            return path
    except OSError:
        pass
    import hashlib
    import tempfile

    owner = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:12]
    fallback = Path(tempfile.gettempdir()) / f"bridge-{os.getuid()}-cache" / owner / path.name
    fallback.mkdir(parents=True, exist_ok=True)
    return fallback


def drafts_dir() -> Path:
    """Return the directory where the editor autosaves drafts."""
    path = data_dir() / "drafts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def demo_records_dir() -> Path:
    """Return the project's own knowledge base shipped with the package (the demo data)."""
    packaged = Path(__file__).parent / "demo_records"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "records"
