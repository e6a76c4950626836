#!/usr/bin/env bash
# CI: start a 3-node MariaDB Galera cluster on loopback, run the cluster suite against it, stop it.
# Runs from any folder; GALERA_DIR and GALERA_PORT choose where and on which ports (galera.sh).
# Any arguments go to jest, e.g. test/cluster/ci.sh -t 'paused'.
set -euo pipefail
cd "$(dirname "$0")/../.."

export GALERA_DIR=${GALERA_DIR:-/tmp/hr-galera-ci}
export GALERA_PORT=${GALERA_PORT:-23406}
start=$SECONDS

test/cluster/galera.sh stop
trap 'test/cluster/galera.sh stop' EXIT
TEST_GALERA_URLS=$(test/cluster/galera.sh start)
export TEST_GALERA_URLS
echo "== Galera cluster up in $((SECONDS - start)) s: $TEST_GALERA_URLS"

rc=0
# The plain `npx jest` never runs the cluster suite: its files end in .cluster-spec.ts. --forceExit:
# a failed test can leave a replica's handles open, and jest would then wait for them for ever.
npx jest --testRegex 'test/cluster/.*\.cluster-spec\.ts$' --maxWorkers=1 --testTimeout=300000 --forceExit "$@" || rc=$?
echo "== cluster suite: exit $rc after $((SECONDS - start)) s in all"
exit "$rc"
