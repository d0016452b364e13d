#!/usr/bin/env python3
"""Independent check of the GGUF -> Hugging Face weight translation: a plain numpy SmolLM2 (Llama) forward pass in
HF conventions (rotate-half RoPE, q/k rows put back from llama.cpp's order with numpy), run on the embedded Q4_1 GGUF.

If the q/k unpermutation, the name mapping, the dims reversal or the tied embeddings were wrong, greedy decoding would
produce garbage; with them right it answers sensibly. Also writes the reference logits the Java transformer can be
compared against (activities/src/test/resources/gguf/smollm2_reference_logits.json).

    /tmp/venv/bin/pip install gguf numpy tokenizers
    /tmp/venv/bin/python scripts/reference/smollm2_numpy_forward.py models/SmolLM2-135M-Instruct.Q4_1.gguf \
        activities/src/test/resources/gguf/smollm2_reference_logits.json
"""
import json
import sys

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize
from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors


def load(path):
    r = GGUFReader(path)
    f = lambda k: r.fields[k].contents()
    cfg = dict(n_layer=int(f("llama.block_count")), n_head=int(f("llama.attention.head_count")),
               n_kv=int(f("llama.attention.head_count_kv")), eps=float(f("llama.attention.layer_norm_rms_epsilon")),
               theta=float(f("llama.rope.freq_base")))
    w = {}
    for t in r.tensors:
        dims = [int(d) for d in t.shape]
        a = dequantize(t.data, t.tensor_type).astype(np.float32).reshape(list(reversed(dims)))
        if ".attn_q." in t.name or ".attn_k." in t.name:
            n = cfg["n_head"] if ".attn_q." in t.name else cfg["n_kv"]
            rows, cols = a.shape
            a = a.reshape(n, rows // n // 2, 2, cols).swapaxes(1, 2).reshape(rows, cols)
        w[t.name] = a
    tokens, types, merges = f("tokenizer.ggml.tokens"), f("tokenizer.ggml.token_type"), f("tokenizer.ggml.merges")
    tk = Tokenizer(models.BPE(vocab={t: i for i, t in enumerate(tokens)}, merges=[tuple(m.split(" ")) for m in merges]))
    tk.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.Digits(individual_digits=True),
                                                pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)])
    tk.decoder = decoders.ByteLevel()
    tk.post_processor = processors.ByteLevel(trim_offsets=False)
    tk.add_special_tokens([AddedToken(tokens[i], special=True, normalized=False) for i, t in enumerate(types) if t == 3])
    return cfg, w, tk


def rms(x, g, eps):
    return x / np.sqrt((x * x).mean(-1, keepdims=True) + eps) * g


def rope(x, theta):  # x [heads, T, d], HF rotate_half convention
    d = x.shape[-1]
    inv = 1.0 / theta ** (np.arange(0, d, 2, dtype=np.float64) / d)
    ang = np.arange(x.shape[1])[:, None] * inv[None, :]
    cos, sin = np.cos(np.concatenate([ang, ang], -1)), np.sin(np.concatenate([ang, ang], -1))
    rot = np.concatenate([-x[..., d // 2:], x[..., :d // 2]], -1)
    return x * cos + rot * sin


def forward(cfg, w, ids):
    x = w["token_embd.weight"][ids].astype(np.float64)
    T = len(ids)
    nh, nkv = cfg["n_head"], cfg["n_kv"]
    mask = np.triu(np.full((T, T), -np.inf), 1)
    for i in range(cfg["n_layer"]):
        p = f"blk.{i}."
        h = rms(x, w[p + "attn_norm.weight"], cfg["eps"])
        q = (h @ w[p + "attn_q.weight"].T).reshape(T, nh, -1).transpose(1, 0, 2)
        k = (h @ w[p + "attn_k.weight"].T).reshape(T, nkv, -1).transpose(1, 0, 2)
        v = (h @ w[p + "attn_v.weight"].T).reshape(T, nkv, -1).transpose(1, 0, 2)
        q, k = rope(q, cfg["theta"]), rope(k, cfg["theta"])
        k, v = np.repeat(k, nh // nkv, 0), np.repeat(v, nh // nkv, 0)
        s = q @ k.transpose(0, 2, 1) / np.sqrt(q.shape[-1]) + mask
        s = np.exp(s - s.max(-1, keepdims=True))
        a = (s / s.sum(-1, keepdims=True)) @ v
        x = x + a.transpose(1, 0, 2).reshape(T, -1) @ w[p + "attn_output.weight"].T
        h = rms(x, w[p + "ffn_norm.weight"], cfg["eps"])
        g = h @ w[p + "ffn_gate.weight"].T
        x = x + ((g / (1 + np.exp(-g))) * (h @ w[p + "ffn_up.weight"].T)) @ w[p + "ffn_down.weight"].T
    x = rms(x, w["output_norm.weight"], cfg["eps"])
    return x @ w["token_embd.weight"].T  # tied embeddings


def main():
    cfg, w, tk = load(sys.argv[1])
    prompt = ("<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
              "<|im_start|>user\nWhat is the capital of France?<|im_end|>\n<|im_start|>assistant\n")
    ids = tk.encode(prompt).ids
    prompt_logits = forward(cfg, w, ids)
    out = list(ids)
    for _ in range(12):
        nxt = int(np.argmax(forward(cfg, w, out)[-1]))
        out.append(nxt)
        if nxt == 2:
            break
    answer = tk.decode(out[len(ids):], skip_special_tokens=False)
    print("greedy answer:", repr(answer))
    last = prompt_logits[-1]
    top = np.argsort(-last)[:5]
    ref = {"prompt": prompt, "prompt_ids": ids, "greedy_ids": out[len(ids):], "greedy_text": answer,
           "last_logits_first8": [float(v) for v in last[:8]], "last_top5_ids": [int(t) for t in top],
           "last_top5_logits": [float(last[t]) for t in top],
           "first_position_logits_first8": [float(v) for v in prompt_logits[0][:8]],
           "note": "float64 numpy forward of the dequantized Q4_1 GGUF in HF layout (see scripts/reference)"}
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            json.dump(ref, f, indent=1)


if __name__ == "__main__":
    main()
