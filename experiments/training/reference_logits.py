#!/usr/bin/env python3
"""The logits train.py's model gives a token sequence, for checking an export end to end.

    python3 experiments/training/reference_logits.py --weights /tmp/wkv-run --tokens 3856,12,55 --out ref.json

reads weights.json + weights.bin (what import-weights reads, so the check covers that file too) and
writes {"tokens", "argmax" (greedy next token after every prefix), "last_logits", "greedy" (the
--greedy tokens decoded after the sequence)}. The Java side (TrainedExportTest) runs the exported GGUF
on the same tokens and compares.

    python3 experiments/training/reference_logits.py --formula --weights DIR --out ref.json

first writes DIR/weights.{json,bin} of a tiny model whose every weight is a closed formula, the same
one TrainedExportTest computes in Java: the committed fixture that lets `mvn verify` check the
export against PyTorch without PyTorch installed.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train  # noqa: E402

FORMULA_CONFIG = dict(vocab=3858, dim=32, layers=2, heads=4, kv_heads=2, head_dim=8, ffn=64, context=256,
                      rope_base=10000.0, norm_eps=1e-5)
FORMULA_TOKENS = [3856, 2990, 32, 2166, 2514, 3710, 2933, 2128, 2908, 1508, 1433, 2260, 2706, 46, 2867, 2158]


def formula(index, shape):
    """Tensor number `index`: vectors 1 + 0.1 sin(...), matrices 0.25 sin(...) (TrainedExportTest.formula)."""
    n = int(np.prod(shape))
    i = np.arange(n, dtype=np.float64)
    if len(shape) == 1:
        v = 1.0 + 0.1 * np.sin(0.37 * i + 1.1 * index)
    else:
        v = 0.25 * np.sin(0.113 * i + 0.7 * index) * np.cos(0.0071 * i)
    return v.astype(np.float32).reshape(shape)


def load(folder):
    meta = json.load(open(os.path.join(folder, "weights.json")))
    model = train.Llama(meta["config"])
    data = np.fromfile(os.path.join(folder, "weights.bin"), dtype="<f4")
    params = dict(model.gguf_parameters())
    with torch.no_grad():
        for t in meta["tensors"]:
            n = int(np.prod(t["shape"]))
            arr = data[t["offset"] // 4: t["offset"] // 4 + n].reshape(t["shape"])
            params[t["name"]].copy_(torch.from_numpy(arr.copy()))
    return model.eval()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--weights", required=True)
    ap.add_argument("--tokens", help="comma-separated token ids (default with --formula: the fixture's)")
    ap.add_argument("--greedy", type=int, default=8)
    ap.add_argument("--formula", action="store_true")
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.formula:
        os.makedirs(args.weights, exist_ok=True)
        model = train.Llama(FORMULA_CONFIG)
        with torch.no_grad():
            for k, (name, p) in enumerate(model.gguf_parameters()):
                p.copy_(torch.from_numpy(formula(k, tuple(p.shape))))
        train.write_weights(model, args.weights, dict(step=0, tokens=0, seed=0, command="reference_logits.py --formula"))
    model = load(args.weights)
    tokens = [int(t) for t in args.tokens.split(",")] if args.tokens else FORMULA_TOKENS
    with torch.no_grad():
        logits = model(torch.tensor([tokens]))[0].double()
        seq = list(tokens)
        for _ in range(args.greedy):
            seq.append(int(model(torch.tensor([seq]))[0, -1].argmax()))
    out = dict(tokens=tokens, argmax=[int(x) for x in logits.argmax(-1)],
               last_logits=[round(float(x), 6) for x in logits[-1]], greedy=seq[len(tokens):])
    with open(args.out, "w") as f:
        json.dump(out, f)
    print(f"wrote {args.out}: greedy {out['greedy']}", file=sys.stderr)


if __name__ == "__main__":
    main()
