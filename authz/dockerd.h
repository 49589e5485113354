/* `arandu-authz dockerd enable|disable|status`: switch dockerd's enforcement through the plugin on
 * and off in /etc/docker/daemon.json, and say whether dockerd enforces right now.
 *
 * enable and disable edit the file as text (policy/daemonjson.h: the admin's other settings and
 * their spelling kept), refuse a file dockerd would read otherwise, write it atomically beside a
 * backup of the old one, and say exactly what changed.  dockerd applies the change when it reloads
 * its configuration (SIGHUP: `systemctl reload docker`, no container restarts); --reload does that
 * and then asks dockerd whether it enforces.  enable refuses (unless --force) while the plugin does
 * not answer on its socket: dockerd would then refuse every request, and a dockerd that reloads
 * into a plugin it cannot find exits. */
#pragma once

#define DOCKERD_CONFIG_DEFAULT "/etc/docker/daemon.json"
#define DOCKERD_CONFIG_MAX     (1u << 20)

/* argv[0] is "dockerd".  Exit status: 0 done (or nothing to do; status: enforcing), 1 failed
 * (status: not enforcing, or unknown), 2 bad usage, 3 the file cannot be edited safely. */
int dockerd_main(int argc, char **argv);
