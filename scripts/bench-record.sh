#!/usr/bin/env bash
# Records one results file of bench/results/ in the Go benchmark format.
#
#   scripts/bench-record.sh OUT DIR REGEX ROUNDS COUNT [PACKAGE]
#
# runs, in DIR, ROUNDS times
#
#   go test -run '^$' -bench REGEX -benchmem -count COUNT PACKAGE
#
# (PACKAGE defaults to .), and writes their output to OUT after four
# configuration lines that the report program (bench/cmd/benchreport) shows
# as the machine the results were recorded on:
#
#   nproc: <CPUs, nproc>
#   go: <go version>
#   date: <UTC, RFC 3339>
#   loadavg: <1, 5 and 15 minute load averages when the run started>
#
# Rounds interleave the benchmarks that REGEX matches, so that every one of
# them, a baseline and its subject alike, runs under the same mix of load;
# -count does not (go test runs each sub-benchmark COUNT times back to
# back), so record with ROUNDS samples and COUNT 1.
# The environment is passed on (REINHARDT_TEST_REDIS and the like).
#
# When no benchmark matches (the benchmark is not on this branch yet), OUT
# is left as it is and the script says so, so that one list of result files
# serves every branch. A failing go test fails the script and leaves OUT as
# it is.
set -euo pipefail

if [ $# -lt 5 ] || [ $# -gt 6 ]; then
	echo "usage: $0 OUT DIR REGEX ROUNDS COUNT [PACKAGE]" >&2
	exit 2
fi
out=$1 dir=$2 regex=$3 rounds=$4 count=$5 pkg=${6:-.}
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT

{
	echo "nproc: $(nproc)"
	echo "go: $(cd "$dir" && go env GOVERSION)"
	echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
	echo "loadavg: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)"
} >"$tmp"
for _ in $(seq "$rounds"); do
	(cd "$dir" && go test -run '^$' -bench "$regex" -benchmem -count "$count" "$pkg") | tee -a "$tmp"
done
if ! grep -q '^Benchmark.*[0-9] ns/op' "$tmp"; then
	echo "bench-record: no benchmark matches $regex in $dir; $out left as it is" >&2
	exit 0
fi
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
