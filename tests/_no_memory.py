"""malloc made to fail, for tests of what kernels do without memory.

Imported by the child interpreters of those tests (Linux: RLIMIT_AS and
/proc), never by the test process itself, whose address space it limits.
"""

from __future__ import annotations

import contextlib
import ctypes
import resource
from typing import Iterator

#: 1 MiB blocks taken from the heap at most (the list is made before the limit)
MAX_BLOCKS = 100000


@contextlib.contextmanager
def malloc_failing() -> Iterator[dict[str, object]]:
    """Inside the block, the address space is limited to what is mapped now
    plus 256 KiB, and the heap's free memory is taken in 1 MiB blocks until
    malloc fails, so the next allocation of any size fails. Run nothing but
    the calls under test inside. Yields ``{"failed": bool, "held_mib":
    int}``: ``failed`` is False where malloc could not be made to fail (the
    test should then skip). The limit and the memory are given back on
    exit."""
    libc = ctypes.CDLL(None)
    libc.malloc.restype = ctypes.c_void_p
    libc.malloc.argtypes = [ctypes.c_size_t]
    libc.free.argtypes = [ctypes.c_void_p]
    with open("/proc/self/status") as f:
        vm = [int(line.split()[1]) for line in f if line.startswith("VmSize:")][0] * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    held = [0] * MAX_BLOCKS
    state: dict[str, object] = {"failed": False, "held_mib": 0}
    resource.setrlimit(resource.RLIMIT_AS, (vm + (256 << 10), hard))
    i = 0
    try:
        while i < MAX_BLOCKS:
            held[i] = libc.malloc(1 << 20)
            if not held[i]:
                break
            i += 1
        state["failed"] = i < MAX_BLOCKS
        yield state
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
        for p in held[:i]:
            libc.free(p)
        state["held_mib"] = i
