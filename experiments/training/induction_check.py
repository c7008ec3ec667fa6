#!/usr/bin/env python3
"""Does an induction head form at this context length? A minutes-long check of train.py's model.

    /usr/bin/python3 experiments/training/induction_check.py --length 64  --batch 16 --steps 600
    /usr/bin/python3 experiments/training/induction_check.py --length 256 --batch 4  --steps 1000

Trains train.py's Llama (2 layers, width 64, 2 query heads, 1 KV head, the shipped vocabulary's
size) on the plainest copy task: a segment of uniformly random token ids, then the same segment
again, loss on the second copy only, which an induction head predicts and nothing else does. It
prints step, loss and the second copy's teacher-forced accuracy every 50 steps. Measured on
2026-12-02 (1,024 tokens a step both times, one thread of a loaded machine): at 64 tokens the
accuracy leaves zero near step 250 and reaches 0.72 by step 550; at 256 tokens it is still 0.00 at
step 950. The attention a head starts with is spread over the whole context, so the gradient
towards the one position worth copying is about 1/length as strong: start short.
"""
import argparse
import os
import sys
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from train import Llama  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--length", type=int, default=64, help="tokens per row: two copies of length/2")
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--vocab", type=int, default=3858)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(1)
    V, T, half = args.vocab, args.length, args.length // 2
    cfg = dict(vocab=V, dim=64, layers=2, heads=2, kv_heads=1, head_dim=32, ffn=128, context=max(256, T),
               rope_base=10000.0, norm_eps=1e-5)
    torch.manual_seed(args.seed)
    model = Llama(cfg)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    rng = np.random.default_rng(args.seed)
    t0 = time.time()
    for step in range(args.steps):
        seg = rng.integers(0, V, size=(args.batch, half))
        x = torch.from_numpy(np.concatenate([seg, seg], 1))
        logits = model(x[:, :-1])[:, half:]
        target = x[:, 1:][:, half:]  # positions half.. predict the second copy's tokens 2..
        loss = F.cross_entropy(logits.reshape(-1, V), target.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 50 == 0:
            acc = float((logits.argmax(-1) == target).float().mean())
            print(f"{step} loss {float(loss):.3f} acc {acc:.3f} ({time.time() - t0:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
