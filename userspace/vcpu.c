// SPDX-License-Identifier: GPL-2.0
/* vCPU threads: run the guest, hand exits to the devices. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "hv.h"
#include "vmm.h"

static void handle_io(struct vcpu *vcpu, struct hv_exit *exit)
{
	struct vm *vm = vcpu->vm;
	unsigned int size = exit->io.size;

	vcpu->exits[exit->io.is_write ? VCPU_EXIT_PIO_WRITE : VCPU_EXIT_PIO_READ]++;
	if (size != 1 && size != 2 && size != 4)
		return;
	/* String I/O (rep outsb...) arrives as count elements in a row. */
	for (uint32_t i = 0; i < exit->io.count; i++) {
		uint8_t *data = exit->io.data + i * size;

		rules_count_userspace(&vm->rules, BUS_PIO, exit->io.port, data, size,
				      exit->io.is_write);
		bus_access(&vm->bus, BUS_PIO, exit->io.port, data, size, exit->io.is_write);
	}
}

static void handle_mmio(struct vcpu *vcpu, struct hv_exit *exit)
{
	struct vm *vm = vcpu->vm;

	vcpu->exits[exit->mmio.is_write ? VCPU_EXIT_MMIO_WRITE : VCPU_EXIT_MMIO_READ]++;
	if (!exit->mmio.len || exit->mmio.len > 8)
		return;
	rules_count_userspace(&vm->rules, BUS_MMIO, exit->mmio.gpa, exit->mmio.data,
			      exit->mmio.len, exit->mmio.is_write);
	bus_access(&vm->bus, BUS_MMIO, exit->mmio.gpa, exit->mmio.data, exit->mmio.len,
		   exit->mmio.is_write);
}

void vcpu_handle_exit(struct vcpu *vcpu, struct hv_exit *exit)
{
	struct vm *vm = vcpu->vm;
	char regs[256];

	switch (exit->reason) {
	case HV_EXIT_IO:
		/* Coalesced writes first: the device must see them in guest order. */
		rules_drain(&vm->rules);
		handle_io(vcpu, exit);
		break;
	case HV_EXIT_MMIO:
		rules_drain(&vm->rules);
		handle_mmio(vcpu, exit);
		break;
	case HV_EXIT_INTR:
		break;
	case HV_EXIT_HLT:
		/* mshv reports HALTs; KVM only without an in-kernel irqchip (we make one). */
		vcpu->exits[VCPU_EXIT_HLT]++;
		break;
	case HV_EXIT_POWEROFF:
		vcpu->exits[VCPU_EXIT_OTHER]++;
		vm_request_stop(vm, VM_STOP_POWEROFF, "guest powered off");
		break;
	case HV_EXIT_RESET:
		vcpu->exits[VCPU_EXIT_OTHER]++;
		vm_request_stop(vm, VM_STOP_RESET, "guest asked for a reset");
		break;
	case HV_EXIT_SHUTDOWN:
		/* After a triple fault SVM has reset the vCPU: its registers tell nothing. */
		vcpu->exits[VCPU_EXIT_OTHER]++;
		vm_request_stop(vm, VM_STOP_PANIC, "vCPU %u: %s", vcpu->id, exit->detail);
		break;
	case HV_EXIT_ERROR:
		vcpu->exits[VCPU_EXIT_OTHER]++;
		vm->hv_ops->dump_regs(vcpu->hv, regs, sizeof(regs));
		vm_request_stop(vm, VM_STOP_ERROR, "vCPU %u: %s (%s)", vcpu->id, exit->detail,
				regs);
		break;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	struct hv_exit exit;
	sigset_t kick;

	/* Only the kick signal reaches vCPU threads; it interrupts the run ioctl. */
	sigemptyset(&kick);
	sigaddset(&kick, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &kick, NULL);
	while (!vm_stopping(vm)) {
		if (vm->hv_ops->run(vcpu->hv, &exit) < 0)
			break;
		vcpu_handle_exit(vcpu, &exit);
	}
	return NULL;
}

int vcpu_start(struct vcpu *vcpu)
{
	int ret = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);

	if (ret)
		return -ret;
	vcpu->started = true;
	return 0;
}

void vcpu_join(struct vcpu *vcpu)
{
	if (vcpu->started)
		pthread_join(vcpu->thread, NULL);
	vcpu->started = false;
}
