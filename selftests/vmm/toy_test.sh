#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The host tier's toy-bzImage test, here with a /dev/kvm and the module.
VMM_TOY_GUESTS=required exec "$(dirname "$0")/../host/vmm_toy_test.sh"
