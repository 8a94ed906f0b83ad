"""Experiment code shared by the scripts in ``benchmarks/`` and by the tests.

``al_simulation``
    the simulated active-learning run (``benchmarks/active_learning.py``).
``heads``
    per-topic heads over fixed features and self-training (``benchmarks/rare_topics.py``).
``cues``
    schema cue counts as document features (``benchmarks/rare_topics.py``).
"""
