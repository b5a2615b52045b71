"""Capsules with controlled header fields, made with ctypes.

Used by the tests in-process and by fake kernel modules in subprocesses, so
that malformed tables can be built without compiled test helpers.
"""

from __future__ import annotations

import ctypes

# ---------------------------------------------------------------------------


def kernels_interface():
    # not hostlib._kernels_host: fake kernel modules call this while hostlib
    # itself is still being imported
    from hostlib._host.host import Interface

    return Interface.builtin()


def fft_interface():
    """hostlib's fft interface, from its description alone (starts no host)."""
    from hostlib import fft_interface as description
    from hostlib._host.host import Interface

    return Interface.from_description(description.INTERFACE)


def portable_fft_slots() -> list[int]:
    """Function addresses of hostlib's portable fft table, slot by slot."""
    import hostlib._fft_portable
    from hostlib._host import _core

    i = fft_interface()
    return [
        _core.slot_address(hostlib._fft_portable._C_API, i.provider_capsule, i.magic, i.abi_major, slot)
        for slot in range(len(i.entries))
    ]


def portable_slots() -> list[int]:
    """Function addresses of hostlib's portable table, slot by slot."""
    import hostlib._portable
    from hostlib._host import _core

    i = kernels_interface()
    return [
        _core.slot_address(hostlib._portable._C_API, i.provider_capsule, i.magic, i.abi_major, slot)
        for slot in range(len(i.entries))
    ]


class TableHeader(ctypes.Structure):
    # mirrors hostlib_table_header in interface/hostlib_table.h
    _fields_ = [
        ("magic", ctypes.c_uint32),
        ("abi_major", ctypes.c_uint16),
        ("abi_minor", ctypes.c_uint16),
        ("size", ctypes.c_uint32),
        ("reserved0", ctypes.c_uint32),
        ("name", ctypes.c_char_p),
        ("version", ctypes.c_char_p),
        ("features", ctypes.c_uint64),
        ("reserved1", ctypes.c_uint64),
    ]


_PyCapsule_New = ctypes.pythonapi.PyCapsule_New
_PyCapsule_New.restype = ctypes.py_object
_PyCapsule_New.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]


class CraftedTable:
    """A table in ctypes memory and a capsule pointing at it.

    Keeps every buffer alive as long as the object lives. Defaults describe
    a valid, complete copy of hostlib's portable table; tests change fields.
    """

    def __init__(self, slots: list[int], *, name: bytes | None = b"crafted", version: bytes | None = b"0",
                 capsule_name: bytes | None = None, iface=None, **header_fields):
        iface = kernels_interface() if iface is None else iface
        self.capsule_name = iface.provider_capsule.encode() if capsule_name is None else capsule_name
        n = len(slots)

        class Table(ctypes.Structure):
            _fields_ = [("header", TableHeader), ("slots", ctypes.c_void_p * n)]

        self.table = Table()
        h = self.table.header
        h.magic = iface.magic
        h.abi_major = iface.abi_major
        h.abi_minor = iface.abi_minor
        h.size = ctypes.sizeof(Table)
        h.name = name
        h.version = version
        for key, value in header_fields.items():
            setattr(h, key, value)
        for i, address in enumerate(slots):
            self.table.slots[i] = address or None
        self._name_buffer = ctypes.create_string_buffer(self.capsule_name)
        self.capsule = _PyCapsule_New(ctypes.addressof(self.table), self._name_buffer, None)
