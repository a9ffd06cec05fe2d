/* pc_legacy.c: the legacy PC devices both modes get: COM1 on the console,
 * i8042 (probe + reset), the exit port and the firmware log port. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "backends/console_fd.h"
#include "core/vm.h"
#include "devices/debug_port.h"
#include "devices/exit_port.h"
#include "devices/i8042.h"
#include "devices/serial.h"
#include "modes/mode.h"
#include "modes/pc_layout.h"

struct pc_legacy {
	struct console_fd console;
	struct console_fd fw_log; /* output only */
	int fw_log_fd;
	struct serial com1;
	struct i8042 kbd;
	struct exit_port exitp;
	struct debug_port dbg;
	bool com1_ready, kbd_ready, dbg_ready;
};

static void pc_legacy_free(void *opaque)
{
	struct pc_legacy *p = opaque;
	if (p->com1_ready)
		serial_destroy(&p->com1);
	if (p->kbd_ready)
		i8042_destroy(&p->kbd);
	if (p->dbg_ready)
		debug_port_destroy(&p->dbg);
	console_fd_destroy(&p->console);
	console_fd_destroy(&p->fw_log);
	if (p->fw_log_fd >= 0)
		close(p->fw_log_fd);
	free(p);
}

static size_t pc_push_serial(void *dev, const uint8_t *buf, size_t len)
{
	return serial_receive(dev, buf, len);
}

static int pc_attach_com1(struct vm *vm, struct pc_legacy *p, const struct vmm_config *cfg,
			  struct err *e)
{
	struct irq_line irq = { .set = vm_irq_set, .ctx = vm, .gsi = PC_COM1_IRQ };
	if (console_fd_open(&p->console, cfg, e))
		return -1;
	struct console_sink out = console_fd_sink(&p->console);
	if (serial_init(&p->com1, &irq, &out, console_fd_room, &p->console))
		return err_set(e, ERR_HOST, "COM1: init failed");
	p->com1_ready = true;
	if (console_fd_attach(&p->console, &vm->loop, pc_push_serial, &p->com1, e))
		return -1;
	return vm_add_pio(vm, PC_COM1_BASE, PC_UART_PORTS, &serial_ops, &p->com1, "COM1", e);
}

static int pc_attach_debug_port(struct vm *vm, struct pc_legacy *p, const struct vmm_config *cfg,
				struct err *e)
{
	struct console_sink sink = { 0 };
	if (console_fd_init(&p->fw_log, -1, -1, e))
		return -1;
	if (cfg->firmware_log) {
		p->fw_log_fd = open(cfg->firmware_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (p->fw_log_fd < 0)
			return err_errno(e, ERR_INPUT, errno, "firmware log %s", cfg->firmware_log);
		p->fw_log.out_fd = p->fw_log_fd;
		sink = console_fd_sink(&p->fw_log);
	}
	if (debug_port_init(&p->dbg, cfg->firmware_log ? &sink : NULL))
		return err_set(e, ERR_HOST, "debug port: init failed");
	p->dbg_ready = true;
	return vm_add_pio(vm, PC_DEBUG_PORT, 1, &debug_port_ops, &p->dbg, "debug port", e);
}

static int pc_attach_i8042(struct vm *vm, struct pc_legacy *p, struct err *e)
{
	struct irq_line irq = { .set = vm_irq_set, .ctx = vm, .gsi = PC_I8042_KBD_IRQ };
	if (i8042_init(&p->kbd, &irq, vm_stop_reboot, vm))
		return err_set(e, ERR_HOST, "i8042: init failed");
	p->kbd_ready = true;
	if (vm_add_pio(vm, PC_I8042_DATA, 1, &i8042_data_ops, &p->kbd, "i8042 data", e))
		return -1;
	return vm_add_pio(vm, PC_I8042_CMD, 1, &i8042_cmd_ops, &p->kbd, "i8042 command", e);
}

int pc_legacy_attach(struct vm *vm, const struct vmm_config *cfg, struct err *e)
{
	struct pc_legacy *p = calloc(1, sizeof(*p));
	if (!p)
		return err_set(e, ERR_HOST, "out of memory");
	p->fw_log_fd = -1;
	p->console.room_efd = p->fw_log.room_efd = -1;
	if (vm_on_teardown(vm, pc_legacy_free, p, e)) {
		free(p);
		return -1;
	}
	exit_port_init(&p->exitp, vm_stop_exit_port, vm);
	if (pc_attach_com1(vm, p, cfg, e) || pc_attach_i8042(vm, p, e) ||
	    pc_attach_debug_port(vm, p, cfg, e))
		return -1;
	return vm_add_pio(vm, PC_EXIT_PORT, PC_EXIT_PORT_LEN, &exit_port_ops, &p->exitp,
			  "exit port", e);
}
