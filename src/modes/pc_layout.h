/* pc_layout.h: the legacy PC ports and IRQs both modes place devices at. */
#ifndef VMM_MODES_PC_LAYOUT_H
#define VMM_MODES_PC_LAYOUT_H

#define PC_COM1_BASE      0x3F8
#define PC_COM1_IRQ       4
#define PC_UART_PORTS     8
#define PC_I8042_DATA     0x60
#define PC_I8042_CMD      0x64
#define PC_I8042_KBD_IRQ  1
#define PC_RTC_IRQ        8 /* ISA IRQ 8: slave 8259 IR0, IOAPIC pin 8 */
#define PC_EXIT_PORT      0xF4 /* kvm-unit-tests' isa-debug-exit port */
#define PC_EXIT_PORT_LEN  4
#define PC_DEBUG_PORT     0x402 /* SeaBIOS debug log (QEMU isa-debugcon) */

#endif
