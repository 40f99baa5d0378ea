# SPDX-License-Identifier: GPL-2.0
# Rules to build libbpf CO-RE programs with bpftool skeletons, as
# libbpf-tools does. Include from any Makefile; set BPF_DIR to this directory.
#
#   X.bpf.c --clang--> X.bpf.o --bpftool gen skeleton--> X.skel.h

CLANG ?= clang
BPFTOOL ?= bpftool
BTF_SOURCE ?= /sys/kernel/btf/vmlinux
BPF_ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(BPF_ARCH) \
	-I$(BPF_DIR)/build -I$(BPF_DIR) -I$(BPF_DIR)/../include/uapi

# vmlinux.h is generated from the build machine's BTF, never committed.
$(BPF_DIR)/build/vmlinux.h:
	@test -r $(BTF_SOURCE) || { echo "No $(BTF_SOURCE): the kernel needs CONFIG_DEBUG_INFO_BTF (or set BTF_SOURCE=)"; exit 1; }
	mkdir -p $(dir $@)
	$(BPFTOOL) btf dump file $(BTF_SOURCE) format c > $@.tmp && mv $@.tmp $@

%.bpf.o: %.bpf.c $(BPF_DIR)/build/vmlinux.h $(wildcard $(BPF_DIR)/*.h)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

%.skel.h: %.bpf.o
	$(BPFTOOL) gen skeleton $< > $@.tmp && mv $@.tmp $@

# libbpf linked statically, so that the tools run where libbpf is not installed.
LIBBPF_LDLIBS := -Wl,-Bstatic -lbpf -Wl,-Bdynamic -lelf -lz
