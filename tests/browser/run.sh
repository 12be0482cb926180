#!/usr/bin/env bash
# Runs the browser tests — the console walk (console.test.mjs), the public verification
# page (verify.test.mjs), the public sampling announcements (announcements.test.mjs) and a
# sampling plan from creation to announcement and rectification (sampling.test.mjs), and an
# enterprise joining the network by itself (join.test.mjs), credit grades
# (grades.test.mjs), risk warnings and incidents (risk.test.mjs), and traces, the event
# browser and dossiers on the demo's distribution network (trace.test.mjs), and a consumer's
# complaint that leads to a case and a recall (complaint_recall.test.mjs):
# installs Debian's Chromium when missing, installs
# the tests' npm packages, builds `zhijian`, starts a demo node on a free local port with a
# temporary data folder and the verification rate limit off (the verify test types a
# dozen codes from one address), waits until it answers /healthz, runs `node --test` on
# the files one after the other, and stops the node again, whatever happened.
#
#   tests/browser/run.sh              # both files
#   tests/browser/run.sh verify.test.mjs
#
# ZHIJIAN_BIN=path/to/zhijian skips the build; ZHIJIAN_USER / ZHIJIAN_PASSWORD name the
# account to log in with (default: the demo's province officer); ZHIJIAN_SCREENSHOTS is
# where the screenshots go (default: a temporary folder, printed at the end).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"

if [ ! -x /usr/bin/chromium ]; then
  echo "==> installing Debian's chromium"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The pages are Chinese first: without a CJK font the screenshots show boxes.
if [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then
  echo "==> installing a Chinese font (fonts-wqy-microhei, 1.6 MB)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null \
    || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-wqy-microhei >/dev/null; }
fi

echo "==> npm packages"
cd "$here"
if [ -f package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
else
  npm install --no-audit --no-fund --loglevel=error
fi

if [ -z "${ZHIJIAN_BIN:-}" ]; then
  echo "==> building zhijian (release)"
  (cd "$root" && cargo build --release -p zhijian)
  ZHIJIAN_BIN="${CARGO_TARGET_DIR:-$root/target}/release/zhijian"
fi

# The demo prints these accounts at start (crates/cli/src/demo.rs).
export ZHIJIAN_USER="${ZHIJIAN_USER:-officer-130000}"
export ZHIJIAN_PASSWORD="${ZHIJIAN_PASSWORD:-zhijian-demo}"

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# A port the kernel just handed out and released is free for the next moment.
port="$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")"
export ZHIJIAN_URL="http://127.0.0.1:$port"

echo "==> starting the demo node at $ZHIJIAN_URL"
ZHIJIAN_VERIFY_RATE_LIMIT=0 "$ZHIJIAN_BIN" demo --data "$work/data" --listen "127.0.0.1:$port" --scale small >"$work/server.log" 2>&1 &
server_pid=$!

ready=""
for _ in $(seq 1 240); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    break
  fi
  if node -e "fetch(process.argv[1]).then(r=>process.exit(r.status===200?0:1),()=>process.exit(1))" "$ZHIJIAN_URL/healthz"; then
    ready=1
    break
  fi
  sleep 0.5
done
if [ -z "$ready" ]; then
  echo "the demo node did not become ready; its last output:" >&2
  tail -n 40 "$work/server.log" >&2
  exit 1
fi

files=("$@")
if [ "${#files[@]}" -eq 0 ]; then
  files=(console.test.mjs verify.test.mjs announcements.test.mjs sampling.test.mjs join.test.mjs grades.test.mjs risk.test.mjs trace.test.mjs complaint_recall.test.mjs)
fi
echo "==> browser tests: ${files[*]}"
status=0
# One file at a time: two Chromiums on a small machine only slow each other down.
node --test --test-concurrency=1 "${files[@]}" || status=$?
if [ "$status" -ne 0 ]; then
  echo "the node's last output:" >&2
  tail -n 40 "$work/server.log" >&2
fi
echo "==> finished in ${SECONDS}s"
exit "$status"
