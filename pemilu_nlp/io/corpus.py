"""The labelled corpus: JSONL records, strict loading, and the fixed train/dev/test split.

Loading is strict on purpose: a corpus error found at training time is cheap, one found in a
published score is not.  Every error names the file and the line; nothing is silently dropped.
"""
from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CorpusError, UnknownLabelError
from ..inputs import with_title
from .jsonl import BadLine, parse_line
from .schema import SchemaLike, as_schema, topic_ids, validate_labels

__all__ = [
    "Article",
    "label_matrix",
    "load_corpus",
    "load_split",
    "make_split",
    "model_chosen",
    "split_corpus",
    "stratification_columns",
    "to_dataset",
    "write_corpus",
    "write_split",
]

_REQUIRED = {"id": str, "text": str, "labels": list}
_OPTIONAL = {"title": str, "summary": list, "source": str, "date": str, "url": str, "dataset": str, "origin_repo": str}
SPLITS = ("train", "dev", "test")
#: ``found_by`` of an article that a model's scores chose for reading (active learning):
#: ``model:...`` (``suggest`` imports) or ``model<round>:...`` (the project corpus's rounds 4 and 5)
MODEL_SELECTED = re.compile(r"model\d*:")


@dataclass(frozen=True)
class Article:
    """One labelled article; ``labels`` are topic ids in schema order, ``title`` may be empty.

    :attr:`model_text` is what a classifier reads; ``extra`` keeps a record's other fields.
    """

    id: str
    title: str
    text: str
    labels: tuple[str, ...] = ()
    summary: tuple[str, ...] | None = None
    source: str = ""
    date: str = ""
    url: str = ""
    dataset: str = ""
    origin_repo: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def selected_by_model(self) -> bool:
        """Whether a model's scores chose this article for reading (``found_by`` is ``model:...`` or
        ``model<round>:...``).  Such an article is easier for that model than a random one, so it is
        trained on but never scored: it stays out of test splits and cross-validation's test folds."""
        return bool(MODEL_SELECTED.match(str(self.extra.get("found_by", ""))))

    @property
    def model_text(self) -> str:
        """What the classifiers read: the title, then the article text."""
        return with_title(self.text, self.title)

    def to_dict(self) -> dict[str, Any]:
        record = asdict(self)
        record.pop("extra")
        record["labels"] = list(self.labels)
        if self.summary is None:
            record.pop("summary")
        else:
            record["summary"] = list(self.summary)
        return {**record, **self.extra}


def _article_from_record(record: Any, where: str, schema: SchemaLike = None) -> Article:
    if not isinstance(record, dict):
        raise CorpusError(f"{where}: expected a JSON object, got {type(record).__name__}")
    for key, typ in _REQUIRED.items():
        if key not in record:
            raise CorpusError(f"{where}: missing field {key!r}")
        if not isinstance(record[key], typ):
            raise CorpusError(f"{where}: field {key!r} must be {typ.__name__}, got {type(record[key]).__name__}")
    for key, typ in _OPTIONAL.items():
        if record.get(key) is not None and not isinstance(record[key], typ):
            raise CorpusError(f"{where}: field {key!r} must be {typ.__name__}, got {type(record[key]).__name__}")
    if not record["id"].strip():
        raise CorpusError(f"{where}: empty 'id'")
    if not record["text"].strip():
        raise CorpusError(f"{where}: empty 'text' (article {record['id']!r})")
    if not all(isinstance(x, str) for x in record["labels"]):
        raise CorpusError(f"{where}: 'labels' must be a list of topic ids (strings)")
    if len(set(record["labels"])) != len(record["labels"]):
        raise CorpusError(f"{where}: repeated label in {record['labels']}")
    try:
        labels = validate_labels(record["labels"], where=where, schema=schema)
    except UnknownLabelError as err:
        raise CorpusError(str(err)) from None
    summary = record.get("summary")
    if summary is not None:
        if not summary or not all(isinstance(s, str) and s.strip() for s in summary):
            raise CorpusError(f"{where}: 'summary' must be a non-empty list of sentences")
        summary = tuple(summary)
    known = set(_REQUIRED) | set(_OPTIONAL)
    return Article(
        id=record["id"], title=record.get("title") or "", text=record["text"], labels=labels, summary=summary,
        **{k: record.get(k) or "" for k in ("source", "date", "url", "dataset", "origin_repo")},
        extra={k: v for k, v in record.items() if k not in known},
    )


