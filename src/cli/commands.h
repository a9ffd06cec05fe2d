/* commands.h: the `vmm` subcommands; each returns the process exit status. */
#ifndef VMM_CLI_COMMANDS_H
#define VMM_CLI_COMMANDS_H

int cmd_run(int argc, char **argv);
int cmd_config(int argc, char **argv);

#endif
