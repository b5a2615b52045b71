"""Measurement: the one timing core (``timing``), ``hostlib tune``
(``tune``: verify, time, choose per entry) and ``hostlib bench`` plus the
helpers the benchmarks share (``bench``)."""
