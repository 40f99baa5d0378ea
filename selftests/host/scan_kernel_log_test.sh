#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The test VM's kernel-log scanner flags every kind of kernel bug report the
# runner promises to catch, and passes a clean log.
. "$(dirname "$0")/../lib/tap.sh"
scan=$REPO/selftests/testvm/scan-kernel-log

flags() { printf '%s\n' "[    1.0] booting" "$1" "[    2.0] done" | "$scan" >/dev/null; [ $? -eq 1 ]; }

check "clean log passes" "$scan" "$REPO/selftests/host/fixtures/clean-dmesg.txt"
check "unreadable log is an error" exits_with 2 "$scan" /nonexistent/dmesg
check "Oops" flags "[    3.1] Oops: 0002 [#1] PREEMPT SMP NOPTI"
check "BUG" flags "[    3.1] BUG: kernel NULL pointer dereference, address: 0000000000000008"
check "kernel BUG at" flags "[    3.1] kernel BUG at mm/slub.c:400!"
check "WARNING" flags "[    3.1] WARNING: CPU: 1 PID: 77 at kmod/main.c:120 mshv_fp_ioctl+0x10/0x20 [mshv_fastpath]"
check "lockdep circular" flags "[    3.1] WARNING: possible circular locking dependency detected"
check "lockdep recursive" flags "[    3.1] WARNING: possible recursive locking detected"
check "refcount" flags "[    3.1] refcount_t: underflow; use-after-free."
check "list_add corruption" flags "[    3.1] list_add corruption. prev->next should be next (ffff888004a1b2c8)"
check "list_del corruption" flags "[    3.1] list_del corruption, ffff888004a1b2c8->next is LIST_POISON1"
check "slab leak at cache destroy" flags "[    3.1] kmem_cache_destroy mshv_fp_vm: Slab cache still has objects when called from mshv_fp_exit+0x1c/0x30"
check "slub_debug corruption" flags "[    3.1] BUG mshv_fp_vm (Tainted: G           OE     ): Poison overwritten"
check "soft lockup" flags "[   30.1] watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [qemu-system-x86:123]"
check "RCU stall" flags "[   30.1] rcu: INFO: rcu_sched self-detected stall on CPU"
check "hung task" flags "[  130.1] INFO: task rmmod:99 blocked for more than 120 seconds."
check "general protection fault" flags "[    3.1] general protection fault, probably for non-canonical address 0xdead000000000100"
tap_done
