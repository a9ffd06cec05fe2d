/* test_devices_serial.c: the 16550A UART model, register by register and as Linux probes it. */
#include <check.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "devices/serial.h"

#define COM1_IRQ 4

struct rig {
	struct serial s;
	int level;              /* last level driven on the IRQ line */
	unsigned irq_sets;      /* calls to irq set */
	uint8_t out[4096];      /* what reached the console sink */
	size_t out_len;
	unsigned room_calls;
};

static void rig_irq_set(void *ctx, unsigned gsi, int level)
{
	struct rig *r = ctx;
	ck_assert_uint_eq(gsi, COM1_IRQ);
	r->level = level;
	r->irq_sets++;
}

static void rig_sink_write(void *ctx, const uint8_t *buf, size_t len)
{
	struct rig *r = ctx;
	ck_assert_uint_le(r->out_len + len, sizeof(r->out));
	memcpy(r->out + r->out_len, buf, len);
	r->out_len += len;
}

static void rig_room(void *ctx)
{
	struct rig *r = ctx;
	r->room_calls++;
}

static struct rig *rig_new(void)
{
	struct rig *r = calloc(1, sizeof(*r));
	struct irq_line irq = { rig_irq_set, r, COM1_IRQ };
	struct console_sink sink = { rig_sink_write, r };
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(serial_init(&r->s, &irq, &sink, rig_room, r), 0);
	return r;
}

static void rig_free(struct rig *r)
{
	serial_destroy(&r->s);
	free(r);
}

static uint8_t rd(struct rig *r, unsigned reg)
{
	return (uint8_t)serial_ops.read(&r->s, reg, 1);
}

static void wr(struct rig *r, unsigned reg, uint8_t val)
{
	serial_ops.write(&r->s, reg, 1, val);
}

static size_t rx(struct rig *r, const char *str)
{
	return serial_receive(&r->s, (const uint8_t *)str, strlen(str));
}

START_TEST(test_scratch_register)
{
	struct rig *r = rig_new();
	wr(r, SERIAL_REG_SCR, 0x5a);
	ck_assert_uint_eq(rd(r, SERIAL_REG_SCR), 0x5a);
	wr(r, SERIAL_REG_SCR, 0xa5);
	ck_assert_uint_eq(rd(r, SERIAL_REG_SCR), 0xa5);
	rig_free(r);
}
END_TEST

START_TEST(test_divisor_latch_round_trip)
{
	struct rig *r = rig_new();
	wr(r, SERIAL_REG_LCR, SERIAL_LCR_DLAB);
	ck_assert_uint_eq(rd(r, SERIAL_REG_DLL), SERIAL_DIVISOR_RESET);
	ck_assert_uint_eq(rd(r, SERIAL_REG_DLM), 0);
	wr(r, SERIAL_REG_DLL, 0x01);
	wr(r, SERIAL_REG_DLM, 0x02);
	ck_assert_uint_eq(rd(r, SERIAL_REG_DLL), 0x01);
	ck_assert_uint_eq(rd(r, SERIAL_REG_DLM), 0x02);
	ck_assert_uint_eq(r->out_len, 0); /* DLL writes are not output */
	wr(r, SERIAL_REG_LCR, 0x03);      /* 8N1, DLAB off */
	ck_assert_uint_eq(rd(r, SERIAL_REG_LCR), 0x03);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IER), 0); /* IER again, not DLM */
	wr(r, SERIAL_REG_THR, 'x');
	ck_assert_uint_eq(r->out_len, 1);
	wr(r, SERIAL_REG_LCR, 0x83);
	ck_assert_uint_eq(rd(r, SERIAL_REG_DLL), 0x01); /* THR write left it alone */
	ck_assert_uint_eq(rd(r, SERIAL_REG_DLM), 0x02);
	rig_free(r);
}
END_TEST

