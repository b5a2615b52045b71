"""The benchmark sections, one module each, in the order they run, print
and plot.

Every section module has:

``NAME``
    its name on the command line (``--sections``) and its key in the
    JSON's ``sections``;
``count(mode) -> int``
    the progress steps ``run`` takes in a mode ("full", "quick",
    "smoke"), from the same case list ``run`` walks;
``run(ctx, progress) -> result``
    measure: ``ctx`` is ``common.Context`` (mode, timing, backends,
    numpy workers, MKL, notes), ``progress`` gets ``step(what)`` before
    and ``advance()`` after each case; the result must be JSON-able;
``format(res, result) -> list[str]``
    its lines of the printed report (``res`` is the whole run: backends,
    levels), each table preceded by an empty line;

and may have:

``CONVENTIONS``
    {key: text} for the JSON's ``conventions``: how to read its numbers;
``USES_MKL = True``
    MKL is loaded (``ctx.mkl``) before the sections run;
``PANELS`` and ``plot(res, result, axes, colors) -> set[str]``
    its panels of the summary figure: ``PANELS`` gives each panel's width
    in columns of a two-column grid (1 or 2), ``plot`` draws on one axes
    per panel and returns the backends it coloured;
``caption(result) -> str | None``
    a line under the figure's title.

To add a section: write the module and list it below.
"""

from . import blocks, fft, gemm, imports, lapack, level1, linalg, overhead, patch, python_calls, roofline, selection, threads, ufunc

SECTIONS = (ufunc, patch, gemm, level1, fft, lapack, linalg, roofline, selection, overhead, python_calls, imports, threads,
            blocks)
BY_NAME = {s.NAME: s for s in SECTIONS}
NAMES = tuple(BY_NAME)
