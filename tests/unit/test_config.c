/* test_config.c: the configuration model: defaults, builders and string
 * ownership, key-by-name setting, JSON in and out (round trip, precedence),
 * conflict and file checks with origins, the result as JSON, and the run
 * policy (reboot meaning, stats file). */
#include <check.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/keys.h"
#include "config/policy.h"
#include "vmm/vmm.h"

#define MiB (1ULL << 20)

static char tmpdir[64];

static void make_tmpdir(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/vmm-config-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void remove_tmpdir(void)
{
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* tmpdir/name with len bytes of 'x'; returns the path (static buffer per call site). */
static const char *make_file(char *buf, size_t buflen, const char *name, size_t len)
{
	snprintf(buf, buflen, "%s/%s", tmpdir, name);
	FILE *f = fopen(buf, "w");
	ck_assert_ptr_nonnull(f);
	for (size_t i = 0; i < len; i++)
		fputc('x', f);
	fclose(f);
	return buf;
}

START_TEST(test_defaults)
{
	struct vmm_config cfg;
	vmm_config_init(&cfg);
	ck_assert_int_eq(cfg.mode, VMM_MODE_PARA);
	ck_assert_uint_eq(cfg.cpus, 1);
	ck_assert_uint_eq(cfg.mem_bytes, 256 * MiB);
	ck_assert_int_eq(cfg.console_in_fd, 0);
	ck_assert_int_eq(cfg.console_out_fd, 1);
	ck_assert_int_eq(cfg.console_output, VMM_CONSOLE_OUT_STDIO);
	ck_assert_int_eq(cfg.reboot, VMM_REBOOT_EXIT);
	ck_assert_ptr_null(cfg.store);
	/* The documented defaults come from vmm_config_init, not from a copy. */
	struct vmm_config_key_info info;
	ck_assert_int_eq(vmm_config_key_info(KEY_MEMORY, &info), 0);
	ck_assert_str_eq(info.name, "memory");
	ck_assert_str_eq(info.def, "256M");
	ck_assert_int_eq(vmm_config_key_info(KEY_MODE, &info), 0);
	ck_assert_str_eq(info.type, "para|full");
	ck_assert_str_eq(info.def, "para");
	ck_assert_int_eq(vmm_config_key_info(KEY_DISK_PATH, &info), 0);
	ck_assert_str_eq(info.def, "(required)");
	ck_assert_int_eq(vmm_config_key_info(CFG_NKEYS, &info), -1);
	vmm_config_release(&cfg); /* harmless without a store */
}
END_TEST

START_TEST(test_builders_copy_strings)
{
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	char path[] = "/some/kernel";
	vmm_config_init(&cfg);
	ck_assert_int_eq(vmm_config_set_kernel(&cfg, path, &err), 0);
	ck_assert_int_eq(vmm_config_set_cmdline(&cfg, "console=ttyS0", &err), 0);
	ck_assert_int_eq(vmm_config_add_disk(&cfg, "/d.img", 1, VMM_DISK_CACHE_NONE, &err), 0);
	path[1] = 'X'; /* the caller's buffer changes; the config's copy does not */
	ck_assert_str_eq(cfg.kernel, "/some/kernel");
	ck_assert_ptr_ne(cfg.kernel, path);
	ck_assert_uint_eq(cfg.ndisks, 1);
	ck_assert_str_eq(cfg.disks[0].path, "/d.img");
	ck_assert_int_eq(cfg.disks[0].readonly, 1);
	ck_assert_int_eq(cfg.disks[0].cache, VMM_DISK_CACHE_NONE);
	ck_assert_int_eq(vmm_config_set_kernel(&cfg, NULL, &err), 0);
	ck_assert_ptr_null(cfg.kernel);
	ck_assert_ptr_nonnull(cfg.store);
	vmm_config_release(&cfg); /* ASan's leak check proves the copies are freed */
	ck_assert_ptr_null(cfg.store);
	ck_assert_ptr_null(cfg.cmdline);
	ck_assert_uint_eq(cfg.ndisks, 0);
	ck_assert_uint_eq(cfg.cpus, 1);
}
END_TEST

START_TEST(test_builders_check_ranges)
{
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	vmm_config_init(&cfg);
	ck_assert_int_eq(vmm_config_set_cpus(&cfg, 0, &err), -1);
	ck_assert_str_eq(err.msg, "cpus: 0: must be between 1 and 64");
	ck_assert_int_eq(err.kind, VMM_ERROR_INPUT);
	ck_assert_uint_eq(cfg.cpus, 1);
	ck_assert_int_eq(vmm_config_set_cpus(&cfg, 64, &err), 0);
	ck_assert_int_eq(vmm_config_set_mem(&cfg, 3 * MiB, &err), -1);
	ck_assert_str_eq(err.msg, "memory: 3M: must be a multiple of 2M between 16M and 64G");
	ck_assert_int_eq(vmm_config_set_mem(&cfg, 18 * MiB, &err), 0);
	ck_assert_int_eq(vmm_config_set_timeout(&cfg, -0.5, &err), -1);
	ck_assert_int_eq(vmm_config_set_mode(&cfg, (enum vmm_mode)7, &err), -1);
	ck_assert_int_eq(vmm_config_set_kernel(&cfg, "", &err), -1);
	ck_assert_str_eq(err.msg, "boot.kernel: empty path");
	ck_assert_int_eq(vmm_config_set_console_output(&cfg, VMM_CONSOLE_OUT_FILE, NULL, &err), -1);
	ck_assert_int_eq(vmm_config_set_console_output(&cfg, VMM_CONSOLE_OUT_NONE, "x", &err), -1);
	ck_assert_int_eq(vmm_config_set_console_output(&cfg, VMM_CONSOLE_OUT_FILE, "c.log", &err), 0);
	ck_assert_str_eq(cfg.console_file, "c.log");
	ck_assert_int_eq(vmm_config_set_console_output(&cfg, VMM_CONSOLE_OUT_STDIO, NULL, &err), 0);
	ck_assert_ptr_null(cfg.console_file);
	for (int i = 0; i < VMM_MAX_DISKS; i++)
		ck_assert_int_eq(vmm_config_add_disk(&cfg, "/d", 0, VMM_DISK_CACHE_WRITEBACK, &err), 0);
	ck_assert_int_eq(vmm_config_add_disk(&cfg, "/d", 0, VMM_DISK_CACHE_WRITEBACK, &err), -1);
	ck_assert_str_eq(err.msg, "disks: at most 8 disks");
	vmm_config_release(&cfg);
}
END_TEST

START_TEST(test_set_by_key)
{
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	vmm_config_init(&cfg);
	ck_assert_int_eq(vmm_config_set(&cfg, "memory", "2G", NULL, &err), 0);
	ck_assert_uint_eq(cfg.mem_bytes, 2048 * MiB);
	ck_assert_int_eq(vmm_config_set(&cfg, "memory", "512", NULL, &err), 0); /* MiB */
	ck_assert_uint_eq(cfg.mem_bytes, 512 * MiB);
	ck_assert_int_eq(vmm_config_set(&cfg, "memory", "65536KiB", NULL, &err), 0);
	ck_assert_uint_eq(cfg.mem_bytes, 64 * MiB);
	ck_assert_int_eq(vmm_config_set(&cfg, "memory", "1.5G", "--mem", &err), -1);
	ck_assert_str_eq(err.msg, "--mem: memory: \"1.5G\": not a size (e.g. 512M, 2G)");
	ck_assert_int_eq(vmm_config_set(&cfg, "seccomp", "on", NULL, &err), 0);
	ck_assert_int_eq(cfg.seccomp, 1);
	ck_assert_int_eq(vmm_config_set(&cfg, "seccomp", "no", NULL, &err), 0);
	ck_assert_int_eq(cfg.seccomp, 0);
	ck_assert_int_eq(vmm_config_set(&cfg, "seccomp", "maybe", NULL, &err), -1);
	ck_assert_int_eq(vmm_config_set(&cfg, "exit.timeout", "2.5", NULL, &err), 0);
	ck_assert(cfg.timeout_sec == 2.5);
	ck_assert_int_eq(vmm_config_set(&cfg, "exit.timeout", "nan", NULL, &err), -1);
	ck_assert_int_eq(vmm_config_set(&cfg, "exit.reboot", "poweroff", NULL, &err), 0);
	ck_assert_int_eq(cfg.reboot, VMM_REBOOT_POWEROFF);
	ck_assert_int_eq(vmm_config_set(&cfg, "cpus", "4x", "--cpus", &err), -1);
	ck_assert_str_eq(err.msg, "--cpus: cpus: \"4x\": not a whole number");
	ck_assert_int_eq(vmm_config_set(&cfg, "cpus", "99999999999", NULL, &err), -1);
	ck_assert_int_eq(vmm_config_set(&cfg, "console.colour", "red", "--set x", &err), -1);
	ck_assert_str_eq(err.msg, "--set x: console.colour: unknown key (see vmm help config)");
	ck_assert_int_eq(vmm_config_set(&cfg, "disks[0].cache", "none", NULL, &err), -1);
	ck_assert_str_eq(err.msg, "disks[0].cache: no such disk (0 configured)");
	ck_assert_int_eq(vmm_config_add_disk(&cfg, "/a", 0, VMM_DISK_CACHE_WRITEBACK, &err), 0);
	ck_assert_int_eq(vmm_config_set(&cfg, "disks[0].cache", "none", NULL, &err), 0);
	ck_assert_int_eq(cfg.disks[0].cache, VMM_DISK_CACHE_NONE);
	ck_assert_int_eq(vmm_config_set(&cfg, "disks[0].readonly", "true", NULL, &err), 0);
	ck_assert_int_eq(cfg.disks[0].readonly, 1);
	ck_assert_int_eq(vmm_config_set(&cfg, "disks[].path", "/b", NULL, &err), -1);
	ck_assert_int_eq(vmm_config_set(&cfg, "disks[x].path", "/b", NULL, &err), -1);
	ck_assert_int_eq(vmm_config_set(&cfg, "console.output", "callback", NULL, &err), -1);
	vmm_config_release(&cfg);
}
END_TEST

static const char full_doc[] =
	"{\n"
	"  \"mode\": \"full\",\n"
	"  \"cpus\": 4,\n"
	"  \"memory\": \"1G\",\n"
	"  \"boot\": {\"kernel\": \"/k\", \"initrd\": \"/i\", \"cmdline\": \"a b\",\n"
	"           \"firmware\": \"/fw\", \"firmware_log\": \"/fw.log\"},\n"
	"  \"console\": {\"device\": \"serial\", \"output\": \"file\", \"path\": \"/c.log\"},\n"
	"  \"exit\": {\"timeout\": 1.25, \"reboot\": \"poweroff\"},\n"
	"  \"seccomp\": true,\n"
	"  \"stats\": \"/s.json\",\n"
	"  \"disks\": [{\"path\": \"/d0\", \"readonly\": true, \"cache\": \"none\"}, {\"path\": \"/d1\"}]\n"
	"}\n";

START_TEST(test_json_in_and_round_trip)
{
	struct vmm_config a, b;
	struct vmm_error err = { 0 };
	vmm_config_init(&a);
	vmm_config_init(&b);
	ck_assert_msg(vmm_config_from_json(full_doc, &a, &err) == 0, "%s", err.msg);
	ck_assert_int_eq(a.mode, VMM_MODE_FULL);
	ck_assert_uint_eq(a.cpus, 4);
	ck_assert_uint_eq(a.mem_bytes, 1024 * MiB);
	ck_assert_str_eq(a.kernel, "/k");
	ck_assert_str_eq(a.cmdline, "a b");
	ck_assert_str_eq(a.firmware_log, "/fw.log");
	ck_assert_int_eq(a.console_output, VMM_CONSOLE_OUT_FILE);
	ck_assert_str_eq(a.console_file, "/c.log");
	ck_assert(a.timeout_sec == 1.25);
	ck_assert_int_eq(a.reboot, VMM_REBOOT_POWEROFF);
	ck_assert_int_eq(a.seccomp, 1);
	ck_assert_str_eq(a.stats_file, "/s.json");
	ck_assert_uint_eq(a.ndisks, 2);
	ck_assert_int_eq(a.disks[0].readonly, 1);
	ck_assert_int_eq(a.disks[0].cache, VMM_DISK_CACHE_NONE);
	ck_assert_int_eq(a.disks[1].readonly, 0);
	ck_assert_int_eq(a.disks[1].cache, VMM_DISK_CACHE_WRITEBACK);

	char *text = vmm_config_to_json(&a, &err);
	ck_assert_msg(text != NULL, "%s", err.msg);
	ck_assert_msg(vmm_config_from_json(text, &b, &err) == 0, "%s", err.msg);
	char *again = vmm_config_to_json(&b, &err);
	ck_assert_str_eq(text, again);
	ck_assert_str_eq(b.initrd, "/i");
	ck_assert_str_eq(b.disks[1].path, "/d1");
	free(text);
	free(again);

	/* The defaults also survive the trip: null strings, integer timeout. */
	vmm_config_release(&b);
	ck_assert_int_eq(vmm_config_set_kernel(&b, "/k", &err), 0);
	text = vmm_config_to_json(&b, &err);
	ck_assert_ptr_nonnull(strstr(text, "\"initrd\": null"));
	ck_assert_ptr_nonnull(strstr(text, "\"timeout\": 0,"));
	ck_assert_ptr_nonnull(strstr(text, "\"disks\": []"));
	vmm_config_release(&b);
	ck_assert_int_eq(vmm_config_from_json(text, &b, &err), 0);
	ck_assert_ptr_null(b.initrd);
	ck_assert_uint_eq(b.mem_bytes, 256 * MiB);
	free(text);
	vmm_config_release(&a);
	vmm_config_release(&b);
}
END_TEST

START_TEST(test_precedence)
{
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	vmm_config_init(&cfg);
	/* Defaults < file < later settings, key by key; "disks" replaces the list. */
	ck_assert_int_eq(vmm_config_add_disk(&cfg, "/before", 0, VMM_DISK_CACHE_WRITEBACK, &err), 0);
	ck_assert_int_eq(vmm_config_from_json("{\"cpus\": 3, \"memory\": 512, \"boot\": {\"kernel\": "
					      "\"/k\"}, \"disks\": [{\"path\": \"/file\"}]}",
					      &cfg, &err), 0);
	ck_assert_uint_eq(cfg.cpus, 3);
	ck_assert_uint_eq(cfg.mem_bytes, 512 * MiB);
	ck_assert_uint_eq(cfg.ndisks, 1);
	ck_assert_str_eq(cfg.disks[0].path, "/file");
	ck_assert_int_eq(vmm_config_set(&cfg, "cpus", "2", "--cpus", &err), 0);
	ck_assert_uint_eq(cfg.cpus, 2);
	ck_assert_uint_eq(cfg.mem_bytes, 512 * MiB); /* untouched keys keep the file's value */
	ck_assert_str_eq(cfg.kernel, "/k");
	/* A second document only changes what it names. */
	ck_assert_int_eq(vmm_config_from_json("{\"exit\": {\"timeout\": 9}}", &cfg, &err), 0);
	ck_assert_uint_eq(cfg.cpus, 2);
	ck_assert(cfg.timeout_sec == 9);
	ck_assert_uint_eq(cfg.ndisks, 1);
	vmm_config_release(&cfg);
}
END_TEST

START_TEST(test_check_conflicts)
{
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	vmm_config_init(&cfg);
	ck_assert_int_eq(vmm_config_check(&cfg, 0, &err), -1);
	ck_assert_str_eq(err.msg, "nothing to boot: give boot.kernel, boot.firmware or a disk");
	cfg.kernel = "/k"; /* direct assignment is allowed too */
	ck_assert_int_eq(vmm_config_check(&cfg, 0, &err), 0);
	cfg.console = VMM_CONSOLE_VIRTIO;
	cfg.mode = VMM_MODE_FULL;
	ck_assert_int_eq(vmm_config_check(&cfg, 0, &err), -1);
	ck_assert_str_eq(err.msg, "console.device: \"virtio\" needs mode \"para\"");
	cfg.console = VMM_CONSOLE_SERIAL;
	cfg.console_output = VMM_CONSOLE_OUT_CALLBACK;
	ck_assert_int_eq(vmm_config_check(&cfg, 0, &err), -1);
	ck_assert_str_eq(err.msg, "console.output: callback output without a callback");
	cfg.console_output = VMM_CONSOLE_OUT_STDIO;
	cfg.stats_file = "/k";
	ck_assert_int_eq(vmm_config_check(&cfg, 0, &err), -1);
	ck_assert_str_eq(err.msg, "stats: same file as boot.kernel");
	cfg.stats_file = NULL;
	cfg.cpus = 1000;
	ck_assert_int_eq(vmm_config_check(&cfg, 0, &err), -1);
	ck_assert_str_eq(err.msg, "cpus: 1000: must be between 1 and 64");
	vmm_config_release(&cfg);
}
END_TEST

static void cb_discard(void *opaque, const char *buf, size_t len)
{
	(void)opaque;
	(void)buf;
	(void)len;
}

START_TEST(test_callback_console)
{
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	vmm_config_init(&cfg);
	ck_assert_int_eq(vmm_config_set_kernel(&cfg, "/k", &err), 0);
	ck_assert_int_eq(vmm_config_set_console_callback(&cfg, NULL, NULL, &err), -1);
	ck_assert_int_eq(vmm_config_set_console_callback(&cfg, cb_discard, &cfg, &err), 0);
	ck_assert_int_eq(cfg.console_output, VMM_CONSOLE_OUT_CALLBACK);
	ck_assert_int_eq(cfg.console_in_fd, -1);
	ck_assert_int_eq(vmm_config_check(&cfg, 0, &err), 0);
	ck_assert_ptr_null(vmm_config_to_json(&cfg, &err));
	ck_assert_str_eq(err.msg, "console.output: a callback has no JSON form");
	ck_assert_int_eq(vmm_config_set_console_output(&cfg, VMM_CONSOLE_OUT_NONE, NULL, &err), 0);
	ck_assert_ptr_null(cfg.console_cb);
	vmm_config_release(&cfg);
}
END_TEST

START_TEST(test_origins)
{
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	vmm_config_init(&cfg);
	ck_assert_int_eq(vmm_config_from_json("{\n \"boot\": {\"kernel\": \"/no/such/k\"},\n"
					      " \"cpus\": 2\n}", &cfg, &err), 0);
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), -1);
	ck_assert_str_eq(err.msg, "<json>:2:21: boot.kernel: no such file (/no/such/k)");
	/* A later setting takes over the blame. */
	ck_assert_int_eq(vmm_config_set(&cfg, "boot.kernel", "/no/k2", "--kernel", &err), 0);
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), -1);
	ck_assert_str_eq(err.msg, "--kernel: boot.kernel: no such file (/no/k2)");
	/* A value assigned behind the store's back has no origin any more. */
	cfg.kernel = "/no/k3";
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), -1);
	ck_assert_str_eq(err.msg, "boot.kernel: no such file (/no/k3)");
	cfg.kernel = "/k";
	cfg.cpus = 0;
	ck_assert_int_eq(vmm_config_check(&cfg, 0, &err), -1);
	ck_assert_str_eq(err.msg, "cpus: 0: must be between 1 and 64");
	vmm_config_release(&cfg);
}
END_TEST

