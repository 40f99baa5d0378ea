# SPDX-License-Identifier: GPL-2.0
# mshv-fastpath: top-level build. `make help` lists the targets.

VERSION := $(shell cat VERSION)
# Recipes pipe test output through tee: keep the tests' exit status.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

# Kernel headers to build the module against. The running kernel's when it
# has them, else the installed Debian headers of the test VM's kernel (6.1),
# else any installed ones. Override with `make KDIR=...`.
DEBIAN_HEADERS := $(firstword $(lastword $(sort $(wildcard /usr/src/linux-headers-6.1.*-amd64))) \
	$(lastword $(sort $(wildcard /usr/src/linux-headers-*-amd64))))
KDIR ?= $(firstword $(wildcard /lib/modules/$(shell uname -r)/build) $(DEBIAN_HEADERS))
# The release the headers are for (Debian's kernel.release file says 6.1.192
# where the kernel calls itself 6.1.0-56-amd64; utsrelease.h is right).
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)

# WERROR=1 (CI) turns every warning into an error, kernel and userspace.
ifeq ($(WERROR),1)
KBUILD_WERROR := KCFLAGS=-Werror
export EXTRA_CFLAGS_WERROR := -Werror
endif

# Test VM: kernel release or prefix (KERNELS: each in turn, for make check),
# extra command line.
KERNEL ?= 6.1
KERNELS ?= $(KERNEL)
VM_APPEND ?=
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all module modules-all userspace bpf selftests check check-host check-vm \
	check-vm-dkms check-resvd demo bench deps deps-extra install uninstall dkms-install \
	dkms-remove checkpatch clean help

all: module userspace bpf selftests

help:
	@echo 'Build:   make [KDIR=/path/to/headers] [WERROR=1]'
	@echo '         make modules-all      module for every installed linux-headers-*'
	@echo 'Test:    make check            host tests, then the test VM tests (KERNEL=$(KERNEL))'
	@echo '         make check KERNELS="6.1 6.12"   VM tests on both kernels'
	@echo '         make check-host | check-vm [KERNEL=6.12] [VM_APPEND=...]'
	@echo '         make check-resvd      the module'"'"'s hyperv_resvd_new check, in a VM booted'
	@echo '                               with selftests/resvd/vm-args [KERNEL=6.12]'
	@echo '         make checkpatch       kernel coding style of kmod/ and the uapi header'
	@echo 'Bench:   make bench            port-I/O exit costs: userspace, fast path, KVM ioeventfd;'
	@echo '                               Linux boot, memory and exits: mshv-vmm against QEMU;'
	@echo '                               exits/s under mshv-exitstat and bcc'"'"'s kvmexit'
	@echo 'Demo:    make demo             boot the test VM, show the module answering and'
	@echo '                               mshv-vmm booting Linux on it'
	@echo 'Setup:   make deps             install Debian packages (root); deps-extra adds 6.12'
	@echo 'Install: make install | uninstall | dkms-install | dkms-remove'

module:
	@test -n "$(KDIR)" || { echo 'No kernel headers: run make deps (or pass KDIR=...)'; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_WERROR) modules

