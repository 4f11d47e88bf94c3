"""The encoder's heap setting: freed blocks stay in the process while it is on, and go back on release.

Each case runs in a fresh process (the setting is process-wide) and reads the process's resident memory from
/proc after freeing a 64 MiB block it had touched.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bridge.index import heap

pytestmark = pytest.mark.skipif(heap._libc() is None or not Path("/proc/self/statm").exists(),
                                reason="needs glibc and /proc")

CHILD = """
import ctypes, os, sys
from bridge.index import heap

def resident_mib():
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20

keep = sys.argv[1] == "keep"
if keep:
    assert heap.keep_freed_memory() and heap.keeping_freed_memory()
libc = ctypes.CDLL(None)
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
size = 64 * 2**20
block = libc.malloc(size)
ctypes.memset(block, 1, size)
touched = resident_mib()
libc.free(block)
freed = resident_mib()
heap.release_freed_memory()
released = resident_mib()
print(touched, freed, released)
"""


def _resident_after(mode: str) -> tuple[float, float, float]:
    """Return resident MiB with a touched 64 MiB block, after freeing it, and after a release."""
    child = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True)
    touched, freed, released = (float(value) for value in child.stdout.split())
    return touched, freed, released


def test_by_default_a_freed_large_block_goes_back_to_the_system_at_once() -> None:
    touched, freed, _released = _resident_after("plain")
    assert touched - freed > 48, (touched, freed)


def test_while_kept_a_freed_block_stays_for_reuse_until_released() -> None:
    touched, freed, released = _resident_after("keep")
    assert touched - freed < 8, f"the freed block should stay resident: {touched:.0f} → {freed:.0f} MiB"
    assert freed - released > 48, f"release should hand it back: {freed:.0f} → {released:.0f} MiB"


def test_release_without_keep_is_harmless() -> None:
    heap.release_freed_memory()
