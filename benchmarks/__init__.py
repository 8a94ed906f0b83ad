"""Experiment drivers and their results (``benchmarks/results/``); not part of the installed library.

Each script is run from the repository root (``python benchmarks/NAME.py``); code that several
scripts or the tests share lives in :mod:`benchmarks.lib` (tests import it as ``benchmarks.lib``,
with the repository root on the path: pyproject's pytest ``pythonpath``).
"""
