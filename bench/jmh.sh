#!/usr/bin/env bash
# Runs the JMH microbenchmarks (bench/src/jmh). Build them first, once:
#   mvn -B -Pjmh -pl bench -am install -DskipTests
# Then: bench/jmh.sh [JMH options], e.g. bench/jmh.sh FanOut -p clients=1000 -rf json -rff out.json
set -euo pipefail
cd "$(dirname "$0")"
if [ ! -f target/jmh.classpath ] || [ ! -f target/jmh-classes/META-INF/BenchmarkList ]; then
  echo "jmh.sh: benchmarks not built: run  mvn -B -Pjmh -pl bench -am install -DskipTests  first" >&2
  exit 1
fi
exec java -cp "target/jmh-classes:target/classes:$(cat target/jmh.classpath)" org.openjdk.jmh.Main "$@"
