#!/usr/bin/env bash
# Builds windowkv-llama-oracle (llama-oracle.cpp, next to this script) against the libllama of the
# native llama.cpp build (llama-cpp-native.sh: a few minutes the first time, then cached) into
# ${WINDOWKV_CACHE:-$HOME/.cache/windowkv}/llama-oracle, and prints the binary's path. The
# NativeLlamaCppOracleTest runs it; without it that test is skipped. Never committed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${WINDOWKV_CACHE:-$HOME/.cache/windowkv}"
OUT="$CACHE/llama-oracle"
EXE="$OUT/windowkv-llama-oracle"
SRC="$HERE/llama-oracle.cpp"

command -v c++ >/dev/null 2>&1 || { echo "llama-cpp-oracle.sh: no C++ compiler (apt-get install g++)" >&2; exit 1; }
BIN="$("$HERE/llama-cpp-native.sh")"
SOURCE="$("$HERE/llama-cpp-source.sh")"
STAMP="$(cat "$SRC" "$BIN/../windowkv-done" | sha256sum | cut -c1-16)"
if [ -x "$EXE" ] && [ "$(cat "$OUT/windowkv-done" 2>/dev/null)" = "$STAMP" ]; then
    echo "$EXE"
    exit 0
fi
[ -e "$BIN/libllama.so" ] || { echo "llama-cpp-oracle.sh: $BIN has no libllama.so (a static build?); delete $BIN/.. and rerun" >&2; exit 1; }
mkdir -p "$OUT"
c++ -std=c++17 -O2 -o "$EXE" "$SRC" -I"$SOURCE/include" -I"$SOURCE/ggml/include" \
    -L"$BIN" -lllama -Wl,-rpath,"$BIN" \
    || { echo "llama-cpp-oracle.sh: compiling $SRC failed (see above)" >&2; exit 1; }
echo "$STAMP" > "$OUT/windowkv-done"
echo "$EXE"
