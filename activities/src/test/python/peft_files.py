"""Cross-checks of PEFT adapter files with the Python safetensors package (numpy only, no torch needed).

  python peft_files.py check DIR   -> prints JSON {"metadata": {...}, "tensors": {name: [dtype, shape]}, "config": {...}}
  python peft_files.py write DIR   -> writes the committed fixture (tiny llama, r=2, layer 1, q_proj + down_proj)
"""
import json
import os
import sys

import numpy as np
from safetensors import safe_open
from safetensors.numpy import load_file, save_file


def check(d):
    path = os.path.join(d, "adapter_model.safetensors")
    tensors = load_file(path)
    with safe_open(path, framework="numpy") as f:
        metadata = f.metadata()
    with open(os.path.join(d, "adapter_config.json")) as f:
        config = json.load(f)
    out = {
        "metadata": metadata,
        "tensors": {k: [str(v.dtype), list(v.shape)] for k, v in sorted(tensors.items())},
        "sums": {k: float(np.float64(v.astype(np.float64).sum())) for k, v in sorted(tensors.items())},
        "config": config,
    }
    print(json.dumps(out, sort_keys=True))


def write(d):
    os.makedirs(d, exist_ok=True)
    # tiny llama of TinyModels: hidden 32, q 32, intermediate 64
    shapes = {
        "base_model.model.model.layers.1.self_attn.q_proj.lora_A.weight": (2, 32),
        "base_model.model.model.layers.1.self_attn.q_proj.lora_B.weight": (32, 2),
        "base_model.model.model.layers.1.mlp.down_proj.lora_A.weight": (2, 64),
        "base_model.model.model.layers.1.mlp.down_proj.lora_B.weight": (32, 2),
    }
    tensors = {}
    for i, (name, shape) in enumerate(shapes.items()):
        n = shape[0] * shape[1]
        tensors[name] = ((np.arange(n, dtype=np.float32) % 7 - 3) * np.float32(0.01 * (i + 1))).reshape(shape)
    save_file(tensors, os.path.join(d, "adapter_model.safetensors"), metadata={"format": "pt"})
    config = {
        "alpha_pattern": {}, "auto_mapping": None, "base_model_name_or_path": "tiny-llama", "bias": "none",
        "corda_config": None, "eva_config": None, "exclude_modules": None, "fan_in_fan_out": False,
        "inference_mode": True, "init_lora_weights": True, "layer_replication": None, "layers_pattern": None,
        "layers_to_transform": [1], "loftq_config": {}, "lora_alpha": 4, "lora_bias": False, "lora_dropout": 0.05,
        "megatron_config": None, "megatron_core": "megatron.core", "modules_to_save": None, "peft_type": "LORA",
        "qalora_group_size": 16, "r": 2, "rank_pattern": {}, "revision": None,
        "target_modules": ["down_proj", "q_proj"], "task_type": "CAUSAL_LM", "trainable_token_indices": None,
        "use_dora": False, "use_qalora": False, "use_rslora": False,
    }
    with open(os.path.join(d, "adapter_config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)


if __name__ == "__main__":
    {"check": check, "write": write}[sys.argv[1]](sys.argv[2])