START_TEST(test_lsr_bits)
{
	struct rig *r = rig_new();
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR), SERIAL_LSR_THRE | SERIAL_LSR_TEMT);
	wr(r, SERIAL_REG_THR, 'a');
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR), SERIAL_LSR_THRE | SERIAL_LSR_TEMT);
	ck_assert_uint_eq(rx(r, "z"), 1);
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR), SERIAL_LSR_THRE | SERIAL_LSR_TEMT | SERIAL_LSR_DR);
	ck_assert_uint_eq(rd(r, SERIAL_REG_RBR), 'z');
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR), SERIAL_LSR_THRE | SERIAL_LSR_TEMT);
	wr(r, SERIAL_REG_LSR, 0); /* read-only: ignored and counted */
	ck_assert_uint_eq(atomic_load(&r->s.ignored_writes), 1);
	rig_free(r);
}
END_TEST

START_TEST(test_tx_reaches_sink_byte_exact)
{
	struct rig *r = rig_new();
	static const uint8_t msg[] = { 'h', 'i', '\r', '\n', 0x00, 0xff, 0x1b, '[' };
	for (size_t i = 0; i < sizeof(msg); i++)
		wr(r, SERIAL_REG_THR, msg[i]);
	ck_assert_uint_eq(r->out_len, sizeof(msg));
	ck_assert_mem_eq(r->out, msg, sizeof(msg));
	rig_free(r);
}
END_TEST

START_TEST(test_rx_fifo_limit_and_room)
{
	struct rig *r = rig_new();
	/* FIFOs off: a 16450 takes one byte. */
	ck_assert_uint_eq(rx(r, "ab"), 1);
	ck_assert_uint_eq(r->room_calls, 0);
	ck_assert_uint_eq(rd(r, SERIAL_REG_RBR), 'a');
	ck_assert_uint_eq(r->room_calls, 1);
	ck_assert_uint_eq(rx(r, "b"), 1);

	wr(r, SERIAL_REG_FCR, SERIAL_FCR_ENABLE); /* enabling resets the FIFO */
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR) & SERIAL_LSR_DR, 0);
	ck_assert_uint_eq(rx(r, "0123456789abcdefXYZ"), 16);
	ck_assert_uint_eq(rx(r, "XYZ"), 0);
	ck_assert_uint_eq(r->room_calls, 1);
	ck_assert_uint_eq(rd(r, SERIAL_REG_RBR), '0');
	ck_assert_uint_eq(r->room_calls, 2); /* one call per short receive */
	ck_assert_uint_eq(rd(r, SERIAL_REG_RBR), '1');
	ck_assert_uint_eq(r->room_calls, 2);
	ck_assert_uint_eq(rx(r, "XYZ"), 2);
	for (const char *p = "23456789abcdefXY"; *p; p++)
		ck_assert_uint_eq(rd(r, SERIAL_REG_RBR), (uint8_t)*p);
	ck_assert_uint_eq(r->room_calls, 3);
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR) & SERIAL_LSR_DR, 0);
	ck_assert_uint_eq(rd(r, SERIAL_REG_RBR), 0); /* empty */
	rig_free(r);
}
END_TEST

START_TEST(test_fcr_clear)
{
	struct rig *r = rig_new();
	wr(r, SERIAL_REG_FCR, SERIAL_FCR_ENABLE);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR), SERIAL_IIR_FIFO_ON | SERIAL_IIR_NONE);
	ck_assert_uint_eq(rx(r, "0123456789abcdefg"), 16);
	wr(r, SERIAL_REG_FCR, SERIAL_FCR_ENABLE | SERIAL_FCR_CLEAR_RX | SERIAL_FCR_CLEAR_TX);
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR) & SERIAL_LSR_DR, 0);
	ck_assert_uint_eq(r->room_calls, 1);
	ck_assert_uint_eq(rx(r, "q"), 1);
	/* Turning FIFOs off also flushes them and drops IIR's FIFO bits. */
	wr(r, SERIAL_REG_FCR, 0);
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR) & SERIAL_LSR_DR, 0);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR), SERIAL_IIR_NONE);
	rig_free(r);
}
END_TEST

