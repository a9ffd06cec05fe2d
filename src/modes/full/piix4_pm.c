/* piix4_pm.c: PIIX4 power management: PMBASE mapping, PM1 registers, the PM
 * timer, SMI_CMD's ACPI enable and S5 power-off (see piix4_pm.h). */
#include "modes/full/piix4_pm.h"

#include <stddef.h>
#include <string.h>
#include <time.h>

#include "modes/full/piix3.h"

static int64_t piix4_host_now(void *ctx)
{
	struct timespec ts;
	(void)ctx;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static struct piix4_pm *piix4_of(struct pci_dev *d)
{
	return (struct piix4_pm *)((char *)d - offsetof(struct piix4_pm, pci));
}

/* 3.579545 MHz ticks since boot, modulo 2^24 (ACPI 6.5 §4.8.3.3). */
static uint32_t piix4_timer(struct piix4_pm *pm)
{
	uint64_t ns = (uint64_t)pm->now_ns(pm->now_ctx);
	unsigned __int128 ticks = (unsigned __int128)ns * ACPI_PM_TIMER_HZ / 1000000000ULL;
	return (uint32_t)ticks & ACPI_PM_TIMER_MASK;
}

static uint16_t piix4_get16(const struct piix4_pm *pm, unsigned off)
{
	return (uint16_t)(pm->regs[off] | pm->regs[off + 1] << 8);
}

/* Lock held: PM1_CNT changed; SLP_EN asks for the sleep state in SLP_TYP. */
static void piix4_sleep(struct piix4_pm *pm, uint16_t cnt)
{
	unsigned typ = (cnt & ACPI_PM1_CNT_SLP_TYP) >> ACPI_PM1_CNT_SLP_TYP_SHIFT;
	if ((typ == ACPI_SLP_TYP_S5 || typ == ACPI_SLP_TYP_S4) && pm->poweroff)
		pm->poweroff(pm->ctx);
	else
		atomic_fetch_add(&pm->ignored_sleeps, 1);
}

static uint64_t piix4_pm_io_read(void *opaque, uint64_t off, unsigned size)
{
	struct piix4_pm *pm = opaque;
	pthread_mutex_lock(&pm->lock);
	uint32_t tmr = piix4_timer(pm); /* one sample for the whole access */
	uint64_t v = 0;
	for (unsigned i = 0; i < size; i++) {
		unsigned a = (unsigned)off + i;
		uint8_t b = pm->regs[a];
		if (a >= ACPI_PM_TMR && a < ACPI_PM_TMR + 4)
			b = (uint8_t)(tmr >> (8 * (a - ACPI_PM_TMR)));
		v |= (uint64_t)b << (8 * i);
	}
	pthread_mutex_unlock(&pm->lock);
	return v;
}

static void piix4_pm_io_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct piix4_pm *pm = opaque;
	bool sleep = false;
	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < size; i++) {
		unsigned a = (unsigned)off + i;
		uint8_t b = (uint8_t)(val >> (8 * i));
		if (a < ACPI_PM1_EN) {
			pm->regs[a] &= (uint8_t)~b; /* PM1_STS: write 1 to clear */
		} else if (a == ACPI_PM1_CNT + 1) {
			/* SLP_EN is a trigger and reads 0 (ACPI 6.5 table 4.13). */
			sleep = b & (ACPI_PM1_CNT_SLP_EN >> 8);
			pm->regs[a] = b & (uint8_t)~(ACPI_PM1_CNT_SLP_EN >> 8);
		} else if (a < ACPI_PM_TMR || a >= ACPI_PM_TMR + 4) {
			pm->regs[a] = b; /* PM_TMR is read-only */
		}
	}
	if (sleep)
		piix4_sleep(pm, piix4_get16(pm, ACPI_PM1_CNT));
	pthread_mutex_unlock(&pm->lock);
}

const struct bus_ops piix4_pm_io_ops = {
	.read = piix4_pm_io_read,
	.write = piix4_pm_io_write,
};

static uint64_t piix4_apm_read(void *opaque, uint64_t off, unsigned size)
{
	struct piix4_pm *pm = opaque;
	uint64_t v = 0;
	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)(off + i == 0 ? pm->apm_cmd : pm->apm_sts) << (8 * i);
	pthread_mutex_unlock(&pm->lock);
	return v;
}

static void piix4_apm_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct piix4_pm *pm = opaque;
	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = (uint8_t)(val >> (8 * i));
		if (off + i != 0) {
			pm->apm_sts = b;
			continue;
		}
		pm->apm_cmd = b;
		/* No SMM: the "SMI handler" is this switch (QEMU piix4 apm_ctrl_changed). */
		if (b == ACPI_ENABLE)
			pm->regs[ACPI_PM1_CNT] |= ACPI_PM1_CNT_SCI_EN;
		else if (b == ACPI_DISABLE)
			pm->regs[ACPI_PM1_CNT] &= (uint8_t)~ACPI_PM1_CNT_SCI_EN;
	}
	pthread_mutex_unlock(&pm->lock);
}

