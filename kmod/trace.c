// SPDX-License-Identifier: GPL-2.0
/* Instantiates the tracepoints declared in trace.h, once for the module. */
#define CREATE_TRACE_POINTS
#include "trace.h"
