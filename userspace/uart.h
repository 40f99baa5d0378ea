/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A 16550A UART, as Linux's 8250 driver probes and drives it: the guest's
 * console. Output goes to a host fd; host input arrives via uart_receive().
 */
#ifndef MSHV_VMM_UART_H
#define MSHV_VMM_UART_H

#include <stddef.h>
#include <stdint.h>

struct irq_line;
struct uart;
struct vm;

/* Host input the guest has not taken yet; more is dropped (and counted). */
#define UART_RX_BACKLOG		65536

struct uart_stats {
	uint64_t tx_bytes;	/* written to the output fd */
	uint64_t tx_dropped;	/* no output fd, or it failed */
	uint64_t rx_bytes;	/* host input accepted */
	uint64_t rx_dropped;	/* host input lost: backlog full */
	uint64_t overruns;	/* bytes the guest lost to a full receive FIFO */
};

/*
 * A UART at @port..@port+7 of vm->bus, interrupting on @irq, transmitting
 * to @out_fd (-1: discard output). Adds the "uart0 transmit" and "uart0
 * line status" rules to vm->rules. Call before the vCPUs start. Returns
 * NULL with errno set on failure.
 */
struct uart *uart_create(struct vm *vm, uint16_t port, struct irq_line *irq,
			 int out_fd);

/* Host input for the guest (from the terminal); any thread. */
void uart_receive(struct uart *u, const uint8_t *buf, size_t len);

void uart_get_stats(struct uart *u, struct uart_stats *stats);

/*
 * After the vCPUs and the I/O thread have stopped and vm->rules has been
 * destroyed: the rules live in the UART.
 */
void uart_destroy(struct uart *u);

#endif
