#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# tap-summary counts test cases, turns crashes, missing results and (with
# --strict) skips into failures, and prints the line CI reads.
. "$(dirname "$0")/../lib/tap.sh"
summary=$REPO/selftests/tap-summary
fx=$REPO/selftests/host/fixtures
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

totals() {	# EXPECTED ARGS...: the totals line equals EXPECTED
	expected=$1
	shift
	[ "$("$summary" "$@" 2>/dev/null | tail -n 1)" = "$expected" ]
}

check "passes and skips counted per case" totals "totals: 3 passed, 0 failed, 1 skipped" "$fx/pass-skip.tap"
check "all passing exits 0" exits_with 0 "$summary" "$fx/pass-skip.tap"
check "failing case counted" totals "totals: 1 passed, 1 failed, 0 skipped" "$fx/case-fails.tap"
check "failing case exits 1" exits_with 1 "$summary" "$fx/case-fails.tap"
check "crash with no failing case is a failure" totals "totals: 1 passed, 1 failed, 0 skipped" "$fx/crash.tap"
check "program without cases counts once" totals "totals: 1 passed, 1 failed, 0 skipped" "$fx/no-cases.tap"
check "--strict: a skip is a failure" totals "totals: 3 passed, 1 failed, 0 skipped" --strict "$fx/pass-skip.tap"
check "--strict exits 1 on a skip" exits_with 1 "$summary" --strict "$fx/pass-skip.tap"
: > "$tmp/empty.tap"
check "empty results are a failure" totals "totals: 0 passed, 1 failed, 0 skipped" "$tmp/empty.tap"
check "empty results fail" exits_with 1 "$summary" "$tmp/empty.tap"
check "missing results fail" exits_with 1 "$summary" "$tmp/missing.tap"
check "files add up" totals "totals: 4 passed, 1 failed, 1 skipped" "$fx/pass-skip.tap" "$fx/case-fails.tap"
tap_done
