/* hypercall.h: the para-mode hypercall ABI, shared by vmm (host) and the
 * guests built for it (examples/runtime/). Freestanding: <stdint.h> only.
 *
 * Why port I/O: on KVM a `vmcall` never reaches a userspace VMM (the kernel
 * answers it; only KVM_HC_MAP_GPA_RANGE may exit), so, as Solo5's hvt does,
 * a hypercall is a 4-byte OUT:
 *
 *     outl %eax, %dx    with  DX  = VMM_HC_BASE + call number
 *                             EAX = guest-physical address of the call's
 *                                   argument struct (so structs live below 4 GiB)
 *
 * The VMM copies the struct out of guest memory once, checks it, runs the
 * call and writes the struct back (with `ret` set) before the OUT completes.
 * Nothing else counts as a hypercall: 1- or 2-byte OUTs and any IN on the
 * range are ignored (an IN reads all ones) and counted. Each element of a
 * `rep outsl` is one call.
 *
 * Rules for every struct:
 *  - fixed-size fields, little-endian, explicit padding; sizes are asserted
 *    below and never change within an ABI version;
 *  - the first field is `int32_t ret`: VMM_HC_OK (0) or a negative
 *    VMM_HC_E* code. Wrappers set it to VMM_HC_EPENDING before the OUT: if it
 *    is still there after, the VMM did not handle the call (the struct is not
 *    wholly in guest RAM, the access was not a 4-byte OUT, or the machine has
 *    no hypercalls, e.g. full mode);
 *  - fields marked "reserved" must be 0 (else VMM_HC_EINVAL), so a later
 *    version can give them a meaning;
 *  - every guest pointer is a guest-physical address, checked as a whole
 *    range [addr, addr + size): a range not wholly inside one RAM region
 *    (or that wraps) fails the call with VMM_HC_EFAULT and is not touched.
 *
 * A guest built for this ABI says so in an ELF note (PT_NOTE segment): name
 * VMM_HC_NOTE_NAME, type VMM_HC_NOTE_TYPE, a 4-byte descriptor holding
 * VMM_HC_ABI_VERSION. vmm refuses (exit status 2, one line on stderr) a guest
 * whose version it does not support, and any such guest in full mode, which
 * offers no hypercalls. A guest with the note takes console input through
 * VMM_HC_CONSOLE_READ (COM1 then gets none) and, on one vCPU, gets no
 * interrupt controller (it has no use for one, and KVM tears one down slowly).
 *
 * Bump VMM_HC_ABI_VERSION on any incompatible change (a struct's layout, a
 * call's meaning, a port); adding a call at an unused number is compatible.
 */
#ifndef VMM_HYPERCALL_H
#define VMM_HYPERCALL_H

#define VMM_HC_ABI_VERSION 1
/* The oldest version this vmm still serves (a host-side range check). */
#define VMM_HC_ABI_OLDEST 1

/* The ELF note a hypercall guest carries: namesz 4 ("vmm\0"), descsz 4. */
#define VMM_HC_NOTE_NAME "vmm"
#define VMM_HC_NOTE_TYPE 0x564d4801 /* "VMH" 1 */

/* I/O ports VMM_HC_BASE + n for call n < VMM_HC_MAX_CALLS. Chosen clear of
 * every PC port vmm or a PC guest uses (0x60/0x64, 0x70/0x71, 0xF4-0xF7,
 * 0x3F8, 0x402, 0x510 fw_cfg, 0xCF8 PCI, 0x1F0/0x170 IDE, ACPI PM at 0x600 or
 * 0xB000, PCI I/O BARs from 0xC000). The registered range is 3 ports longer,
 * so a 4-byte OUT to the last call port lies wholly inside it. */
#define VMM_HC_BASE      0x7000
#define VMM_HC_MAX_CALLS 64
#define VMM_HC_PORT_SPAN (VMM_HC_MAX_CALLS + 3)

