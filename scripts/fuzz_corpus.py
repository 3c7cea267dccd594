#!/usr/bin/env python3
"""Builds the libFuzzer seed corpora of tests/fuzz from the shared fixtures.

    scripts/fuzz_corpus.py [--shared ../shared] [--out build/fuzz/corpus]

Every seed is < 64 KB: small fixture files are copied; large ones are shrunk
while staying valid (safetensors with a few small tensors, tokenizer.json with
a trimmed vocabulary, whole repos with their dimensions scaled down to a
1-layer model of width 8). Multi-file inputs are joined with the separator of
tests/fuzz/fuzz_common.h. Deterministic: the same fixtures give the same seeds.
"""
import argparse
import hashlib
import json
import os
import random
import struct
import sys

SEP = b"\n--8<--\n"
LIMIT = 64 * 1024
DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1}


def read(path):
    with open(path, "rb") as f:
        return f.read()


def st_header(data):
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8:8 + n])


def st_build(tensors, metadata=None, rng=None):
    """tensors: [(name, dtype, shape)] -> safetensors bytes with random payload."""
    rng = rng or random.Random(0)
    header, payload = {}, bytearray()
    if metadata:
        header["__metadata__"] = metadata
    for name, dtype, shape in tensors:
        n = DTYPE_BYTES[dtype]
        for d in shape:
            n *= d
        if dtype == "F32":
            blob = b"".join(struct.pack("<f", rng.uniform(-0.5, 0.5)) for _ in range(n // 4))
        else:
            blob = bytes(rng.randrange(256) for _ in range(n))
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(payload), len(payload) + n]}
        payload += blob
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # the data section starts 8-aligned, as the reference writer pads
    return struct.pack("<Q", len(text)) + text + bytes(payload)


def trim_tokenizer(tok, keep=80):
    """A tokenizer.json with its vocabulary cut to the first `keep` ids (and merges to match)."""
    tok = json.loads(json.dumps(tok))
    model = tok.get("model", {})
    vocab = model.get("vocab")
    if isinstance(vocab, dict):
        specials = {t["content"] for t in tok.get("added_tokens", [])}
        kept = {k: v for k, v in vocab.items() if v < keep or k in specials}
        # Ids stay dense: renumber in id order.
        model["vocab"] = {k: i for i, (k, _) in enumerate(sorted(kept.items(), key=lambda kv: kv[1]))}
        remap = {vocab[k]: i for k, i in model["vocab"].items()}
        for t in tok.get("added_tokens", []):
            if t.get("id") in remap:
                t["id"] = remap[t["id"]]
        pp = tok.get("post_processor") or {}
        for st in (pp.get("special_tokens") or {}).values():
            st["ids"] = [remap.get(i, i) for i in st.get("ids", [])]
        for key in ("cls", "sep"):
            if isinstance(pp.get(key), list) and len(pp[key]) == 2 and pp[key][1] in remap:
                pp[key][1] = remap[pp[key][1]]
    elif isinstance(vocab, list):  # Unigram
        model["vocab"] = vocab[:keep]
    merges = model.get("merges")
    if isinstance(merges, list):
        names = set(model["vocab"]) if isinstance(model.get("vocab"), dict) else set()

        def parts(m):
            return m.split(" ") if isinstance(m, str) else m

        model["merges"] = [m for m in merges if all(p in names for p in parts(m))
                           and "".join(parts(m)) in names][:200]
    return tok


# Per fixture: the config keys to shrink and the new value of each size.
SHRINK = {
    "hubwasm-fixtures--micro-bert": {"vocab_size": 16, "hidden_size": 8, "intermediate_size": 16,
                                     "max_position_embeddings": 16, "num_attention_heads": 2,
                                     "num_hidden_layers": 1},
    "hubwasm-fixtures--micro-bert-cls": {"vocab_size": 16, "hidden_size": 8, "intermediate_size": 16,
                                         "max_position_embeddings": 16, "num_attention_heads": 2,
                                         "num_hidden_layers": 1},
    "optimum-test-assets--tiny-distilbert-classification": {"vocab_size": 16, "max_position_embeddings": 16,
                                                            "n_layers": 1},
    "hubwasm-fixtures--micro-gpt2": {"vocab_size": 16, "n_embd": 8, "n_positions": 16, "n_ctx": 16,
                                     "n_head": 2, "n_layer": 1},
    "hubwasm-fixtures--micro-llama": {"vocab_size": 16, "hidden_size": 8, "intermediate_size": 16,
                                      "num_attention_heads": 2, "num_key_value_heads": 1,
                                      "num_hidden_layers": 1, "max_position_embeddings": 64},
}