START_TEST(test_check_files)
{
	char k[128], empty[128], odd[128], disk[128], msg[512];
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	make_tmpdir();
	vmm_config_init(&cfg);
	cfg.kernel = make_file(k, sizeof(k), "kernel", 10);
	ck_assert_msg(vmm_config_check(&cfg, VMM_CHECK_FILES, &err) == 0, "%s", err.msg);
	cfg.initrd = make_file(empty, sizeof(empty), "empty", 0);
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), -1);
	snprintf(msg, sizeof(msg), "boot.initrd: file is empty (%s)", empty);
	ck_assert_str_eq(err.msg, msg);
	cfg.initrd = tmpdir;
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), -1);
	snprintf(msg, sizeof(msg), "boot.initrd: is a directory (%s)", tmpdir);
	ck_assert_str_eq(err.msg, msg);
	cfg.initrd = NULL;
	cfg.disks[0].path = make_file(odd, sizeof(odd), "odd.img", 1000);
	cfg.ndisks = 1;
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), -1);
	snprintf(msg, sizeof(msg), "disks[0].path: size 1000 is not a multiple of 512 (%s)", odd);
	ck_assert_str_eq(err.msg, msg);
	cfg.disks[0].path = make_file(disk, sizeof(disk), "disk.img", 1024);
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), 0);
	cfg.stats_file = "/no/such/dir/stats.json";
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), -1);
	ck_assert_str_eq(err.msg, "stats: no such directory (/no/such/dir)");
	ck_assert_int_eq(vmm_config_check(&cfg, 0, &err), 0); /* files unchecked */
	cfg.stats_file = tmpdir;
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), -1);
	cfg.stats_file = "stats-in-cwd.json"; /* a bare name: the current directory */
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), 0);
	vmm_config_release(&cfg);
	remove_tmpdir();
}
END_TEST

