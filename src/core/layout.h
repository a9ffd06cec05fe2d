/* layout.h: the guest-physical memory map, every fixed address in one place.
 *
 * RAM starts at 0 and runs up to MEM_LOW_TOP at most; what does not fit below the
 * 32-bit PCI hole continues at MEM_HIGH_BASE (4 GiB). The hole holds the PCI
 * MMIO window, the IOAPIC, the LAPIC, KVM's private pages and the firmware.
 *
 * Below 1 MiB, direct boot places its structures (as Firecracker's layout.rs
 * does); guest images must load at or above LAYOUT_KERNEL_MIN.
 */
#ifndef VMM_CORE_LAYOUT_H
#define VMM_CORE_LAYOUT_H

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

/* RAM split around the 32-bit hole. */
#define MEM_LOW_TOP        0xC0000000ULL /* 3 GiB: start of the PCI hole */
#define MEM_HIGH_BASE      0x100000000ULL
#define MEM_MIN_SIZE       (16 * MiB)
#define MEM_MAX_SIZE       (64 * GiB)   /* bounded by the identity map below */

/* Inside the hole. */
#define LAYOUT_PCI_MMIO_BASE   0xC0000000ULL
#define LAYOUT_PCI_MMIO_SIZE   0x3EC00000ULL /* up to the IOAPIC */
#define LAYOUT_IOAPIC_BASE     0xFEC00000ULL
#define LAYOUT_LAPIC_BASE      0xFEE00000ULL
/* KVM_SET_IDENTITY_MAP_ADDR (1 page) and KVM_SET_TSS_ADDR (3 pages): Intel
 * needs both below 4 GiB and outside RAM (api.rst 4.41, 4.48). */
#define LAYOUT_KVM_IDENTITY_MAP 0xFFFBC000ULL
#define LAYOUT_KVM_TSS          0xFFFBD000ULL
#define LAYOUT_KVM_PRIVATE_SIZE (4 * 4 * KiB)

/* Direct boot structures below 1 MiB. */
#define LAYOUT_REALMODE_END    0x1000ULL   /* IVT + BDA: left alone */
#define LAYOUT_BOOT_GDT        0x500ULL
#define LAYOUT_BOOT_PARAMS     0x7000ULL   /* Linux zero page, 4 KiB; RSI points here */
#define LAYOUT_BOOT_STACK_TOP  0x8FF0ULL   /* initial RSP for ELF/bzImage entry */
#define LAYOUT_PML4            0x9000ULL
#define LAYOUT_PDPT            0xA000ULL
#define LAYOUT_CMDLINE         0x20000ULL
#define LAYOUT_CMDLINE_MAX     0x10000ULL  /* bytes, including the NUL */
#define LAYOUT_PD              0x30000ULL  /* page directories, 2 MiB pages */
#define LAYOUT_PD_PAGES        64ULL       /* 64 x 1 GiB: the identity map covers 64 GiB */
/* MP configuration table (Intel MP spec 1.4 §4.2): 7 KiB holds 254 CPUs' entries,
 * more than the last KiB of base memory could. e820 reserves from here to 1 MiB. */
#define LAYOUT_MPTABLE_START   0x9E000ULL
/* Last KiB of 640 KiB base memory: the MP floating pointer goes here, where the
 * MP spec (§4) and Linux (arch/x86/kernel/mpparse.c scans 639 KiB) look for it. */
#define LAYOUT_EBDA_START      0x9FC00ULL
#define LAYOUT_BASE_MEM_END    0xA0000ULL  /* 640 KiB: the VGA hole and BIOS area follow */
#define LAYOUT_HIMEM_START     0x100000ULL /* 1 MiB */
#define LAYOUT_KERNEL_MIN      LAYOUT_HIMEM_START

/* 0x1000-0x6FFF is RAM no boot structure uses: free for guest trampolines. */
#define LAYOUT_FREE_LOW_START  0x1000ULL
#define LAYOUT_FREE_LOW_END    0x7000ULL

#endif
