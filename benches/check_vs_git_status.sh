#!/usr/bin/env bash
# Times `gate check` against `git status --porcelain` on the same repository,
# in the same run, with hyperfine; then times `gate check` on a small repo.
#
#   bash benches/check_vs_git_status.sh [FILES]     # FILES defaults to 100000
#
# Reports the ratio gate/git (the target is at most 1.5) and the small-repo
# mean (the target is under 10 ms). Needs hyperfine (Debian: apt-get install
# hyperfine); installs it when run as root and it is missing.
set -euo pipefail

files=${1:-100000}
source "$(dirname "$0")/common.sh" hyperfine

# A repository laid out like a real release: manifest, changelog, pinned
# dependencies, a tag at a clean HEAD, and FILES tracked files in 1,000 folders.
make_repo() {
  local dir=$1 n=$2
  mkdir -p "$dir"
  git -C "$dir" init -q
  git -C "$dir" config user.email bench@example.com
  git -C "$dir" config user.name bench
  cp "$here"/fixtures/repos/release_ok/* "$dir"/
  python3 - "$dir" "$n" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
per = 100
for i in range(n):
    d = os.path.join(root, "src", f"m{i // per:04d}")
    if i % per == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i % per:03d}.txt"), "w") as f:
        f.write(f"file {i}\n")
PY
  git -C "$dir" add -A
  git -C "$dir" commit -qm release
  git -C "$dir" tag v1.2.3
  git -C "$dir" status --porcelain >/dev/null   # settle the index (racy entries)
}

make_repo "$work/big" "$files"
make_repo "$work/small" 10

echo "== $files tracked files: gate check vs git status --porcelain"
hyperfine --warmup 3 --min-runs 15 --export-json "$work/big.json" \
  -n "git status --porcelain" "git -C $work/big status --porcelain" \
  -n "gate check" "$gate check --repo $work/big --ci-status success"
python3 - "$work/big.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
g, s = r["gate check"], r["git status --porcelain"]
print(f"gate/git ratio: {g['mean'] / s['mean']:.2f} (median {g['median'] / s['median']:.2f}); target <= 1.5")
PY

echo "== small repository: gate check"
hyperfine --warmup 5 --min-runs 50 -N --export-json "$work/small.json" \
  -n "gate check (small repo)" "$gate check --repo $work/small --ci-status success"
python3 - "$work/small.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"small repo gate check: mean {r['mean'] * 1000:.2f} ms, median {r['median'] * 1000:.2f} ms; target < 10 ms")
PY
