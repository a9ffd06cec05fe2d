/* tsc.h: the TSC frequency, from the command line or measured against PIT channel 2. */
#ifndef GUEST_TSC_H
#define GUEST_TSC_H

#include <stdint.h>

/* i8254 PIT (Intel 82C54 data sheet) and the port-0x61 gate/output bits of a PC. */
#define PIT_HZ          1193182u
#define PIT_PORT_CH2    0x42
#define PIT_PORT_CMD    0x43
#define PIT_CMD_CH2_MODE0 0xB0 /* channel 2, lobyte/hibyte, mode 0, binary */
#define PORT_SYS_CTRL_B 0x61
#define SYS_CTRL_B_GATE2  0x01
#define SYS_CTRL_B_SPKR   0x02
#define SYS_CTRL_B_OUT2   0x20
/* KVM paravirtual clock (Linux Documentation/virt/kvm/x86/cpuid.rst and
 * msr.rst): CPUID 0x40000000 says "KVMKVMKVM", 0x40000001 EAX bit 3 is
 * KVM_FEATURE_CLOCKSOURCE2, whose MSR takes the address of a
 * pvclock_vcpu_time_info (enable bit 0) that KVM fills with the TSC scale. */
#define CPUID_KVM_SIGNATURE 0x40000000u
#define CPUID_KVM_FEATURES  0x40000001u
#define KVM_FEATURE_CLOCKSOURCE2 3
#define MSR_KVM_SYSTEM_TIME_NEW 0x4B564D01u
#define PVCLOCK_MUL_OFF   24 /* u32 tsc_to_system_mul */
#define PVCLOCK_SHIFT_OFF 28 /* s8 tsc_shift */
#define TSC_CALIBRATE_MS  50
#define TSC_CALIBRATE_RUNS 3

/* kHz: "tsc_khz=N" from the command line when given, else the scale KVM's
 * paravirtual clock publishes, else measured once (3 x 50 ms, the shortest
 * kept) by counting TSC cycles over a PIT channel 2 one-shot. 0 when none
 * works (then callers fall back to a guess). */
uint64_t tsc_khz(void);
/* Where tsc_khz() got its value: "cmdline", "kvmclock", "pit" or "none". */
const char *tsc_khz_source(void);
/* Cycles in ms milliseconds (3 GHz assumed when the frequency is unknown). */
uint64_t tsc_ms(uint64_t ms);

#endif
