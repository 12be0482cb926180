#!/usr/bin/env bash
# Public portal pages under load (issue 7): the portal's home, enterprise search and
# profiles, penalties, the public recall notices, the blacklist, complaint tracking, the
# complaint form, the announcements and the Atom feeds, each beside GET /healthz measured
# in the same run. Needs wrk (Debian package) and python3.
#
#   bench/portal.sh [--database postgres://…]   (default: SQLite in a temp folder)
#
# On the small demo it orders 40 recalls, lists 40 enterprises on the blacklist, decides
# 40 cases and files 500 complaints through the API first. Prints a Markdown table for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
cargo build --release -q -p zhijian
bin=target/release/zhijian
data=$(mktemp -d)
db_args=(--data "$data")
engine=sqlite
if [ "${1:-}" = "--database" ]; then db_args+=(--database "$2"); engine=postgres; fi
duration=${BENCH_SECONDS:-10}
conns=${BENCH_CONNECTIONS:-32}
trap 'kill "${server:-0}" 2>/dev/null || true; rm -rf "$data"' EXIT

"$bin" demo "${db_args[@]}" --no-serve >/dev/null
# Public pages are rate-limited per client like verification; one wrk client is many.
ZHIJIAN_VERIFY_RATE_LIMIT=0 "$bin" serve "${db_args[@]}" --listen 127.0.0.1:0 >"$data/serve.out" 2>"$data/serve.err" &
server=$!
for _ in $(seq 100); do grep -q "serving at" "$data/serve.out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$data/serve.out" | head -1)
token=$("$bin" token create "${db_args[@]}" --username admin)

python3 - "$url" "$token" "$data" <<'PY'
import json, random, sys, urllib.parse, urllib.request
url, token, out = sys.argv[1], sys.argv[2], sys.argv[3]
def call(method, path, body=None, auth=True):
    req = urllib.request.Request(f"{url}{path}", method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if auth else {})})
    return json.load(urllib.request.urlopen(req))
random.seed(7)
batches = call("GET", "/api/v1/batches?per_page=200")["items"]
recalls = []
for b in batches[:40]:
    r = call("POST", "/api/v1/recalls", {"product_id": b["product_id"], "lots": [b["lot"]], "risk_class": random.choice(["I", "II", "III"]),
        "reason": "基准测试：标签标注不符合标准", "remedy": "停止销售，退回生产企业"})
    recalls.append(r["id"])
enterprises = call("GET", "/api/v1/enterprises?per_page=200")["items"]
for e in enterprises[:40]:
    call("POST", "/api/v1/blacklist", {"enterprise": e["uscc"], "legal_basis": "《市场监督管理严重违法失信名单管理办法》第七条",
        "decision": f"冀市监失信〔2026〕{random.randrange(1, 999)}号", "reason": "基准测试：生产销售不合格产品，情节严重"})
for e in enterprises[40:80]:
    c = call("POST", "/api/v1/cases", {"title": "基准测试：生产不合格产品案", "origin": "manual", "enterprise": e["uscc"],
        "region": e["region"], "summary": "监督抽查不合格"})
    call("POST", f"/api/v1/cases/{c['id']}/actions", {"action": "decide", "text": "基准测试：没收违法所得并处罚款", "fine_yuan": random.randrange(1000, 100000)})
numbers = []
for i in range(500):
    r = call("POST", "/api/v1/complaints", {"text": f"基准测试投诉 {i}：产品质量问题", "region": random.choice(["130102", "130602", "130203"])}, auth=False)
    numbers.append(r["tracking_number"])
def write(name, paths):
    with open(f"{out}/{name}.paths", "w") as f:
        f.write("".join(p + "\n" for p in paths))
write("health", ["/healthz"])
write("recalls", ["/recalls", "/recalls?page=2"])
write("recall", [f"/recalls/{i}" for i in recalls])
write("public-recalls", ["/api/v1/public-recalls?per_page=20"])
write("blacklist", ["/blacklist"])
write("track", [f"/complaints/track?n={n}" for n in numbers])
write("track-api", [f"/api/v1/complaints/track/{n}" for n in numbers])
write("form", ["/complaints"])
write("announcements", ["/announcements"])
write("home", ["/"])
write("search", ["/enterprises?q=" + urllib.parse.quote(w) for w in ["食品", "燃气具", "石家庄", "有限公司", "乳业"]])
write("profile", [f"/enterprises/{e['uscc']}" for e in enterprises[:80]])
write("penalties", ["/penalties", "/penalties?page=2"])
write("feeds", ["/recalls.atom", "/penalties.atom", "/blacklist.atom", "/announcements.atom", "/warnings.atom"])
print(f"{len(recalls)} recalls, 40 blacklisted, 40 penalties, {len(numbers)} complaints", file=sys.stderr)
PY

run() { # name paths-file -> "rps p50 p99 non2xx"
  PATHS_FILE="$data/$2" TOKEN="" wrk -t2 -c"$conns" -d"${duration}s" --latency -s bench/random-path.lua "$url" >"$data/$1.wrk"
  python3 bench/wrk_summary.py "$data/$1.wrk"
}
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }

read -r h_rps h_p50 h_p99 h_err <<<"$(run health health.paths)"
echo "engine: $engine · $(nproc) cores · wrk -t2 -c$conns -d${duration}s · $(date -u +%Y-%m-%d)"
echo
echo "| page | req/s | p50 ms | p99 ms | non-2xx | ratio to /healthz |"
echo "|---|---|---|---|---|---|"
echo "| GET /healthz | $h_rps | $h_p50 | $h_p99 | $h_err | 1.00 |"
for spec in "recalls:/recalls (list, 20 a page)" "recall:/recalls/{id}" "public-recalls:/api/v1/public-recalls" \
            "blacklist:/blacklist" "track:/complaints/track?n=… (page)" "track-api:/api/v1/complaints/track/{n}" \
            "form:/complaints (form)" "announcements:/announcements" "home:/ (portal home)" \
            "search:/enterprises?q=… (search)" "profile:/enterprises/{uscc} (profile)" "penalties:/penalties" \
            "feeds:/{recalls,penalties,blacklist,announcements,warnings}.atom"; do
  name=${spec%%:*}; label=${spec#*:}
  read -r rps p50 p99 err <<<"$(run "$name" "$name.paths")"
  echo "| GET $label | $rps | $p50 | $p99 | $err | $(ratio "$rps" "$h_rps") |"
done
