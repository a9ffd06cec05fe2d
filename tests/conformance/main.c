/* main.c: the conformance OS's main: decide the platform, run each check in order, report, power off. */
#include "os.h"
#include "idebench.h"

typedef bool (*check_fn)(struct os_state *s);

/* Same order as CONF_CHECKS in plan.h. */
static const check_fn check_fns[CONF_C_COUNT] = {
	[CONF_C_CPUID] = check_cpuid,
	[CONF_C_PCI] = check_pci,
	[CONF_C_PAM] = check_pam,
	[CONF_C_TSC] = check_tsc,
	[CONF_C_PIT] = check_pit,
	[CONF_C_ACPI] = check_acpi,
	[CONF_C_CMOS] = check_cmos,
	[CONF_C_RTC_IRQ] = check_rtc_irq,
	[CONF_C_PMTIMER] = check_pmtimer,
	[CONF_C_IDE_RESET] = check_ide_reset,
	[CONF_C_IDE_IDENTIFY] = check_ide_identify,
	[CONF_C_IDE_PIO] = check_ide_pio,
	[CONF_C_IDE_PIO_EXT] = check_ide_pio_ext,
	[CONF_C_IDE_MULTIPLE] = check_ide_multiple,
	[CONF_C_IDE_ERRORS] = check_ide_errors,
	[CONF_C_IDE_DMA] = check_ide_dma,
	[CONF_C_IDE_DMA_EXT] = check_ide_dma_ext,
	[CONF_C_IDE_DMA_BIG] = check_ide_dma_big,
	[CONF_C_IDE_FLUSH] = check_ide_flush,
	[CONF_C_VIRTIO_BLK] = check_virtio_blk,
	[CONF_C_POWEROFF] = check_poweroff,
};

static const char *current_check = "boot";

bool check_fail(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf(CONF_LINE_PREFIX "%s FAILED: ", current_check);
	vprintf_unlocked(fmt, ap);
	printf("\n");
	va_end(ap);
	return false;
}

void check_note(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf(CONF_LINE_PREFIX "%s: ", current_check);
	vprintf_unlocked(fmt, ap);
	printf("\n");
	va_end(ap);
}

static void cpuid(uint32_t leaf, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
	__asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

/* Full mode: CPUID.1:ECX[31] (hypervisor present) clear and no "KVMKVMKVM"
 * at leaf 0x40000000; para mode: both there (KVM's cpuid.rst). */
bool check_cpuid(struct os_state *s)
{
	uint32_t a, b, c, d;
	char sig[13] = { 0 };
	cpuid(1, &a, &b, &c, &d);
	bool hv = c >> 31;
	cpuid(0x40000000, &a, &b, &c, &d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	bool kvm = memcmp(sig, "KVMKVMKVM", 9) == 0;
	check_note("hypervisor bit %d, leaf 0x40000000 %s", hv, kvm ? "KVMKVMKVM" : "no KVM signature");
	if (s->mode == CONF_MODE_FULL && (hv || kvm))
		return check_fail("full mode must hide the hypervisor (bit %d, signature %d)", hv, kvm);
	if (s->mode == CONF_MODE_PARA && !(hv && kvm))
		return check_fail("para mode must show KVM (bit %d, signature %d)", hv, kvm);
	return true;
}

/* The platform: the config sector's expectation, else virtio-blk -> para. */
static void decide_mode(struct os_state *s)
{
	const struct conf_config *cfg = phys(CONF_CONFIG_PA);
	s->config = memcmp(cfg->magic, CONF_MAGIC, 8) == 0 ? cfg : NULL;
	struct pci_fn f;
	s->has_virtio_blk = pci_find(PCI_VID_VIRTIO, PCI_DID_VIRTIO_BLK, 0, &f);
	int expect = s->config ? s->config->expect : CONF_EXPECT_AUTO;
	if (expect == CONF_EXPECT_FULL)
		s->mode = CONF_MODE_FULL;
	else if (expect == CONF_EXPECT_PARA)
		s->mode = CONF_MODE_PARA;
	else
		s->mode = s->has_virtio_blk ? CONF_MODE_PARA : CONF_MODE_FULL;
	printf(CONF_LINE_PREFIX "platform %s (%s)\n", s->mode == CONF_MODE_FULL ? "full" : "para",
	       !s->config ? "no config sector" : expect == CONF_EXPECT_AUTO ? "by the devices found" : "by the config sector");
}

int guest_main(const struct guest_boot *boot)
{
	static struct os_state st;
	struct os_state *s = &st;
	int first_fail = 0, run = 0, ok = 0;
	(void)boot;
	printf(CONF_LINE_PREFIX "test OS started\n");
	pic_init();
	decide_mode(s);
	for (int i = 0; i < CONF_C_COUNT; i++) {
		const struct conf_check_info *c = &conf_checks[i];
		current_check = c->name;
		if (!(c->modes & s->mode))
			continue;
		if (idebench_active(s) && !idebench_needs(i))
			continue; /* benchmark mode: only what it needs */
		if (i == CONF_C_POWEROFF && idebench_active(s) && !first_fail && !idebench_run(s))
			first_fail = IDEBENCH_EXIT_FAILED;
		if (i == CONF_C_POWEROFF && first_fail)
			break;
		if (i == CONF_C_POWEROFF)
			printf(CONF_LINE_PREFIX "all %d checks ok\n", ok);
		run++;
		if (check_fns[i](s)) {
			ok++;
			printf(CONF_LINE_PREFIX "%s ok\n", c->name);
		} else if (!first_fail) {
			first_fail = c->exit_code;
		}
	}
	current_check = "end";
	printf(CONF_LINE_PREFIX "%d of %d checks failed, exit code 0x%x\n", run - ok, run, first_fail);
	return first_fail ? first_fail : conf_checks[CONF_C_POWEROFF].exit_code;
}
