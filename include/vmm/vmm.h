/* vmm.h: the embedding API. The `vmm` command is a thin client of it.
 *
 * Lifecycle: vmm_config_init() -> fill fields -> vmm_create() -> vmm_run()
 * (or vmm_start() + vmm_wait()) -> vmm_destroy(). Functions return 0 or -1
 * with a one-line message in struct vmm_error; the library never prints and
 * never exits. Several VMs may live in one process.
 *
 * vCPU threads are kicked out of KVM_RUN with the real-time signal
 * VMM_KICK_SIGNAL; the library installs a no-op handler for it.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <signal.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define VMM_VERSION "0.1.0"
#define VMM_KICK_SIGNAL (SIGRTMIN + 3)

enum vmm_mode {
	VMM_MODE_PARA = 0, /* virtio, KVM PV CPUID, direct boot, hypercalls */
	VMM_MODE_FULL = 1, /* emulated PC, hidden hypervisor */
};

enum vmm_error_kind {
	VMM_ERROR_NONE = 0,
	VMM_ERROR_INPUT = 1, /* unusable option, file or image */
	VMM_ERROR_HOST = 2,  /* KVM or host resources failed */
};

struct vmm_error {
	enum vmm_error_kind kind;
	char msg[512];
};

#define VMM_MAX_DISKS 8

struct vmm_disk {
	const char *path;   /* raw image; size a multiple of 512 */
	int readonly;       /* refuse guest writes */
};

enum vmm_console {
	VMM_CONSOLE_SERIAL = 0, /* COM1 (both modes) */
	VMM_CONSOLE_VIRTIO = 1, /* virtio-console hvc0 (para mode) */
};

struct vmm_config {
	enum vmm_mode mode;
	unsigned cpus;          /* default 1 */
	uint64_t mem_bytes;     /* default 256 MiB */
	const char *kernel;     /* ELF64 or bzImage for direct boot */
	const char *initrd;     /* optional */
	const char *cmdline;    /* optional */
	struct vmm_disk disks[VMM_MAX_DISKS];
	unsigned ndisks;
	const char *firmware;   /* SeaBIOS image; NULL: /usr/share/seabios/bios.bin */
	const char *firmware_log; /* file for port 0x402 output; NULL discards */
	enum vmm_console console;
	int console_in_fd;      /* guest serial input; -1 for none (default 0) */
	int console_out_fd;     /* guest serial output; -1 discards (default 1) */
	double timeout_sec;     /* 0 = none */
};

/* How a run ended. vmm_exit_status() turns it into the CLI's exit status. */
enum vmm_exit_kind {
	VMM_EXIT_NONE = 0,
	VMM_EXIT_PORT,          /* guest wrote to the exit port: status = value & 0xff */
	VMM_EXIT_POWEROFF,      /* guest powered off */
	VMM_EXIT_REBOOT,        /* guest asked for a reset */
	VMM_EXIT_PANIC,         /* guest kernel panic reported */
	VMM_EXIT_TRIPLE_FAULT,  /* KVM_EXIT_SHUTDOWN */
	VMM_EXIT_EMULATION,     /* an instruction the host could not emulate */
	VMM_EXIT_TIMEOUT,       /* the configured timeout expired */
	VMM_EXIT_KILLED,        /* vmm_kill() */
	VMM_EXIT_ERROR,         /* the VMM failed (KVM error, internal error) */
};

/* Exit statuses of `vmm run` (README "Exit status"). */
#define VMM_STATUS_USAGE        2
#define VMM_STATUS_REBOOT       120
#define VMM_STATUS_PANIC        121
#define VMM_STATUS_TRIPLE_FAULT 122
#define VMM_STATUS_EMULATION    123
#define VMM_STATUS_TIMEOUT      124
#define VMM_STATUS_ERROR        125

struct vmm_result {
	enum vmm_exit_kind kind;
	int guest_status;      /* exit port value & 0xff (VMM_EXIT_PORT) */
	int signal;            /* the signal given to vmm_kill(), if any */
	char detail[256];      /* one line: what happened (RIP, bytes, errno...) */
	uint64_t exits_pio, exits_mmio;
	uint64_t unclaimed_pio, unclaimed_mmio;
	uint64_t emulation_fixups; /* int3/ud2 injected on PVM hosts */
};

struct vmm;

void vmm_config_init(struct vmm_config *cfg);
int vmm_create(const struct vmm_config *cfg, struct vmm **out, struct vmm_error *err);
/* vmm_start + vmm_wait. */
int vmm_run(struct vmm *vm, struct vmm_result *res, struct vmm_error *err);
int vmm_start(struct vmm *vm, struct vmm_error *err);
int vmm_wait(struct vmm *vm, struct vmm_result *res);
/* Ask a running VM to stop; async-signal-safe. signo is reported back. */
void vmm_kill(struct vmm *vm, int signo);
void vmm_destroy(struct vmm *vm);

/* The process exit status `vmm run` uses for this result. */
int vmm_exit_status(const struct vmm_result *res);
const char *vmm_exit_kind_name(enum vmm_exit_kind kind);

#ifdef __cplusplus
}
#endif
#endif