def jsonl_records(text: str, path: str | Path, error: type[Exception]) -> Iterator[tuple[int, str, Any]]:
    """``(line number, "file:line", parsed JSON)`` of each non-blank line; a bad line (invalid JSON,
    an over-long integer, over-deep nesting, a lone surrogate escape) raises ``error`` naming it."""
    for line_no, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{path}:{line_no}"
        try:
            record, _ = parse_line(line)
        except BadLine as err:
            raise error(f"{where}: {err}") from None
        yield line_no, where, record


def load_corpus(path: str | Path, *, schema: SchemaLike = None) -> list[Article]:
    """Load and validate a JSONL corpus; any bad line raises :class:`CorpusError` naming it.

    Labels are checked against ``schema`` (default: the shipped topics; a schema file, a model
    folder or a list of topics for a corpus with topics of its own).

    >>> articles = load_corpus("data/corpus.jsonl")  # doctest: +SKIP
    """
    path = Path(path)
    if path.is_dir():
        raise CorpusError(f"{path}: is a folder; a corpus is one JSONL file (one article a line)")
    if not path.is_file():
        raise CorpusError(f"{path}: no such corpus file")
    schema = as_schema(schema)  # once, not per line
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line_no = data[: err.start].count(b"\n") + 1
        raise CorpusError(f"{path}:{line_no}: not valid UTF-8 (byte offset {err.start})") from None
    articles: list[Article] = []
    seen: dict[str, int] = {}
    for line_no, where, record in jsonl_records(text, path, CorpusError):
        article = _article_from_record(record, where, schema)
        if article.id in seen:
            raise CorpusError(f"{where}: duplicate id {article.id!r} (first on line {seen[article.id]})")
        seen[article.id] = line_no
        articles.append(article)
    if not articles:
        raise CorpusError(f"{path}: the corpus is empty")
    return articles


