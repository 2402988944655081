#!/usr/bin/env bash
# One append to a git-ref audit log (`--audit-log git:refs/gate/audit`)
# holding EVENTS events, against one append to an empty ref, in the same
# run with hyperfine. Target: about the same cost (O(1) in the log's size).
#
#   bash benches/audit_git.sh [EVENTS]     # EVENTS defaults to 100,000
set -euo pipefail

events=${1:-100000}
source "$(dirname "$0")/common.sh" hyperfine

git init -q "$work/big"
git init -q "$work/empty"
# EVENTS event commits, each holding one canonical line in event.json,
# chained as gate (and llm-leash) chain them.
python3 - "$events" <<'PY' | git -C "$work/big" fast-import --quiet
import hashlib, json, sys
n = int(sys.argv[1])
prev = "0" * 64
out = sys.stdout.buffer
for i in range(n):
    ev = {"seq": i, "prev_hash": prev, "ts": "2026-11-21T08:00:00.000000Z", "event_type": "CHECK_GO",
          "command": "check", "decision": "GO", "exit_code": 0, "env": "staging", "actor": "ci", "tool": "gate 0.1.0"}
    body = json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    prev = ev["hash"] = hashlib.sha256(body.encode()).hexdigest()
    line = (json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()
    msg = f"gate audit: seq {i} CHECK_GO".encode()
    out.write(b"commit refs/gate/audit\n")
    out.write(b"committer gate <gate@localhost> 1763700000 +0000\n")
    out.write(b"data %d\n%s\n" % (len(msg), msg))
    out.write(b"deleteall\n")
    out.write(b"M 100644 inline event.json\n")
    out.write(b"data %d\n%s\n" % (len(line), line))
PY
echo "== refs/gate/audit holds $(git -C "$work/big" rev-list --count refs/gate/audit) events"
"$gate" audit verify --repo "$work/big" --log git:refs/gate/audit | head -1

hyperfine -N --warmup 3 --min-runs 30 --export-json "$work/git.json" \
  --prepare "git -C $work/empty update-ref -d refs/gate/audit" \
  -n "append to an empty ref" "$gate check --env staging --ci-status success --repo $work/empty --audit-log git:refs/gate/audit" \
  -n "append to the big ref" "$gate check --env staging --ci-status success --repo $work/big --audit-log git:refs/gate/audit"
python3 - "$work/git.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
big, empty = r["append to the big ref"], r["append to an empty ref"]
print(f"git-ref append: {big['median'] * 1000:.2f} ms with the big ref, {empty['median'] * 1000:.2f} ms empty; "
      f"ratio {big['median'] / empty['median']:.2f}")
PY