START_TEST(test_rx_trigger_level)
{
	struct rig *r = rig_new();
	wr(r, SERIAL_REG_FCR, SERIAL_FCR_ENABLE | (3 << SERIAL_FCR_TRIG_SHIFT)); /* 14 */
	wr(r, SERIAL_REG_IER, SERIAL_IER_ERBFI);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_NONE);
	rx(r, "abc");
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_TIMEOUT);
	rx(r, "defghijklmn");
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_RDA);
	rd(r, SERIAL_REG_RBR);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_TIMEOUT);
	/* Level 1: any byte is "data available". */
	wr(r, SERIAL_REG_FCR, SERIAL_FCR_ENABLE);
	rx(r, "x");
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_RDA);
	rig_free(r);
}
END_TEST

START_TEST(test_thre_interrupt_as_linux_expects)
{
	struct rig *r = rig_new();
	wr(r, SERIAL_REG_FCR, SERIAL_FCR_ENABLE);
	/* serial8250_do_startup's THRE test: IER=THRI, read IIR; IER=0; IER=THRI
	 * again must re-assert THRE, or Linux marks the port UART_BUG_THRE. */
	wr(r, SERIAL_REG_IER, SERIAL_IER_ETBEI);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR), SERIAL_IIR_FIFO_ON | SERIAL_IIR_THRE);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR), SERIAL_IIR_FIFO_ON | SERIAL_IIR_NONE);
	wr(r, SERIAL_REG_IER, 0);
	wr(r, SERIAL_REG_IER, SERIAL_IER_ETBEI);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_THRE);
	/* Rewriting the same IER does not re-trigger. */
	wr(r, SERIAL_REG_IER, SERIAL_IER_ETBEI);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_NONE);
	/* Each THR write empties THR again at once: a new THRE interrupt. */
	wr(r, SERIAL_REG_THR, 'a');
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR) & SERIAL_LSR_TEMT, SERIAL_LSR_TEMT);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_THRE);
	/* Disabling ETBEI forgets it. */
	wr(r, SERIAL_REG_THR, 'b');
	wr(r, SERIAL_REG_IER, 0);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_NONE);
	rig_free(r);
}
END_TEST

START_TEST(test_iir_priority)
{
	struct rig *r = rig_new();
	wr(r, SERIAL_REG_FCR, SERIAL_FCR_ENABLE);
	/* Loopback overrun gives a line-status error, with data and a modem
	 * status change (entering loopback drops DSR) also pending. */
	wr(r, SERIAL_REG_MCR, SERIAL_MCR_LOOP);
	for (int i = 0; i < SERIAL_FIFO_SIZE + 1; i++)
		wr(r, SERIAL_REG_THR, (uint8_t)i);
	ck_assert_uint_eq(atomic_load(&r->s.rx_overruns), 1);
	wr(r, SERIAL_REG_IER, SERIAL_IER_MASK);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_RLS);
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR) & SERIAL_LSR_OE, SERIAL_LSR_OE);
	ck_assert_uint_eq(rd(r, SERIAL_REG_LSR) & SERIAL_LSR_OE, 0); /* cleared by the read */
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_RDA);
	for (int i = 0; i < SERIAL_FIFO_SIZE; i++)
		ck_assert_uint_eq(rd(r, SERIAL_REG_RBR), i);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_THRE); /* and clears it */
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_MSR);
	ck_assert_uint_eq(rd(r, SERIAL_REG_MSR) & SERIAL_MSR_DELTAS, SERIAL_MSR_DCTS | SERIAL_MSR_DDSR |
			  SERIAL_MSR_DDCD);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x0f, SERIAL_IIR_NONE);
	rig_free(r);
}
END_TEST

START_TEST(test_irq_gated_by_out2)
{
	struct rig *r = rig_new();
	wr(r, SERIAL_REG_IER, SERIAL_IER_ETBEI | SERIAL_IER_ERBFI);
	ck_assert_uint_eq(r->irq_sets, 0); /* pending, but OUT2 is low */
	wr(r, SERIAL_REG_MCR, SERIAL_MCR_OUT2 | SERIAL_MCR_DTR | SERIAL_MCR_RTS);
	ck_assert_int_eq(r->level, 1);
	ck_assert_uint_eq(r->irq_sets, 1);
	rd(r, SERIAL_REG_IIR); /* THRE acknowledged */
	ck_assert_int_eq(r->level, 0);
	ck_assert_uint_eq(r->irq_sets, 2);
	rx(r, "k");
	ck_assert_int_eq(r->level, 1);
	wr(r, SERIAL_REG_SCR, 1); /* no change, no call */
	ck_assert_uint_eq(r->irq_sets, 3);
	wr(r, SERIAL_REG_MCR, SERIAL_MCR_DTR);
	ck_assert_int_eq(r->level, 0);
	wr(r, SERIAL_REG_MCR, SERIAL_MCR_OUT2);
	ck_assert_int_eq(r->level, 1);
	rd(r, SERIAL_REG_RBR);
	ck_assert_int_eq(r->level, 0);
	ck_assert_uint_eq(r->irq_sets, 6);
	rig_free(r);
}
END_TEST

