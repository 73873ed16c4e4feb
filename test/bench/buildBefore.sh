#!/usr/bin/env bash
# Builds our library as of an earlier commit, outside this checkout, for the before/after HA rows:
#   test/bench/buildBefore.sh [COMMIT] [DIR]      then      npm run bench -- --only ha,concurrent --before DIR
# COMMIT defaults to c615eaa, the last commit before #28 (the HA client on the live-session layer); DIR to
# /tmp/ews-before. The commit's files are exported with `git archive` (this checkout, its index and its worktree
# list are left alone), its node_modules is a symlink to this checkout's, so the old build imports the very same
# `effect` and `ws` modules as the current one, and it is built with `npm run build`: the same tsc settings as the
# bench's own build of src/ (dist/ only adds declarations and babel's /*#__PURE__*/ comments). DIR/COMMIT records
# the full hash; the bench prints it.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
commit="${1:-c615eaaf54fdb7e2143590adc21ca456544912f1}"
dir="${2:-/tmp/ews-before}"
hash="$(git -C "$repo" rev-parse --verify "${commit}^{commit}")"

# Only ever delete a directory this script made (it holds COMMIT) or an empty one.
if [ -e "$dir" ]; then
  if [ -f "$dir/COMMIT" ] || [ -z "$(ls -A "$dir")" ]; then rm -rf "$dir"; else
    echo "$dir exists and was not made by this script; choose another DIR" >&2
    exit 1
  fi
fi
mkdir -p "$dir"
git -C "$repo" archive "$hash" | tar -x -C "$dir"
ln -s "$repo/node_modules" "$dir/node_modules"
(cd "$dir" && npm run build --silent)
echo "$hash" > "$dir/COMMIT"
echo "built $hash in $dir/dist"
