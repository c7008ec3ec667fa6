#!/usr/bin/env python3
"""Trains the small Llama-architecture model of issue 17 on the task suite's retrieval samples.

One command, one seed, resumable:

    nice -n 5 /usr/bin/python3 experiments/training/train.py --seed 1 --data /tmp/wkv-train \
        --held-out /tmp/wkv2-heldout-ckpt --out /tmp/wkv2-run --until 2026-12-02T03:38

The data folder is what `windowkv training-data` writes (tokens-L<n>.u16 + index-L<n>.csv per
length; a held-out folder written with --held-out is scored at every checkpoint).

What a step trains on (the second recipe; the first, answer tokens only, plateaued at 3.6 nats and
never learnt where to copy from; MODEL_CARD.md): rows of the current prompt length, each either
  - a suite sample (prompt + answer, loss on the answer) followed by copy probes: runs of 2-6 tokens
    taken from a random place of its own prompt, each followed by the 1-24 tokens that came after it
    there, with loss on those (--copy-fraction of the prompt length; many recall events per row, as
    in the Zoology paper's multi-query associative recall), or
  - (--repeat-fraction of the rows) a segment of uniformly drawn token ids repeated to the row's
    length, with loss on every repeat: the plainest signal for an induction head.
A curriculum length below the shortest samples' (64, say: an induction head forms far sooner on
short rows, induction_check.py) makes rows of that length: repeats, and windows of a sample's
prompt with probes into them.

The run stops at a wall-clock time (--until, UTC) rather than after a duration, so it tolerates being
paused (SIGSTOP/SIGCONT) by other work on the machine, whose CPU share varies. So the curriculum moves
on by competence (to the next length once the answer tokens of the current one are right
--advance-at of the time) or at its cap (a step count, or with a decimal point a fraction of the
wall-clock window), and the learning rate is constant after warmup and decays over the last tenth of
the window. Every --checkpoint-minutes it writes out/checkpoint.pt (model, optimiser, step, clock) and
out/weights.bin + out/weights.json (the float32 tensors under their GGUF names, for `windowkv
import-weights`), and appends to out/loss.csv.

The model is Llama as llama.cpp computes it: RMSNorm, RoPE on adjacent pairs (GGUF's `llama`
layout, so no Q/K permutation at export), grouped-query attention with query head h reading KV head
h // (heads / kv_heads), SwiGLU, untied output matrix.
"""
import argparse
import collections
import csv
import datetime as dt
import json
import math
import os
import struct
import sys
import time

# OpenMP threads that spin while they wait crawl on a shared machine (measured here: 450 tokens per
# CPU-second with 2 spinning threads under load, 5,500 with 1 thread); passive waiting, set before
# torch loads its OpenMP runtime.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402


# ----------------------------------------------------------------------------------------- model

class RMSNorm(nn.Module):
    def __init__(self, dim, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))
        self.eps = eps

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