START_TEST(test_file_relative_paths)
{
	char path[128], want[256];
	struct vmm_config cfg;
	struct vmm_error err = { 0 };
	make_tmpdir();
	snprintf(path, sizeof(path), "%s/vm.json", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("{\"boot\": {\"kernel\": \"./guest.elf\", \"initrd\": \"/abs/initrd\"},\n"
	      " \"disks\": [{\"path\": \"img/disk.img\"}]}\n", f);
	fclose(f);
	vmm_config_init(&cfg);
	ck_assert_msg(vmm_config_from_json_file(path, &cfg, &err) == 0, "%s", err.msg);
	snprintf(want, sizeof(want), "%s/guest.elf", tmpdir);
	ck_assert_str_eq(cfg.kernel, want);
	ck_assert_str_eq(cfg.initrd, "/abs/initrd");
	snprintf(want, sizeof(want), "%s/img/disk.img", tmpdir);
	ck_assert_str_eq(cfg.disks[0].path, want);
	ck_assert_int_eq(vmm_config_check(&cfg, VMM_CHECK_FILES, &err), -1);
	snprintf(want, sizeof(want), "%s:1:21: boot.kernel: no such file (%s/guest.elf)", path,
		 tmpdir);
	ck_assert_str_eq(err.msg, want);
	vmm_config_release(&cfg);
	ck_assert_int_eq(vmm_config_from_json_file("/no/such/vm.json", &cfg, &err), -1);
	ck_assert_str_eq(err.msg, "/no/such/vm.json: No such file or directory");
	ck_assert_int_eq(vmm_config_from_json_file(tmpdir, &cfg, &err), -1);
	vmm_config_release(&cfg);
	remove_tmpdir();
}
END_TEST

START_TEST(test_result_json)
{
	struct vmm_result res = {
		.kind = VMM_EXIT_PORT, .guest_status = 7, .exits_pio = 10, .exits_mmio = 2,
		.unclaimed_pio = 1, .emulation_fixups = 3, .run_ns = 1500000000,
	};
	snprintf(res.detail, sizeof(res.detail), "guest wrote 7\x01\xff");
	char *text = vmm_result_to_json(&res);
	ck_assert_ptr_nonnull(text);
	json_error_t jerr;
	json_t *o = json_loads(text, 0, &jerr);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "exit")), "exit-port");
	ck_assert_int_eq(json_integer_value(json_object_get(o, "status")), 7);
	ck_assert_str_eq(json_string_value(json_object_get(o, "detail")), "guest wrote 7??");
	ck_assert(json_real_value(json_object_get(o, "run_time_sec")) == 1.5);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "exits"), "pio")), 10);
	ck_assert_int_eq(json_integer_value(json_object_get(json_object_get(o, "unclaimed"), "pio")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(o, "fixups")), 3);
	json_decref(o);
	free(text);
}
END_TEST

