"""Writes the Hub-format repo hubwasm-bench--llama-1b: a LlamaForCausalLM with the exact shapes of
TinyLlama/TinyLlama-1.1B-Chat-v1.0 (hidden 2048, 22 layers, 32 heads / 4 KV heads, intermediate 5632,
vocab 32000, untied lm_head; 1,100,048,384 parameters) and random weights, for the decode benchmark
(bench/decode_bench.mjs). Outputs are meaningless; only the speed and memory figures matter.

* Weights are F16: 2 bytes per weight like TinyLlama's BF16 file (2.2 GB), with values exactly
  representable in both fp16 storage and float32.
* One model.safetensors, as TinyLlama ships it. q8 and fp16 loads keep the file in JavaScript memory
  (js/src/repo.js); an fp32 load would need it in one wasm malloc block, which Emscripten's dlmalloc
  cannot hand out at 2 GiB or more, but fp32 is refused before download anyway (6.5 GiB needed).
* Weights: matrices and embeddings N(0, 0.02^2) drawn with numpy's PCG64 (seed 1234) in state_dict order,
  RMSNorm weights exactly 1. Rebuilds are byte-identical.
* Written tensor by tensor (at most one float32 chunk of CHUNK_ROWS rows in memory) to a temporary name
  renamed when complete; config.json comes last, so its presence marks a complete repo.
* Tokenizer: the Llama-2 tokenizer files (TinyLlama uses the same 32000-piece vocabulary) copied from the
  shared models folder (meta-llama--Llama-2-tokenizer).

    /usr/bin/python3 bench/make_llama_1b.py --out build/models [--shared ../shared]
"""
import argparse
import json
import os
import shutil
import struct

import numpy as np

NAME = "hubwasm-bench--llama-1b"
SEED = 1234
STD = 0.02
CHUNK_ROWS = 1024
TOKENIZER_DIR = "models/meta-llama--Llama-2-tokenizer"
TOKENIZER_FILES = ["tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"]

# TinyLlama/TinyLlama-1.1B-Chat-v1.0's config.json, except torch_dtype (the weights here are F16, not BF16).
CONFIG = {
    "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
    "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu", "hidden_size": 2048,
    "initializer_range": 0.02, "intermediate_size": 5632, "max_position_embeddings": 2048,
    "model_type": "llama", "num_attention_heads": 32, "num_hidden_layers": 22, "num_key_value_heads": 4,
    "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 10000.0,
    "tie_word_embeddings": False, "torch_dtype": "float16", "transformers_version": "4.35.0",
    "use_cache": True, "vocab_size": 32000,
}
GENERATION_CONFIG = {"bos_token_id": 1, "eos_token_id": 2, "max_length": 2048, "pad_token_id": 0,
                     "transformers_version": "4.35.0"}


def tensor_shapes(c):
    """(name, shape) in LlamaForCausalLM's state_dict order."""
    h, inter, vocab = c["hidden_size"], c["intermediate_size"], c["vocab_size"]
    kv = c["num_key_value_heads"] * h // c["num_attention_heads"]
    out = [("model.embed_tokens.weight", (vocab, h))]
    for i in range(c["num_hidden_layers"]):
        p = "model.layers.%d." % i
        out += [(p + "self_attn.q_proj.weight", (h, h)), (p + "self_attn.k_proj.weight", (kv, h)),
                (p + "self_attn.v_proj.weight", (kv, h)), (p + "self_attn.o_proj.weight", (h, h)),
                (p + "mlp.gate_proj.weight", (inter, h)), (p + "mlp.up_proj.weight", (inter, h)),
                (p + "mlp.down_proj.weight", (h, inter)),
                (p + "input_layernorm.weight", (h,)), (p + "post_attention_layernorm.weight", (h,))]
    return out + [("model.norm.weight", (h,)), ("lm_head.weight", (vocab, h))]


def safetensors_header(shapes):
    """The header bytes (JSON padded with spaces to a multiple of 8, as the reference writer does) for F16
    tensors stored back to back in the given order, and the data size."""
    header = {"__metadata__": {"format": "pt"}}
    off = 0
    for name, shape in shapes:
        n = 2 * int(np.prod(shape))
        header[name] = {"dtype": "F16", "shape": list(shape), "data_offsets": [off, off + n]}
        off += n
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    return hb + b" " * ((8 - len(hb) % 8) % 8), off


def write_weights(path, shapes):
    header, data_bytes = safetensors_header(shapes)
    rng = np.random.Generator(np.random.PCG64(SEED))
    tmp = path + ".partial"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(header)))
        f.write(header)
        for name, shape in shapes:
            if len(shape) == 1:  # RMSNorm weight
                f.write(np.ones(shape, dtype="<f2").tobytes())
                continue
            for r in range(0, shape[0], CHUNK_ROWS):
                rows = min(CHUNK_ROWS, shape[0] - r)
                chunk = rng.standard_normal((rows, shape[1]), dtype=np.float32) * np.float32(STD)
                f.write(chunk.astype("<f2").tobytes())
    size = os.path.getsize(tmp)
    if size != 8 + len(header) + data_bytes:
        raise RuntimeError("%s: %d bytes written, expected %d" % (tmp, size, 8 + len(header) + data_bytes))
    os.replace(tmp, path)
    return data_bytes


def check_header(path, shapes):
    """Reads the header back: names in order, F16, offsets contiguous and covering the data exactly."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
    entries = [(k, v) for k, v in header.items() if k != "__metadata__"]
    assert [k for k, _ in entries] == [k for k, _ in shapes]
    off = 0
    for (k, v), (_, shape) in zip(entries, shapes):
        assert v["dtype"] == "F16" and v["shape"] == list(shape) and v["data_offsets"][0] == off, k
        off = v["data_offsets"][1]
        assert off - v["data_offsets"][0] == 2 * int(np.prod(shape)), k
    assert 8 + n + off == os.path.getsize(path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True, help="models folder (the repo goes to OUT/%s)" % NAME)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--shared", default=os.environ.get("HUBWASM_SHARED", os.path.join(here, "../../shared")))
    a = ap.parse_args()
    d = os.path.join(a.out, NAME)
    os.makedirs(d, exist_ok=True)
    config = os.path.join(d, "config.json")
    if os.path.exists(config):
        os.remove(config)
    for fn in TOKENIZER_FILES:
        shutil.copyfile(os.path.join(a.shared, TOKENIZER_DIR, fn), os.path.join(d, fn))
    with open(os.path.join(d, "generation_config.json"), "w") as f:
        json.dump(GENERATION_CONFIG, f, indent=2)
    shapes = tensor_shapes(CONFIG)
    path = os.path.join(d, "model.safetensors")
    write_weights(path, shapes)
    check_header(path, shapes)
    with open(config, "w") as f:
        json.dump(CONFIG, f, indent=2)
    params = sum(int(np.prod(s)) for _, s in shapes)
    print("%s: %d tensors, %d parameters, %d bytes" % (path, len(shapes), params, os.path.getsize(path)))


if __name__ == "__main__":
    main()
