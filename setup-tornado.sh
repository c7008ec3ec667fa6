#!/usr/bin/env bash
# Installs TornadoVM 5.2.0 (JDK 25 line) with its OpenCL backend (plus PTX where CUDA is present),
# PoCL as the CPU OpenCL device where no GPU is present, and the API/runtime jars in the local
# Maven repository as tornado:tornado-api / tornado:tornado-runtime, which switches on the
# engine's `tornado` profile. Prints the TORNADOVM_HOME to export.
#
#   ./setup-tornado.sh                 connected machine: builds the release tag from its git repository
#   ./setup-tornado.sh --source DIR    offline: builds a local TornadoVM checkout (tag v5.2.0-jdk25)
#
# Everything else comes from Debian (opencl-headers, ocl-icd, pocl) and Maven Central (TornadoVM's
# Maven dependencies, the Graal 25.0.2 compiler jars by coordinates). Nothing is written into this
# repository: the build and the SDK live under $TORNADOVM_PREFIX.
set -euo pipefail

TORNADO_TAG=v5.2.0-jdk25
TORNADO_VERSION=5.2.0
GRAAL_VERSION=25.0.2
TORNADO_GIT=https://github.com/beehive-lab/TornadoVM.git
PREFIX=${TORNADOVM_PREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/windowkv/tornadovm-$TORNADO_VERSION}

die() { echo "setup-tornado.sh: $*" >&2; exit 1; }
say() { echo "[setup-tornado] $*"; }

source_dir=""
with_pocl=auto
while [ $# -gt 0 ]; do
  case "$1" in
    --source) [ $# -ge 2 ] || die "--source needs a directory"; source_dir=$2; shift 2 ;;
    --source=*) source_dir=${1#--source=}; shift ;;
    --no-pocl) with_pocl=no; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option '$1' (use --source DIR, --no-pocl or --help)" ;;
  esac
done

# --- JDK 25 -------------------------------------------------------------------------------
jdk25=""
for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/*25*; do
  if [ -n "$candidate" ] && [ -x "$candidate/bin/javac" ] \
     && "$candidate/bin/java" -version 2>&1 | grep -q 'version "25'; then
    jdk25=$candidate; break
  fi
done
[ -n "$jdk25" ] || die "no JDK 25 found (JAVA_HOME or /usr/lib/jvm/*25*); install one and run again"
export JAVA_HOME=$jdk25
say "JDK 25: $JAVA_HOME"

# --- Where the TornadoVM source comes from -------------------------------------------------
if [ -n "$source_dir" ]; then
  [ -f "$source_dir/pom.xml" ] && [ -d "$source_dir/tornado-runtime" ] \
    || die "--source $source_dir is not a TornadoVM checkout (no pom.xml / tornado-runtime); check out tag $TORNADO_TAG there"
  source_dir=$(cd "$source_dir" && pwd)
  if [ -d "$source_dir/.git" ] || [ -f "$source_dir/.git" ]; then
    have=$(git -C "$source_dir" describe --tags 2>/dev/null || echo unknown)
    [ "$have" = "$TORNADO_TAG" ] || say "warning: $source_dir is at '$have', not $TORNADO_TAG; building it anyway"
  fi
elif timeout 20 git ls-remote --exit-code "$TORNADO_GIT" "refs/tags/$TORNADO_TAG" >/dev/null 2>&1; then
  source_dir=$PREFIX/TornadoVM-git
  if [ ! -d "$source_dir/.git" ]; then
    say "cloning $TORNADO_TAG"
    git clone -q --depth 1 --branch "$TORNADO_TAG" "$TORNADO_GIT" "$source_dir"
  fi
else
  die "cannot reach $TORNADO_GIT and no --source given: get a TornadoVM checkout at tag $TORNADO_TAG and run ./setup-tornado.sh --source DIR"
fi

# --- Debian packages: headers, ICD loader, native toolchain, PoCL -------------------------
# PTX needs the CUDA driver (libcuda), not just a toolkit: a toolkit without a GPU is common.
has_cuda=no
if command -v nvidia-smi >/dev/null 2>&1 && ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1'; then
  has_cuda=yes
fi
gpu_icd=no
if ls /etc/OpenCL/vendors/*.icd >/dev/null 2>&1 && ! grep -lq pocl /etc/OpenCL/vendors/*.icd 2>/dev/null; then
  gpu_icd=yes
fi
packages=(opencl-headers ocl-icd-opencl-dev clinfo cmake g++ make python3)
if [ "$with_pocl" = auto ] && [ "$gpu_icd" = no ]; then packages+=(pocl-opencl-icd); fi
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "missing packages ${missing[*]} and no apt-get; install them and run again"
  [ "$(id -u)" = 0 ] || die "missing Debian packages ${missing[*]}: run 'sudo apt-get install ${missing[*]}' first"
  say "apt-get install ${missing[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >/dev/null
fi
command -v mvn >/dev/null || die "Maven (mvn) not found; 'apt-get install maven' and run again"

backends=opencl
profiles=jdk25,opencl-backend
if [ "$has_cuda" = yes ]; then backends=opencl,ptx; profiles=$profiles,ptx-backend; fi
say "backends: $backends (CUDA present: $has_cuda)"

# --- Build in a copy, so the checkout stays clean ---------------------------------------------
build=$PREFIX/build
mkdir -p "$PREFIX"
rm -rf "$build"
mkdir -p "$build"
say "copying $source_dir to $build"
(cd "$source_dir" && tar --exclude=./.git -cf - .) | (cd "$build" && tar -xf -)
cd "$build"
: > "$PREFIX/graal-jars.log"

# Older Maven (Debian's 3.8) rejects comment lines in .mvn/maven.config.
if [ -f .mvn/maven.config ]; then
  grep -v '^[[:space:]]*#' .mvn/maven.config | grep -v '^[[:space:]]*$' > .mvn/maven.config.tmp || true
  mv .mvn/maven.config.tmp .mvn/maven.config
fi

# OpenCL headers from Debian, where TornadoVM's installer would clone Khronos' repository.
mkdir -p tornado-drivers/opencl-jni/src/main/cpp/headers/include
cp -r /usr/include/CL tornado-drivers/opencl-jni/src/main/cpp/headers/include/

# Graal compiler jars by coordinates, where TornadoVM's installer would download them by URL.
# compiler-management (JMX beans for libgraal) is not published on Maven Central and no TornadoVM
# module needs it, so it is fetched only if it can be had.
mkdir -p graalJars
fetch_graal() {
  mvn -B -q org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
      -Dartifact="$1:$GRAAL_VERSION" -DoutputDirectory="$build/graalJars" >>"$PREFIX/graal-jars.log" 2>&1
}
for gav in org.graalvm.compiler:compiler org.graalvm.sdk:graal-sdk org.graalvm.truffle:truffle-api \
           org.graalvm.truffle:truffle-compiler org.graalvm.sdk:collections org.graalvm.sdk:word \
           org.graalvm.polyglot:polyglot; do
  fetch_graal "$gav" || die "could not fetch $gav:$GRAAL_VERSION from Maven Central (log: $PREFIX/graal-jars.log)"
done
fetch_graal org.graalvm.compiler:compiler-management || say "compiler-management:$GRAAL_VERSION not available; not needed"

echo "tornado.backends=$(echo "$backends" | sed 's/\([a-z]*\)/\1-backend/g')" > tornado-assembly/src/etc/tornado.backend

# TornadoVM's cmake plugin needs Maven 3.9+; its wrapper fetches that Maven from Maven Central.
mvn_build=mvn
mvn_version=$(mvn -v 2>/dev/null | sed -n 's/.*Apache Maven \([0-9.]*\).*/\1/p' | head -1)
case "$mvn_version" in
  3.[0-8].*|3.[0-8]) mvn_build=./mvnw ;;
