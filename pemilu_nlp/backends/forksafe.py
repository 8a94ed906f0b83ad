"""Keep torch usable in processes forked after it has run (a ``multiprocessing`` pool with the
default start method on Linux).

Once torch has run an operation, its intra-op thread pool (OpenMP) exists in the parent; a forked
child inherits the pool's state but not its threads, and its first parallel operation waits for
them forever.  The child therefore switches torch to one intra-op thread right after the fork,
which never touches the pool.  A forked worker is one of several processes sharing the cores, so
one thread each is also what it should use.  ``spawn`` and ``forkserver`` children start fresh and
are unaffected.
"""
from __future__ import annotations

import os

__all__ = ["make_torch_fork_safe"]

_registered = False


def _one_thread_in_child() -> None:
    import sys

    torch = sys.modules.get("torch")
    if torch is not None:
        torch.set_num_threads(1)


def make_torch_fork_safe() -> None:
    """Register (once per process) the after-fork hook that gives a forked child one torch thread."""
    global _registered
    if not _registered and hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_one_thread_in_child)
        _registered = True
