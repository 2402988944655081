#!/usr/bin/env bash
# What verifying signed approvals adds to `gate evaluate`: an override with
# 5 ed25519 approvals (signed by ssh-keygen) checked against a 1,000-line
# allowed_signers, against the same promotion with the same override judged
# by names, in the same run with hyperfine.
#
#   bash benches/signed_approvals.sh
#
# Target: the signed evaluate's median at most 2 ms above the named one's.
# Needs hyperfine (Debian) and ssh-keygen (openssh-client); installs
# hyperfine when run as root and it is missing.
set -euo pipefail

source "$(dirname "$0")/common.sh" hyperfine
art="$here/fixtures/locc/checks_fail.json"
hash=8d0f679503b2ba6d2596d0ba0f32d540d9f066e0339fbab6e5f1aad25f8754de

# 995 other keys and the 5 approvers': 1,000 lines.
mkdir "$work/keys"
for i in $(seq 1 1000); do
  ssh-keygen -q -t ed25519 -N '' -C "k$i" -f "$work/keys/k$i"
done
for i in $(seq 1 1000); do
  echo "person$i@example.com $(cut -d' ' -f1,2 "$work/keys/k$i.pub")"
done > "$work/allowed_signers"
echo "== allowed_signers: $(wc -l < "$work/allowed_signers") lines"

repo() { # DIR APPROVALS
  cp -r "$here/fixtures/repos/release_ok" "$1"
  cat >> "$1/gate.toml" <<EOF

[signing]
allowed_signers = "$work/allowed_signers"

[env.staging]
approvals = "$2"
required_approvals = 5
EOF
  git -C "$1" init -q -b main
  git -C "$1" add -A
  git -C "$1" -c user.name=bench -c user.email=bench@example.com commit -qm release
  git -C "$1" tag v1.2.3
}
repo "$work/signed" signed
repo "$work/named" names

# One override, five approvals spread through the file; the named repo's
# copy is the same file with its signatures dropped.
python3 - "$work" "$hash" "$(git -C "$work/signed" rev-parse HEAD)" "$gate" <<'PY'
import json, subprocess, sys, datetime
work, h, sha, gate = sys.argv[1:]
now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
o = {"approved_by": "person1@example.com", "requested_by": "someone@example.com", "reason": "bench",
     "scope": "staging", "created_at": now.isoformat().replace("+00:00", "Z"),
     "expires_at": (now + datetime.timedelta(days=2)).isoformat().replace("+00:00", "Z"),
     "approved_head_sha": sha, "leakage_types": ["schema", "policy"], "identity_hash": h}
for d in ("signed", "named"):
    import os; os.makedirs(f"{work}/{d}/overrides/staging", exist_ok=True)
path = f"{work}/signed/overrides/staging/o.json"
json.dump(o, open(path, "w"))
payload = subprocess.run([gate, "override", "payload", path], capture_output=True, check=True).stdout
approvals = []
for i in (1, 250, 500, 750, 1000):
    sig = subprocess.run(["ssh-keygen", "-q", "-Y", "sign", "-n", "gate-override", "-f", f"{work}/keys/k{i}"],
                         input=payload, capture_output=True, check=True).stdout.decode()
    approvals.append({"by": f"person{i}@example.com", "sshsig": sig})
json.dump(dict(o, approvals=approvals), open(path, "w"), indent=2)
named = dict(o, approved_head_sha=subprocess.run(["git", "-C", f"{work}/named", "rev-parse", "HEAD"],
             capture_output=True, check=True, text=True).stdout.strip(),
             approvals=[{"by": a["by"]} for a in approvals])
json.dump(named, open(f"{work}/named/overrides/staging/o.json", "w"), indent=2)
PY

for d in signed named; do
  "$gate" evaluate --repo "$work/$d" --env staging --locc-artifact "$art" --ci-status success >/dev/null \
    || { echo "the $d promotion is not allowed"; "$gate" evaluate --repo "$work/$d" --env staging --locc-artifact "$art" --ci-status success; exit 1; }
done
hyperfine -N --warmup 10 --runs 200 --export-json "$work/signed.json" \
  -n "evaluate, 5 approvals by name" "$gate evaluate --repo $work/named --env staging --locc-artifact $art --ci-status success" \
  -n "evaluate, 5 signed approvals" "$gate evaluate --repo $work/signed --env staging --locc-artifact $art --ci-status success"
python3 - "$work/signed.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
s, n = r["evaluate, 5 signed approvals"], r["evaluate, 5 approvals by name"]
d = (s["median"] - n["median"]) * 1000
print(f"signed approvals add {d:.2f} ms (median {s['median'] * 1000:.2f} ms vs {n['median'] * 1000:.2f} ms; "
      f"ratio {s['median'] / n['median']:.2f}); target: under 2 ms")
PY
