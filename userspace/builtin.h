/* SPDX-License-Identifier: GPL-2.0 */
/* mshv-vmm subcommands: one file each (builtin-NAME.c), as in kvmtool. */
#ifndef MSHV_VMM_BUILTIN_H
#define MSHV_VMM_BUILTIN_H

/* Exit statuses shared by every subcommand. */
#define EXIT_USAGE	2	/* bad command line */

int cmd_doctor(int argc, char **argv);
void cmd_doctor_help(void);
int cmd_resvd(int argc, char **argv);
void cmd_resvd_help(void);
int cmd_run(int argc, char **argv);
void cmd_run_help(void);
int cmd_version(int argc, char **argv);
void cmd_version_help(void);

#endif
