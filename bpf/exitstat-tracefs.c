// SPDX-License-Identifier: GPL-2.0
/*
 * Tracefs: which tracepoints exist, and do their records match the layouts
 * the BPF programs were built with (kvm_tp.h, mshv_fastpath_tp.h)? A
 * kernel whose records differ gets a clear error instead of wrong numbers.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "exitstat-tracefs.h"

const char *tracefs_events_dir(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing/events", "/sys/kernel/debug/tracing/events",
	};
	struct stat st;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (stat(dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			return dirs[i];
	return NULL;
}

bool tracefs_has_event(const char *events, const struct tp_event *ev)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%s", events, ev->system, ev->name);
	return stat(path, &st) == 0;
}

/*
 * One "\tfield:unsigned int vcpu_id;\toffset:8;\tsize:4;\tsigned:0;" line:
 * the name is the declaration's last word.
 */
static bool parse_field(const char *line, char *name, size_t name_size, size_t *offset,
			size_t *size)
{
	const char *decl = strstr(line, "field:"), *end, *word;

	if (!decl)
		return false;
	decl += strlen("field:");
	end = strchr(decl, ';');
	if (!end)
		return false;
	for (word = end; word > decl && word[-1] != ' ' && word[-1] != '\t'; word--)
		;
	if ((size_t)(end - word) >= name_size)
		return false;
	memcpy(name, word, end - word);
	name[end - word] = '\0';
	return sscanf(end, ";\toffset:%zu;\tsize:%zu;", offset, size) == 2;
}

int tracefs_check_layout(const char *events, const struct tp_event *ev, char *why,
			 size_t why_size)
{
	size_t offsets[16], sizes[16], offset, size;
	bool found[16] = { false };
	char path[256], line[512], name[64];
	FILE *f;

	if (ev->nr_fields > 16) {
		snprintf(why, why_size, "%s:%s: too many fields to check", ev->system, ev->name);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s/%s/format", events, ev->system, ev->name);
	f = fopen(path, "r");
	if (!f) {
		snprintf(why, why_size, "%s: %m", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		if (!parse_field(line, name, sizeof(name), &offset, &size))
			continue;
		for (size_t i = 0; i < ev->nr_fields; i++) {
			if (strcmp(name, ev->fields[i].name))
				continue;
			found[i] = true;
			offsets[i] = offset;
			sizes[i] = size;
		}
	}
	fclose(f);

	for (size_t i = 0; i < ev->nr_fields; i++) {
		const struct tp_field *want = &ev->fields[i];

		if (!found[i]) {
			snprintf(why, why_size, "%s:%s has no field '%s'", ev->system, ev->name,
				 want->name);
			return -1;
		}
		if (offsets[i] != want->offset || sizes[i] != want->size) {
			snprintf(why, why_size,
				 "%s:%s: field '%s' is at offset %zu, size %zu; built for %zu, %zu",
				 ev->system, ev->name, want->name, offsets[i], sizes[i],
				 want->offset, want->size);
			return -1;
		}
	}
	return 0;
}
