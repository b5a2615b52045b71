#!/usr/bin/env bash
# Build hostlib with AddressSanitizer + UndefinedBehaviorSanitizer into a
# separate virtual environment and run the test suite under it.
#
#   tests/sanitize/run_sanitized.sh                  # build, then the default tests
#   tests/sanitize/run_sanitized.sh -k gemm          # extra arguments go to pytest
#   SAN_VENV=/tmp/asan SAN_SOURCE=/path/to/checkout tests/sanitize/run_sanitized.sh
#   SAN_SKIP_BUILD=1 tests/sanitize/run_sanitized.sh tests/test_threads.py
#
# How: meson's built-in option b_sanitize (through meson-python's
# -Csetup-args) compiles and links every C and Cython extension with
# -fsanitize=address,undefined. Python and numpy themselves are not
# instrumented, so the ASan runtime must be loaded first: LD_PRELOAD of the
# compiler's libasan. PYTHONMALLOC=malloc routes Python's own allocations
# through malloc so ASan sees them too. Leak detection is off (CPython keeps
# memory alive until exit by design; hostlib keeps composed tables forever,
# documented in hostlib/_host/_core.c). UBSan stops at the first finding
# (halt_on_error), so any undefined behaviour fails the run.
#
# Needs gcc or clang with the sanitizer runtimes (Debian: gcc ships them),
# Linux x86-64 or aarch64. Takes ~3 minutes on 2 cores (build ~1 min).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source_dir="${SAN_SOURCE:-$repo}"
venv="${SAN_VENV:-${TMPDIR:-/tmp}/hostlib-sanitize-venv}"
python="${PYTHON:-python3}"
cc="${CC:-cc}"

libasan="$("$cc" -print-file-name=libasan.so)"
if [ ! -e "$libasan" ]; then
    echo "run_sanitized: $cc has no libasan.so ($libasan); install the compiler's sanitizer runtime" >&2
    exit 2
fi

if [ -z "${SAN_SKIP_BUILD:-}" ]; then
    echo "+ venv $venv"
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --upgrade pip
    "$venv/bin/python" -m pip install --quiet numpy pytest hypothesis mpmath threadpoolctl \
        "meson-python>=0.16" "meson>=1.2" ninja "Cython>=3.0.8"
    echo "+ building hostlib from $source_dir with -Db_sanitize=address,undefined"
    start=$SECONDS
    # b_lundef=false: sanitized shared modules leave the runtime's symbols to
    # the process (meson warns otherwise); debugoptimized keeps frames readable
    "$venv/bin/python" -m pip install --quiet --no-build-isolation --force-reinstall --no-deps \
        -Csetup-args=-Db_sanitize=address,undefined \
        -Csetup-args=-Db_lundef=false \
        -Csetup-args=-Dbuildtype=debugoptimized \
        -Csetup-args=-Dc_args=-fno-omit-frame-pointer \
        "$source_dir"
    echo "  built in $((SECONDS - start)) s"
fi

cd "${TMPDIR:-/tmp}"  # never the checkout: its hostlib/ would shadow the installed one

# the modules really are instrumented
pkg="$("$venv/bin/python" -c 'import importlib.util, os; print(os.path.dirname(importlib.util.find_spec("hostlib").origin))')"
for lib in libasan libubsan; do
    if ! ldd "$pkg"/_host/_core*.so | grep "$lib" >/dev/null; then  # not grep -q: pipefail + SIGPIPE
        echo "run_sanitized: $pkg/_host/_core*.so is not linked with $lib: the sanitizer options were not applied" >&2
        exit 1
    fi
done

if [ "$#" -eq 0 ]; then
    # everything but the qemu runs (ASan's shadow memory and qemu user mode
    # do not mix) and the benchmarks' smoke tests (timing under ASan means nothing)
    set -- "$repo/tests" --ignore="$repo/tests/test_emulated.py" --ignore="$repo/tests/test_bench.py"
    # limits the address space to just above its current size: ASan's shadow
    # memory mappings then fail ("ERROR: Failed to mmap")
    set -- "$@" -k "not test_raw_entry_without_memory"
fi

# Canary: a ddot told to read 8 elements past a numpy buffer must be caught,
# in every usable backend, or a clean run below would prove nothing.
# Blind spot: GCC's ASan does not instrument masked loads/stores
# (_mm256_maskload_pd, vmaskmov), which the AVX2 tails use: a ddot reading
# just ONE element too many through such a tail goes unnoticed here. The
# guard-page tests (tests/test_guard_pages.py) cover exactly that case.
canary='
import ctypes, sys, numpy as np, hostlib
f = ctypes.CFUNCTYPE(ctypes.c_double, ctypes.c_ssize_t, ctypes.c_void_p, ctypes.c_ssize_t,
                     ctypes.c_void_p, ctypes.c_ssize_t)(hostlib._kernels_host.slot_address(sys.argv[1], "ddot"))
x = np.ones(1000)
f(1008, x.ctypes.data, 1, x.ctypes.data, 1)
'
backends="$(LD_PRELOAD="$libasan" ASAN_OPTIONS=detect_leaks=0 "$venv/bin/python" -c 'import hostlib; print(" ".join(b.name for b in hostlib.backends() if b.usable and "ddot" in b.provides and b.name in ("portable", "sse2", "avx2")))')"
for backend in $backends; do
    if out="$(LD_PRELOAD="$libasan" ASAN_OPTIONS=detect_leaks=0 PYTHONMALLOC=malloc "$venv/bin/python" -c "$canary" "$backend" 2>&1)" \
        || ! grep "AddressSanitizer: heap-buffer-overflow" >/dev/null <<<"$out"; then
        echo "run_sanitized: ASan did not catch an out-of-bounds read in the $backend ddot:" >&2
        echo "$out" >&2
        exit 1
    fi
    echo "  canary: ASan catches an out-of-bounds read in the $backend ddot"
done

export LD_PRELOAD="$libasan${LD_PRELOAD:+:$LD_PRELOAD}"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export PYTHONMALLOC=malloc
# subprocesses the tests start inherit all of the above
echo "+ LD_PRELOAD=$LD_PRELOAD ASAN_OPTIONS=$ASAN_OPTIONS UBSAN_OPTIONS=$UBSAN_OPTIONS PYTHONMALLOC=$PYTHONMALLOC"
start=$SECONDS
status=0
"$venv/bin/python" -m pytest -p no:cacheprovider --import-mode=importlib -q "$@" || status=$?
echo "sanitized test run: exit $status in $((SECONDS - start)) s"
exit $status
