# SPDX-License-Identifier: GPL-2.0
# TAP 13 for shell selftests (6.1's kselftest has no shell helpers):
#   check "what it shows" COMMAND...    one test case: ok if COMMAND succeeds
#   skip "what" "why"                   one skipped case
#   tap_done                            trailing plan; kselftest exit code
#   module_unload, module_reload        for tests that unload the module for a
#   module_restore                      while; module_restore in the EXIT trap
#                                       leaves it as the VM session had it
# Sourced by selftests/*/*_test.sh; REPO is the repository's top directory.
REPO=$(cd "$(dirname "$0")/../.." && pwd)
tap_n=0
tap_failed=0
echo "TAP version 13"

# The test VM loads the module from MSHV_FP_MODULE (selftests/testvm).
module_removed=0
module_unload() {
	[ -n "${MSHV_FP_MODULE:-}" ] && rmmod mshv_fastpath && module_removed=1
}
module_reload() {
	insmod "$MSHV_FP_MODULE" && module_removed=0
}
module_restore() {
	if [ $module_removed = 1 ] && ! grep -q '^mshv_fastpath ' /proc/modules; then
		insmod "$MSHV_FP_MODULE"
	fi
}

check() {
	desc=$1
	shift
	tap_n=$((tap_n + 1))
	if "$@"; then
		echo "ok $tap_n $desc"
	else
		echo "not ok $tap_n $desc"
		tap_failed=$((tap_failed + 1))
	fi
}

skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n $1 # SKIP $2"
}

# True when COMMAND's combined output matches the extended regex PATTERN.
output_matches() {
	pattern=$1
	shift
	"$@" 2>&1 | grep -qE -- "$pattern"
}

# True when COMMAND exits with STATUS.
exits_with() {
	status=$1
	shift
	"$@" >/dev/null 2>&1
	[ $? -eq "$status" ]
}

tap_done() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ] && exit 0
	exit 1
}
