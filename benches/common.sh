# What every benchmark script starts with: `here` (the project), `work` (a
# temporary folder, removed on exit), the tools it needs (installed from
# Debian when run as root and missing) and `gate`, the release build.
#
#   source "$(dirname "$0")/common.sh" hyperfine [openssl ...]

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for tool in "$@"; do
  if ! command -v "$tool" >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "$tool" >/dev/null; else
      echo "$tool is required (apt-get install $tool)" >&2; exit 2; fi
  fi
done
cargo build --release --locked --quiet --manifest-path "$here/Cargo.toml"
gate="$here/target/release/gate"
