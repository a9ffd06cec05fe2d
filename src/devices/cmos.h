/* cmos.h: the PC's MC146818A real-time clock and its battery-backed NVRAM.
 *
 * Two ports: 0x70 selects a register (bit 7 is the NMI mask, ignored here),
 * 0x71 reads or writes it. Registers 0x00-0x09 are the clock, derived on every
 * read from the host's wall clock (UTC) plus an offset the guest moves by
 * writing them; 0x0A-0x0D are control and status; the rest is NVRAM the
 * machine fills with what SeaBIOS reads (memory size, CPU count, boot order).
 *
 * Modelled: BCD and binary formats (register B DM), 24- and 12-hour modes,
 * the SET bit (the clock stops while it is set), register A's update-in-
 * progress bit during the last 244 us of every second (datasheet tBUC),
 * register D's valid-RAM bit, and the interrupt flags of register C:
 *   UF, update ended: once per guest second (not while SET);
 *   AF, alarm: at the update whose time matches the three alarm registers,
 *       each either a value or "don't care" (bits 7:6 = 11); not while SET;
 *   PF, periodic: at the rate register A's RS3-0 selects (0 off, 3-15:
 *       32768 >> (RS-1) Hz, 1 and 2: 256 and 128 Hz on the 32.768 kHz time
 *       base); SET does not stop it;
 *   IRQF = PF&PIE | AF&AIE | UF&UIE (register B); the IRQ line (IRQ 8 on a
 *       PC) is asserted while IRQF is set; reading C returns and clears all
 *       flags and lowers the line.
 * Flags are computed lazily when C is read (a polling guest needs no timer).
 * For interrupts the device asks its host for a timer (cmos_set_irq's kick,
 * cmos_timer_poll) only while an enabled flag is clear and could be set:
 * nothing runs when the guest enables nothing, or while IRQF is already
 * set. Wakeups are capped at CMOS_TIMER_MAX_HZ whatever the guest asks;
 * periods that end while PF is still set (or between two capped wakeups)
 * coalesce into one PF, as the flag is a level, and are counted.
 * Not modelled: the square-wave output, the divider bits (DV2-0 are kept
 * but the clock always runs), daylight saving, the 2 ms update cycle.
 *
 * Sources: Motorola MC146818A data sheet (register map, UIP timing, the
 * periodic rate table, alarm "don't care" codes, register C); IBM PC/AT
 * Technical Reference and SeaBIOS src/hw/rtc.h (NVRAM offsets); QEMU
 * hw/i386/pc.c pc_cmos_init (what a PC BIOS expects in NVRAM).
 */
#ifndef VMM_DEVICES_CMOS_H
#define VMM_DEVICES_CMOS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/bus.h"
#include "core/irq.h"

#define CMOS_PORT_BASE 0x70 /* index; data at +1 */
#define CMOS_PORTS     2
#define CMOS_SIZE      128
#define CMOS_INDEX_MASK 0x7F /* bit 7 of the index write masks NMI */

/* Clock registers. */
#define CMOS_SECONDS      0x00
#define CMOS_SECONDS_ALARM 0x01
#define CMOS_MINUTES      0x02
#define CMOS_MINUTES_ALARM 0x03
#define CMOS_HOURS        0x04
#define CMOS_HOURS_ALARM  0x05
#define CMOS_DAY_OF_WEEK  0x06 /* 1 = Sunday */
#define CMOS_DAY_OF_MONTH 0x07
#define CMOS_MONTH        0x08
#define CMOS_YEAR         0x09 /* two digits; the century is at CMOS_CENTURY */
/* Guest times from 2200 on are refused (counted in bad_writes): nanoseconds
 * since the epoch, which the clock keeps, end in 2262. 2200-01-01 UTC: */
#define CMOS_END_SEC      7258118400LL

