#!/usr/bin/env bash
# Runs every Fuzz target of the module for the given time each (default 10s).
set -euo pipefail
time=${1:-10s}
cd "$(git rev-parse --show-toplevel)"
status=0
while IFS= read -r file; do
  dir=$(dirname "$file")
  for fn in $(grep -oE '^func (Fuzz[A-Za-z0-9_]+)\(' "$file" | sed -E 's/^func (Fuzz[A-Za-z0-9_]+)\(/\1/'); do
    echo "== $dir $fn ($time)"
    go test -run '^$' -fuzz "^${fn}\$" -fuzztime "$time" "./$dir" || status=1
  done
done < <(git ls-files '*_test.go' | xargs grep -l '^func Fuzz' | sort)
exit $status
