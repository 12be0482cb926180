#!/usr/bin/env bash
# Sampling benchmarks (issue 5, item 8): a double-random draw over the 80 000-enterprise
# demo city, dashboard statistics over 10^6 results of a national decade, and the Excel
# export of a national year's 30 000 results — through the store calls the server makes.
#
#   bench/sampling.sh [--database postgres://…/db]   (default: SQLite in a temp folder)
#
# With --database, the script drops and recreates that database (and one named
# <db>_draw) so each part starts from empty. Prints what docs/benchmarks.md quotes.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p zhijian
bin=target/release/zhijian
data=$(mktemp -d)
trap 'rm -rf "$data"' EXIT
samples=${BENCH_SAMPLES:-1000000}
rounds=${BENCH_ROUNDS:-100}

fresh() { # fresh <name>: arguments for an empty node
  if [ "${pg:-}" ]; then
    local base=${pg%/*} db="${pg##*/}$1"
    psql "$base/postgres" -qtAc "DROP DATABASE IF EXISTS \"$db\"" >/dev/null
    psql "$base/postgres" -qtAc "CREATE DATABASE \"$db\"" >/dev/null
    echo "--data $data/$1 --database $base/$db"
  else
    echo "--data $data/$1"
  fi
}
pg=""
if [ "${1:-}" = "--database" ]; then pg=$2; fi

echo "== draw (demo --scale city, then one plan of 300 batches)"
args=$(fresh _draw)
"$bin" demo $args --scale city --no-serve >/dev/null
"$bin" bench sampling draw $args --batches 300

echo "== statistics over $samples results"
args=$(fresh "")
"$bin" bench sampling stats $args --samples "$samples" --rounds "$rounds"

echo "== xlsx export"
/usr/bin/time -v "$bin" bench sampling xlsx --results 30000 2>"$data/time.txt"
grep -E "Maximum resident|Elapsed" "$data/time.txt"