START_TEST(test_run_policy)
{
	char stats[128];
	struct vmm_config cfg;
	struct run_policy p;
	struct err e = { 0 };
	make_tmpdir();
	vmm_config_init(&cfg);
	cfg.reboot = VMM_REBOOT_POWEROFF;
	snprintf(stats, sizeof(stats), "%s/stats.json", tmpdir);
	cfg.stats_file = stats;
	run_policy_prepare(&p);
	ck_assert_int_eq(run_policy_init(&p, &cfg, &e), 0);
	run_policy_start(&p);
	struct vmm_result res = { .kind = VMM_EXIT_REBOOT };
	snprintf(res.detail, sizeof(res.detail), "guest requested a reset");
	ck_assert_int_eq(run_policy_finish(&p, &res), 0);
	ck_assert_int_eq(res.kind, VMM_EXIT_POWEROFF);
	ck_assert_int_eq(vmm_exit_status(&res), 0);
	ck_assert_str_eq(res.detail, "guest requested a reset (reset taken as poweroff)");
	ck_assert_uint_gt(res.run_ns, 0);
	run_policy_destroy(&p);
	json_error_t jerr;
	json_t *o = json_load_file(stats, 0, &jerr);
	ck_assert_ptr_nonnull(o);
	ck_assert_str_eq(json_string_value(json_object_get(o, "exit")), "poweroff");
	json_decref(o);

	/* Reboot as exit is left alone; a stats file that cannot exist is an input error. */
	cfg.reboot = VMM_REBOOT_EXIT;
	cfg.stats_file = "/no/such/dir/stats.json";
	run_policy_prepare(&p);
	ck_assert_int_eq(run_policy_init(&p, &cfg, &e), -1);
	ck_assert_int_eq(e.kind, ERR_INPUT);
	run_policy_destroy(&p);
	cfg.stats_file = NULL;
	run_policy_prepare(&p);
	ck_assert_int_eq(run_policy_init(&p, &cfg, &e), 0);
	res = (struct vmm_result){ .kind = VMM_EXIT_REBOOT };
	ck_assert_int_eq(run_policy_finish(&p, &res), 0);
	ck_assert_int_eq(vmm_exit_status(&res), VMM_STATUS_REBOOT);
	run_policy_destroy(&p);
	remove_tmpdir();
}
END_TEST

