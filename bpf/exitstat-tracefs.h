/* SPDX-License-Identifier: GPL-2.0 */
/* The tracepoints mshv-exitstat needs: are they there, and laid out as it reads them? */
#ifndef EXITSTAT_TRACEFS_H
#define EXITSTAT_TRACEFS_H

#include <stdbool.h>
#include <stddef.h>

/* A field of a trace record as a BPF program reads it. */
struct tp_field {
	const char *name;
	size_t offset;
	size_t size;
};

struct tp_event {
	const char *system;
	const char *name;
	const struct tp_field *fields;
	size_t nr_fields;
};

/* Where tracefs is mounted, or NULL. */
const char *tracefs_events_dir(void);

/* The event's directory exists under @events. */
bool tracefs_has_event(const char *events, const struct tp_event *ev);

/*
 * Every field of @ev is at its offset with its size in the event's format
 * file. Else -1, with the first difference in @why.
 */
int tracefs_check_layout(const char *events, const struct tp_event *ev, char *why,
			 size_t why_size);

#endif /* EXITSTAT_TRACEFS_H */
