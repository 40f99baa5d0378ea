// SPDX-License-Identifier: GPL-2.0
/*
 * The 16550A UART model (uart.c), driven through the bus the way Linux's
 * 8250 driver drives it, with a fake interrupt line and a pipe as output.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/serial_reg.h>

#include "kselftest_harness.h"

#include "uart.h"
#include "vmm.h"
#include "vmm_test_util.h"

#define BASE	0x3f8

struct bench {
	struct vm vm;
	struct fake_irq irq;
	struct uart *uart;
	int out[2];	/* pipe: the UART writes out[1] */
};

static struct bench *bench_create(void)
{
	struct bench *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	vm_init(&b->vm);
	fake_irq_init(&b->irq, 4);
	if (pipe2(b->out, O_NONBLOCK | O_CLOEXEC)) {
		free(b);
		return NULL;
	}
	b->uart = uart_create(&b->vm, BASE, &b->irq.line, b->out[1]);
	if (!b->uart) {
		close(b->out[0]);
		close(b->out[1]);
		free(b);
		return NULL;
	}
	return b;
}

static void bench_destroy(struct bench *b)
{
	rules_destroy(&b->vm.rules);
	uart_destroy(b->uart);
	close(b->out[0]);
	if (b->out[1] >= 0)
		close(b->out[1]);
	free(b);
}

static void outb(struct bench *b, unsigned int reg, uint8_t val)
{
	bus_access(&b->vm.bus, BUS_PIO, BASE + reg, &val, 1, true);
}

static uint8_t inb(struct bench *b, unsigned int reg)
{
	uint8_t val = 0;

	bus_access(&b->vm.bus, BUS_PIO, BASE + reg, &val, 1, false);
	return val;
}

/* What the UART wrote to its output so far. */
static size_t output(struct bench *b, char *buf, size_t size)
{
	ssize_t n = read(b->out[0], buf, size - 1);

	n = n < 0 ? 0 : n;
	buf[n] = '\0';
	return n;
}

static struct rule *find_rule(struct bench *b, const char *name)
{
	for (struct rule *r = b->vm.rules.head; r; r = r->next)
		if (!strcmp(r->name, name))
			return r;
	return NULL;
}

static bool lsr_rule_enabled(struct bench *b)
{
	return find_rule(b, "uart0 line status")->enabled;
}

