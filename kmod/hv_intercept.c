// SPDX-License-Identifier: GPL-2.0
/* The shared intercept decoder (common/), compiled into the module. */
#include "../common/hv_intercept.c"