const struct bus_ops piix4_apm_ops = {
	.read = piix4_apm_read,
	.write = piix4_apm_write,
};

static uint64_t piix4_gpe_read(void *opaque, uint64_t off, unsigned size)
{
	struct piix4_pm *pm = opaque;
	uint64_t v = 0;
	pthread_mutex_lock(&pm->lock);
	uint32_t both = pm->gpe_sts | (uint32_t)pm->gpe_en << 16;
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)(uint8_t)(both >> (8 * (off + i))) << (8 * i);
	pthread_mutex_unlock(&pm->lock);
	return v;
}

static void piix4_gpe_write(void *opaque, uint64_t off, unsigned size, uint64_t val)
{
	struct piix4_pm *pm = opaque;
	pthread_mutex_lock(&pm->lock);
	for (unsigned i = 0; i < size; i++) {
		unsigned a = (unsigned)off + i;
		uint16_t b = (uint16_t)((uint8_t)(val >> (8 * i)) << (8 * (a % 2)));
		if (a < 2)
			pm->gpe_sts &= (uint16_t)~b; /* write 1 to clear */
		else
			pm->gpe_en = (uint16_t)((pm->gpe_en & ~(0xFF << (8 * (a % 2)))) | b);
	}
	pthread_mutex_unlock(&pm->lock);
}

const struct bus_ops piix4_gpe_ops = {
	.read = piix4_gpe_read,
	.write = piix4_gpe_write,
};

/* Bus lock held: (re)map the PM block where PMBASE and PMIOSE now say. */
static void piix4_cfg_write(struct pci_dev *d, unsigned off, unsigned size, uint32_t val)
{
	struct piix4_pm *pm = piix4_of(d);
	(void)off;
	(void)size;
	(void)val;
	uint16_t base = (uint16_t)(pci_cfg_get(d, PIIX4_PMBASE, 2) & PIIX4_PMBASE_MASK);
	if (!(d->cfg[PIIX4_PMREGMISC] & PIIX4_PMIOSE))
		base = 0;
	pthread_mutex_lock(&pm->lock);
	if (base != pm->io_base) {
		if (pm->io_base)
			bus_unregister(pm->pio, pm->io_base);
		pm->io_base = 0;
		if (base && bus_register(pm->pio, base, PIIX4_PM_IO_SIZE, &piix4_pm_io_ops, pm,
					 "ACPI PM") == 0)
			pm->io_base = base;
		else if (base)
			atomic_fetch_add(&pm->map_failures, 1);
	}
	pthread_mutex_unlock(&pm->lock);
}

static const struct pci_dev_ops piix4_ops = {
	.cfg_write = piix4_cfg_write,
};

int piix4_pm_init(struct piix4_pm *pm, struct bus *pio, void (*poweroff)(void *ctx), void *ctx)
{
	pci_dev_init(&pm->pci, "PIIX4 PM", PCI_VENDOR_ID_INTEL, PIIX4_PM_DEVICE_ID, PIIX4_PM_CLASS,
		     PIIX4_PM_REVISION, 0, 0, 0, &piix4_ops);
	struct pci_dev *d = &pm->pci;
	pci_cfg_set(d, PIIX4_PMBASE, 4, PIIX4_PMBASE_IO);
	d->wmask[PIIX4_PMBASE] = PIIX4_PMBASE_MASK & 0xFF;
	d->wmask[PIIX4_PMBASE + 1] = PIIX4_PMBASE_MASK >> 8;
	d->wmask[PIIX4_PMREGMISC] = PIIX4_PMIOSE;
	d->cfg[PIIX4_DEVACTB_B3] = PIIX4_DEVACTB_NO_SMM;
	pci_cfg_set(d, PIIX4_SMBBA, 4, PIIX4_PMBASE_IO);
	d->wmask[PIIX4_SMBBA] = 0xF0;
	d->wmask[PIIX4_SMBBA + 1] = 0xFF;
	d->wmask[PIIX4_SMBHSTCFG] = 0xFF;
	memset(pm->regs, 0, sizeof(pm->regs));
	pm->pio = pio;
	pm->io_base = 0;
	pm->apm_cmd = pm->apm_sts = 0;
	pm->gpe_sts = pm->gpe_en = 0;
	pm->now_ns = piix4_host_now;
	pm->now_ctx = NULL;
	pm->poweroff = poweroff;
	pm->ctx = ctx;
	atomic_init(&pm->ignored_sleeps, 0);
	atomic_init(&pm->map_failures, 0);
	return -pthread_mutex_init(&pm->lock, NULL);
}

void piix4_pm_destroy(struct piix4_pm *pm)
{
	pthread_mutex_destroy(&pm->lock);
}