/* Control and status. */
#define CMOS_REG_A 0x0A
#define CMOS_REG_B 0x0B
#define CMOS_REG_C 0x0C
#define CMOS_REG_D 0x0D
#define CMOS_A_UIP      0x80 /* update in progress: read-only */
#define CMOS_A_DEFAULT  0x26 /* 32.768 kHz time base, 1024 Hz rate: what BIOSes write */
#define CMOS_A_RS_MASK  0x0F /* rate select RS3-0: the periodic interrupt's rate */
#define CMOS_B_SET      0x80
#define CMOS_B_PIE      0x40
#define CMOS_B_AIE      0x20
#define CMOS_B_UIE      0x10
#define CMOS_B_DM       0x04 /* 1 = binary, 0 = BCD */
#define CMOS_B_24H      0x02
#define CMOS_B_DEFAULT  CMOS_B_24H
#define CMOS_C_IRQF     0x80
#define CMOS_C_PF       0x40 /* periodic */
#define CMOS_C_AF       0x20 /* alarm */
#define CMOS_C_UF       0x10 /* update ended */
#define CMOS_ALARM_DONT_CARE 0xC0 /* an alarm byte with bits 7:6 = 11 matches any value */
#define CMOS_D_VRT      0x80 /* valid RAM and time */
#define CMOS_HOUR_PM    0x80 /* 12-hour mode: bit 7 of the hours register */
/* UIP is set this long before each second's update (datasheet tBUC = 244 us). */
#define CMOS_UIP_NS     244000LL
/* The periodic rate's unit: the 32.768 kHz time base (datasheet: periodic
 * interrupt rate table, RS 3-15 = 2^(RS-1) cycles; RS 1 and 2 = 128 and 256
 * cycles on this time base). */
#define CMOS_TIMEBASE_HZ 32768
#define CMOS_RS_1_CYCLES 128 /* 256 Hz */
#define CMOS_RS_2_CYCLES 256 /* 128 Hz */
/* The host's wakeups for this device, whatever rate the guest sets: a
 * guest at RS=3 (8192 Hz) gets PF coalesced at this rate. 1024 Hz is the
 * BIOS default rate (register A 0x26), which Linux and Windows use. */
#define CMOS_TIMER_MAX_HZ 1024
/* cmos_timer_poll: no timer wanted. */
#define CMOS_NO_TIMER (-1LL)

/* NVRAM (IBM PC/AT layout plus the QEMU/SeaBIOS extensions). */
#define CMOS_SHUTDOWN_STATUS 0x0F /* 0 = normal POST */
#define CMOS_FLOPPY_TYPES    0x10
#define CMOS_EQUIPMENT       0x14
#define CMOS_EQUIPMENT_FPU   0x02
#define CMOS_BASE_MEM_LO     0x15 /* KiB below 1 MiB: 640 */
#define CMOS_BASE_MEM_HI     0x16
#define CMOS_EXT_MEM_LO      0x17 /* KiB above 1 MiB, at most 65535 */
#define CMOS_EXT_MEM_HI      0x18
#define CMOS_CHECKSUM_HI     0x2E /* sum of 0x10-0x2D, big-endian */
#define CMOS_CHECKSUM_LO     0x2F
#define CMOS_CHECKSUM_FIRST  0x10
#define CMOS_CHECKSUM_LAST   0x2D
#define CMOS_EXT_MEM2_LO     0x30 /* copy of 0x17/0x18 */
#define CMOS_EXT_MEM2_HI     0x31
#define CMOS_CENTURY         0x32
#define CMOS_MEM_16M_LO      0x34 /* 64 KiB units above 16 MiB (below 4 GiB) */
#define CMOS_MEM_16M_HI      0x35
#define CMOS_PS2_CENTURY     0x37
#define CMOS_BOOT_FLAG1      0x38 /* bits 7:4 third boot device, bit 0 skip floppy check */
#define CMOS_BOOT_FLAG2      0x3D /* bits 3:0 first, 7:4 second boot device */
#define CMOS_BOOT_HDD        0x2  /* SeaBIOS/QEMU boot device codes: 1 fd, 2 hd, 3 cd */
#define CMOS_BOOT_NO_FD_CHECK 0x01
#define CMOS_MEM_4G_LO       0x5B /* 64 KiB units above 4 GiB, 24 bits */
#define CMOS_MEM_4G_MID      0x5C
#define CMOS_MEM_4G_HI       0x5D
#define CMOS_SMP_COUNT       0x5F /* CPUs - 1: SeaBIOS waits for this many APs */

