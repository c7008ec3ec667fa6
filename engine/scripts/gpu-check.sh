#!/usr/bin/env bash
# The device path's check on a machine with a GPU (issue 16), in one go, under 10 minutes:
#   1. which devices TornadoVM sees (and nvidia-smi's view, where there is one);
#   2. the TornadoVM tests (engine/src/tornado-test) on TornadoVM's default device;
#   3. `bench --backends` on the default model and on a Llama-3.2-1B-shaped random Q8_0 model;
#   4. one line per backend: device, prefill and decode tok/s, bytes and launches per decoded token.
#
#   TORNADOVM_HOME=~/.cache/windowkv/tornadovm-5.2.0/sdk engine/scripts/gpu-check.sh [--out DIR] [--prompt N] [--skip-tests]
#
# Needs: a TornadoVM SDK built by ./setup-tornado.sh (with the PTX backend where CUDA is present:
# see experiments/TORNADOVM.md, "GPU"), JDK 25, Maven with the project's dependencies reachable (or
# already in ~/.m2), and for the 1B-shaped model llama.cpp's vocabulary
# (engine/scripts/llama-cpp-source.sh; without it that part is skipped with one line).
# The backend runs on TornadoVM's default device, the first that `tornado --devices` lists.
set -euo pipefail
cd "$(dirname "$0")/../.."

out=results/gpu-check
prompt=512
skip_tests=no
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --prompt) prompt=$2; shift 2 ;;
    --skip-tests) skip_tests=yes; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "gpu-check.sh: unknown option '$1' (use --out DIR, --prompt N, --skip-tests or --help)" >&2; exit 2 ;;
  esac
done

die() { echo "gpu-check.sh: $*" >&2; exit 1; }
say() { echo "[gpu-check] $*"; }

[ -n "${TORNADOVM_HOME:-}" ] || die "TORNADOVM_HOME is not set: build TornadoVM with ./setup-tornado.sh and export the line it prints"
[ -f "$TORNADOVM_HOME/tornado-argfile" ] || die "$TORNADOVM_HOME has no tornado-argfile: is it the SDK that setup-tornado.sh printed?"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -q 'version "25'; then
  JAVA_HOME=$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)
  [ -n "$JAVA_HOME" ] || die "no JDK 25 (JAVA_HOME or /usr/lib/jvm/*25*): TornadoVM's tools need the JDK it was built with"
fi
export JAVA_HOME TORNADOVM_HOME
mkdir -p "$out"
start=$(date +%s)

say "devices (tornado --devices):"
"$TORNADOVM_HOME/bin/tornado" --devices 2>&1 | sed 's/^/  /' | head -40 || say "tornado --devices failed"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>&1 | sed 's/^/  nvidia-smi: /'
else
  say "no nvidia-smi: this is not an NVIDIA machine (or its driver is missing); the check runs on whatever device TornadoVM has"
fi

if [ "$skip_tests" = no ]; then
  say "TornadoVM tests (engine/src/tornado-test) ..."
  if mvn -B -q -pl engine -am test -Dtest='Tornado*' -Dsurefire.failIfNoSpecifiedTests=false > "$out/tests.log" 2>&1; then
    tests=$(cat engine/target/surefire-reports/TEST-*Tornado*.xml 2>/dev/null | grep -o ' tests="[0-9]*"' | tr -dc '0-9\n' \
        | awk '{s+=$1} END {print s+0}')
    say "TornadoVM tests: pass ($tests tests; log $out/tests.log)"
    [ "$tests" -gt 0 ] || die "no TornadoVM test ran: is the engine's tornado profile on (TORNADOVM_HOME)?"
  else
    grep -E 'Tests run:|FAIL|ERROR' "$out/tests.log" | head -20 >&2 || true
    die "TornadoVM tests failed; log in $out/tests.log"
  fi
fi

bench() { # name, extra args...
  local name=$1; shift
  say "bench --backends on $name (prompt $prompt) ..."
  if ! experiments/windowkv bench --backends --backends-prompt "$prompt" --out "$out/$name" "$@" > "$out/$name.log" 2>&1; then
    tail -5 "$out/$name.log" >&2
    say "bench on $name failed; log in $out/$name.log"
    return 0
  fi
  summarize "$out/$name/backends.json" "$name"
}

# One line per backend from the bench JSON: whatever counters the report carries are printed by name.
summarize() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
path, name = sys.argv[1], sys.argv[2]
r = json.load(open(path))
known = {"backend", "device", "threads", "prefillTokPerSec", "decodeTokPerSec", "compressMs"}
for b in r.get("results", []):
    line = (f"  {name:14s} {b['backend']:8s} device={b.get('device') or '?'}"
            f"  prefill {b['prefillTokPerSec']:,.1f} tok/s  decode {b['decodeTokPerSec']:,.1f} tok/s")
    # The device counters (bytes and launches per decoded token, compilations, device memory): by name.
    extra = {k: v for k, v in b.items() if k not in known and v is not None}
    for k, v in (extra.pop("counters", None) or extra.pop("deviceCost", None) or {}).items():
        extra[k] = v
    # The slowdown check: decode after the short vs this prompt, beside attention's growth on the device.
    s = extra.pop("slowdown", None)
    if s:
        extra["slowdown"] = (f"{s['slowdownMs']:+.2f}ms/token(attention {s['attentionGrowthMs']:+.2f},"
                             f" tolerance {s['toleranceMs']:.2f}, {'within' if s['within'] else 'MORE'})")
    for k, v in extra.items():
        line += f"  {k}={v}"
    print(line)
EOF
}

model=experiments/models/windowkv-induction.gguf
[ -f "$model" ] || die "the default model $model is missing: is this a checkout of the project?"
# bench --backends runs tornado with TornadoVM's profiler (its slowdown check needs per-task kernel
# times), which waits for every kernel: its decode speeds are pessimistic on a GPU. For speeds without:
# WINDOWKV_JAVA_OPTS=-Dwindowkv.tornado.profiler=false (no slowdown verdict then).
say "tornado runs with TornadoVM's profiler on unless WINDOWKV_JAVA_OPTS sets -Dwindowkv.tornado.profiler=false"
bench default --model "$model"

vocab=${WINDOWKV_CACHE:-$HOME/.cache/windowkv}/llama.cpp/models/ggml-vocab-llama-bpe.gguf
if [ -f "$vocab" ]; then
  bench llama-1b-q8_0 --types Q8_0
else
  say "skipping the Llama-3.2-1B-shaped model: no llama.cpp vocabulary at $vocab (run engine/scripts/llama-cpp-source.sh)"
fi

say "done in $(( $(date +%s) - start )) s; JSON and logs in $out"
