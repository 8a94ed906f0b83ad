"""The ``pemilu-nlp`` command: :func:`main` (see :mod:`.main`)."""
from .main import main

__all__ = ["main"]
