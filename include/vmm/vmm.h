/* vmm.h: the embedding API. The `vmm` command is a thin client of it.
 *
 * Lifecycle: vmm_config_init() -> fill fields (directly, with the
 * vmm_config_set*() builders or from JSON) -> vmm_create() ->
 * vmm_config_release() -> vmm_run() (or vmm_start() + vmm_wait()) ->
 * vmm_destroy(). Install: vmm.pc (pkg-config vmm), libvmm.so.0, which
 * exports the vmm_* functions only. Functions return 0 or -1
 * with a one-line message in struct vmm_error; the library never prints and
 * never exits. Several VMs may live in one process.
 *
 * vCPU threads are kicked out of KVM_RUN with the real-time signal
 * VMM_KICK_SIGNAL; the library installs a no-op handler for it.
 */
#ifndef VMM_VMM_H
#define VMM_VMM_H

#include <signal.h>
#include <stddef.h>
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

enum vmm_disk_cache {
	VMM_DISK_CACHE_WRITEBACK = 0, /* through the host page cache (default) */
	VMM_DISK_CACHE_NONE = 1,      /* O_DIRECT: bypass the host page cache */
};

struct vmm_disk {
	const char *path;   /* raw image; size a multiple of 512 */
	int readonly;       /* refuse guest writes */
	enum vmm_disk_cache cache;
};

enum vmm_console {
	VMM_CONSOLE_SERIAL = 0, /* COM1 (both modes) */
	VMM_CONSOLE_VIRTIO = 1, /* virtio-console hvc0 (para mode) */
};

/* Where the console's bytes go (console_output). */
enum vmm_console_output {
	VMM_CONSOLE_OUT_STDIO = 0,    /* console_in_fd / console_out_fd (stdin/stdout) */
	VMM_CONSOLE_OUT_FILE = 1,     /* output to console_file (created or truncated); no input */
	VMM_CONSOLE_OUT_NONE = 2,     /* no input; output discarded */
	VMM_CONSOLE_OUT_CALLBACK = 3, /* output to console_cb; input console_in_fd (API only) */
};

/* Receives guest console output (VMM_CONSOLE_OUT_CALLBACK). It runs on a vCPU
 * thread with the console device's lock held: copy the bytes and return soon;
 * call no vmm_* function from it except vmm_kill. */
typedef void vmm_console_fn(void *opaque, const char *buf, size_t len);

/* What a guest reset means (reboot). */
enum vmm_reboot_action {
	VMM_REBOOT_EXIT = 0,     /* the run ends as VMM_EXIT_REBOOT (status 120) */
	VMM_REBOOT_POWEROFF = 1, /* the run ends as VMM_EXIT_POWEROFF (status 0) */
};

struct vmm_config_store; /* private: see vmm_config_release() */

