"""A kernel backend installed as a distribution into a throwaway site
folder: its metadata module, its extension (a Python module standing in for
a compiled one), and the entry point that names it in an interface's group.
Used by the tune tests of every interface."""

from __future__ import annotations

from pathlib import Path


def install(site: Path, name: str, ext: str, group: str) -> None:
    """Install backend `name` (package fake_<name>, priority 99, no CPU
    features) whose extension module's source is `ext`, registered in the
    entry-point group `group`."""
    pkg = site / f"fake_{name}"
    pkg.mkdir()
    (pkg / "__init__.py").write_text(
        f"NAME = {name!r}\nFEATURES = ()\nPRIORITY = 99\nEXTENSION = 'fake_{name}._ext'\n"
    )
    (pkg / "_ext.py").write_text(ext)
    info = site / f"fake_{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: fake-{name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[{group}]\n{name} = fake_{name}\n")
