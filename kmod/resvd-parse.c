// SPDX-License-Identifier: GPL-2.0
/* The shared hyperv_resvd_new parser (common/), compiled into the module. */
#include "../common/resvd.c"
