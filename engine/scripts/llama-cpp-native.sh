#!/usr/bin/env bash
# Builds llama.cpp's llama-bench and llama-quantize for this CPU (AVX-512/VNNI where the CPU has
# them) once, from the checkout llama-cpp-source.sh makes, into
# ${WINDOWKV_CACHE:-$HOME/.cache/windowkv}/llama.cpp-build, and prints the folder holding the two
# binaries. The build is the speed reference for `windowkv bench`; it is never committed.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${WINDOWKV_CACHE:-$HOME/.cache/windowkv}"
BUILD="$CACHE/llama.cpp-build"
BIN="$BUILD/bin"

if [ -x "$BIN/llama-bench" ] && [ -x "$BIN/llama-quantize" ] && [ -f "$BUILD/windowkv-done" ]; then
    echo "$BIN"
    exit 0
fi

command -v cmake >/dev/null 2>&1 || { echo "llama-cpp-native.sh: cmake is not installed (apt-get install cmake g++)" >&2; exit 1; }
command -v c++ >/dev/null 2>&1 || { echo "llama-cpp-native.sh: no C++ compiler (apt-get install g++)" >&2; exit 1; }

SOURCE="$("$HERE/llama-cpp-source.sh")"
JOBS="${WINDOWKV_BUILD_JOBS:-$(nproc)}"
echo "building llama-bench and llama-quantize from $SOURCE (a few minutes) ..." >&2
# Not GGML_NATIVE: on CPUs that report AMX (Sapphire Rapids and later, as this project's machines
# turned out to be) -march=native turns on llama.cpp's AMX path, and llama-bench then crashes in its
# first computation (exit 139) in these VMs. So: the SIMD extensions the CPU has, named, AMX off.
flags="$(grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || true)"
has() { case " $flags " in *" $1 "*) echo ON;; *) echo OFF;; esac; }
cmake -S "$SOURCE" -B "$BUILD" -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF -DCMAKE_BUILD_TYPE=Release \
      -DGGML_AVX="$(has avx)" -DGGML_AVX2="$(has avx2)" -DGGML_FMA="$(has fma)" -DGGML_F16C="$(has f16c)" \
      -DGGML_AVX512="$(has avx512f)" -DGGML_AVX512_VNNI="$(has avx512_vnni)" -DGGML_AVX512_BF16="$(has avx512_bf16)" \
      -DGGML_AVX512_VBMI="$(has avx512vbmi)" -DGGML_AVX_VNNI="$(has avx_vnni)" \
      -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF \
      -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_SERVER=OFF >&2 \
    || { echo "llama-cpp-native.sh: cmake configure failed (see above)" >&2; exit 1; }
cmake --build "$BUILD" -j"$JOBS" --target llama-bench llama-quantize >&2 \
    || { echo "llama-cpp-native.sh: build failed (see above)" >&2; exit 1; }
[ -x "$BIN/llama-bench" ] || { echo "llama-cpp-native.sh: build finished but $BIN/llama-bench is missing" >&2; exit 1; }
(cd "$SOURCE" && git rev-parse --short HEAD) > "$BUILD/windowkv-done"
echo "$BIN"