esac
[ "$mvn_build" = mvn ] || [ -x ./mvnw ] || die "Maven $mvn_version is older than 3.9 and the checkout has no ./mvnw; install Maven 3.9+"

say "building TornadoVM ($profiles, with $mvn_build); this takes a while"
log=$PREFIX/build.log
if ! $mvn_build -B -P"$profiles" -Dtornado.backend="${backends//,/-}" -DskipTests install >"$log" 2>&1; then
  grep -E '\[ERROR\]' "$log" | head -20 >&2 || true
  die "TornadoVM build failed; full log in $log"
fi

# --- The SDK: argfile, backend file, a stable path -----------------------------------------------
sdk=$(ls -d "$build"/dist/tornadovm-*/tornadovm-*/ 2>/dev/null | head -1)
[ -n "$sdk" ] || die "build finished but no SDK under $build/dist; see $log"
sdk=${sdk%/}
echo "tornado.backends=$(echo "$backends" | sed 's/\([a-z]*\)/\1-backend/g')" > "$sdk/etc/tornado.backend"
(cd "$sdk/bin" && TORNADOVM_HOME=$sdk python3 gen-tornado-argfile-template.py "$backends" >/dev/null) \
  || die "could not write the TornadoVM argfile (gen-tornado-argfile-template.py failed)"
sed "s|\${TORNADOVM_HOME}|$sdk|g" "$sdk/tornado-argfile.template" > "$sdk/tornado-argfile"
ln -sfn "$sdk" "$PREFIX/sdk"
home=$PREFIX/sdk

# --- The jars our Maven profile compiles against -----------------------------------------------------
# Outside the build tree: TornadoVM's pom would lend install-file its platform classifier.
cd "$PREFIX"
jars=$home/share/java/tornado
for a in api runtime; do
  jar=$(ls "$jars"/tornado-$a-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -1)
  [ -n "$jar" ] || die "no tornado-$a jar in $jars"
  mvn -B -q org.apache.maven.plugins:maven-install-plugin:3.1.4:install-file -Dfile="$jar" \
      -DgroupId=tornado -DartifactId=tornado-$a -Dversion=$TORNADO_VERSION -Dpackaging=jar >/dev/null \
    || die "could not install $jar into the local Maven repository"
done

if command -v clinfo >/dev/null; then
  say "OpenCL devices: $(clinfo -l 2>/dev/null | grep -c Device || true)"
fi
# bin/tornado runs $JAVA_HOME/bin/java and reads TORNADOVM_HOME: it needs both set, JAVA_HOME to the JDK 25 it was built with.
say "done. List the devices with: TORNADOVM_HOME=$home JAVA_HOME=$JAVA_HOME \"$home/bin/tornado\" --devices"
echo "export TORNADOVM_HOME=$home"
