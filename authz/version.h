/* The plugin's version: `arandu-authz version` prints it and every audit line carries it.
 * `make VERSION=...` (CFLAGS += -DVERSION=\"...\") overrides it. */
#pragma once

#ifndef VERSION
#define VERSION "0.1.0"
#endif
