"""Every environment variable hostlib reads, in one place: the CLI's help,
the README's table (a test holds the two together) and the report all come
from :data:`VARIABLES`. Importing this starts nothing."""

from __future__ import annotations

from typing import NamedTuple


class Variable(NamedTuple):
    name: str
    #: what it means, one paragraph (Markdown: the README's table cell)
    meaning: str


VARIABLES = (
    Variable("HOSTLIB_BACKEND", "`auto` (default), or backends to prefer in order, e.g. `sse2` or `openblas,avx2`; "
             "entries none of them provides come from the portable table"),
    Variable("HOSTLIB_BACKEND_<NAME>", "the same for another library's interface `<name>`"),
    Variable("HOSTLIB_DISABLE_FEATURES", "CPU features to treat as absent, e.g. `AVX2,FMA3`. Commas or spaces, any "
             "case, empty items ignored; `SSE4.1`, `SSE4_2`, `FMA` are accepted aliases. Masking a feature masks every "
             "feature that implies it (masking `AVX` masks `AVX2`, `FMA3`, `AVX512F`, ...). Masking a feature the CPU "
             "lacks is allowed and changes nothing."),
    Variable("HOSTLIB_PROFILE", "the profile file `hostlib tune` writes and automatic selection reads (default: "
             "`$XDG_CACHE_HOME/hostlib/profile-<cpu>-<env>.json`, one per CPU kind, environment and feature set); the "
             "kernels interface's, the others' beside it with `-<interface>` before the extension (`-fft.json`)"),
    Variable("HOSTLIB_TUNE", "`on` (default): serve the measured winner where the profile holds; `off`: declared "
             "priorities only. Another value warns and counts as `on`."),
    Variable("HOSTLIB_NUM_THREADS", "threads of hostlib's pool: a whole number from 1 to 256, or `auto` (default: "
             "`OMP_NUM_THREADS` if set, else the CPUs in the affinity mask)"),
    Variable("HOSTLIB_POOL_SPIN_US", "how long each idle worker of hostlib's pool watches for the next call "
             "before it sleeps, in microseconds: 0 to 100000, or `auto` (default: 100). Longer keeps back-to-back "
             "calls from waiting for a sleeping thread; each worker then keeps its core busy that long after "
             "every call"),
    Variable("HOSTLIB_REPRODUCIBLE", "`1` (`on`, `true`, `yes`): reductions bit-identical on every backend; "
             "`0` (default)"),
    Variable("HOSTLIB_PLUGINS", "an allow-list of backends to load, e.g. `avx2,openblas` (the portable table always "
             "loads); the others are listed in the report as not loaded, with the reason"),
    Variable("HOSTLIB_DISABLE_PLUGIN_AUTOLOAD", "`1`: load only the backends that come with hostlib itself, no "
             "installed plugin (like pytest's `PYTEST_DISABLE_PLUGIN_AUTOLOAD`)"),
    Variable("HOSTLIB_DEBUG", "`1`: the `hostlib` command shows the traceback of an error instead of one line"),
)

#: the variables with a fixed name (HOSTLIB_BACKEND_<NAME> is one per interface)
NAMES = tuple(v.name for v in VARIABLES if "<" not in v.name)


def parse_flag(name: str, value: str | None) -> bool:
    """An on/off variable: unset, empty, 0/off/false/no are off; 1/on/true/yes
    are on; anything else is a ValueError naming the variable."""
    text = (value or "").strip().lower()
    if text in ("", "0", "off", "false", "no"):
        return False
    if text in ("1", "on", "true", "yes"):
        return True
    raise ValueError(f"{name}={value!r}: expected 1 or 0 (also on/off, true/false, yes/no)")


def help_text(width: int = 78) -> str:
    """The variables for the command line's help."""
    import re
    import textwrap

    out = ["environment variables:"]
    for v in VARIABLES:
        plain = re.sub(r"`([^`]*)`", r"\1", v.meaning)
        out.append(f"  {v.name}")
        out += textwrap.wrap(plain, width, initial_indent="      ", subsequent_indent="      ")
    return "\n".join(out)


def readme_table() -> str:
    """The README's table, as it must read."""
    rows = ["| variable | meaning |", "| --- | --- |"]
    rows += [f"| `{v.name}` | {v.meaning} |" for v in VARIABLES]
    return "\n".join(rows)
