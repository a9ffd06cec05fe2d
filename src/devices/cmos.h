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
 * progress bit during the last 244 us of every second (datasheet tBUC), the
 * update-ended flag UF in register C (seen lazily: set when a second boundary
 * passed since register C was last read; reading C clears it), register D's
 * valid-RAM bit. Not modelled: interrupts on IRQ 8 (periodic, alarm, update),
 * the square-wave output, daylight saving. A guest enabling PIE/AIE/UIE gets
 * no interrupt; Linux and SeaBIOS poll instead.
 *
 * Sources: Motorola MC146818A data sheet (register map, UIP timing); IBM PC/AT
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

/* Control and status. */
#define CMOS_REG_A 0x0A
#define CMOS_REG_B 0x0B
#define CMOS_REG_C 0x0C
#define CMOS_REG_D 0x0D
#define CMOS_A_UIP      0x80 /* update in progress: read-only */
#define CMOS_A_DEFAULT  0x26 /* 32.768 kHz time base, 1024 Hz rate: what BIOSes write */
#define CMOS_B_SET      0x80
#define CMOS_B_PIE      0x40
#define CMOS_B_AIE      0x20
#define CMOS_B_UIE      0x10
#define CMOS_B_DM       0x04 /* 1 = binary, 0 = BCD */
#define CMOS_B_24H      0x02
#define CMOS_B_DEFAULT  CMOS_B_24H
#define CMOS_C_IRQF     0x80
#define CMOS_C_UF       0x10
#define CMOS_D_VRT      0x80 /* valid RAM and time */
#define CMOS_HOUR_PM    0x80 /* 12-hour mode: bit 7 of the hours register */
/* UIP is set this long before each second's update (datasheet tBUC = 244 us). */
#define CMOS_UIP_NS     244000LL

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
	int64_t uf_seen_sec;    /* guest second when register C was last read */
	int64_t (*now_ns)(void *ctx); /* host wall clock, ns since the epoch */
	void *now_ctx;
	atomic_ulong bad_writes; /* malformed clock values, writes to read-only registers */
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

/* Raw NVRAM access for the machine and tests (idx < CMOS_SIZE). */
uint8_t cmos_nvram_get(struct cmos *c, unsigned idx);

/* Register at CMOS_PORT_BASE, len CMOS_PORTS, opaque = the struct cmos. */
extern const struct bus_ops cmos_ops;

#endif
