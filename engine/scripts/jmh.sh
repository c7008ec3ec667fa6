#!/usr/bin/env bash
# Runs the kernel benchmarks (engine/src/test/java/dev/windowkv/engine/bench) with JMH; arguments go
# to JMH, e.g.  engine/scripts/jmh.sh MatmulBenchmark -p type=Q8_0 -p tokens=1
# They are benchmarks, not tests: the Surefire run never starts them.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
mvn -B -q -pl engine -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
    -Dmdep.outputFile=target/jmh-classpath.txt >&2
JAVA="${JAVA_HOME:-}/bin/java"
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA" -version 2>&1 | grep -q '"2[5-9]'; then
    JAVA="$(ls -d /usr/lib/jvm/*25* 2>/dev/null | head -1)/bin/java"
fi
CP="engine/target/test-classes:engine/target/classes:tornado-kernels/target/classes:$(cat engine/target/jmh-classpath.txt)"
exec "$JAVA" --add-modules jdk.incubator.vector -cp "$CP" org.openjdk.jmh.Main "$@"