/* Call numbers. */
#define VMM_HC_NOOP          0  /* struct vmm_hc_noop */
#define VMM_HC_INFO          1  /* struct vmm_hc_info */
#define VMM_HC_CONSOLE_WRITE 2  /* struct vmm_hc_console */
#define VMM_HC_CONSOLE_READ  3  /* struct vmm_hc_console */
#define VMM_HC_TIME          4  /* struct vmm_hc_time */
#define VMM_HC_RANDOM        5  /* struct vmm_hc_random */
#define VMM_HC_EXIT          6  /* struct vmm_hc_exit */
#define VMM_HC_POLL          7  /* struct vmm_hc_poll */
#define VMM_HC_BLOCK_INFO    8  /* struct vmm_hc_block_info */
#define VMM_HC_BLOCK_READ    9  /* struct vmm_hc_block */
#define VMM_HC_BLOCK_WRITE   10 /* struct vmm_hc_block */
#define VMM_HC_BLOCK_FLUSH   11 /* struct vmm_hc_block */
#define VMM_HC_BLOCK_DISCARD 12 /* struct vmm_hc_block */
#define VMM_HC_NCALLS        13 /* calls defined in this version */

/* Return codes (ret). */
#define VMM_HC_OK        0
#define VMM_HC_ENOSYS   -1  /* no call with this number */
#define VMM_HC_EFAULT   -2  /* a guest pointer range is not wholly guest RAM */
#define VMM_HC_EINVAL   -3  /* a length, flag or reserved field is out of range */
#define VMM_HC_ENODEV   -4  /* no disk with this index */
#define VMM_HC_ERANGE   -5  /* sectors past the end of the disk */
#define VMM_HC_EROFS    -6  /* the disk is read-only */
#define VMM_HC_EIO      -7  /* the host failed the I/O (or the time/random source) */
#define VMM_HC_EPENDING -8  /* set by the guest before the call: never written by vmm */

/* Limits on one call. */
#define VMM_HC_CONSOLE_MAX (64u * 1024)   /* bytes per console read or write */
#define VMM_HC_RANDOM_MAX  (64u * 1024)   /* bytes per random call */
#define VMM_HC_SECTOR_SIZE 512u
#define VMM_HC_BLOCK_MAX   (1024u * 1024) /* bytes per block read or write */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* VMM_HC_NOOP: does nothing and returns VMM_HC_OK. For probing and for
 * measuring the round trip. Errors: none. */
struct vmm_hc_noop {
	int32_t ret;
	uint32_t reserved;
};

/* VMM_HC_INFO: what the machine is. Copies the command line into
 * [cmdline, cmdline + cmdline_size) as snprintf would: at most
 * cmdline_size - 1 bytes and a NUL; cmdline_len is always its full length
 * (truncated when cmdline_len >= cmdline_size). cmdline_size 0: no copy.
 * Errors: EFAULT (the buffer range), EINVAL (reserved). */
struct vmm_hc_info {
	int32_t ret;
	uint32_t abi_version;  /* out: VMM_HC_ABI_VERSION of the host */
	uint64_t mem_bytes;    /* out: guest RAM */
	uint64_t cmdline;      /* in: buffer address */
	uint64_t cmdline_size; /* in: buffer bytes */
	uint64_t cmdline_len;  /* out: command line length without the NUL */
	uint32_t ndisks;       /* out: disks, indices 0 .. ndisks-1 */
	uint32_t ncpus;        /* out: vCPUs */
	uint32_t flags;        /* reserved */
	uint32_t reserved;
};

/* VMM_HC_CONSOLE_WRITE: write [buf, buf + len) to the console, all of it.
 * VMM_HC_CONSOLE_READ: take up to len bytes of console input without
 * waiting (wait with VMM_HC_POLL); count says how many, flags has
 * VMM_HC_CONSOLE_EOF once input has ended and nothing is left.
 * Errors: EFAULT, EINVAL (len > VMM_HC_CONSOLE_MAX, reserved). */
#define VMM_HC_CONSOLE_EOF 0x1u
struct vmm_hc_console {
	int32_t ret;
	uint32_t flags;  /* read, out: VMM_HC_CONSOLE_EOF; write: reserved */
	uint64_t buf;    /* in */
	uint64_t len;    /* in: bytes to write / buffer size */
	uint64_t count;  /* out: bytes read (read), bytes written (write) */
};

/* VMM_HC_TIME: both clocks in ns. monotonic_ns counts from an arbitrary
 * point before the guest started and never goes back (VMM_HC_POLL deadlines
 * use it); wall_ns is the host's UTC time since the Unix epoch.
 * Errors: EINVAL (reserved). */
