#!/usr/bin/env bash
# Fetch what run_aarch64.py needs to cross-build and run hostlib for aarch64
# on an x86-64 Debian/Ubuntu machine, into one folder, installing nothing
# of the target into the host:
#
#   DIR/sysroot/   arm64 Debian packages unpacked with dpkg -x: the target's
#                  libc, Python 3.11 interpreter, standard library and headers
#   DIR/numpy/     numpy's manylinux aarch64 wheel for cp311, unzipped
#   DIR/pytest/    pytest, hypothesis, mpmath and what they need: pure-Python
#                  wheels, unzipped, for the test suite's subset under qemu
#
# Usage: tests/emulated/prepare_aarch64.sh DIR
# Needs: dpkg with the arm64 architecture added (the script adds it, as
# root, if missing), apt-get, python3 -m pip. About 40 MB of downloads.
set -euo pipefail

dir="${1:?usage: prepare_aarch64.sh DIR}"
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    echo "+ dpkg --add-architecture arm64 && apt-get update"
    dpkg --add-architecture arm64
    apt-get update -qq >/dev/null
fi

packages=(
    libc6:arm64 libgcc-s1:arm64 libstdc++6:arm64 zlib1g:arm64 libexpat1:arm64 libffi8:arm64
    python3.11-minimal:arm64 libpython3.11-minimal:arm64 libpython3.11-stdlib:arm64
    libpython3.11:arm64 libpython3.11-dev:arm64
)
debs="$dir/debs"
mkdir -p "$debs" "$dir/sysroot"
if [ ! -e "$dir/sysroot/usr/bin/python3.11" ] || [ ! -e "$dir/sysroot/usr/include/python3.11/Python.h" ]; then
    echo "+ apt-get download ${packages[*]}"
    (cd "$debs" && apt-get download -qq "${packages[@]}" >/dev/null)
    for deb in "$debs"/*.deb; do
        dpkg -x "$deb" "$dir/sysroot"
    done
fi

if [ ! -d "$dir/numpy/numpy" ]; then
    echo "+ pip download numpy (manylinux_2_28_aarch64, cp311)"
    python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --platform manylinux_2_28_aarch64 --platform manylinux2014_aarch64 \
        --python-version 3.11 --implementation cp -d "$dir/wheels" "numpy>=2.0"
    mkdir -p "$dir/numpy"
    python3 -m zipfile -e "$dir"/wheels/numpy-*.whl "$dir/numpy"
fi
if [ ! -d "$dir/pytest/_pytest" ]; then
    echo "+ pip download pytest hypothesis mpmath (pure Python)"
    python3 -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 --platform any \
        -d "$dir/pure" pytest pluggy iniconfig packaging pygments mpmath hypothesis attrs sortedcontainers
    mkdir -p "$dir/pytest"
    for whl in "$dir"/pure/*.whl; do
        python3 -m zipfile -e "$whl" "$dir/pytest"
    done
fi
echo "aarch64 sysroot: $dir/sysroot; numpy: $dir/numpy; pytest: $dir/pytest"