struct vmm_config {
	enum vmm_mode mode;
	unsigned cpus;          /* default 1 */
	uint64_t mem_bytes;     /* default 256 MiB */
	const char *kernel;     /* ELF64 or bzImage for direct boot */
	const char *initrd;     /* optional */
	const char *cmdline;    /* optional */
	int host_compat;        /* 1: on a PVM host, add the options Linux needs there
				 * to cmdline (vmm(1) --host-compat); direct boot only */
	struct vmm_disk disks[VMM_MAX_DISKS];
	unsigned ndisks;
	const char *firmware;   /* SeaBIOS image; NULL: /usr/share/seabios/bios.bin */
	const char *firmware_log; /* file for port 0x402 output; NULL discards */
	enum vmm_console console;
	int console_in_fd;      /* guest serial input; -1 for none (default 0) */
	int console_out_fd;     /* guest serial output; -1 discards (default 1) */
	double timeout_sec;     /* 0 = none */
	enum vmm_console_output console_output; /* default stdio */
	const char *console_file; /* VMM_CONSOLE_OUT_FILE */
	vmm_console_fn *console_cb; /* VMM_CONSOLE_OUT_CALLBACK */
	void *console_cb_opaque;
	enum vmm_reboot_action reboot; /* default VMM_REBOOT_EXIT */
	int seccomp;            /* 1: syscall allowlists on the vCPU and I/O threads */
	const char *stats_file; /* the result's counters as JSON, written when the run ends */
	struct vmm_config_store *store; /* owned strings and value origins; NULL until needed.
					 * New fields: add them to src/config/keys.c too. */
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

#define VMM_RESULT_MAX_DEVICES 16

struct vmm_result {
	enum vmm_exit_kind kind;
	int guest_status;      /* exit port value & 0xff (VMM_EXIT_PORT) */
	int signal;            /* the signal given to vmm_kill(), if any */
	char detail[256];      /* one line: what happened (RIP, bytes, errno...) */
	uint64_t exits_pio, exits_mmio;
	uint64_t unclaimed_pio, unclaimed_mmio;
	uint64_t emulation_fixups; /* int3/ud2 injected on PVM hosts */
	uint64_t run_ns;           /* from vmm_start() to the end of the run */
	/* Port I/O and MMIO exits per device, most first (the top
	 * VMM_RESULT_MAX_DEVICES; exits_pio and exits_mmio count them all). */
	struct vmm_device_exits {
		char name[32];     /* the device's range name, e.g. "COM1" */
		int mmio;          /* 0: port I/O, 1: MMIO */
		uint64_t exits;
	} device_exits[VMM_RESULT_MAX_DEVICES];
	unsigned ndevice_exits;
};

struct vmm;

/* Configuration (src/config/). Defaults: vmm_config_init(); the JSON format
 * and every key: vmm-config(5).
 *
 * Ownership: string fields may point at the caller's memory (assign them
 * directly) or at the config's own copies: the vmm_config_set*() builders,
 * vmm_config_add_disk() and vmm_config_from_json*() copy every string they
 * store into cfg->store. vmm_config_release() frees those copies and puts the
 * config back to its defaults; call it once you are done with a config you
 * used builders or JSON on (it is harmless on any initialized config). Do not
 * copy such a config by assignment and release both copies. vmm_create()
 * keeps no pointer into the config: release it whenever you like after.
 *
 * Errors (kind VMM_ERROR_INPUT) name where the value came from and the key:
 * "vm.json:4:15: disks[1].path: no such file (/srv/b.img)", or
 * "--cpus: cpus: 0: must be between 1 and 64" for a value set with an origin.
 */
void vmm_config_init(struct vmm_config *cfg);
void vmm_config_release(struct vmm_config *cfg);

/* Typed builders: check the value's range, copy strings (NULL unsets). */
int vmm_config_set_mode(struct vmm_config *cfg, enum vmm_mode mode, struct vmm_error *err);
int vmm_config_set_cpus(struct vmm_config *cfg, unsigned cpus, struct vmm_error *err);
int vmm_config_set_mem(struct vmm_config *cfg, uint64_t bytes, struct vmm_error *err);
int vmm_config_set_kernel(struct vmm_config *cfg, const char *path, struct vmm_error *err);
int vmm_config_set_initrd(struct vmm_config *cfg, const char *path, struct vmm_error *err);
int vmm_config_set_cmdline(struct vmm_config *cfg, const char *cmdline, struct vmm_error *err);
int vmm_config_set_firmware(struct vmm_config *cfg, const char *path, struct vmm_error *err);
int vmm_config_set_firmware_log(struct vmm_config *cfg, const char *path, struct vmm_error *err);
int vmm_config_set_console(struct vmm_config *cfg, enum vmm_console device, struct vmm_error *err);
/* STDIO, NONE, or FILE with path (required then, NULL otherwise). */
int vmm_config_set_console_output(struct vmm_config *cfg, enum vmm_console_output out,
				  const char *path, struct vmm_error *err);
/* Output to fn(opaque, ...); console input is turned off (set console_in_fd after to feed it). */
int vmm_config_set_console_callback(struct vmm_config *cfg, vmm_console_fn *fn, void *opaque,
				    struct vmm_error *err);
int vmm_config_set_timeout(struct vmm_config *cfg, double seconds, struct vmm_error *err);
int vmm_config_set_reboot(struct vmm_config *cfg, enum vmm_reboot_action action,
			  struct vmm_error *err);
int vmm_config_set_seccomp(struct vmm_config *cfg, int on, struct vmm_error *err);
int vmm_config_set_stats(struct vmm_config *cfg, const char *path, struct vmm_error *err);
/* Append a disk (at most VMM_MAX_DISKS). */
int vmm_config_add_disk(struct vmm_config *cfg, const char *path, int readonly,
			enum vmm_disk_cache cache, struct vmm_error *err);

/* Set one key by its vmm-config(5) name from text ("memory" "512M",
 * "exit.timeout" "30", "disks[0].readonly" "true", "seccomp" "on").
 * A relative path is taken from the current directory and stored absolute.
 * origin ("--mem", may be NULL) names the value in later error messages. */
int vmm_config_set(struct vmm_config *cfg, const char *key, const char *value,
		   const char *origin, struct vmm_error *err);

/* Apply a JSON document over cfg (keys it gives replace cfg's; "disks"
 * replaces the disk list). Types, ranges and conflicts are checked; files are
 * not (vmm_config_check). _file resolves relative paths against the file's
 * directory; the text form names itself "<json>" in messages. On error cfg
 * may be partly updated: release it. */
int vmm_config_from_json(const char *text, struct vmm_config *cfg, struct vmm_error *err);
int vmm_config_from_json_file(const char *path, struct vmm_config *cfg, struct vmm_error *err);

/* Check ranges and conflicting settings; with VMM_CHECK_FILES also that the
 * input files exist and are usable and the output files can be created. */
#define VMM_CHECK_FILES 0x1u
int vmm_config_check(const struct vmm_config *cfg, unsigned flags, struct vmm_error *err);

/* The i-th configuration key (i = 0, 1, ...): 0, or -1 past the last one. */
struct vmm_config_key_info {
	const char *name; /* "boot.kernel", "disks[].path" */
	char type[64];    /* "path", "integer", "para|full", ... */
	char def[64];     /* the default in text form, "null" when unset */
	const char *help; /* one line */
};
int vmm_config_key_info(unsigned i, struct vmm_config_key_info *out);

/* The whole configuration as JSON (every key, defaults included; it reads
 * back to the same configuration). Values must be in range; conflicts and
 * missing parts are left to vmm_config_check. malloc'd: free() it. NULL on
 * error (a console callback has no JSON form). */
char *vmm_config_to_json(const struct vmm_config *cfg, struct vmm_error *err);
int vmm_create(const struct vmm_config *cfg, struct vmm **out, struct vmm_error *err);
/* vmm_start + vmm_wait. */
int vmm_run(struct vmm *vm, struct vmm_result *res, struct vmm_error *err);
int vmm_start(struct vmm *vm, struct vmm_error *err);
/* Blocks until the run ends and fills res. -1 (res still filled) only when
 * the stats_file could not be written; vmm_run reports why. */
int vmm_wait(struct vmm *vm, struct vmm_result *res);
/* Ask a running VM to stop; async-signal-safe. signo is reported back. */
void vmm_kill(struct vmm *vm, int signo);
void vmm_destroy(struct vmm *vm);

/* The process exit status `vmm run` uses for this result. */
int vmm_exit_status(const struct vmm_result *res);
const char *vmm_exit_kind_name(enum vmm_exit_kind kind);
/* The result as a JSON object (what stats_file receives). malloc'd: free() it. */
char *vmm_result_to_json(const struct vmm_result *res);

#ifdef __cplusplus
}
#endif
#endif
