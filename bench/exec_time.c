/* exec_time.c: exec-to-exit wall time of commands, interleaved.
 *
 *   exec_time RUNS CMD [ARGS...] [-- CMD [ARGS...]]...
 *
 * Runs each command RUNS times, one of each per round, so load changes on a
 * shared host hit them alike; stdin, stdout and stderr are /dev/null. Times
 * posix_spawn to waitpid on CLOCK_MONOTONIC (no shell, no `date` processes
 * inside the interval). Prints per command: median, min and max in us, and
 * the exit status of its last run. */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#define MAX_CMDS 8
#define MAX_RUNS 1000

extern char **environ;

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* One run; returns the wait status's exit code (or 128 + signal). */
static int run_once(char **argv, const posix_spawn_file_actions_t *fa, double *us)
{
	pid_t pid;
	int st;
	double t0 = now_us();
	if (posix_spawn(&pid, argv[0], fa, NULL, argv, environ)) {
		perror(argv[0]);
		exit(1);
	}
	waitpid(pid, &st, 0);
	*us = now_us() - t0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv)
{
	static double t[MAX_CMDS][MAX_RUNS];
	char **cmd[MAX_CMDS];
	int status[MAX_CMDS], ncmd = 0;
	int runs = argc > 2 ? atoi(argv[1]) : 0;
	if (runs < 1 || runs > MAX_RUNS) {
		fprintf(stderr, "usage: exec_time RUNS CMD [ARGS...] [-- CMD [ARGS...]]...\n");
		return 2;
	}
	for (int i = 2; i < argc && ncmd < MAX_CMDS;) {
		cmd[ncmd++] = &argv[i];
		while (i < argc && strcmp(argv[i], "--"))
			i++;
		if (i < argc)
			argv[i++] = NULL; /* ends this command's argv */
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (int r = 0; r < runs; r++)
		for (int c = 0; c < ncmd; c++)
			status[c] = run_once(cmd[c], &fa, &t[c][r]);
	for (int c = 0; c < ncmd; c++) {
		qsort(t[c], (size_t)runs, sizeof(double), cmp_double);
		double med = runs % 2 ? t[c][runs / 2] : (t[c][runs / 2 - 1] + t[c][runs / 2]) / 2;
		printf("%.0f %.0f %.0f %d\n", med, t[c][0], t[c][runs - 1], status[c]);
	}
	posix_spawn_file_actions_destroy(&fa);
	return 0;
}
