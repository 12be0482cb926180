#!/usr/bin/env bash
# Supervision-code benchmarks (issue: e-supervision codes), on loopback:
#   1. a node with 10^9 codes issued in 10^4 segments and 10^7 activated
#      (`zhijian bench codes`), its database size before and after;
#   2. issuance: `zhijian codes issue` of 10^8 codes to a file, codes/s and database growth;
#   3. verification: wrk replays first queries, repeats, unknown and mistyped codes
#      against GET /api/v1/verify/{code}, beside GET /healthz in the same run; every
#      verification is recorded before its answer; bytes per recorded verification.
#
#   bench/codes.sh [--database URL]   (default: SQLite in a temp folder)
#   bench/codes.sh --database 'sqlite://{data}/zhijian.db?synchronous=normal'
#   bench/codes.sh --database postgres://postgres@127.0.0.1:5432/zhijian_codes   (empty)
#
# BENCH_SEGMENTS, BENCH_SEGMENT_SIZE, BENCH_ACTIVATE, BENCH_ISSUE, BENCH_REQUESTS, BENCH_SECONDS and
# BENCH_CONNECTIONS scale it down for a quick try. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p zhijian
bin=$PWD/target/release/zhijian
data=$(mktemp -d)
db_args=(--data "$data")
engine=sqlite
if [ "${1:-}" = "--database" ]; then
  # A SQLite URL may name a file in the temp folder: {data} is replaced by it.
  db_args+=(--database "${2//\{data\}/$data}")
  case "$2" in postgres*) engine=postgres ;; *) engine="sqlite (${2#*\?})" ;; esac
fi
segments=${BENCH_SEGMENTS:-10000}
segment_size=${BENCH_SEGMENT_SIZE:-100000}
activate=${BENCH_ACTIVATE:-1000}
issue=${BENCH_ISSUE:-100000000}
requests=${BENCH_REQUESTS:-1000000}
duration=${BENCH_SECONDS:-15}
conns=${BENCH_CONNECTIONS:-32}
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$data"' EXIT

codestat() { "$bin" codes stats "${db_args[@]}" | awk -v k="$1" '$1 == k { print $2 }'; }
now() { date +%s.%N; }
calc() { python3 -c "print($1)"; }

"$bin" demo "${db_args[@]}" --scale small --no-serve >/dev/null
bytes0=$(codestat database_bytes)
issued0=$(codestat codes_issued)

start=$(now)
"$bin" bench codes "${db_args[@]}" --segments "$segments" --segment-size "$segment_size" \
  --activate "$activate" --requests "$requests" --paths "$data/verify.paths" >"$data/setup.out"
read -r _ enterprise _ product <"$data/setup.out"
setup_s=$(calc "f'{$(now) - $start:.0f}'")
bytes1=$(codestat database_bytes)
issued1=$(codestat codes_issued)
activated1=$(codestat codes_activated)

# Issuance to a file: the command prints its own rate; the wall time includes opening
# the node and recording the application.
start=$(now)
"$bin" codes issue "${db_args[@]}" --enterprise "$enterprise" --product "$product" \
  --quantity "$issue" --out "$data/codes.txt" 2>"$data/issue.err"
issue_s=$(calc "f'{$(now) - $start:.2f}'")
lines=$(wc -l <"$data/codes.txt")
file_bytes=$(wc -c <"$data/codes.txt")
rm -f "$data/codes.txt"
bytes2=$(codestat database_bytes)
[ "$lines" = "$issue" ] || { echo "codes issue wrote $lines lines, not $issue" >&2; exit 1; }

ZHIJIAN_VERIFY_RATE_LIMIT=0 "$bin" serve "${db_args[@]}" --listen 127.0.0.1:0 >"$data/serve.out" 2>"$data/serve.err" &
server=$!
for _ in $(seq 300); do grep -q "serving at" "$data/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$data/serve.out" | head -1)
echo /healthz >"$data/health.paths"
verifications0=$(codestat verifications)
bytes3=$(codestat database_bytes)

run() { # name paths-file sequential -> "rps p50 p99 non2xx"
  PATHS_FILE="$data/$2" SEQUENTIAL="$3" wrk -t2 -c"$conns" -d"${duration}s" --latency -s bench/random-path.lua "$url" >"$data/$1.wrk"
  python3 bench/wrk_summary.py "$data/$1.wrk"
}
# Two halves of the requests, so the second run's first queries are first queries too.
half=$((requests / 2))
head -n "$half" "$data/verify.paths" >"$data/verify-a.paths"
tail -n +"$((half + 1))" "$data/verify.paths" >"$data/verify-b.paths"
read -r h_rps h_p50 h_p99 _ <<<"$(run health health.paths 0)"
read -r v_rps v_p50 v_p99 v_err <<<"$(run verify verify-a.paths 1)"
conns_all=$conns
conns=8
read -r l_rps l_p50 l_p99 l_err <<<"$(run verify-light verify-b.paths 1)"
conns=$conns_all
verifications1=$(codestat verifications)
bytes4=$(codestat database_bytes)
verdicts=$("$bin" codes stats "${db_args[@]}" | awk '$1 ~ /^verdict\./ { sub("verdict.", "", $1); printf "%s%s %s", sep, $1, $2; sep=", " }')
answered=$(cat "$data/verify.wrk" "$data/verify-light.wrk" | grep -o '[0-9]* requests in' | awk '{ n += $1 } END { print n }')
recorded=$((verifications1 - verifications0))

cat <<EOT
engine: $engine · $(nproc) cores · wrk -t2 -d${duration}s, $conns connections unless said · $(date -u +%Y-%m-%d)

| measure | result | target |
|---|---|---|
| setup: $segments segments × $segment_size codes issued, $activate activated in each (apply, print job, confirm, activate) | $((issued1 - issued0)) codes issued, $activated1 activated, in ${setup_s} s | — |
| database growth of the setup | $((bytes1 - bytes0)) bytes = $(calc "f'{($bytes1 - $bytes0) / ($issued1 - $issued0):.6f}'") bytes per issued code | < 1 byte per code |
| \`codes issue\` of $issue codes to a file ($(calc "f'{$file_bytes / 1e9:.2f}'") GB), wall time | ${issue_s} s = $(calc "f'{$issue / $issue_s / 1e6:.1f}'") M codes/s; the command's own figure: $(grep -o '[0-9.]* million codes/s' "$data/issue.err") | ≥ 5 M codes/s |
| database growth of that issuance | $((bytes2 - bytes1)) bytes | a few rows |
| GET /healthz | ${h_rps} req/s, p50 ${h_p50} ms, p99 ${h_p99} ms | baseline |
| GET /api/v1/verify/{code}: 70 % first queries, 20 % repeats, 5 % unknown, 5 % mistyped | ${v_rps} req/s, p50 ${v_p50} ms, p99 ${v_p99} ms, non-2xx ${v_err} | p99 < 10 ms |
| verify / healthz throughput ratio | $(calc "f'{$v_rps / $h_rps:.2f}'") | ≥ 0.5 |
| the same mix at 8 connections | ${l_rps} req/s, p50 ${l_p50} ms, p99 ${l_p99} ms, non-2xx ${l_err} | p99 < 10 ms |
| verifications answered / recorded | ${answered} / ${recorded} (verdicts: ${verdicts}) | all recorded |
| database growth per recorded verification | $(calc "f'{($bytes4 - $bytes3) / max(1, $recorded):.0f}'") bytes | (reported) |
EOT