#define CMOS_BASE_MEM_KIB    640

struct cmos {
	pthread_mutex_t lock;
	uint8_t index;
	uint8_t ram[CMOS_SIZE]; /* NVRAM, alarms and registers A-D; not the clock */
	int64_t offset_ns;      /* guest clock = host clock + offset */
	bool frozen;            /* register B SET: the clock stands at frozen_sec */
	int64_t frozen_sec;
	int64_t acct_sec;       /* last guest second whose update UF/AF account for */
	int64_t pf_acct;        /* last periodic period (host clock / its length) PF accounts for */
	uint8_t flags;          /* register C's PF, AF, UF since C was last read */
	bool line;              /* the level irq was last set to */
	struct irq_line irq;    /* not wired: flags only */
	void (*kick)(void *ctx); /* call cmos_timer_poll soon, from the timer's thread */
	void *kick_ctx;
	int64_t armed_ns;       /* the deadline (host clock) the last poll asked for, CMOS_NO_TIMER none */
	int64_t last_fired_ns;  /* the last armed deadline a poll came at or after */
	int64_t (*now_ns)(void *ctx); /* host wall clock, ns since the epoch */
	void *now_ctx;
	atomic_ulong bad_writes; /* malformed clock values, writes to read-only registers */
	atomic_ulong pf_coalesced; /* periods with PIE set that ended while PF was still set */
	atomic_ulong timer_polls;  /* cmos_timer_poll calls (host wakeups) */
};

/* What the machine tells the BIOS through NVRAM. */
struct cmos_pc_info {
	uint64_t ram_below_4g; /* bytes of RAM from 0 */
	uint64_t ram_above_4g; /* bytes of RAM from 4 GiB */
	unsigned cpus;
};

/* now_ns NULL: CLOCK_REALTIME. Registers A, B, D get their power-on values. */
int cmos_init(struct cmos *c, int64_t (*now_ns)(void *ctx), void *ctx);
void cmos_destroy(struct cmos *c);

/* Fill memory sizes, CPU count, equipment, boot order (hard disk), century
 * and the checksum, as a PC BIOS setup would have left them. */
void cmos_fill_pc(struct cmos *c, const struct cmos_pc_info *info);

/* Wire the interrupt line (copied; its set is called with the device's lock
 * held, on a vCPU thread or the timer's). kick(kick_ctx), from any thread,
 * means "call cmos_timer_poll soon": the wanted timer deadline moved
 * earlier than the one the last poll returned. Before the guest runs. */
void cmos_set_irq(struct cmos *c, const struct irq_line *irq, void (*kick)(void *ctx), void *kick_ctx);

/* The host's timer fired or a kick came: bring the flags and the line up to
 * date, and return in how many ns to call again (>= 1), or CMOS_NO_TIMER
 * while no enabled interrupt can fire. The deadlines that fire are at least
 * 1/CMOS_TIMER_MAX_HZ apart, whatever the guest's rate. */
int64_t cmos_timer_poll(struct cmos *c);

/* Raw NVRAM access for the machine and tests (idx < CMOS_SIZE). */
uint8_t cmos_nvram_get(struct cmos *c, unsigned idx);

/* Register at CMOS_PORT_BASE, len CMOS_PORTS, opaque = the struct cmos. */
extern const struct bus_ops cmos_ops;

#endif