# One out-of-tree copy per kernel, so that builds for two kernels never share
# object files: build/kmod-KVER/kmod/mshv_fastpath.ko.
modules-all:
	@set -e; for kdir in $(wildcard /usr/src/linux-headers-*-amd64); do \
		kver=$${kdir#/usr/src/linux-headers-}; dst=build/kmod-$$kver; \
		mkdir -p $$dst; cp -r Kbuild VERSION kmod include common $$dst/; \
		echo "== mshv_fastpath.ko for $$kver"; \
		$(MAKE) -C $$kdir M=$(CURDIR)/$$dst $(KBUILD_WERROR) modules; \
	done

userspace:
	$(MAKE) -C userspace

bpf:
	$(MAKE) -C bpf

selftests: userspace bpf
	$(MAKE) -C selftests

# The module's hyperv_resvd_new check needs a VM booted with memmap=
# reservations and a parameter that names them: one more VM per kernel, its
# logs apart from the vm tier's.
RESVD_RUN_VM = selftests/testvm/run-vm --out build/testvm/resvd-$(1) --kernel $(1) --no-kvm \
	--append "$$(cat selftests/resvd/vm-args)" $(if $(VM_APPEND),--append '$(VM_APPEND)') \
	-- selftests/run-tests resvd

# Host tests, then the VM tests on each of KERNELS; the closing line is the
# totals CI reads: "totals: N passed, N failed, N skipped". Under CI a skip
# counts as a failure.
check: all $(if $(filter-out $(KERNEL),$(KERNELS)),modules-all)
	@mkdir -p build; rm -f build/check-*.tap; rc=0; \
	selftests/run-tests host | tee build/check-host.tap || rc=1; \
	for k in $(KERNELS); do \
		selftests/testvm/run-vm --kernel $$k $(if $(VM_APPEND),--append '$(VM_APPEND)') \
			| tee build/check-vm-$$k.tap || rc=1; \
		$(call RESVD_RUN_VM,$$k) | tee build/check-resvd-$$k.tap || rc=1; \
	done; \
	selftests/tap-summary $(if $(CI),--strict) build/check-*.tap || rc=1; \
	exit $$rc

check-host: all
	selftests/run-tests host

check-vm: all
	selftests/testvm/run-vm --kernel $(KERNEL) $(if $(VM_APPEND),--append '$(VM_APPEND)')

check-resvd: all
	$(call RESVD_RUN_VM,$(KERNEL))

# The module as DKMS installed it, loaded in the test VM (CI, after dkms-install).
check-vm-dkms:
	selftests/testvm/run-vm --kernel $(KERNEL) --module dkms -- selftests/run-tests vm -c kmod

demo: all
	selftests/testvm/run-vm --kernel $(KERNEL) -- scripts/demo.sh

# Benchmarks run in the test VM, in one session: the module's exit costs,
# then mshv-vmm against QEMU booting Linux, then what tracing the exits
# costs (mshv-exitstat, bcc's kvmexit); ~17 minutes in all. The result
# lines are repeated last, exitstat_overhead_pct the last of all.
bench: all
	@mkdir -p build
	selftests/testvm/run-vm --kernel $(KERNEL) --timeout 1800 -- sh -c \
		'selftests/bench/fastpath_bench; rc=$$?; selftests/bench/vmm_bench || rc=1; \
		selftests/bench/exitstat_bench || rc=1; exit $$rc' \
		| tee build/bench.log
	@echo; grep -E '^(fastpath_[a-z_]+|boot_vs_qemu|rss_overhead_mib|userspace_exits_fastpath_reduction|kvmexit_[a-z_]+|exitstat_[a-z_]+): ' \
		build/bench.log

checkpatch: selftests
	selftests/run-tests host -t host:checkpatch_test.sh

deps:
	scripts/install-deps.sh

deps-extra:
	scripts/install-deps.sh --extra-kernels

# DESTDIR stages the files for a package; depmod and udev then run in its
# post-install step, not here.
MODDIR = $(DESTDIR)/lib/modules/$(KVER)/updates
install: module userspace bpf
	install -D -m 0644 kmod/mshv_fastpath.ko $(MODDIR)/mshv_fastpath.ko
	$(if $(DESTDIR),,depmod -a $(KVER))
	$(MAKE) -C userspace install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	$(MAKE) -C bpf install PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	install -D -m 0644 packaging/60-mshv-fastpath.rules \
		$(DESTDIR)/etc/udev/rules.d/60-mshv-fastpath.rules
	$(if $(DESTDIR),,-udevadm control --reload-rules 2>/dev/null)

uninstall:
	rm -f $(MODDIR)/mshv_fastpath.ko
	$(if $(DESTDIR),,-depmod -a $(KVER))
	$(MAKE) -C userspace uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	$(MAKE) -C bpf uninstall PREFIX=$(PREFIX) DESTDIR=$(DESTDIR)
	rm -f $(DESTDIR)/etc/udev/rules.d/60-mshv-fastpath.rules

# DKMS: sources go to /usr/src/mshv-fastpath-VERSION, then add, build, install.
DKMS_SRC := /usr/src/mshv-fastpath-$(VERSION)
dkms-install: dkms-remove
	mkdir -p $(DKMS_SRC)
	cp -r dkms.conf Kbuild VERSION kmod include common $(DKMS_SRC)/
	dkms add mshv-fastpath/$(VERSION)
	dkms build mshv-fastpath/$(VERSION) -k $(KVER)
	dkms install mshv-fastpath/$(VERSION) -k $(KVER)

dkms-remove:
	if dkms status mshv-fastpath/$(VERSION) | grep -q .; then \
		dkms remove mshv-fastpath/$(VERSION) --all; fi
	rm -rf $(DKMS_SRC)

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C bpf clean
	$(MAKE) -C selftests clean
	rm -rf build