/* SeaBIOS's detect_serial (src/serial.c): IER = ETBEI must read back and
 * make IIR report THRE at once. */
START_TEST(test_seabios_detect)
{
	struct rig *r = rig_new();
	wr(r, SERIAL_REG_IER, SERIAL_IER_ETBEI);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IER), SERIAL_IER_ETBEI);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x3f, SERIAL_IIR_THRE);
	wr(r, SERIAL_REG_IER, 0);
	rig_free(r);
}
END_TEST

/* The order of accesses in Linux's autoconfig() and size_fifo(). */
START_TEST(test_linux_autoconfig_sequence)
{
	struct rig *r = rig_new();
	uint8_t save_ier = rd(r, SERIAL_REG_IER);
	wr(r, SERIAL_REG_IER, 0);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IER) & 0x0f, 0);
	wr(r, SERIAL_REG_IER, 0x0f);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IER) & 0x0f, 0x0f);
	wr(r, SERIAL_REG_IER, save_ier);
	/* Loopback test: MCR = LOOP|OUT2|RTS must read back DCD|CTS. */
	uint8_t save_mcr = rd(r, SERIAL_REG_MCR);
	wr(r, SERIAL_REG_MCR, SERIAL_MCR_LOOP | SERIAL_MCR_OUT2 | SERIAL_MCR_RTS);
	ck_assert_uint_eq(rd(r, SERIAL_REG_MSR) & 0xf0, SERIAL_MSR_DCD | SERIAL_MSR_CTS);
	wr(r, SERIAL_REG_MCR, save_mcr);
	ck_assert_uint_eq(rd(r, SERIAL_REG_MSR) & 0xf0,
			  SERIAL_MSR_DCD | SERIAL_MSR_DSR | SERIAL_MSR_CTS);
	/* FIFO type: IIR bits 7:6 == 3 means 16550A; bits 5:4 stay clear
	 * (no 64-byte FIFO, no NS EXCR1 loop bit). */
	wr(r, SERIAL_REG_FCR, SERIAL_FCR_ENABLE);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) >> 6, 3);
	wr(r, SERIAL_REG_LCR, 0xbf);
	ck_assert_uint_ne(rd(r, SERIAL_REG_IIR), 0); /* no EFR here */
	wr(r, SERIAL_REG_LCR, 0);
	ck_assert_uint_eq(rd(r, SERIAL_REG_IIR) & 0x30, 0);
	/* size_fifo: loop 256 bytes back at divisor 1 and count what arrives. */
	ck_assert_uint_eq(rx(r, "host"), 4);
	wr(r, SERIAL_REG_FCR, SERIAL_FCR_ENABLE | SERIAL_FCR_CLEAR_RX | SERIAL_FCR_CLEAR_TX);
	wr(r, SERIAL_REG_MCR, SERIAL_MCR_LOOP);
	ck_assert_uint_eq(rx(r, "typed during probe"), 0); /* input pin disconnected */
	wr(r, SERIAL_REG_LCR, SERIAL_LCR_DLAB);
	wr(r, SERIAL_REG_DLL, 1);
	wr(r, SERIAL_REG_DLM, 0);
	wr(r, SERIAL_REG_LCR, 0x03);
	for (int i = 0; i < 256; i++)
		wr(r, SERIAL_REG_THR, (uint8_t)i);
	int count = 0;
	while ((rd(r, SERIAL_REG_LSR) & SERIAL_LSR_DR) && count < 256) {
		ck_assert_uint_eq(rd(r, SERIAL_REG_RBR), count);
		count++;
	}
	ck_assert_int_eq(count, SERIAL_FIFO_SIZE);
	ck_assert_uint_eq(r->out_len, 0); /* loopback never reaches the host */
	ck_assert_uint_eq(r->room_calls, 0);
	wr(r, SERIAL_REG_MCR, 0);
	ck_assert_uint_eq(r->room_calls, 1); /* the refused host input may come now */
	rig_free(r);
}
END_TEST

