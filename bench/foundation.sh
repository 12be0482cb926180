#!/usr/bin/env bash
# Foundation benchmarks (issue: foundation): city-scale demo generation time, archive
# reads and name search under a loopback load generator, each beside GET /healthz
# measured in the same run. Needs wrk (Debian package) and python3.
#
#   bench/foundation.sh [--database postgres://…]   (default: SQLite in a temp folder)
#
# Prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p zhijian
bin=target/release/zhijian
data=$(mktemp -d)
db_args=(--data "$data")
engine=sqlite
if [ "${1:-}" = "--database" ]; then db_args+=(--database "$2"); engine=postgres; fi
duration=${BENCH_SECONDS:-15}
conns=${BENCH_CONNECTIONS:-32}
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$data"' EXIT

start=$(date +%s.%N)
"$bin" demo "${db_args[@]}" --scale city --no-serve >/dev/null
gen=$(python3 -c "print(f'{$(date +%s.%N) - $start:.1f}')")

"$bin" serve "${db_args[@]}" --listen 127.0.0.1:0 >"$data/serve.out" 2>"$data/serve.err" &
server=$!
for _ in $(seq 100); do grep -q "serving at" "$data/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$data/serve.out" | head -1)
token=$("$bin" token create "${db_args[@]}" --username officer-130000)

# Every credit code of the province (as the provincial officer sees them), then 2 000
# name searches: fragments of real names and credit-code prefixes.
python3 - "$url" "$token" "$data" <<'PY'
import json, random, sys, urllib.parse, urllib.request
url, token, out = sys.argv[1], sys.argv[2], sys.argv[3]
codes, names, page = [], [], 1
while True:
    req = urllib.request.Request(f"{url}/api/v1/enterprises?per_page=1000&page={page}", headers={"Authorization": f"Bearer {token}"})
    items = json.load(urllib.request.urlopen(req))["items"]
    if not items: break
    codes += [i["uscc"] for i in items]; names += [i["name"] for i in items]; page += 1
random.seed(7)
with open(f"{out}/archive.paths", "w") as f:
    for c in codes: f.write(f"/api/v1/enterprises/{c}\n")
# What people type: words of a name (2–4 characters not inside the legal form
# 有限公司/股份/厂), whole names, and credit-code prefixes.
legal = set("有限公司股份责任厂")
with open(f"{out}/search.paths", "w") as f:
    for _ in range(2000):
        n, r = random.choice(names), random.random()
        if r < 0.6:
            for _ in range(50):
                k = random.choice([2, 2, 3, 4]); s = random.randrange(0, max(1, len(n) - k)); q = n[s:s + k]
                if not set(q) & legal: break
        elif r < 0.8:
            q = n
        else:
            q = random.choice(codes)[:random.choice([6, 8, 10, 12])]
        f.write(f"/api/v1/enterprises?q={urllib.parse.quote(q)}&per_page=20\n")
with open(f"{out}/common.paths", "w") as f:
    for q in ["有限公司", "有限", "公司", "石家庄", "食品"]:
        f.write(f"/api/v1/enterprises?q={urllib.parse.quote(q)}&per_page=20\n")
with open(f"{out}/health.paths", "w") as f: f.write("/healthz\n")
sizes = []
for c in random.sample(codes, 50):
    req = urllib.request.Request(f"{url}/api/v1/enterprises/{c}", headers={"Authorization": f"Bearer {token}"})
    sizes.append(len(urllib.request.urlopen(req).read()))
print(len(codes), "enterprises; archive JSON mean", sum(sizes) // len(sizes), "bytes, max", max(sizes), file=sys.stderr)
PY

run() { # name paths-file -> "rps p50 p99"
  PATHS_FILE="$data/$2" TOKEN="$token" SEQUENTIAL="${SEQUENTIAL:-0}" wrk -t2 -c"$conns" -d"${duration}s" --latency -s bench/random-path.lua "$url" >"$data/$1.wrk"
  python3 bench/wrk_summary.py "$data/$1.wrk"
}

read -r h_rps h_p50 h_p99 h_err <<<"$(run health health.paths)"
read -r a_rps a_p50 a_p99 a_err <<<"$(run archive archive.paths)"
# Warm: read every archive once (in order), then measure again.
SEQUENTIAL=1 duration=${BENCH_WARM_SECONDS:-60} run warm archive.paths >/dev/null
read -r w_rps w_p50 w_p99 w_err <<<"$(run archive-warm archive.paths)"
read -r s_rps s_p50 s_p99 s_err <<<"$(run search search.paths)"
read -r c_rps c_p50 c_p99 c_err <<<"$(run common common.paths)"
conns=4
read -r l_rps l_p50 l_p99 l_err <<<"$(run search-light search.paths)"
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

cat <<EOT
engine: $engine · $(nproc) cores · wrk -t2 -d${duration}s, ${BENCH_CONNECTIONS:-32} connections unless said · $(date -u +%Y-%m-%d)

| measure | result | target |
|---|---|---|
| demo --scale city generation (80 000 enterprises) | ${gen} s | < 30 s |
| GET /healthz | ${h_rps} req/s, p50 ${h_p50} ms, p99 ${h_p99} ms | baseline |
| GET /api/v1/enterprises/{uscc} (whole archive), cold: first reads after start | ${a_rps} req/s, p50 ${a_p50} ms, p99 ${a_p99} ms, non-2xx ${a_err} | ratio ≥ 0.3, p99 < 20 ms |
| archive / healthz throughput ratio, cold | $(ratio "$a_rps" "$h_rps") | ≥ 0.3 |
| GET /api/v1/enterprises/{uscc}, warm: after every archive was read once | ${w_rps} req/s, p50 ${w_p50} ms, p99 ${w_p99} ms, non-2xx ${w_err} | ratio ≥ 0.3, p99 < 20 ms |
| archive / healthz throughput ratio, warm | $(ratio "$w_rps" "$h_rps") | ≥ 0.3 |
| search, typed terms (q=…, 20 per page, with total), $((${BENCH_CONNECTIONS:-32})) connections | ${s_rps} req/s, p50 ${s_p50} ms, p99 ${s_p99} ms, non-2xx ${s_err} | p99 < 20 ms |
| search, typed terms, 4 connections | ${l_rps} req/s, p50 ${l_p50} ms, p99 ${l_p99} ms, non-2xx ${l_err} | p99 < 20 ms |
| search, worst case: 有限公司 / 有限 / 公司 / 石家庄 / 食品 (10 000–70 000 matches each) | ${c_rps} req/s, p50 ${c_p50} ms, p99 ${c_p99} ms | (not a target) |
EOT
