/* SPDX-License-Identifier: GPL-2.0 */
/* Just enough JSON output for --json. */
#ifndef MSHV_VMM_JSON_H
#define MSHV_VMM_JSON_H

#include <stdio.h>

/* Print @s as a JSON string literal, quotes included. */
void json__string(FILE *out, const char *s);

#endif