START_TEST(test_sizes)
{
	uint64_t v;
	char buf[32];
	ck_assert_int_eq(cfg_size_parse("16", &v), 0);
	ck_assert_uint_eq(v, 16 * MiB);
	ck_assert_int_eq(cfg_size_parse("1T", &v), 0);
	ck_assert_uint_eq(v, 1ULL << 40);
	ck_assert_int_eq(cfg_size_parse("-1M", &v), -1);
	ck_assert_int_eq(cfg_size_parse("", &v), -1);
	ck_assert_int_eq(cfg_size_parse("1MB2", &v), -1);
	ck_assert_int_eq(cfg_size_parse("99999999999999999999G", &v), -1);
	ck_assert_int_eq(cfg_size_parse("17179869184G", &v), -1); /* 2^34 G overflows */
	cfg_size_format(3 * (1ULL << 30), buf, sizeof(buf));
	ck_assert_str_eq(buf, "3G");
	cfg_size_format(1536 * MiB, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1536M");
	cfg_size_format(1000, buf, sizeof(buf));
	ck_assert_str_eq(buf, "1000B");
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("model");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_builders_copy_strings);
	tcase_add_test(tc, test_builders_check_ranges);
	tcase_add_test(tc, test_set_by_key);
	tcase_add_test(tc, test_callback_console);
	tcase_add_test(tc, test_sizes);
	suite_add_tcase(s, tc);
	tc = tcase_create("json");
	tcase_add_test(tc, test_json_in_and_round_trip);
	tcase_add_test(tc, test_precedence);
	tcase_add_test(tc, test_file_relative_paths);
	tcase_add_test(tc, test_result_json);
	suite_add_tcase(s, tc);
	tc = tcase_create("check");
	tcase_add_test(tc, test_check_conflicts);
	tcase_add_test(tc, test_origins);
	tcase_add_test(tc, test_check_files);
	tcase_add_test(tc, test_run_policy);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
