// SPDX-License-Identifier: GPL-2.0
/*
 * A 16550A UART, modelled on what Linux's 8250 driver probes and uses
 * (kvmtool's hw/serial.c and QEMU's hw/char/serial.c do the same job).
 *
 * Transmission is instantaneous: THR and the transmitter are always empty
 * as far as the guest can see, so LSR reads THRE|TEMT and a THR write
 * (re)raises the THR-empty interrupt once its byte has reached the output
 * fd. The guest sees a real 16-byte receive FIFO (Linux measures it, in
 * loopback); host input beyond that waits in a large backlog and moves
 * into the FIFO as the guest reads, so a paste is not lost.
 *
 * Two fast-path rules: THR writes are coalesced (the VMM drains them, in
 * order, before it handles any other exit, so they meet the DLAB state they
 * were written under), and LSR reads are answered THRE|TEMT while that is
 * exactly what the UART would say.
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include <linux/serial_reg.h>

#include "console-output.h"
#include "irq.h"
#include "rules.h"
#include "uart.h"
#include "vmm.h"

#define UART_NR_PORTS		8
#define UART_FIFO_SIZE		16	/* a 16550A's, as Linux measures it */
#define IIR_FIFO_BITS		0xc0	/* IIR bits 6-7: FIFOs enabled */
/* 16550 "character timeout": data below the trigger level (0x0c). */
#define IIR_RX_TIMEOUT		UART_IIR_RX_TIMEOUT
#define LSR_ERRORS		(UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)
#define LSR_IDLE		(UART_LSR_THRE | UART_LSR_TEMT)
/* The modem lines of an attached, ready terminal. */
#define MSR_LINES_READY		(UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS)
#define MSR_LINES		0xf0

struct uart {
	struct vm *vm;
	struct irq_line *irq;
	pthread_mutex_t lock;		/* all but the output */

	uint8_t ier, lcr, mcr, msr, scr, dll, dlm;
	uint8_t lsr_errors;		/* until the guest reads LSR */
	bool fifo_enabled;
	unsigned int rx_trigger;	/* FIFO level of a data-available interrupt */
	bool thre_pending;		/* until IIR reports it or THRI goes off */

	/* The chip's receive FIFO: one byte (the RBR) with the FIFO off. */
	uint8_t fifo[UART_FIFO_SIZE];
	unsigned int fifo_head, fifo_count;
	/* Host input not in the FIFO yet; loopback disconnects it. */
	uint8_t backlog[UART_RX_BACKLOG];
	unsigned int backlog_head, backlog_count;

	int irq_level;
	bool lsr_rule_enabled;
	struct rule tx_rule, lsr_rule;
	uint64_t rx_bytes, rx_dropped, overruns;

	struct console_output out;
};

static bool uart_loopback(const struct uart *u)
{
	return u->mcr & UART_MCR_LOOP;
}

static unsigned int fifo_capacity(const struct uart *u)
{
	return u->fifo_enabled ? UART_FIFO_SIZE : 1;
}

static void fifo_push(struct uart *u, uint8_t byte)
{
	if (u->fifo_count == fifo_capacity(u)) {
		u->lsr_errors |= UART_LSR_OE;
		u->overruns++;
		/* Without a FIFO the new byte overwrites the RBR. */
		if (!u->fifo_enabled)
			u->fifo[u->fifo_head] = byte;
		return;
	}
	u->fifo[(u->fifo_head + u->fifo_count) % UART_FIFO_SIZE] = byte;
	u->fifo_count++;
}

static uint8_t fifo_pop(struct uart *u)
{
	uint8_t byte = u->fifo[u->fifo_head];

	u->fifo_head = (u->fifo_head + 1) % UART_FIFO_SIZE;
	u->fifo_count--;
	return byte;
}

/* Move host input into the FIFO while it has room. */
static void fifo_refill(struct uart *u)
{
	while (!uart_loopback(u) && u->backlog_count &&
	       u->fifo_count < fifo_capacity(u)) {
		fifo_push(u, u->backlog[u->backlog_head]);
		u->backlog_head = (u->backlog_head + 1) % UART_RX_BACKLOG;
		u->backlog_count--;
	}
}

/* The highest-priority pending interrupt, as IIR shows it. */
static uint8_t uart_iir(const struct uart *u)
{
	uint8_t fifo_bits = u->fifo_enabled ? IIR_FIFO_BITS : 0;

	if ((u->ier & UART_IER_RLSI) && u->lsr_errors)
		return fifo_bits | UART_IIR_RLSI;
	if ((u->ier & UART_IER_RDI) && u->fifo_count) {
		/*
		 * Below the trigger level a real chip times out after four
		 * character times; host input has no line timing, so the
		 * timeout has always passed.
		 */
		if (u->fifo_enabled && u->fifo_count < u->rx_trigger)
			return fifo_bits | IIR_RX_TIMEOUT;
		return fifo_bits | UART_IIR_RDI;
	}
	if ((u->ier & UART_IER_THRI) && u->thre_pending)
		return fifo_bits | UART_IIR_THRI;
	if ((u->ier & UART_IER_MSI) && (u->msr & UART_MSR_ANY_DELTA))
		return fifo_bits | UART_IIR_MSI;
	return fifo_bits | UART_IIR_NO_INT;
}