START_TEST(test_wide_access_splits_bytes)
{
	struct rig *r = rig_new();
	serial_ops.write(&r->s, SERIAL_REG_LCR, 2, 0x0b03); /* LCR = 3, MCR = 0x0b */
	ck_assert_uint_eq(rd(r, SERIAL_REG_LCR), 0x03);
	ck_assert_uint_eq(rd(r, SERIAL_REG_MCR), 0x0b);
	ck_assert_uint_eq(serial_ops.read(&r->s, SERIAL_REG_LCR, 2), 0x0b03);
	ck_assert_uint_eq(atomic_load(&r->s.wide_accesses), 2);
	rig_free(r);
}
END_TEST

/* The I/O thread's side of flow control: push until short, wait for rx_room. */
struct pump {
	struct serial s;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned rooms;
	size_t total;
};

static void pump_room(void *ctx)
{
	struct pump *p = ctx;
	pthread_mutex_lock(&p->mu);
	p->rooms++;
	pthread_cond_signal(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void *pump_main(void *arg)
{
	struct pump *p = arg;
	uint8_t buf[64];
	size_t sent = 0;
	while (sent < p->total) {
		size_t n = p->total - sent < sizeof(buf) ? p->total - sent : sizeof(buf);
		for (size_t i = 0; i < n; i++)
			buf[i] = (uint8_t)(sent + i);
		pthread_mutex_lock(&p->mu);
		unsigned seen = p->rooms;
		pthread_mutex_unlock(&p->mu);
		size_t got = serial_receive(&p->s, buf, n);
		sent += got;
		if (got < n) {
			pthread_mutex_lock(&p->mu);
			while (p->rooms == seen)
				pthread_cond_wait(&p->cv, &p->mu);
			pthread_mutex_unlock(&p->mu);
		}
	}
	return NULL;
}

START_TEST(test_rx_flow_control_threads)
{
	struct pump p = { .total = 200000 };
	pthread_t t;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	ck_assert_int_eq(serial_init(&p.s, NULL, NULL, pump_room, &p), 0);
	serial_ops.write(&p.s, SERIAL_REG_FCR, 1, SERIAL_FCR_ENABLE);
	ck_assert_int_eq(pthread_create(&t, NULL, pump_main, &p), 0);
	for (size_t got = 0; got < p.total;) {
		if (serial_ops.read(&p.s, SERIAL_REG_LSR, 1) & SERIAL_LSR_DR) {
			ck_assert_uint_eq(serial_ops.read(&p.s, SERIAL_REG_RBR, 1), (uint8_t)got);
			got++;
		}
	}
	pthread_join(t, NULL);
	serial_destroy(&p.s);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
}
END_TEST

static Suite *serial_suite(void)
{
	Suite *s = suite_create("devices_serial");
	TCase *tc = tcase_create("uart");
	tcase_add_test(tc, test_scratch_register);
	tcase_add_test(tc, test_divisor_latch_round_trip);
	tcase_add_test(tc, test_lsr_bits);
	tcase_add_test(tc, test_tx_reaches_sink_byte_exact);
	tcase_add_test(tc, test_rx_fifo_limit_and_room);
	tcase_add_test(tc, test_fcr_clear);
	tcase_add_test(tc, test_rx_trigger_level);
	tcase_add_test(tc, test_thre_interrupt_as_linux_expects);
	tcase_add_test(tc, test_iir_priority);
	tcase_add_test(tc, test_irq_gated_by_out2);
	tcase_add_test(tc, test_seabios_detect);
	tcase_add_test(tc, test_linux_autoconfig_sequence);
	tcase_add_test(tc, test_wide_access_splits_bytes);
	tcase_add_test(tc, test_rx_flow_control_threads);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(serial_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
