#!/usr/bin/env python3
"""The held-out table of the trained model from a sweep's results (experiments/configs/trained-heldout.json).

    python3 experiments/training/heldout_table.py results/trained-heldout/results.jsonl

Prints, as Markdown, FullKV's mean score per task, prompt length and value span over all depths,
the worst (task, length, depth, span) cell, and whether every cell reaches the bar (0.9). A cell is
the rows of one task, length, depth and realised value span (the rows record the span the value
really has in the model's tokens; the task's own short value lands in the cell of its realised span).
Standard library only.
"""
import collections
import json
import sys

BAR = 0.9


def main(path):
    cells = collections.defaultdict(list)
    for line in open(path):
        r = json.loads(line)
        if r["policy"] != "full":
            continue
        cells[(r["task"], r["length"], r["depth"], r.get("valueSpan"))].append(r["score"])
    if not cells:
        sys.exit(f"heldout_table.py: no FullKV rows in {path}")
    means = {k: sum(v) / len(v) for k, v in cells.items()}
    spans = sorted({k[3] for k in cells}, key=lambda s: -1 if s is None else s)
    tasks = sorted({(k[0], k[1]) for k in cells})
    print("| task | length | " + " | ".join(f"span {s}" for s in spans) + " |")
    print("|---|---|" + "---|" * len(spans))
    for task, length in tasks:
        row = []
        for s in spans:
            vals = [v for k, v in means.items() if k[0] == task and k[1] == length and k[3] == s]
            row.append(f"{sum(vals) / len(vals):.2f} (min {min(vals):.2f})" if vals else "-")
        print(f"| {task} | {length} | " + " | ".join(row) + " |")
    failing = sorted(k for k, m in means.items() if m < BAR)
    worst = min(means.items(), key=lambda kv: kv[1])
    print()
    print(f"{len(means)} cells, {sum(len(v) for v in cells.values())} prompts; overall FullKV "
          f"{sum(sum(v) for v in cells.values()) / sum(len(v) for v in cells.values()):.3f}; "
          f"worst cell {worst[0]} = {worst[1]:.2f}; cells below {BAR}: {len(failing)} -> "
          + ("PASS" if not failing else "FAIL"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: heldout_table.py RESULTS.jsonl")
    main(sys.argv[1])
