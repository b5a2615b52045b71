"""hostlib on emulated older CPUs (qemu user mode), as pytest tests.

A wrapper around ``tests/emulated/run_emulated.py`` (see the README there):
one test per CPU model, plus the canary that proves the emulator traps
missing instructions. Skipped, with the reason, when ``qemu-x86_64`` is not
installed (Debian: ``apt-get install qemu-user``) or this is not an x86-64
interpreter. About 15 s for all models.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent / "emulated" / "run_emulated.py"


def _load():
    spec = importlib.util.spec_from_file_location("hostlib_run_emulated", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


if not SCRIPT.exists():  # tests copied without the emulated/ folder
    pytest.skip(f"{SCRIPT} not found", allow_module_level=True)

emu = _load()
QEMU = shutil.which("qemu-x86_64")
PYTHON = os.path.realpath(sys.executable)
WHY = emu.unavailable_reason(QEMU, PYTHON)

pytestmark = pytest.mark.skipif(WHY is not None, reason=f"emulated CPU tests: {WHY}")


@pytest.mark.parametrize("model", list(emu.MODELS))
def test_hostlib_on_emulated_cpu(model):
    m = emu.MODELS[model]
    outcome = emu.run_one(QEMU, PYTHON, m, "numpy" if m.numpy else "nonumpy", timeout=300)
    assert outcome.ok, f"{model}: {outcome.detail}\n{outcome.output}"
    # every usable backend had every entry called
    assert "portable" in outcome.summary["called"]
    for name in m.supported:
        assert name in outcome.summary["called"], outcome.summary
    assert outcome.summary["serving"] == outcome.summary["expected"] or outcome.summary["third_party"]


@pytest.mark.parametrize("model", [name for name, m in emu.MODELS.items() if m.canary])
def test_emulator_traps_avx2_on_a_cpu_without_it(model):
    outcome = emu.run_one(QEMU, PYTHON, emu.MODELS[model], "canary", timeout=300)
    assert outcome.ok, f"{model}: {outcome.detail}\n{outcome.output}"