struct vmm_hc_time {
	int32_t ret;
	uint32_t reserved;
	uint64_t monotonic_ns; /* out */
	uint64_t wall_ns;      /* out */
};

/* VMM_HC_RANDOM: fill [buf, buf + len) from the host's getrandom(2).
 * Errors: EFAULT, EINVAL (len > VMM_HC_RANDOM_MAX, reserved), EIO. */
struct vmm_hc_random {
	int32_t ret;
	uint32_t reserved;
	uint64_t buf; /* in */
	uint64_t len; /* in */
};

/* VMM_HC_EXIT: end the VM; vmm exits with status & 0xff, as with the exit
 * port. Does not return on success. Errors: EINVAL (reserved). */
struct vmm_hc_exit {
	int32_t ret;
	int32_t status; /* in */
	uint64_t reserved;
};

/* VMM_HC_POLL: block this vCPU until one of the events asked for is ready,
 * the deadline (VMM_HC_TIME's monotonic_ns) passes, or the VM stops.
 * deadline_ns 0 never waits (report or yield); VMM_HC_POLL_FOREVER has no
 * deadline. ready is the subset of events ready on return (0: deadline).
 * Errors: EINVAL (unknown event bits, reserved). */
#define VMM_HC_EV_CONSOLE_IN 0x1u /* VMM_HC_CONSOLE_READ has bytes or EOF */
#define VMM_HC_EV_ALL        VMM_HC_EV_CONSOLE_IN
#define VMM_HC_POLL_FOREVER  UINT64_MAX
struct vmm_hc_poll {
	int32_t ret;
	uint32_t events;      /* in: VMM_HC_EV_* to wait for */
	uint64_t deadline_ns; /* in */
	uint32_t ready;       /* out */
	uint32_t reserved;
};

/* VMM_HC_BLOCK_INFO: size of disk `disk` (the order disks were configured).
 * Errors: ENODEV, EINVAL (reserved). */
#define VMM_HC_BLOCK_RO 0x1u
struct vmm_hc_block_info {
	int32_t ret;
	uint32_t disk;        /* in */
	uint64_t sectors;     /* out: of VMM_HC_SECTOR_SIZE bytes */
	uint32_t sector_size; /* out: VMM_HC_SECTOR_SIZE */
	uint32_t flags;       /* out: VMM_HC_BLOCK_RO */
};

/* Block I/O on disk `disk`, synchronous: the call returns when it is done.
 * READ/WRITE: len bytes (a multiple of VMM_HC_SECTOR_SIZE, 1 ..
 * VMM_HC_BLOCK_MAX) between sector `sector` and [buf, buf + len).
 * DISCARD: the host may free len bytes from `sector` (they read back as
 * zeros or their old data); buf must be 0. FLUSH: everything completed
 * before is durable; sector, buf and len must be 0.
 * Errors: ENODEV, EINVAL (len, alignment, reserved), ERANGE (past the end),
 * EFAULT (buf), EROFS (write or discard on a read-only disk), EIO. */
struct vmm_hc_block {
	int32_t ret;
	uint32_t disk;   /* in */
	uint64_t sector; /* in */
	uint64_t buf;    /* in */
	uint64_t len;    /* in: bytes */
};

_Static_assert(sizeof(struct vmm_hc_noop) == 8, "ABI: vmm_hc_noop");
_Static_assert(sizeof(struct vmm_hc_info) == 56, "ABI: vmm_hc_info");
_Static_assert(sizeof(struct vmm_hc_console) == 32, "ABI: vmm_hc_console");
_Static_assert(sizeof(struct vmm_hc_time) == 24, "ABI: vmm_hc_time");
_Static_assert(sizeof(struct vmm_hc_random) == 24, "ABI: vmm_hc_random");
_Static_assert(sizeof(struct vmm_hc_exit) == 16, "ABI: vmm_hc_exit");
_Static_assert(sizeof(struct vmm_hc_poll) == 24, "ABI: vmm_hc_poll");
_Static_assert(sizeof(struct vmm_hc_block_info) == 24, "ABI: vmm_hc_block_info");
_Static_assert(sizeof(struct vmm_hc_block) == 32, "ABI: vmm_hc_block");
#endif /* __ASSEMBLER__ */

#endif
