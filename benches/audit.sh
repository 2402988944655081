#!/usr/bin/env bash
# The audit log at scale, against references measured on the same machine in
# the same run:
#
#   bash benches/audit.sh [EVENTS [LINE]]  # 1,000,000 events of ~765 bytes
#
# 1. `gate audit verify` on a log of EVENTS events (lines of about LINE
#    bytes, padded with a warning), against one thread of OpenSSL's SHA-256
#    hashing blocks of the log's mean line length (`openssl speed`).
#    Target: at least 0.8x of that single-thread throughput.
# 2. One append (`gate check --audit-log`) to that log, against one append to
#    an empty log. Target: at most 1.5x.
# Needs hyperfine and openssl (Debian packages; installed when run as root).
set -euo pipefail

events=${1:-1000000}
line=${2:-765}
source "$(dirname "$0")/common.sh" hyperfine openssl

# The log, chained exactly as gate (and llm-leash) canonicalise: sorted keys,
# no whitespace, UTF-8 as is.
python3 - "$work/big.jsonl" "$events" "$line" <<'PY'
import hashlib, json, sys
path, n, line = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
prev = "0" * 64
# An event with an empty warning is about 421 bytes; the rest is its text.
pad = ["w" * (line - 421)] if line > 421 else []
with open(path, "w", encoding="utf-8") as f:
    for i in range(n):
        ev = {"seq": i, "prev_hash": prev, "ts": f"2026-11-21T08:{i // 60 % 60:02d}:{i % 60:02d}.000000Z",
              "event_type": "PROMOTION_ALLOWED", "command": "evaluate", "decision": "ALLOW", "exit_code": 0,
              "env": ("staging", "preprod", "prod")[i % 3], "sha": f"{i:040x}", "actor": "ci",
              "leakage_types": [], "tool": "gate 0.1.0", "warnings": pad}
        body = json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        prev = ev["hash"] = hashlib.sha256(body.encode()).hexdigest()
        f.write(json.dumps(ev, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n")
PY
size=$(stat -c %s "$work/big.jsonl")
mean=$(( size / events ))
echo "== log: $events events, $size bytes, mean line $mean bytes"

hyperfine -N --warmup 1 --min-runs 5 --export-json "$work/verify.json" \
  -n "gate audit verify" "$gate audit verify --log $work/big.jsonl"
openssl speed -seconds 3 -bytes "$mean" -evp sha256 2>/dev/null | tail -1 > "$work/openssl.txt"
cat "$work/openssl.txt"
# The same file, each line hashed on its own with OpenSSL's SHA-256 (through
# Python's hashlib, which calls OpenSSL): the literal reference.
hyperfine -N --warmup 1 --min-runs 3 --export-json "$work/perline.json" \
  -n "openssl sha256 per line" "python3 -c \"import hashlib,sys; [hashlib.sha256(l).digest() for l in open(sys.argv[1], 'rb')]\" $work/big.jsonl"

cd "$work"
hyperfine -N --warmup 3 --min-runs 30 --export-json "$work/append.json" \
  --prepare "rm -f $work/small.jsonl" \
  -n "append to an empty log" "$gate check --env staging --ci-status success --audit-log $work/small.jsonl" \
  -n "append to the big log" "$gate check --env staging --ci-status success --audit-log $work/big.jsonl"

python3 - "$work/verify.json" "$work/openssl.txt" "$work/append.json" "$size" "$work/perline.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1]))["results"][0]
size = int(sys.argv[4])
gate_mbs = size / v["median"] / 1e6
# openssl prints e.g. "sha256   1188964.00k" (thousands of bytes a second)
ossl_mbs = float(open(sys.argv[2]).read().split()[-1].rstrip("k")) * 1000 / 1e6
per_line = json.load(open(sys.argv[5]))["results"][0]
line_mbs = size / per_line["median"] / 1e6
print(f"verify: gate {gate_mbs:.0f} MB/s ({v['median']:.2f} s median); "
      f"openssl speed sha256 (one thread) at the mean line length {ossl_mbs:.0f} MB/s, ratio {gate_mbs / ossl_mbs:.2f} (target >= 0.8); "
      f"OpenSSL sha256 of each line of the file {line_mbs:.0f} MB/s, ratio {gate_mbs / line_mbs:.2f}")
a = {x["command"]: x for x in json.load(open(sys.argv[3]))["results"]}
big, small = a["append to the big log"], a["append to an empty log"]
print(f"append: big log {big['median'] * 1000:.2f} ms, empty log {small['median'] * 1000:.2f} ms; "
      f"ratio {big['median'] / small['median']:.2f} (target <= 1.5)")
PY