/*
 * After every state change, under the lock: first the LSR rule (off before
 * the guest can be interrupted for input it would then not see), then the
 * interrupt line, each touched only when it changes.
 */
static void uart_update(struct uart *u)
{
	bool lsr_idle = !u->fifo_count && !uart_loopback(u) && !u->lsr_errors;
	int level = !(uart_iir(u) & UART_IIR_NO_INT);

	if (lsr_idle != u->lsr_rule_enabled) {
		u->lsr_rule_enabled = lsr_idle;
		rules_set_enabled(&u->vm->rules, &u->lsr_rule, lsr_idle);
	}
	if (level != u->irq_level) {
		u->irq_level = level;
		irq_line_set(u->irq, level);
	}
}

/* MSR bits 4-7: in loopback the modem outputs drive them. */
static uint8_t modem_lines(const struct uart *u)
{
	if (!uart_loopback(u))
		return MSR_LINES_READY;
	return (u->mcr & UART_MCR_RTS ? UART_MSR_CTS : 0) |
	       (u->mcr & UART_MCR_DTR ? UART_MSR_DSR : 0) |
	       (u->mcr & UART_MCR_OUT1 ? UART_MSR_RI : 0) |
	       (u->mcr & UART_MCR_OUT2 ? UART_MSR_DCD : 0);
}

static void set_mcr(struct uart *u, uint8_t val)
{
	uint8_t before = u->msr & MSR_LINES, now;

	u->mcr = val & 0x1f;
	now = modem_lines(u);
	u->msr = now | (u->msr & UART_MSR_ANY_DELTA);
	if ((before ^ now) & UART_MSR_CTS)
		u->msr |= UART_MSR_DCTS;
	if ((before ^ now) & UART_MSR_DSR)
		u->msr |= UART_MSR_DDSR;
	if (before & ~now & UART_MSR_RI)
		u->msr |= UART_MSR_TERI;
	if ((before ^ now) & UART_MSR_DCD)
		u->msr |= UART_MSR_DDCD;
	/* Leaving loopback reconnects host input. */
	fifo_refill(u);
}

static void set_ier(struct uart *u, uint8_t val)
{
	uint8_t changed = (u->ier ^ val) & UART_IER_THRI;

	/* Bits 4-7 do not exist on a 16550A: Linux's probe checks. */
	u->ier = val & 0x0f;
	/*
	 * THR is always empty, so enabling THRI interrupts at once; Linux's
	 * startup test (UART_BUG_THRE) expects exactly that.
	 */
	if (changed) {
		u->thre_pending = u->ier & UART_IER_THRI;
		/* Transmit by interrupt: coalesced bytes must not wait for the next exit. */
		rules_drain_waiting(&u->vm->rules, u->ier & UART_IER_THRI);
	}
}

static void set_fcr(struct uart *u, uint8_t val)
{
	static const uint8_t rx_triggers[4] = { 1, 4, 8, 14 };
	bool enable = val & UART_FCR_ENABLE_FIFO;

	/* Switching the FIFO on or off empties it, as does CLEAR_RCVR. */
	if (enable != u->fifo_enabled || (val & UART_FCR_CLEAR_RCVR)) {
		u->fifo_head = 0;
		u->fifo_count = 0;
	}
	u->fifo_enabled = enable;
	if (enable)
		u->rx_trigger = rx_triggers[val >> 6];
	/* CLEAR_XMIT: the transmit side is always empty already. */
	fifo_refill(u);
}

static void uart_write(struct uart *u, unsigned int reg, uint8_t val)
{
	bool transmit = false;

	pthread_mutex_lock(&u->lock);
	switch (reg) {
	case UART_TX:
		if (u->lcr & UART_LCR_DLAB) {
			u->dll = val;
		} else if (uart_loopback(u)) {
			fifo_push(u, val);
			u->thre_pending = true;
		} else {
			transmit = true;
		}
		break;
	case UART_IER:
		if (u->lcr & UART_LCR_DLAB)
			u->dlm = val;
		else
			set_ier(u, val);
		break;
	case UART_FCR:
		set_fcr(u, val);
		break;
	case UART_LCR:
		u->lcr = val;
		break;
	case UART_MCR:
		set_mcr(u, val);
		break;
	case UART_SCR:
		u->scr = val;
		break;
	default:	/* LSR, MSR: read-only */
		break;
	}
	uart_update(u);
	pthread_mutex_unlock(&u->lock);

	if (!transmit)
		return;
	/*
	 * Outside the register lock, so host input is not held up by slow
	 * output; THRE is raised only once the byte is out, so a guest that
	 * waits for it writes its next byte after this one.
	 */
	console_output_write(&u->out, &val, 1);
	pthread_mutex_lock(&u->lock);
	u->thre_pending = true;
	uart_update(u);
	pthread_mutex_unlock(&u->lock);
}

