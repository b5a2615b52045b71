"""The lapack interface as the host serves it: registered like a third
party's, a complete portable table whose slots without code answer
HOSTLIB_LAPACK_EUNAVAILABLE (the generated stubs), and the report saying so.

The routines' numerics are tested per backend in test_lapack_native.py and
test_lapack_openblas.py; numpy.linalg on top in test_linalg.py.
"""

from __future__ import annotations

import ctypes
import re

import pytest

import hostlib
from hostlib import lapack_interface
from hostlib._host import _core
from hostlib._host.host import Interface

IFACE = Interface.from_description(lapack_interface.INTERFACE)
INFO = {e.name: e for e in IFACE.info}


def _constant(name: str) -> int:
    """A constant's value, read from the installed C header (the one place
    the generator writes it for C)."""
    header = hostlib.get_include() + "/hostlib_lapack_lapack_table.h"
    m = re.search(rf"#define {name} \(?(-?\d+)\)?", open(header).read())
    assert m, name
    return int(m.group(1))


EUNAVAILABLE = _constant("HOSTLIB_LAPACK_EUNAVAILABLE")


def _portable_address(entry: str) -> int:
    import hostlib._lapack_portable as portable

    return _core.slot_address(portable._C_API, IFACE.provider_capsule, IFACE.magic, IFACE.abi_major,
                              INFO[entry].slot)


def test_lapack_is_an_interface_of_its_own():
    assert "lapack" in hostlib.interfaces()
    assert IFACE.entry_point_group == "hostlib.lapack" and IFACE.host_capsule == "hostlib._C_API_lapack"
    portable = [b for b in hostlib.backends(interface="lapack") if b.name == "portable"]
    assert portable and portable[0].usable and set(portable[0].provides) == set(IFACE.entries)


def test_the_spec_says_which_entries_have_no_portable_code():
    stubbed = {n for n, e in INFO.items() if e.unavailable}
    assert {"dsyevd", "zheevd", "dgesdd", "sgelsd", "zgeev", "cgetrf", "zpotrf"} <= stubbed
    assert not stubbed & {"sgetrf", "dgetrf", "dgetrs", "dgetri", "dpotrf", "dpotrs", "dgeqrf", "dorgqr"}


@pytest.mark.parametrize("entry", ["dsyevd", "zgesdd", "cgetrf", "sgeev"])
def test_a_stub_answers_unavailable_without_reading_its_arguments(entry):
    """The stub reads nothing, so NULL everywhere is safe; every argument is
    passed as an integer of the right width (ptrdiff_t, int, pointers)."""
    address = _portable_address(entry)
    assert address
    # the C signature, from the generated header: its argument count and which are int
    header = open(hostlib.get_include() + "/hostlib_lapack_lapack_table.h").read()
    sig = re.search(rf"typedef ptrdiff_t \(\*hostlib_lapack_{entry}_fn\)\((.*?)\);", header).group(1)
    args = [a.strip() for a in sig.split(",")]
    argtypes = [ctypes.c_int if a.startswith("int ") else
                ctypes.c_double if a.startswith("double ") else
                ctypes.c_float if a.startswith("float ") else ctypes.c_ssize_t for a in args]
    fn = ctypes.CFUNCTYPE(ctypes.c_ssize_t, *argtypes)(address)
    assert fn(*[0] * len(argtypes)) == EUNAVAILABLE


def test_the_report_marks_what_nothing_computes():
    from hostlib import _report

    text = _report.format_report()
    section = text[text.index("Interface 'lapack'"):]
    header = next(line for line in section.splitlines() if line.startswith("Entries"))
    assert header.split()[1:] == ["float32", "float64", "complex64", "complex128"]
    served = hostlib.active(interface="lapack")
    row = next(line for line in section.splitlines() if line.split()[:1] == ["gesdd"])
    for entry, cell in zip(("sgesdd", "dgesdd", "cgesdd", "zgesdd"), row.split()[1:]):
        assert (cell == "unavailable") == (served[entry] == "portable"), (entry, cell)
    heevd = next(line for line in section.splitlines() if line.split()[:1] == ["heevd"])
    assert heevd.split()[1:3] == ["-", "-"]  # no real variant: another function (syevd)