/* Linux's 8250 setup: 8n1 at 115200, FIFO on with an 8-byte trigger. */
static void linux_init(struct bench *b)
{
	outb(b, UART_LCR, UART_LCR_DLAB);
	outb(b, UART_DLL, 1);
	outb(b, UART_DLM, 0);
	outb(b, UART_LCR, UART_LCR_WLEN8);
	outb(b, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR |
	     UART_FCR_CLEAR_XMIT | UART_FCR_R_TRIG_10);
	outb(b, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
}

TEST(registers_its_ports_and_rules)
{
	struct bench *b = bench_create();
	struct rule *tx, *lsr;

	ASSERT_NE(NULL, b);
	tx = find_rule(b, "uart0 transmit");
	lsr = find_rule(b, "uart0 line status");
	ASSERT_NE(NULL, tx);
	ASSERT_NE(NULL, lsr);
	EXPECT_EQ(RULE_COALESCE, tx->kind);
	EXPECT_EQ(BUS_PIO, tx->space);
	EXPECT_EQ(BASE, tx->addr);
	EXPECT_EQ(1, tx->len);
	EXPECT_EQ(RULE_FIXED_READ, lsr->kind);
	EXPECT_EQ(BASE + UART_LSR, lsr->addr);
	EXPECT_EQ(1, lsr->len);
	EXPECT_EQ(UART_LSR_THRE | UART_LSR_TEMT, lsr->value);
	EXPECT_TRUE(lsr->enabled);
	/* The fixed answer is what the register says when idle. */
	EXPECT_EQ(lsr->value, inb(b, UART_LSR));
	EXPECT_NE(NULL, bus_find(&b->vm.bus, BUS_PIO, BASE + 7, 1));
	EXPECT_EQ(NULL, bus_find(&b->vm.bus, BUS_PIO, BASE + 8, 1));
	bench_destroy(b);
}

/* The checks of Linux's autoconfig(): it must find a 16550A with 16 bytes of FIFO. */
TEST(linux_autoconfig_finds_a_16550a)
{
	struct bench *b = bench_create();
	unsigned int count;

	ASSERT_NE(NULL, b);
	/* IER: the low nibble sticks, UUE (bit 6) does not. */
	outb(b, UART_IER, 0);
	EXPECT_EQ(0, inb(b, UART_IER) & 0x0f);
	outb(b, UART_IER, 0x0f);
	EXPECT_EQ(0x0f, inb(b, UART_IER) & 0x0f);
	outb(b, UART_IER, UART_IER_UUE);
	EXPECT_EQ(0, inb(b, UART_IER));
	/* Loopback: RTS -> CTS, OUT2 -> DCD. */
	outb(b, UART_MCR, UART_MCR_LOOP | 0x0a);
	EXPECT_EQ(0x90, inb(b, UART_MSR) & 0xf0);
	outb(b, UART_MCR, 0);
	/* EFR probes see IIR, never 0. */
	outb(b, UART_LCR, UART_LCR_CONF_MODE_B);
	outb(b, UART_EFR, 0);
	outb(b, UART_LCR, 0);
	outb(b, UART_FCR, UART_FCR_ENABLE_FIFO);
	EXPECT_EQ(3, inb(b, UART_IIR) >> 6);
	outb(b, UART_LCR, UART_LCR_CONF_MODE_A);
	EXPECT_NE(0, inb(b, UART_EFR));
	outb(b, UART_LCR, UART_LCR_CONF_MODE_B);
	EXPECT_NE(0, inb(b, UART_EFR));
	/* Not a TI16750: no 64-byte mode, with or without DLAB. */
	outb(b, UART_LCR, 0);
	outb(b, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	EXPECT_EQ(6, inb(b, UART_IIR) >> 5);
	outb(b, UART_LCR, UART_LCR_CONF_MODE_A);
	outb(b, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR7_64BYTE);
	EXPECT_EQ(6, inb(b, UART_IIR) >> 5);
	/* size_fifo(): 256 bytes in loopback, 16 arrive. */
	outb(b, UART_LCR, 0);
	outb(b, UART_FCR, UART_FCR_ENABLE_FIFO | UART_FCR_CLEAR_RCVR | UART_FCR_CLEAR_XMIT);
	outb(b, UART_MCR, UART_MCR_LOOP);
	outb(b, UART_LCR, UART_LCR_WLEN8);
	for (count = 0; count < 256; count++)
		outb(b, UART_TX, count);
	for (count = 0; (inb(b, UART_LSR) & UART_LSR_DR) && count < 256; count++)
		EXPECT_EQ(count, inb(b, UART_RX));
	EXPECT_EQ(16, count);
	/* The scratch register holds a byte. */
	outb(b, UART_SCR, 0xa5);
	EXPECT_EQ(0xa5, inb(b, UART_SCR));
	bench_destroy(b);
}

TEST(divisor_latch_and_transmit)
{
	struct bench *b = bench_create();
	struct uart_stats st;
	char buf[64];

	ASSERT_NE(NULL, b);
	linux_init(b);
	outb(b, UART_LCR, UART_LCR_DLAB | UART_LCR_WLEN8);
	EXPECT_EQ(1, inb(b, UART_DLL));
	EXPECT_EQ(0, inb(b, UART_DLM));
	/* A 16-bit access is two byte accesses: DLL, then DLM. */
	bus_access(&b->vm.bus, BUS_PIO, BASE, (uint8_t[]){ 0x0c, 0x01 }, 2, true);
	EXPECT_EQ(0x0c, inb(b, UART_DLL));
	EXPECT_EQ(0x01, inb(b, UART_DLM));
	/* With DLAB set, port 0 is DLL: nothing is sent. */
	outb(b, UART_TX, 3);
	EXPECT_EQ(3, inb(b, UART_DLL));
	EXPECT_EQ(0, output(b, buf, sizeof(buf)));
	outb(b, UART_LCR, UART_LCR_WLEN8);
	for (const char *p = "hello\n"; *p; p++)
		outb(b, UART_TX, *p);
	EXPECT_EQ(6, output(b, buf, sizeof(buf)));
	EXPECT_STREQ("hello\n", buf);
	EXPECT_EQ(UART_LSR_THRE | UART_LSR_TEMT, inb(b, UART_LSR));
	uart_get_stats(b->uart, &st);
	EXPECT_EQ(6, st.tx_bytes);
	EXPECT_EQ(0, st.tx_dropped);
	bench_destroy(b);
}

TEST(thre_interrupt)
{
	struct bench *b = bench_create();
	char buf[8];

	ASSERT_NE(NULL, b);
	linux_init(b);
	EXPECT_EQ(0, b->irq.level);
	EXPECT_EQ(0xc1, inb(b, UART_IIR));
	/* Enabling THRI with THR empty interrupts at once. */
	outb(b, UART_IER, UART_IER_THRI);
	EXPECT_EQ(1, b->irq.level);
	EXPECT_EQ(0xc2, inb(b, UART_IIR));
	/* Reading IIR that reports THRE clears it. */
	EXPECT_EQ(0, b->irq.level);
	EXPECT_EQ(0xc1, inb(b, UART_IIR));
	/* Linux's UART_BUG_THRE test: off and on again re-raises it. */
	outb(b, UART_IER, 0);
	outb(b, UART_IER, UART_IER_THRI);
	EXPECT_EQ(0xc2, inb(b, UART_IIR));
	/* A transmitted byte empties THR again: a new interrupt. */
	outb(b, UART_TX, 'x');
	EXPECT_EQ(1, b->irq.level);
	EXPECT_EQ(1, output(b, buf, sizeof(buf)));
	/* More bytes before the guest looks keep the line up: no extra edges. */
	outb(b, UART_TX, 'y');
	outb(b, UART_TX, 'z');
	EXPECT_EQ(3, b->irq.rises);
	EXPECT_EQ(0xc2, inb(b, UART_IIR));
	outb(b, UART_IER, 0);
	EXPECT_EQ(0, b->irq.level);
	EXPECT_EQ(0, b->irq.redundant);
	bench_destroy(b);
}

TEST(receive_in_order_with_interrupts)
{
	struct bench *b = bench_create();

	ASSERT_NE(NULL, b);
	linux_init(b);
	outb(b, UART_IER, UART_IER_RDI | UART_IER_RLSI);
	EXPECT_EQ(0, b->irq.level);
	EXPECT_TRUE(lsr_rule_enabled(b));

	uart_receive(b->uart, (const uint8_t *)"abc", 3);
	EXPECT_EQ(1, b->irq.level);
	/* The fixed LSR answer would hide the data: the rule is off. */
	EXPECT_FALSE(lsr_rule_enabled(b));
	/* Below the 8-byte trigger level: character timeout. */
	EXPECT_EQ(0xcc, inb(b, UART_IIR));
	EXPECT_EQ(UART_LSR_DR | UART_LSR_THRE | UART_LSR_TEMT, inb(b, UART_LSR));
	EXPECT_EQ('a', inb(b, UART_RX));
	EXPECT_EQ('b', inb(b, UART_RX));
	EXPECT_EQ(1, b->irq.level);
	EXPECT_EQ('c', inb(b, UART_RX));
	EXPECT_EQ(0, b->irq.level);
	EXPECT_EQ(0xc1, inb(b, UART_IIR));
	EXPECT_EQ(UART_LSR_THRE | UART_LSR_TEMT, inb(b, UART_LSR));
	EXPECT_TRUE(lsr_rule_enabled(b));

	/* At the trigger level: data available. */
	uart_receive(b->uart, (const uint8_t *)"0123456789", 10);
	EXPECT_EQ(0xc4, inb(b, UART_IIR));
	for (int i = 0; i < 10; i++)
		EXPECT_EQ('0' + i, inb(b, UART_RX));
	EXPECT_EQ(0, b->irq.level);
	EXPECT_EQ(0, b->irq.redundant);
	bench_destroy(b);
}

/* A paste far bigger than the FIFO arrives whole, in order, with no overrun. */
TEST(paste_larger_than_the_fifo)
{
	struct bench *b = bench_create();
	static uint8_t paste[5000];
	struct uart_stats st;
	unsigned int n = 0;
	bool in_order = true;

	ASSERT_NE(NULL, b);
	linux_init(b);
	for (unsigned int i = 0; i < sizeof(paste); i++)
		paste[i] = i * 7;
	uart_receive(b->uart, paste, 1000);
	uart_receive(b->uart, paste + 1000, sizeof(paste) - 1000);
	for (;;) {
		uint8_t lsr = inb(b, UART_LSR);

		EXPECT_EQ(0, lsr & UART_LSR_OE);
		if (!(lsr & UART_LSR_DR) || n > sizeof(paste))
			break;
		in_order &= inb(b, UART_RX) == paste[n];
		n++;
	}
	EXPECT_EQ(sizeof(paste), n);
	EXPECT_TRUE(in_order);
	uart_get_stats(b->uart, &st);
	EXPECT_EQ(sizeof(paste), st.rx_bytes);
	EXPECT_EQ(0, st.rx_dropped);
	EXPECT_EQ(0, st.overruns);
	bench_destroy(b);
}

TEST(host_input_beyond_the_backlog_is_an_overrun)
{
	struct bench *b = bench_create();
	size_t len = UART_RX_BACKLOG + 100;
	uint8_t *flood = calloc(1, len);
	struct uart_stats st;

	ASSERT_NE(NULL, b);
	ASSERT_NE(NULL, flood);
	linux_init(b);
	outb(b, UART_IER, UART_IER_RDI | UART_IER_RLSI);
	uart_receive(b->uart, flood, len);
	uart_get_stats(b->uart, &st);
	EXPECT_EQ(UART_RX_BACKLOG, st.rx_bytes);
	EXPECT_EQ(100, st.rx_dropped);
	/* Line status first, then data; LSR reading clears OE. */
	EXPECT_EQ(0xc6, inb(b, UART_IIR));
	EXPECT_EQ(UART_LSR_OE | UART_LSR_DR, inb(b, UART_LSR) & (UART_LSR_OE | UART_LSR_DR));
	EXPECT_EQ(0, inb(b, UART_LSR) & UART_LSR_OE);
	EXPECT_EQ(0xc4, inb(b, UART_IIR));
	free(flood);
	bench_destroy(b);
}

TEST(loopback)
{
	struct bench *b = bench_create();
	struct uart_stats st;
	char buf[8];

	ASSERT_NE(NULL, b);
	linux_init(b);
	outb(b, UART_IER, UART_IER_RDI | UART_IER_RLSI | UART_IER_MSI);
	EXPECT_EQ(UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS, inb(b, UART_MSR));

	outb(b, UART_MCR, UART_MCR_LOOP);
	/* LSR reads must reach the UART: the rule is off in loopback. */
	EXPECT_FALSE(lsr_rule_enabled(b));
	/* All modem inputs dropped with the outputs off: deltas, an MSI. */
	EXPECT_EQ(0xc0, inb(b, UART_IIR));
	EXPECT_EQ(UART_MSR_DDCD | UART_MSR_DDSR | UART_MSR_DCTS, inb(b, UART_MSR));
	EXPECT_EQ(0xc1, inb(b, UART_IIR));
	outb(b, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR | UART_MCR_OUT1);
	EXPECT_EQ(UART_MSR_DSR | UART_MSR_RI | UART_MSR_DDSR, inb(b, UART_MSR));
	outb(b, UART_MCR, UART_MCR_LOOP | UART_MCR_DTR);
	EXPECT_EQ(UART_MSR_DSR | UART_MSR_TERI, inb(b, UART_MSR));

	/* Host input waits while loopback disconnects the line. */
	uart_receive(b->uart, (const uint8_t *)"H", 1);
	EXPECT_EQ(0, inb(b, UART_LSR) & UART_LSR_DR);
	/* THR comes back as input and never reaches the output. */
	for (int i = 0; i < 17; i++)
		outb(b, UART_TX, 'a' + i);
	EXPECT_EQ(0, output(b, buf, sizeof(buf)));
	EXPECT_EQ(1, b->irq.level);
	/* The 17th byte found the FIFO full. */
	EXPECT_EQ(0xc6, inb(b, UART_IIR));
	EXPECT_EQ(UART_LSR_OE | UART_LSR_DR, inb(b, UART_LSR) & (UART_LSR_OE | UART_LSR_DR));
	for (int i = 0; i < 16; i++)
		EXPECT_EQ('a' + i, inb(b, UART_RX));
	EXPECT_EQ(0, inb(b, UART_LSR) & UART_LSR_DR);
	uart_get_stats(b->uart, &st);
	EXPECT_EQ(1, st.overruns);
	EXPECT_EQ(0, st.tx_bytes);

	/* Out of loopback the held input arrives; once read, LSR is idle again. */
	outb(b, UART_MCR, UART_MCR_DTR | UART_MCR_RTS | UART_MCR_OUT2);
	EXPECT_FALSE(lsr_rule_enabled(b));
	EXPECT_EQ('H', inb(b, UART_RX));
	inb(b, UART_MSR);
	EXPECT_TRUE(lsr_rule_enabled(b));
	EXPECT_EQ(0, b->irq.level);
	EXPECT_EQ(0, b->irq.redundant);
	bench_destroy(b);
}

/* RLSI > RDI > THRI > MSI, each cleared its own way. */
TEST(interrupt_priority)
{
	struct bench *b = bench_create();

	ASSERT_NE(NULL, b);
	linux_init(b);
	outb(b, UART_MCR, UART_MCR_LOOP);
	for (int i = 0; i < 17; i++)
		outb(b, UART_TX, i);
	outb(b, UART_IER, 0x0f);
	EXPECT_EQ(0xc6, inb(b, UART_IIR));
	inb(b, UART_LSR);
	EXPECT_EQ(0xc4, inb(b, UART_IIR));
	for (int i = 0; i < 16; i++)
		inb(b, UART_RX);
	EXPECT_EQ(0xc2, inb(b, UART_IIR));
	EXPECT_EQ(0xc0, inb(b, UART_IIR));
	inb(b, UART_MSR);
	EXPECT_EQ(0xc1, inb(b, UART_IIR));
	EXPECT_EQ(0, b->irq.level);
	/* FIFO off: IIR bits 6-7 clear, RBR holds one byte. */
	outb(b, UART_FCR, 0);
	EXPECT_EQ(0x01, inb(b, UART_IIR));
	outb(b, UART_TX, 1);
	outb(b, UART_TX, 2);
	EXPECT_EQ(0x06, inb(b, UART_IIR));
	EXPECT_EQ(UART_LSR_OE | UART_LSR_DR, inb(b, UART_LSR) & (UART_LSR_OE | UART_LSR_DR));
	EXPECT_EQ(0x04, inb(b, UART_IIR));
	EXPECT_EQ(2, inb(b, UART_RX));
	EXPECT_EQ(0, inb(b, UART_LSR) & UART_LSR_DR);
	EXPECT_EQ(0, b->irq.redundant);
	bench_destroy(b);
}

/* A reader that went away: bytes are counted as dropped, nothing breaks. */
TEST(output_gone)
{
	struct bench *b = bench_create();
	struct uart_stats st;

	ASSERT_NE(NULL, b);
	signal(SIGPIPE, SIG_IGN);
	close(b->out[0]);
	b->out[0] = open("/dev/null", O_RDONLY);
	outb(b, UART_TX, 'a');
	outb(b, UART_TX, 'b');
	uart_get_stats(b->uart, &st);
	EXPECT_EQ(0, st.tx_bytes);
	EXPECT_EQ(2, st.tx_dropped);
	EXPECT_EQ(UART_LSR_THRE | UART_LSR_TEMT, inb(b, UART_LSR));
	bench_destroy(b);
}

/* A full pipe holds the vCPU until the reader catches up: nothing is lost. */
struct slow_reader {
	int fd;
	size_t got;
};

static void *read_slowly(void *arg)
{
	struct slow_reader *r = arg;
	char buf[4096];
	int flags = fcntl(r->fd, F_GETFL);

	fcntl(r->fd, F_SETFL, flags & ~O_NONBLOCK);
	usleep(200 * 1000);
	for (;;) {
		ssize_t n = read(r->fd, buf, sizeof(buf));

		if (n <= 0)
			return NULL;
		r->got += n;
	}
}

TEST(full_output_is_waited_for)
{
	struct bench *b = bench_create();
	struct slow_reader reader;
	struct uart_stats st;
	pthread_t thread;
	unsigned int size;

	ASSERT_NE(NULL, b);
	size = fcntl(b->out[1], F_GETPIPE_SZ) + 1000;
	reader = (struct slow_reader){ .fd = b->out[0] };
	ASSERT_EQ(0, pthread_create(&thread, NULL, read_slowly, &reader));
	for (unsigned int i = 0; i < size; i++)
		outb(b, UART_TX, 'x');
	close(b->out[1]);
	b->out[1] = -1;
	pthread_join(thread, NULL);
	EXPECT_EQ(size, reader.got);
	uart_get_stats(b->uart, &st);
	EXPECT_EQ(size, st.tx_bytes);
	EXPECT_EQ(0, st.tx_dropped);
	bench_destroy(b);
}

/* A reader that stalls for good holds the vCPU only until the VM stops. */
TEST(stalled_output_gives_up_when_the_vm_stops)
{
	struct bench *b = bench_create();
	struct timespec start, end;
	struct delayed_stop stop;
	struct uart_stats st;
	char buf[4096];

	ASSERT_NE(NULL, b);
	ASSERT_TRUE(fill_pipe(b->out[1]));
	ASSERT_TRUE(delayed_stop_start(&stop, &b->vm, 100));
	outb(b, UART_TX, 'x');
	delayed_stop_join(&stop);
	EXPECT_TRUE(vm_stopping(&b->vm));
	uart_get_stats(b->uart, &st);
	EXPECT_EQ(0, st.tx_bytes);
	EXPECT_EQ(1, st.tx_dropped);
	/* The guest still sees its byte go: THR empty, as for any byte. */
	EXPECT_EQ(UART_LSR_THRE | UART_LSR_TEMT, inb(b, UART_LSR));

	/* Stopping, no byte waits for the reader (20 would take 2 s if they did). */
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (int i = 0; i < 20; i++)
		outb(b, UART_TX, 'x');
	clock_gettime(CLOCK_MONOTONIC, &end);
	EXPECT_GT(500, (end.tv_sec - start.tv_sec) * 1000 +
		      (end.tv_nsec - start.tv_nsec) / 1000000);
	/* But a reader that keeps up still gets the last words. */
	while (read(b->out[0], buf, sizeof(buf)) > 0)
		;
	outb(b, UART_TX, '!');
	EXPECT_EQ(1, output(b, buf, sizeof(buf)));
	EXPECT_STREQ("!", buf);
	uart_get_stats(b->uart, &st);
	EXPECT_EQ(1, st.tx_bytes);
	EXPECT_EQ(21, st.tx_dropped);
	bench_destroy(b);
}

TEST_HARNESS_MAIN
