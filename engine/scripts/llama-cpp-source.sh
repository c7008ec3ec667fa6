#!/usr/bin/env bash
# Makes sure ${WINDOWKV_CACHE:-$HOME/.cache/windowkv}/llama.cpp is a git checkout of the llama.cpp
# source that the npm package node-llama-cpp bundles (package/llama/gitRelease.bundle), and prints
# its path. The npm registry is the only source we may download from; the checkout is a test
# oracle (tokenizer vectors, reference code) and is never committed.
set -euo pipefail

NPM_PACKAGE="node-llama-cpp"
NPM_VERSION="3.22.1"
CACHE="${WINDOWKV_CACHE:-$HOME/.cache/windowkv}"
DEST="$CACHE/llama.cpp"
TARBALL="$CACHE/$NPM_PACKAGE-$NPM_VERSION.tgz"

if [ -f "$DEST/.git/windowkv-done" ]; then
    echo "$DEST"
    exit 0
fi

command -v git >/dev/null 2>&1 || { echo "llama-cpp-source.sh: git is not installed (apt-get install git)" >&2; exit 1; }
mkdir -p "$CACHE"

if [ ! -s "$TARBALL" ]; then
    command -v npm >/dev/null 2>&1 || { echo "llama-cpp-source.sh: npm is not installed (apt-get install npm), needed to fetch $NPM_PACKAGE@$NPM_VERSION" >&2; exit 1; }
    echo "fetching $NPM_PACKAGE@$NPM_VERSION from the npm registry ..." >&2
    (cd "$CACHE" && npm pack --silent "$NPM_PACKAGE@$NPM_VERSION" >/dev/null) \
        || { echo "llama-cpp-source.sh: npm pack $NPM_PACKAGE@$NPM_VERSION failed (no network or registry access?)" >&2; exit 1; }
fi

WORK="$(mktemp -d "$CACHE/llama.cpp.tmp.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
tar -xzf "$TARBALL" -C "$WORK" package/llama/gitRelease.bundle \
    || { echo "llama-cpp-source.sh: $TARBALL has no package/llama/gitRelease.bundle (corrupt download? delete it and retry)" >&2; exit 1; }
git -c advice.detachedHead=false clone --quiet "$WORK/package/llama/gitRelease.bundle" "$WORK/llama.cpp" >&2 \
    || { echo "llama-cpp-source.sh: git clone of the bundled llama.cpp failed" >&2; exit 1; }
rm -rf "$DEST"
mv "$WORK/llama.cpp" "$DEST"
touch "$DEST/.git/windowkv-done"
echo "$DEST"