def write_corpus(articles: Iterable[Article], path: str | Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for article in articles:
            fh.write(json.dumps(article.to_dict(), ensure_ascii=False) + "\n")


def to_dataset(articles: Sequence[Article]):  # -> datasets.Dataset
    """The corpus as a Hugging Face ``datasets.Dataset`` (labels as lists of ids)."""
    from datasets import Dataset

    return Dataset.from_list([a.to_dict() | {"summary": list(a.summary or [])} for a in articles])


def label_matrix(articles: Sequence[Article], topics: Sequence[str] | None = None) -> np.ndarray:
    """Binary indicator matrix (articles x topics) in schema order."""
    topics = list(topics or topic_ids())
    index = {t: j for j, t in enumerate(topics)}
    y = np.zeros((len(articles), len(topics)), dtype=np.int8)
    for i, article in enumerate(articles):
        for label in article.labels:
            y[i, index[label]] = 1
    return y


# ---------------------------------------------------------------------------------------------
# The fixed split
# ---------------------------------------------------------------------------------------------
#: Fewer articles leave a part of the split empty (25 % test, 15 % dev).
MIN_SPLIT_ARTICLES = 10


def model_chosen(articles: Sequence[Article]) -> np.ndarray:
    """One flag per article: chosen for reading by a model's scores (trained on, never scored)."""
    return np.array([a.selected_by_model for a in articles], dtype=bool)


def make_split(articles: Sequence[Article], *, dev_size: float = 0.15, test_size: float = 0.25,
               seed: int = 13, schema: SchemaLike = None) -> dict[str, list[str]]:
    """Iterative stratification (Sechidis et al., 2011) into train/dev/test ids.

    "No topic" is stratified as a column of its own, so every split keeps the real share of
    articles with no topic.  Articles a model chose for reading (:attr:`Article.selected_by_model`)
    all go to train: a dev or test score must not depend on what a model found easy.
    """
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    chosen = sorted(a.id for a in articles if a.selected_by_model)
    scorable = [a for a in articles if not a.selected_by_model]
    if len(scorable) < MIN_SPLIT_ARTICLES:
        because = (f" ({len(chosen)} of the {len(articles)} were chosen by a model's scores, e.g. by suggest, and "
                   "only train: label some articles drawn at random, suggest --strategy random)") if chosen else ""
        raise CorpusError(f"{len(scorable)} labelled article(s) are too few for a train/dev/test split{because}: "
                          f"label at least {MIN_SPLIT_ARTICLES} (a few hundred to learn rare topics), or pass a split file")
    articles = scorable
    y = stratification_columns(label_matrix(articles, topic_ids(schema)))
    ids = np.array([a.id for a in articles])
    outer = MultilabelStratifiedShuffleSplit(n_splits=1, test_size=test_size, random_state=seed)
    rest, test = next(outer.split(ids, y))
    inner = MultilabelStratifiedShuffleSplit(
        n_splits=1, test_size=dev_size / (1 - test_size), random_state=seed)
    train, dev = next(inner.split(ids[rest], y[rest]))
    return {"train": sorted([*ids[rest][train], *chosen]), "dev": sorted(ids[rest][dev]), "test": sorted(ids[test])}


def stratification_columns(Y: np.ndarray) -> np.ndarray:
    """The label matrix with "no topic" as one more column, so that a stratified split or fold
    keeps the real share of articles without a topic."""
    Y = np.asarray(Y)
    return np.hstack([Y, (Y.sum(axis=1) == 0)[:, None]]).astype(np.int8)


def write_split(split: dict[str, list[str]], path: str | Path, **meta: Any) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        json.dump({**meta, **{k: list(split[k]) for k in SPLITS}}, fh, indent=1)
        fh.write("\n")


def load_split(path: str | Path) -> dict[str, list[str]]:
    try:
        raw = json.loads(Path(path).read_text("utf-8-sig"))
    except (OSError, json.JSONDecodeError) as err:
        raise CorpusError(f"{path}: cannot read split file ({err})") from None
    if not all(isinstance(raw.get(k), list) for k in SPLITS):
        raise CorpusError(f"{path}: a split file needs lists 'train', 'dev' and 'test'")
    return {k: raw[k] for k in SPLITS}


def split_corpus(articles: Sequence[Article], split: dict[str, list[str]]) -> dict[str, list[Article]]:
    """Articles of each split, in corpus order; every article must be in exactly one split."""
    where = {}
    for name in SPLITS:
        for article_id in split[name]:
            if article_id in where:
                raise CorpusError(f"split: id {article_id!r} is in both {where[article_id]} and {name}")
            where[article_id] = name
    missing = [a.id for a in articles if a.id not in where]
    if missing:
        raise CorpusError(f"split: {len(missing)} articles are in no split (first: {missing[0]!r})")
    known = {a.id for a in articles}
    unknown = [i for i in where if i not in known]
    if unknown:
        raise CorpusError(f"split: {len(unknown)} ids are not in the corpus (first: {unknown[0]!r})")
    scored = [a.id for a in articles if a.selected_by_model and where[a.id] != "train"]
    if scored:
        warnings.warn(f"split: {len(scored)} article(s) chosen for reading by a model's scores are in dev or test "
                      f"(first: {scored[0]!r}); scores on them are inflated: make_split keeps them in train",
                      UserWarning, stacklevel=2)
    return {name: [a for a in articles if where[a.id] == name] for name in SPLITS}