def shrink_repo(model_dir, new):
    """(config.json bytes, model.safetensors bytes) of a 1-layer model with small sizes."""
    config = json.loads(read(os.path.join(model_dir, "config.json")))
    header = st_header(read(os.path.join(model_dir, "model.safetensors")))
    old = {k: config[k] for k in new}
    # Dimension values -> new values, including derived widths (qkv, mlp, kv heads).
    dims = {}
    for key in ("vocab_size", "max_position_embeddings", "n_positions"):
        if key in old:
            dims[old[key]] = new[key]
    hidden_key = next((k for k in ("hidden_size", "n_embd") if k in old), None)
    if hidden_key:
        h_old, h_new = old[hidden_key], new[hidden_key]
        dims[h_old] = h_new
        dims[3 * h_old] = 3 * h_new
        dims[4 * h_old] = 4 * h_new
        if "num_key_value_heads" in old:
            hd_old = h_old // old["num_attention_heads"]
            hd_new = h_new // new["num_attention_heads"]
            dims[old["num_key_value_heads"] * hd_old] = new["num_key_value_heads"] * hd_new
    if "intermediate_size" in old:
        dims[old["intermediate_size"]] = new["intermediate_size"]
    config.update(new)
    for k in ("bos_token_id", "eos_token_id", "pad_token_id"):
        if isinstance(config.get(k), int) and config[k] >= 16:
            config[k] = 15
    tensors = []
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if any(f".{i}." in name for i in range(1, 64)):  # layers past the first
            continue
        tensors.append((name, info["dtype"], [dims.get(d, d) for d in info["shape"]]))
    return json.dumps(config, indent=2).encode(), st_build(tensors, rng=random.Random(name))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--shared", default=os.environ.get("HUBWASM_SHARED", os.path.join(here, "..", "..", "shared")))
    ap.add_argument("--out", default=os.path.join(here, "..", "build", "fuzz", "corpus"))
    args = ap.parse_args()
    models = os.path.join(args.shared, "models")
    if not os.path.isdir(models):
        sys.exit(f"fuzz_corpus: {models} not found (set HUBWASM_SHARED)")
    counts = {}

    def seed(target, data):
        if len(data) >= LIMIT:
            raise SystemExit(f"fuzz_corpus: a {target} seed is {len(data)} bytes (limit {LIMIT})")
        d = os.path.join(args.out, target)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
        counts[target] = counts.get(target, 0) + 1

    def files(name):
        out = []
        for m in sorted(os.listdir(models)):
            p = os.path.join(models, m, name)
            if os.path.isfile(p):
                out.append((m, p))
        return out

    # config.json: every fixture's (all small).
    for _, p in files("config.json"):
        seed("fuzz_config", read(p))
    # tokenizer_config.json (+ special_tokens_map.json, + vocab.txt when small).
    for m, p in files("tokenizer_config.json"):
        if os.path.getsize(p) >= LIMIT:
            continue
        smap = os.path.join(models, m, "special_tokens_map.json")
        vocab = os.path.join(models, m, "vocab.txt")
        parts = [read(p), read(smap) if os.path.isfile(smap) else b""]
        seed("fuzz_tokenizer_config", SEP.join(parts))
        if os.path.isfile(vocab) and os.path.getsize(vocab) < LIMIT // 2:
            seed("fuzz_tokenizer_config", SEP.join(parts + [read(vocab)]))
    # tokenizer.json: small ones as they are, each one trimmed, with texts.
    texts = [b"Hello world! The cat sat on the mat.", "caf\u00e9 na\u00efve \u4e2d\u6587 \U0001F600 [MASK]".encode(),
             b"  leading   spaces\tand\nnewlines  "]
    for m, p in files("tokenizer.json"):
        if os.path.getsize(p) > 8 * 1024 * 1024:
            continue
        tok = json.loads(read(p))
        for i, text in enumerate(texts):
            trimmed = json.dumps(trim_tokenizer(tok), separators=(",", ":")).encode()
            if len(trimmed) + 200 < LIMIT:
                seed("fuzz_tokenizer_json", SEP.join([trimmed, text, texts[(i + 1) % len(texts)]]))
        if os.path.getsize(p) + 200 < LIMIT:
            seed("fuzz_tokenizer_json", SEP.join([read(p), texts[0], texts[1]]))
    # SentencePiece models (tokenizer.model) below the limit.
    for _, p in files("tokenizer.model"):
        if os.path.getsize(p) + 200 < LIMIT:
            for text in texts:
                seed("fuzz_sentencepiece", SEP.join([read(p), text]))
            # The T5 and non-legacy Llama pipelines around the model.
            for config in (b'{"tokenizer_class":"T5Tokenizer"}', b'{"legacy":false,"add_eos_token":true}'):
                seed("fuzz_sentencepiece", SEP.join([read(p), texts[0], config]))
    # safetensors: shrunk copies of each fixture's header (first tensors, small
    # shapes), F16/BF16/I64 variants and metadata.
    rng = random.Random(1)
    for m, p in files("model.safetensors"):
        header = st_header(read(p))
        picked = [(k, v["dtype"], [min(d, 4) for d in v["shape"]]) for k, v in header.items()
                  if k != "__metadata__"][:12]
        meta = header.get("__metadata__")
        seed("fuzz_safetensors", st_build(picked, meta, rng))
        seed("fuzz_safetensors", st_build([(k, dt, s) for k, dt, s in picked[:4]] +
                                          [("h", "F16", [3]), ("b", "BF16", [2, 2]), ("i", "I64", [1])],
                                          {"format": "pt"}, rng))
    # Whole repos: shrunk config + weights + a trimmed tokenizer.json.
    for m, new in SHRINK.items():
        d = os.path.join(models, m)
        if not os.path.isdir(d):
            continue
        config, weights = shrink_repo(d, new)
        tj = os.path.join(d, "tokenizer.json")
        tokenizer = json.dumps(trim_tokenizer(json.loads(read(tj))), separators=(",", ":")).encode() \
            if os.path.isfile(tj) else b""
        seed("fuzz_repo", SEP.join([config, weights, tokenizer]))
        seed("fuzz_repo", SEP.join([config, weights]))
        seed("fuzz_safetensors", weights)
        seed("fuzz_config", config)
    for target, n in sorted(counts.items()):
        print(f"fuzz_corpus: {n:3d} seeds in {os.path.join(args.out, target)}")


if __name__ == "__main__":
    main()