static uint8_t uart_read(struct uart *u, unsigned int reg)
{
	uint8_t val = 0;

	pthread_mutex_lock(&u->lock);
	switch (reg) {
	case UART_RX:
		if (u->lcr & UART_LCR_DLAB) {
			val = u->dll;
		} else if (u->fifo_count) {
			val = fifo_pop(u);
			fifo_refill(u);
		}
		break;
	case UART_IER:
		val = u->lcr & UART_LCR_DLAB ? u->dlm : u->ier;
		break;
	case UART_IIR:
		val = uart_iir(u);
		if ((val & UART_IIR_ID) == UART_IIR_THRI)
			u->thre_pending = false;
		break;
	case UART_LCR:
		val = u->lcr;
		break;
	case UART_MCR:
		val = u->mcr;
		break;
	case UART_LSR:
		val = (u->fifo_count ? UART_LSR_DR : 0) | u->lsr_errors | LSR_IDLE;
		u->lsr_errors = 0;
		break;
	case UART_MSR:
		val = u->msr;
		u->msr &= ~UART_MSR_ANY_DELTA;
		break;
	case UART_SCR:
		val = u->scr;
		break;
	}
	uart_update(u);
	pthread_mutex_unlock(&u->lock);
	return val;
}

/*
 * A wide access is a run of byte accesses, as the ISA bus splits it; the
 * bus keeps it inside our eight ports.
 */
static void uart_io(void *opaque, uint64_t offset, uint8_t *data,
		    unsigned int len, bool is_write)
{
	struct uart *u = opaque;
	unsigned int i;

	for (i = 0; i < len; i++) {
		if (is_write)
			uart_write(u, offset + i, data[i]);
		else
			data[i] = uart_read(u, offset + i);
	}
}

void uart_receive(struct uart *u, const uint8_t *buf, size_t len)
{
	size_t i;

	pthread_mutex_lock(&u->lock);
	for (i = 0; i < len && u->backlog_count < UART_RX_BACKLOG; i++) {
		u->backlog[(u->backlog_head + u->backlog_count) % UART_RX_BACKLOG] = buf[i];
		u->backlog_count++;
	}
	u->rx_bytes += i;
	if (i < len) {
		u->rx_dropped += len - i;
		/* What the guest would see of a line faster than it reads. */
		if (!uart_loopback(u))
			u->lsr_errors |= UART_LSR_OE;
	}
	fifo_refill(u);
	uart_update(u);
	pthread_mutex_unlock(&u->lock);
}

void uart_get_stats(struct uart *u, struct uart_stats *stats)
{
	pthread_mutex_lock(&u->lock);
	stats->rx_bytes = u->rx_bytes;
	stats->rx_dropped = u->rx_dropped;
	stats->overruns = u->overruns;
	pthread_mutex_unlock(&u->lock);
	console_output_stats(&u->out, &stats->tx_bytes, &stats->tx_dropped);
}

struct uart *uart_create(struct vm *vm, uint16_t port, struct irq_line *irq,
			 int out_fd)
{
	struct uart *u = calloc(1, sizeof(*u));
	char name[16];
	int err;

	if (!u)
		return NULL;
	u->vm = vm;
	u->irq = irq;
	u->msr = MSR_LINES_READY;
	u->rx_trigger = 1;
	pthread_mutex_init(&u->lock, NULL);
	snprintf(name, sizeof(name), "uart %#x", port);
	console_output_init(&u->out, vm, out_fd, name);

	u->tx_rule = (struct rule) {
		.name = "uart0 transmit",
		.kind = RULE_COALESCE,
		.space = BUS_PIO,
		.addr = port + UART_TX,
		.len = 1,
		.eventfd = -1,
	};
	u->lsr_rule = (struct rule) {
		.name = "uart0 line status",
		.kind = RULE_FIXED_READ,
		.space = BUS_PIO,
		.addr = port + UART_LSR,
		.len = 1,
		.eventfd = -1,
		.value = LSR_IDLE,
	};
	/* Rules start enabled: right for an idle UART. */
	u->lsr_rule_enabled = true;

	err = bus_register(&vm->bus, BUS_PIO, port, UART_NR_PORTS, uart_io, u,
			   "uart");
	if (err) {
		uart_destroy(u);
		errno = -err;
		return NULL;
	}
	/*
	 * From here the bus points at the UART: on failure it stays allocated
	 * and the VM, which cannot run without its console, is abandoned.
	 */
	err = rules_add(&vm->rules, &u->tx_rule);
	if (!err)
		err = rules_add(&vm->rules, &u->lsr_rule);
	if (err) {
		errno = -err;
		return NULL;
	}
	return u;
}

void uart_destroy(struct uart *u)
{
	if (!u)
		return;
	console_output_destroy(&u->out);
	pthread_mutex_destroy(&u->lock);
	free(u);
}