def rope_tables(head_dim, length, base):
    # ggml's NORM rope: pair (2i, 2i+1) turns by pos * base^(-2i/d).
    inv = base ** (-torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    ang = torch.arange(length, dtype=torch.float64)[:, None] * inv[None, :]
    return torch.cos(ang).float(), torch.sin(ang).float()


def apply_rope(x, cos, sin):
    # x: (B, heads, T, hd); adjacent pairs.
    x0, x1 = x[..., 0::2], x[..., 1::2]
    c, s = cos[: x.shape[2]], sin[: x.shape[2]]
    out = torch.stack((x0 * c - x1 * s, x0 * s + x1 * c), dim=-1)
    return out.flatten(-2)


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        d, h, kv, hd, ffn = cfg["dim"], cfg["heads"], cfg["kv_heads"], cfg["head_dim"], cfg["ffn"]
        self.h, self.kv, self.hd = h, kv, hd
        self.attn_norm = RMSNorm(d, cfg["norm_eps"])
        self.attn_q = nn.Linear(d, h * hd, bias=False)
        self.attn_k = nn.Linear(d, kv * hd, bias=False)
        self.attn_v = nn.Linear(d, kv * hd, bias=False)
        self.attn_output = nn.Linear(h * hd, d, bias=False)
        self.ffn_norm = RMSNorm(d, cfg["norm_eps"])
        self.ffn_gate = nn.Linear(d, ffn, bias=False)
        self.ffn_up = nn.Linear(d, ffn, bias=False)
        self.ffn_down = nn.Linear(ffn, d, bias=False)

    def forward(self, x, cos, sin, mask):
        B, T, _ = x.shape
        a = self.attn_norm(x)
        q = self.attn_q(a).view(B, T, self.h, self.hd).transpose(1, 2)
        k = self.attn_k(a).view(B, T, self.kv, self.hd).transpose(1, 2)
        v = self.attn_v(a).view(B, T, self.kv, self.hd).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        rep = self.h // self.kv
        k, v = k.repeat_interleave(rep, dim=1), v.repeat_interleave(rep, dim=1)
        att = (q @ k.transpose(-1, -2)) * (1.0 / math.sqrt(self.hd)) + mask[:T, :T]
        y = torch.softmax(att, dim=-1) @ v
        x = x + self.attn_output(y.transpose(1, 2).reshape(B, T, self.h * self.hd))
        f = self.ffn_norm(x)
        return x + self.ffn_down(F.silu(self.ffn_gate(f)) * self.ffn_up(f))


class Llama(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.token_embd = nn.Embedding(cfg["vocab"], cfg["dim"])
        self.blocks = nn.ModuleList(Block(cfg) for _ in range(cfg["layers"]))
        self.output_norm = RMSNorm(cfg["dim"], cfg["norm_eps"])
        self.output = nn.Linear(cfg["dim"], cfg["vocab"], bias=False)
        cos, sin = rope_tables(cfg["head_dim"], cfg["context"], cfg["rope_base"])
        self.register_buffer("cos", cos, persistent=False)
        self.register_buffer("sin", sin, persistent=False)
        mask = torch.full((cfg["context"], cfg["context"]), float("-inf")).triu(1)
        self.register_buffer("mask", mask, persistent=False)
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * cfg["layers"]) if name.endswith(("attn_output.weight", "ffn_down.weight")) else 0.02
                nn.init.normal_(p, std=std)

    def forward(self, ids, where=None):
        """Logits (B, T, vocab); or, given a (B, T) boolean mask, only those positions' (N, vocab)."""
        x = self.token_embd(ids)
        for b in self.blocks:
            x = b(x, self.cos, self.sin, self.mask)
        if where is not None:
            x = x[where]  # the output matrix is the largest per-token cost; skip positions without loss
        return self.output(self.output_norm(x))

    def gguf_parameters(self):
        """(GGUF name, parameter) in the order weights.bin and the GGUF hold them."""
        out = [("token_embd.weight", self.token_embd.weight)]
        for i, b in enumerate(self.blocks):
            p = f"blk.{i}."
            for n in ("attn_norm", "attn_q", "attn_k", "attn_v", "attn_output", "ffn_norm", "ffn_gate", "ffn_up", "ffn_down"):
                out.append((p + n + ".weight", getattr(b, n).weight))
        return out + [("output_norm.weight", self.output_norm.weight), ("output.weight", self.output.weight)]

    def gguf_tensors(self):
        """(GGUF name, float32 array of shape (rows, cols) or (n,)): a Linear's (out, in) is GGUF's rows and cols."""
        return [(n, t.detach().float().cpu().numpy()) for n, t in self.gguf_parameters()]


def write_weights(model, folder, extra):
    """weights.json (config + tensor names/shapes/offsets) and weights.bin (little-endian float32)."""
    entries, offset = [], 0
    tmp = os.path.join(folder, "weights.bin.tmp")
    with open(tmp, "wb") as f:
        for name, arr in model.gguf_tensors():
            data = np.ascontiguousarray(arr, dtype="<f4").tobytes()
            f.write(data)
            entries.append({"name": name, "shape": list(arr.shape), "offset": offset})
            offset += len(data)
    os.replace(tmp, os.path.join(folder, "weights.bin"))
    meta = dict(config=model.cfg, tensors=entries, **extra)
    with open(os.path.join(folder, "weights.json.tmp"), "w") as f:
        json.dump(meta, f, indent=1)
    os.replace(os.path.join(folder, "weights.json.tmp"), os.path.join(folder, "weights.json"))


# ------------------------------------------------------------------------------------------ data

class Bucket:
    """The samples of one prompt length: token ids, and per sample its span and answer start."""

    def __init__(self, folder, length):
        self.length = length
        self.tokens = np.fromfile(os.path.join(folder, f"tokens-L{length}.u16"), dtype="<u2")
        with open(os.path.join(folder, f"index-L{length}.csv")) as f:
            rows = list(csv.DictReader(f))
        self.offset = np.array([int(r["offset"]) for r in rows])
        self.count = np.array([int(r["tokens"]) for r in rows])
        self.answer = np.array([int(r["answer_start"]) for r in rows])
        self.rows = rows

    def __len__(self):
        return len(self.rows)

    def vocabulary(self):
        """The token ids of this bucket's samples, BOS excluded (what a repeated segment draws from)."""
        if not hasattr(self, "_vocabulary"):
            ids = np.unique(self.tokens)
            self._vocabulary = ids[ids != self.tokens[0]]
        return self._vocabulary

    def batch(self, picks, haystack_weight, copy_tokens=0, rng=None, repeat_fraction=0.0, crop=0):
        """ids (B, T), targets (B, T), weights (B, T): weight 1 on answer tokens, haystack_weight elsewhere.

        With copy_tokens > 0, each sample is followed by about that many tokens of copy probes (see
        copy_probes), whose copied tokens also have weight 1. With repeat_fraction > 0, that fraction
        of the rows is a repeated random-token segment instead (see repeated_segment)."""
        rows = []
        for i in picks:
            if repeat_fraction > 0 and rng.random() < repeat_fraction:
                seq, w = repeated_segment(int(self.tokens[0]), self.vocabulary(), crop or self.length, rng)
                rows.append((seq, w, 1))  # counted with the probes in the log
                continue
            if crop:
                # A row shorter than any suite sample (an induction head forms far sooner on short rows:
                # induction_check.py): BOS, a window of the sample's prompt, probes into that window.
                prompt = self.tokens[self.offset[i] + 1: self.offset[i] + self.answer[i]].astype(np.int64)
                n = crop - 1 - copy_tokens
                start = int(rng.integers(0, max(1, len(prompt) - n + 1)))
                window = prompt[start: start + n]
                probe, pw = copy_probes(window, copy_tokens, rng)
                seq = np.concatenate([self.tokens[self.offset[i]: self.offset[i] + 1].astype(np.int64), window, probe])
                w = np.concatenate([np.zeros(1 + len(window), np.float32), pw])
                rows.append((seq, w, 1 + len(window)))
                continue
            seq = self.tokens[self.offset[i]: self.offset[i] + self.count[i]].astype(np.int64)
            w = np.full(len(seq), haystack_weight, dtype=np.float32)
            w[self.answer[i]:] = 1.0  # every answer token (and the closing full stop)
            if copy_tokens > 0:
                probe, pw = copy_probes(seq[1:self.answer[i]], copy_tokens, rng)
                seq, w = np.concatenate([seq, probe]), np.concatenate([w, pw])
            rows.append((seq, w, self.count[i]))
        T = max(len(seq) for seq, _, _ in rows) - 1
        ids = np.zeros((len(picks), T), dtype=np.int64)
        tgt = np.zeros((len(picks), T), dtype=np.int64)
        wt = np.zeros((len(picks), T), dtype=np.float32)
        probe = np.zeros((len(picks), T), dtype=bool)
        for r, (seq, w, sample_end) in enumerate(rows):
            n = len(seq) - 1
            ids[r, :n], tgt[r, :n], wt[r, :n] = seq[:-1], seq[1:], w[1:]  # w[j]: the weight of predicting token j
            probe[r, sample_end - 1: n] = True
        self.last_probe = torch.from_numpy(probe)  # which positions are copy probes (for the log)
        return torch.from_numpy(ids), torch.from_numpy(tgt), torch.from_numpy(wt)


def repeated_segment(bos, vocabulary, length, rng):
    """BOS, then a segment of tokens drawn uniformly from `vocabulary`, repeated until `length`
    tokens; weight 1 on every token after the first copy. Each repeated token is predictable only by
    finding the previous occurrence of the token before it and copying its successor, so this is the
    plainest signal for an induction head (Olsson et al. 2022), with no ambiguity: ids are uniform
    over the vocabulary, unlike the haystack's common words. It bootstraps the copying circuit that
    the probes and the needles then sharpen to longer matches."""
    # Up to half the length, so that at 1,024 and 2,048 tokens the copies reach as far back as the needles do.
    s = int(rng.integers(min(8, length // 4), length // 2 + 1))
    seg = rng.choice(vocabulary, size=s)
    reps = -(-(length - 1) // s)
    seq = np.concatenate([[bos], np.tile(seg, reps)[: length - 1]]).astype(np.int64)
    w = np.zeros(len(seq), np.float32)
    w[1 + s:] = 1.0
    return seq, w


def copy_probes(context, budget, rng, key=(2, 6), value=(1, 24)):
    """Dense recall events for one sample: about `budget` tokens of probes, each a run of `key` tokens
    taken from a random place of the sample's prompt (`context`) followed by the `value` tokens that
    came after it there. The probe's key carries no loss (it is a random pick); its value does, and
    only a model that finds where the key occurred and copies what followed (a previous-token head
    feeding an induction head, matching several tokens) predicts it. This is the retrieval the
    suite's answer prefix asks for, with many events per sample instead of one (the multi-query
    associative recall of the Zoology paper), on the noise haystack's words."""
    toks, ws = [], []
    used = 0
    while used < budget:
        k = int(rng.integers(key[0], key[1] + 1))
        m = int(rng.integers(value[0], value[1] + 1))
        if len(context) < k + m + 1:
            break
        p = int(rng.integers(0, len(context) - k - m + 1))
        toks.append(context[p: p + k + m])
        ws.append(np.concatenate([np.zeros(k, np.float32), np.ones(m, np.float32)]))
        used += k + m
    if not toks:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    return np.concatenate(toks), np.concatenate(ws)


def load_buckets(folder):
    lengths = sorted(int(n[len("tokens-L"):-len(".u16")]) for n in os.listdir(folder)
                     if n.startswith("tokens-L") and n.endswith(".u16"))
    return {L: Bucket(folder, L) for L in lengths}


@torch.no_grad()
def held_out_accuracy(model, bucket, n, batch):
    """Fraction of the first n held-out samples whose whole value is the greedy argmax at every answer position."""
    model.eval()
    right, total = 0, 0
    for s in range(0, min(n, len(bucket)), batch):
        picks = np.arange(s, min(s + batch, n, len(bucket)))
        ids, tgt, w = bucket.batch(picks, 0.0)
        where = w > 0
        hit = torch.ones_like(w, dtype=torch.bool)
        hit[where] = model(ids, where).argmax(-1) == tgt[where]
        ok = hit.all(dim=1)  # every answer token (and the full stop) right
        right += int(ok.sum())
        total += len(picks)
    model.train()
    return right / max(total, 1)


# ------------------------------------------------------------------------------------------ main

def parse_until(text):
    t = dt.datetime.fromisoformat(text)
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    return t.timestamp()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--data", required=True, help="folder written by `windowkv training-data`")
    ap.add_argument("--held-out", help="folder written by `windowkv training-data --held-out` (scored at checkpoints)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--until", help="UTC wall-clock time to stop, e.g. 2026-12-02T01:30")
    ap.add_argument("--hours", type=float, help="or: stop this many hours after the first start")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps (0: no limit)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--dim", type=int, default=128)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=256)
    ap.add_argument("--context", type=int, default=4096)
    ap.add_argument("--rope-base", type=float, default=10000.0)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--warmup", type=int, default=50)
    ap.add_argument("--batch-tokens", type=int, default=2048)
    ap.add_argument("--haystack-weight", type=float, default=0.0,
                    help="loss weight of the prompt tokens (the answer has 1); 0 skips their output layer")
    ap.add_argument("--curriculum", default="256:0.75,1024:0.9,2048:0",
                    help="length:cap pairs, a cap being a step count (0: none) or, with a decimal point, a fraction "
                         "of the wall-clock window; after the first phase, a quarter of the steps draw "
                         "their length from an earlier phase")
    ap.add_argument("--advance-at", type=float, default=0.9,
                    help="move to the next length once the teacher-forced answer-token accuracy of the last "
                         "50 steps at the current one reaches this")
    ap.add_argument("--copy-fraction", type=float, default=0.25,
                    help="copy probes after each sample, as a fraction of its prompt length (0: none)")
    ap.add_argument("--repeat-fraction", type=float, default=0.4,
                    help="fraction of the rows that are a repeated random-token segment (0: none)")
    ap.add_argument("--induction-warmup", type=float, default=0.9,
                    help="every row is a repeated segment, at the first curriculum length, until the copied tokens "
                         "of the last 50 steps are right this often (0: no warm-up); an induction head forms on those "
                         "within minutes at 64 tokens, and the probes and needles then sharpen it (MODEL_CARD.md)")
    ap.add_argument("--clip", type=float, default=1.0,
                    help="gradient-norm clip after the induction warm-up (none during it: clipped, the copy task's "
                         "phase change came hundreds of steps later in induction_check.py)")
    ap.add_argument("--checkpoint-minutes", type=float, default=8)
    ap.add_argument("--held-out-samples", type=int, default=8, help="held-out prompts per length scored at each checkpoint")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "train.pid"), "w") as f:
        f.write(str(os.getpid()))
    buckets = load_buckets(args.data)
    held = load_buckets(args.held_out) if args.held_out else {}
    # A phase's cap is a step count, or with a decimal point a fraction of the wall-clock window.
    phases = [(int(a), float(b) if "." in b else int(b)) for a, b in (p.split(":") for p in args.curriculum.split(","))]
    if not buckets:
        sys.exit(f"train.py: no training data in {args.data}; write it with `windowkv training-data`")

    def bucket(L):
        # A length whose data is still being written is picked up once its files appear (they are
        # renamed into place whole); until then the longest length there is stands in.
        if L not in buckets and os.path.exists(os.path.join(args.data, f"tokens-L{L}.u16")):
            buckets[L] = Bucket(args.data, L)
        if L not in buckets:
            L = max([k for k in buckets if k <= L] or [min(buckets)])
        return buckets[L]

    vocab = int(max(b.tokens.max() for b in buckets.values())) + 1
    meta_path = os.path.join(args.data, "vocab.txt")
    if os.path.exists(meta_path):
        vocab = int(open(meta_path).read().strip())
    cfg = dict(vocab=vocab, dim=args.dim, layers=args.layers, heads=args.heads, kv_heads=args.kv_heads,
               head_dim=args.dim // args.heads, ffn=args.ffn, context=args.context, rope_base=args.rope_base,
               norm_eps=1e-5)

    ckpt_path = os.path.join(args.out, "checkpoint.pt")
    torch.manual_seed(args.seed)
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        cfg = ck["config"]
        model = Llama(cfg)
        model.load_state_dict(ck["model"])
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
        opt.load_state_dict(ck["optimizer"])
        step, tokens_seen, t_start, t_end = ck["step"], ck["tokens"], ck["t_start"], ck["t_end"]
        phase = ck["phase"]
        warmed = ck.get("warmed", True)
        if args.until:
            t_end = parse_until(args.until)  # a resumed run may be given a new stop time
        print(f"resumed at step {step} ({tokens_seen} tokens)", flush=True)
    else:
        model = Llama(cfg)
        opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
        step, tokens_seen, t_start, phase = 0, 0, time.time(), 0
        warmed = args.induction_warmup <= 0
        t_end = parse_until(args.until) if args.until else t_start + 3600 * (args.hours or 1.0)
    print(f"model: {sum(p.numel() for p in model.parameters())} parameters, {cfg}", flush=True)

    loss_csv = os.path.join(args.out, "loss.csv")
    if not os.path.exists(loss_csv):
        with open(loss_csv, "w") as f:
            f.write("step,tokens,wall_s,length,lr,loss,answer_loss,answer_token_acc,heldout_1024,heldout_2048,"
                    "copy_token_acc,heldout_256\n")

    def checkpoint(final=False):
        torch.save(dict(model=model.state_dict(), optimizer=opt.state_dict(), config=cfg, step=step, tokens=tokens_seen,
                        t_start=t_start, t_end=t_end, phase=phase, warmed=warmed), ckpt_path + ".tmp")
        os.replace(ckpt_path + ".tmp", ckpt_path)
        write_weights(model, args.out, dict(step=step, tokens=tokens_seen, seed=args.seed, phase=phase,
                                            command=" ".join(sys.argv)))
        for L in (1024, 2048, 256):
            if L not in held and os.path.exists(os.path.join(args.held_out or "", f"tokens-L{L}.u16")):
                held[L] = Bucket(args.held_out, L)
        accs = [held_out_accuracy(model, held[L], args.held_out_samples, 4) if L in held else "" for L in (1024, 2048, 256)]
        return accs

    rng = np.random.default_rng(args.seed + step)  # a resumed run does not replay the batches it saw
    # Competence per phase: the answer tokens' accuracy, or the copied tokens' in a phase of cropped
    # rows (they hold no answer).
    recent = [collections.deque(maxlen=50) for _ in phases]
    warm_copy = collections.deque(maxlen=50)
    last_ckpt = time.time()
    window = []
    while True:
        now = time.time()
        frac = min(1.0, (now - t_start) / max(1.0, t_end - t_start))
        if now >= t_end or (args.max_steps and step >= args.max_steps):
            break
        cap = phases[phase][1] if phase + 1 < len(phases) else 0
        if warmed and phase + 1 < len(phases) and ((isinstance(cap, float) and cap <= frac) or (isinstance(cap, int) and 0 < cap <= step) or (
                len(recent[phase]) == 50 and np.mean(recent[phase]) >= args.advance_at)):
            phase += 1
            print(f"step {step}: length {phases[phase][0]} from now on", flush=True)
        # Mostly the current length, a quarter of the steps an earlier one, so short contexts are not forgotten.
        L = phases[phase][0] if phase == 0 or rng.random() < 0.75 else phases[rng.integers(0, phase)][0]
        b = bucket(L)
        # A length below the shortest suite samples' is made of cropped rows (Bucket.batch).
        crop = L if L < min(buckets) else 0
        L = crop or b.length
        n = max(1, args.batch_tokens // L)
        picks = rng.integers(0, len(b), size=n)
        ids, tgt, w = b.batch(picks, args.haystack_weight, int(args.copy_fraction * L), rng,
                              args.repeat_fraction if warmed else 1.0, crop)

        # Warmup, then constant, then a linear decay over the last tenth of the wall-clock window: the
        # CPU share of a shared machine varies, so the step count is unknown in advance.
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * (1.0 if frac < 0.9 else 1.0 - 9.0 * (frac - 0.9))
        for g in opt.param_groups:
            g["lr"] = lr
        where = w > 0
        logits = model(ids, where)
        ce = F.cross_entropy(logits, tgt[where], reduction="none")
        wv = w[where]
        loss = (ce * wv).sum() / wv.sum()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        if warmed and args.clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
        opt.step()
        step += 1
        tokens_seen += int(ids.numel())

        probe = b.last_probe[where]
        ans = (wv == 1.0) & ~probe
        with torch.no_grad():
            hit = (logits.argmax(-1) == tgt[where]).float()
            ans_loss = float(ce[ans].mean())
            ans_acc = float(hit[ans].mean())
            copy_acc = float(hit[probe].mean()) if bool(probe.any()) else float("nan")
        window.append((float(loss), ans_loss, ans_acc, copy_acc))
        if not warmed:
            warm_copy.append(copy_acc)
            if len(warm_copy) == 50 and np.mean(warm_copy) >= args.induction_warmup:
                warmed = True
                print(f"step {step}: induction warm-up done (copied tokens {np.mean(warm_copy):.3f}); the row mix from now on",
                      flush=True)
        else:
            recent[[p[0] for p in phases].index(L) if L in [p[0] for p in phases] else phase].append(
                copy_acc if crop else ans_acc)
        if step % 10 == 0 or time.time() - last_ckpt > 60 * args.checkpoint_minutes:
            m = np.nanmean(np.array(window), axis=0)  # copy_acc is NaN on steps without probes
            window = []
            accs = ["", "", ""]
            if time.time() - last_ckpt > 60 * args.checkpoint_minutes:
                accs = checkpoint()
                last_ckpt = time.time()
            with open(loss_csv, "a") as f:
                f.write(f"{step},{tokens_seen},{time.time() - t_start:.0f},{L},{lr:.6f},{m[0]:.4f},{m[1]:.4f},{m[2]:.4f},"
                        f"{accs[0]},{accs[1]},{m[3]:.4f},{accs[2]}\n")
            print(f"step {step} tok {tokens_seen} L {L} lr {lr:.5f} loss {m[0]:.3f} ans {m[1]:.3f} acc {m[2]:.3f} "
                  f"copy {m[3]:.3f} held {accs} ({dt.datetime.utcnow():%H:%M:%S})", flush=True)
    accs = checkpoint(final=True)
    with open(loss_csv, "a") as f:
        f.write(f"{step},{tokens_seen},{time.time() - t_start:.0f},,,,,,{accs[0]},{accs[1]},,{accs[2]}\n")
    print(f"done: step {step}, {tokens_seen} tokens, held-out {accs}", flush=True)


if __name__ == "__main__":
    main()
