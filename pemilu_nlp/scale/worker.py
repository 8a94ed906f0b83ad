"""One chunk of articles, one way: the models loaded once, then topics and summaries chunk by chunk.

:func:`pemilu_nlp.analyze`, the CLI's one-process path, the worker processes of
:mod:`pemilu_nlp.scale.parallel` and Ray's annotator all hold a :class:`ChunkWorker`, so a title is
joined to its text (:func:`pemilu_nlp.inputs.with_title`), a model is loaded (the shipped one by
default) and a summary is asked for in one place: the same article gives the same result on
every path.  What each path does with a failure stays its own (raise, report and go on, or an
``error`` column).

>>> from pemilu_nlp.scale.worker import ChunkWorker
>>> worker = ChunkWorker.load(method="lead", count=1)
>>> [a.summary[0].index for a in worker.analyze(["KPU menetapkan DPT. Bawaslu mengawasi."])]
[0]
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DOCUMENT_ERRORS
from ..inputs import with_titles
from .chunk import ArticleAnalysis

__all__ = ["ChunkWorker", "make_summarizer"]


def make_summarizer(method: str, encoder: str | None = None) -> Any:
    """The summariser named ``method``; ``embedding`` needs ``encoder`` (hub id or local folder),
    ``encoder`` the folder ``train-summarizer --method encoder`` wrote (given as ``encoder``)."""
    from ..summarize import get_summarizer

    if method in ("embedding", "encoder") and not encoder:
        raise ValueError(f"method {method!r} needs an encoder (embedding: hub id or local save_pretrained folder; "
                         "encoder: the folder train-summarizer wrote)")
    if method == "embedding":
        return get_summarizer("embedding", model_name_or_path=encoder)
    if method == "encoder":
        return get_summarizer("encoder", folder=encoder)
    return get_summarizer(method)


@dataclass
class ChunkWorker:
    """A loaded classifier and/or summariser (``None``: not asked for) and the summary length.

    Texts and titles go in as lists, one title (or ``None``) per text; N in, N out, in order.
    """

    classifier: Any = None
    summarizer: Any = None
    count: int | str = 3

    @classmethod
    def load(cls, *, model: str | None = None, classify: bool = True, method: str | None = None,
             encoder: str | None = None, count: int | str = 3, options: dict | None = None) -> ChunkWorker:
        """Load once: the classifier in ``model`` (the shipped one when ``None``) if ``classify``,
        the summariser ``method`` (with ``encoder`` for ``embedding``) if given."""
        from ..registry import load_or_default

        classifier = load_or_default(model, **(options or {})) if classify else None
        return cls(classifier, make_summarizer(method, encoder) if method else None, count)

    def predict_proba(self, texts: Sequence[str], titles: Sequence[str | None] | None = None) -> Any:
        """The classifier's probabilities, each text read with its title."""
        return self.classifier.predict_proba(with_titles(texts, titles))

    def classify(self, texts: Sequence[str], titles: Sequence[str | None] | None = None,
                 ) -> tuple[list[list[str]], list[dict[str, float]]]:
        """Each text's topics and topic -> probability map, each text read with its title."""
        return self.classifier.topics_and_probabilities(with_titles(texts, titles))

    def classify_each(self, texts: Sequence[str], titles: Sequence[str | None] | None = None,
                      ) -> list[tuple[list[str], dict[str, float]] | Exception]:
        """Each text's ``(topics, probabilities)``, or the error that stopped it: a chunk that fails
        as a whole is tried one text at a time, so that only the bad text is lost."""
        try:
            return list(zip(*self.classify(texts, titles)))
        except DOCUMENT_ERRORS as err:
            if len(texts) == 1:
                return [err]
        return [self.classify_each([text], [titles[i]] if titles else None)[0] for i, text in enumerate(texts)]

    def summarize_or_error(self, text: str | Sequence[str], title: str | None = None) -> Any:
        """One text's summary, or the error (``ValueError``...) that stopped it."""
        try:
            return self.summarize_one(text, title)
        except DOCUMENT_ERRORS as err:
            return err

    def summarize_one(self, text: str | Sequence[str], title: str | None = None) -> Any:
        """One text's summary; a text that cannot be summarised raises (``ValueError``...)."""
        return self.summarizer.summarize(text, self.count, title=title)

    def summarize(self, texts: Sequence[str | Sequence[str]], titles: Sequence[str | None] | None = None, *,
                  start: int = 0) -> list:
        """Each text's summary; a ``ValueError`` names the text's position in the whole input
        (``start``: the chunk's first position), as ``summarize_many`` does."""
        summaries = []
        for i, text in enumerate(texts):
            try:
                summaries.append(self.summarize_one(text, titles[i] if titles else None))
            except ValueError as err:
                raise ValueError(f"text at position {start + i}: {err}") from None
        return summaries

    def analyze(self, texts: Sequence[str], titles: Sequence[str | None] | None = None, *,
                start: int = 0) -> list[ArticleAnalysis]:
        """Topics and a summary for each text: the classifier first, then the summariser."""
        topics, probabilities = self.classify(texts, titles)
        summaries = self.summarize(texts, titles, start=start)
        return [ArticleAnalysis(t, p, s) for t, p, s in zip(topics, probabilities, summaries)]
