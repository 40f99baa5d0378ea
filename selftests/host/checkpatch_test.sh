#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The module's sources (kmod/, common/) and the uapi header are clean under the kernel's own
# checkpatch.pl (extracted from linux-source at build time).
. "$(dirname "$0")/../lib/tap.sh"
checkpatch=$REPO/selftests/kselftest/checkpatch.pl

# compat.h is where kernel version tests belong (and the only place).
compat_ignores=LINUX_VERSION_CODE,CONSTANT_COMPARISON

clean() {
	ignore=
	case "$1" in */kmod/compat.h) ignore="--ignore $compat_ignores" ;; esac
	# shellcheck disable=SC2086
	out=$(perl "$checkpatch" --no-tree --terse --show-types $ignore -f "$1" 2>&1)
	if echo "$out" | grep -qE ': (ERROR|WARNING|CHECK):'; then
		echo "$out" | grep -E ': (ERROR|WARNING|CHECK):'
		return 1
	fi
}

# common/ is compiled into the module too.
for f in "$REPO"/kmod/*.c "$REPO"/kmod/*.h "$REPO"/include/uapi/linux/*.h \
	"$REPO"/common/*.c "$REPO"/common/*.h; do
	# user-compat.h: userspace's stand-ins for kernel macros, never in the module.
	case "$f" in *.mod.c | */common/user-compat.h) continue ;; esac
	check "checkpatch ${f#"$REPO"/}" clean "$f"
done
tap_done
