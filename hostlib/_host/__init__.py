"""The host: CPU detection (``cpu``, ``_cpuid``), the interfaces it serves
(``registry``), what their specs say (``spec``), discovery, validation and
per-entry selection of kernel tables (``host``, with the C side in
``_core``), and the per-machine profile of measured choices (``profile``).

Generic over interfaces: nothing here names an entry of hostlib's own
``kernels`` interface, and nothing here imports the package face
(``hostlib/__init__.py``).
"""
