/* How each client spells a setting, for the fixes that deny messages suggest: the docker CLI flag,
 * docker-py's argument and the compose service key, one row per setting, so that each client's
 * name is written once in the code.
 *
 * Sources: docker-py's docker/models/containers.py (RUN_CREATE_KWARGS, RUN_HOST_CONFIG_KWARGS,
 * `ports`, `volumes`; `cgroupns` since docker-py 6) and docker.types.Mount for --mount's options;
 * the compose specification's service keys (05-services.md, schema/compose-spec.json).  Where a
 * client has no name for a setting the row says so, and a message about a request field that no
 * client flag sets names the API field alone.
 *
 * A row is X(KIND, CLI, DOCKER_PY, COMPOSE), and FIX(NAME) is its phrase:
 *   SAME     docker-py and compose both spell it as the flag without its dashes, so it is said
 *            once: "--privileged (docker-py and compose: privileged)";
 *   EACH     otherwise: "--memory (docker-py mem_limit, compose mem_limit)";
 *   PY       compose has no key for it: "-P/--publish-all (docker-py publish_all_ports)";
 *   COMPOSE  docker-py has no argument for it: "--annotation (compose annotations)";
 *   EXEC     a docker exec flag, which docker compose exec shares, and exec_run's argument;
 *   CLI      only the docker CLI sets it: "docker build --cpu-quota".
 * FIX_PY(NAME) and FIX_COMPOSE(NAME) are the bare names, for a fix that shows a value.
 * tests/unit/test_messages.c checks every row's KIND against its names (FIX_ROWS). */
#pragma once

/* --- user ---------------------------------------------------------------------------------- */
#define FIXROW_USER(X)               X(SAME, "--user", "user", "user")
#define FIXROW_EXEC_USER(X)          X(EXEC, "--user", "user", "")
#define FIXROW_GROUP_ADD(X)          X(SAME, "--group-add", "group_add", "group_add")
#define FIXROW_NAME(X)               X(EACH, "--name", "name", "container_name")

/* --- cpu, memory, pids, limits ------------------------------------------------------------- */
#define FIXROW_CPUS(X)               X(EACH, "--cpus", "nano_cpus", "cpus")
#define FIXROW_CPU_QUOTA(X)          X(SAME, "--cpu-quota", "cpu_quota", "cpu_quota")
#define FIXROW_CPU_PERIOD(X)         X(SAME, "--cpu-period", "cpu_period", "cpu_period")
#define FIXROW_CPU_RT_PERIOD(X)      X(SAME, "--cpu-rt-period", "cpu_rt_period", "cpu_rt_period")
#define FIXROW_CPU_RT_RUNTIME(X)     X(SAME, "--cpu-rt-runtime", "cpu_rt_runtime", "cpu_rt_runtime")
#define FIXROW_CPU_COUNT(X)          X(SAME, "--cpu-count", "cpu_count", "cpu_count")
#define FIXROW_CPU_PERCENT(X)        X(SAME, "--cpu-percent", "cpu_percent", "cpu_percent")
#define FIXROW_MEMORY(X)             X(EACH, "--memory", "mem_limit", "mem_limit")
#define FIXROW_MEMORY_SWAP(X)        X(EACH, "--memory-swap", "memswap_limit", "memswap_limit")
#define FIXROW_OOM_KILL_DISABLE(X)   X(SAME, "--oom-kill-disable", "oom_kill_disable", "oom_kill_disable")
#define FIXROW_OOM_SCORE_ADJ(X)      X(SAME, "--oom-score-adj", "oom_score_adj", "oom_score_adj")
#define FIXROW_PIDS_LIMIT(X)         X(SAME, "--pids-limit", "pids_limit", "pids_limit")
#define FIXROW_ULIMIT(X)             X(EACH, "--ulimit", "ulimits", "ulimits")
#define FIXROW_SHM_SIZE(X)           X(SAME, "--shm-size", "shm_size", "shm_size")
#define FIXROW_RESTART(X)            X(EACH, "--restart", "restart_policy", "restart")

/* --- devices ------------------------------------------------------------------------------- */
#define FIXROW_DEVICE(X)             X(EACH, "--device", "devices", "devices")
#define FIXROW_GPUS(X)               X(EACH, "--gpus", "device_requests", "gpus")
#define FIXROW_DEVICE_CGROUP_RULE(X) X(EACH, "--device-cgroup-rule", "device_cgroup_rules", "device_cgroup_rules")

/* --- network ------------------------------------------------------------------------------- */
#define FIXROW_NETWORK(X)            X(EACH, "--network", "network_mode", "network_mode")
#define FIXROW_PUBLISH(X)            X(EACH, "-p/--publish", "ports", "ports")
#define FIXROW_PUBLISH_ALL(X)        X(PY, "-P/--publish-all", "publish_all_ports", "")
#define FIXROW_DNS(X)                X(SAME, "--dns", "dns", "dns")
#define FIXROW_DNS_SEARCH(X)         X(SAME, "--dns-search", "dns_search", "dns_search")
#define FIXROW_DNS_OPTION(X)         X(EACH, "--dns-option", "dns_opt", "dns_opt")
#define FIXROW_ADD_HOST(X)           X(EACH, "--add-host", "extra_hosts", "extra_hosts")
#define FIXROW_LINK(X)               X(EACH, "--link", "links", "links")
#define FIXROW_MAC_ADDRESS(X)        X(SAME, "--mac-address", "mac_address", "mac_address")
/* docker-py: arguments of create_endpoint_config() and Network.connect(); compose: keys of the
 * service's networks.NAME */
#define FIXROW_IP(X)                 X(EACH, "--ip", "ipv4_address", "networks.NAME.ipv4_address")
#define FIXROW_IP6(X)                X(EACH, "--ip6", "ipv6_address", "networks.NAME.ipv6_address")
#define FIXROW_LINK_LOCAL_IP(X)      X(EACH, "--link-local-ip", "link_local_ips", "networks.NAME.link_local_ips")

/* --- privileges, namespaces, kernel -------------------------------------------------------- */
#define FIXROW_PRIVILEGED(X)         X(SAME, "--privileged", "privileged", "privileged")
#define FIXROW_EXEC_PRIVILEGED(X)    X(EXEC, "--privileged", "privileged", "")
#define FIXROW_CAP_ADD(X)            X(SAME, "--cap-add", "cap_add", "cap_add")
#define FIXROW_SECURITY_OPT(X)       X(SAME, "--security-opt", "security_opt", "security_opt")
#define FIXROW_READ_ONLY(X)          X(SAME, "--read-only", "read_only", "read_only")
#define FIXROW_PID(X)                X(EACH, "--pid", "pid_mode", "pid")
#define FIXROW_UTS(X)                X(EACH, "--uts", "uts_mode", "uts")
#define FIXROW_USERNS(X)             X(EACH, "--userns", "userns_mode", "userns_mode")
#define FIXROW_IPC(X)                X(EACH, "--ipc", "ipc_mode", "ipc")
#define FIXROW_CGROUPNS(X)           X(EACH, "--cgroupns", "cgroupns", "cgroup")
#define FIXROW_SYSCTL(X)             X(EACH, "--sysctl", "sysctls", "sysctls")
#define FIXROW_CGROUP_PARENT(X)      X(SAME, "--cgroup-parent", "cgroup_parent", "cgroup_parent")
#define FIXROW_ANNOTATION(X)         X(COMPOSE, "--annotation", "", "annotations")
#define FIXROW_RUNTIME(X)            X(SAME, "--runtime", "runtime", "runtime")

/* --- mounts -------------------------------------------------------------------------------- */
#define FIXROW_VOLUME(X)             X(EACH, "-v", "volumes", "volumes")
#define FIXROW_VOLUME_RO(X)          X(EACH, "-v SRC:/workspace:ro", "volumes mode \"ro\"", "volumes :ro")
#define FIXROW_MOUNT(X)              X(EACH, "--mount", "mounts", "volumes")
#define FIXROW_MOUNT_READONLY(X)     X(EACH, "--mount readonly", "Mount read_only", "volumes read_only")
#define FIXROW_MOUNT_PROPAGATION(X)  X(EACH, "--mount bind-propagation", "Mount propagation", "volumes bind.propagation")
#define FIXROW_MOUNT_TMPFS_SIZE(X)   X(EACH, "--mount tmpfs-size", "Mount tmpfs_size", "volumes tmpfs.size")
#define FIXROW_TMPFS(X)              X(SAME, "--tmpfs", "tmpfs", "tmpfs")
#define FIXROW_VOLUMES_FROM(X)       X(SAME, "--volumes-from", "volumes_from", "volumes_from")
#define FIXROW_VOLUME_DRIVER(X)      X(PY, "--volume-driver", "volume_driver", "")

/* --- logs ---------------------------------------------------------------------------------- */
#define FIXROW_LOG_DRIVER(X)         X(EACH, "--log-driver", "log_config", "logging.driver")
#define FIXROW_LOG_OPT(X)            X(EACH, "--log-opt", "log_config", "logging.options")

/* --- docker update: docker-py's Container.update() has no nano_cpus or pids_limit, compose no
 * update at all -------------------------------------------------------------------------------- */
#define FIXROW_UPDATE_CPUS(X)        X(CLI, "docker update --cpus", "", "")
#define FIXROW_UPDATE_CPU_QUOTA(X)   X(PY, "docker update --cpu-quota", "update cpu_quota", "")
#define FIXROW_UPDATE_CPU_PERIOD(X)  X(PY, "docker update --cpu-period", "update cpu_period", "")
#define FIXROW_UPDATE_MEMORY(X)      X(PY, "docker update --memory", "update mem_limit", "")
#define FIXROW_UPDATE_MEMORY_SWAP(X) X(PY, "docker update --memory-swap", "update memswap_limit", "")
#define FIXROW_UPDATE_PIDS_LIMIT(X)  X(CLI, "docker update --pids-limit", "", "")

/* --- builds, networks and volumes of their own -------------------------------------------- */
#define FIXROW_BUILD_NETWORK(X)      X(EACH, "docker build --network", "build network_mode", "build.network")
#define FIXROW_BUILD_SHM_SIZE(X)     X(EACH, "docker build --shm-size", "build shmsize", "build.shm_size")
#define FIXROW_BUILD_MEMORY(X)       X(PY, "docker build --memory", "build container_limits memory", "")
#define FIXROW_BUILD_MEMORY_SWAP(X)  X(PY, "docker build --memory-swap", "build container_limits memswap", "")
#define FIXROW_BUILD_CPU_QUOTA(X)    X(CLI, "docker build --cpu-quota", "", "")
#define FIXROW_BUILD_CPU_PERIOD(X)   X(CLI, "docker build --cpu-period", "", "")
#define FIXROW_NETWORK_OPT(X)        X(EACH, "-o/--opt", "networks.create options", "networks driver_opts")
#define FIXROW_NETWORK_SCOPE(X)      X(PY, "--scope", "networks.create scope", "")
#define FIXROW_NETWORK_CONFIG_FROM(X) X(CLI, "--config-from", "", "")
#define FIXROW_NETWORK_IPV6(X)       X(EACH, "--ipv6", "networks.create enable_ipv6", "networks enable_ipv6")
#define FIXROW_NETWORK_IPAM_DRIVER(X) X(EACH, "--ipam-driver", "IPAMConfig driver", "networks ipam.driver")
#define FIXROW_NETWORK_IPAM_POOL(X)  X(EACH, "--subnet, --ip-range, --gateway and --aux-address", "IPAMPool", "networks ipam.config")
#define FIXROW_NETWORK_IPAM_OPT(X)   X(EACH, "--ipam-opt", "IPAMConfig options", "networks ipam.options")
#define FIXROW_VOLUME_OPT(X)         X(EACH, "-o/--opt", "volumes.create driver_opts", "volumes driver_opts")

/* Every row, for the test of the table. */
#define FIX_ROWS(R) \
        R(USER) R(EXEC_USER) R(GROUP_ADD) R(NAME) \
        R(CPUS) R(CPU_QUOTA) R(CPU_PERIOD) R(CPU_RT_PERIOD) R(CPU_RT_RUNTIME) R(CPU_COUNT) R(CPU_PERCENT) \
        R(MEMORY) R(MEMORY_SWAP) R(OOM_KILL_DISABLE) R(OOM_SCORE_ADJ) R(PIDS_LIMIT) R(ULIMIT) R(SHM_SIZE) \
        R(RESTART) R(DEVICE) R(GPUS) R(DEVICE_CGROUP_RULE) \
        R(NETWORK) R(PUBLISH) R(PUBLISH_ALL) R(DNS) R(DNS_SEARCH) R(DNS_OPTION) R(ADD_HOST) R(LINK) \
        R(MAC_ADDRESS) \
        R(PRIVILEGED) R(EXEC_PRIVILEGED) R(CAP_ADD) R(SECURITY_OPT) R(READ_ONLY) R(PID) R(UTS) R(USERNS) \
        R(IPC) R(CGROUPNS) R(SYSCTL) R(CGROUP_PARENT) R(ANNOTATION) R(RUNTIME) \
        R(VOLUME) R(VOLUME_RO) R(MOUNT) R(MOUNT_READONLY) R(MOUNT_PROPAGATION) R(MOUNT_TMPFS_SIZE) R(TMPFS) \
        R(VOLUMES_FROM) R(VOLUME_DRIVER) \
        R(LOG_DRIVER) R(LOG_OPT) \
        R(UPDATE_CPUS) R(UPDATE_CPU_QUOTA) R(UPDATE_CPU_PERIOD) R(UPDATE_MEMORY) R(UPDATE_MEMORY_SWAP) \
        R(UPDATE_PIDS_LIMIT) R(IP) R(IP6) R(LINK_LOCAL_IP) \
        R(BUILD_NETWORK) R(BUILD_SHM_SIZE) R(BUILD_MEMORY) R(BUILD_MEMORY_SWAP) R(BUILD_CPU_QUOTA) \
        R(BUILD_CPU_PERIOD) R(NETWORK_OPT) R(NETWORK_SCOPE) R(NETWORK_CONFIG_FROM) R(NETWORK_IPV6) \
        R(NETWORK_IPAM_DRIVER) R(NETWORK_IPAM_POOL) R(NETWORK_IPAM_OPT) R(VOLUME_OPT)

#define FIX_PHRASE_SAME(cli, py, compose)    cli " (docker-py and compose: " py ")"
#define FIX_PHRASE_EACH(cli, py, compose)    cli " (docker-py " py ", compose " compose ")"
#define FIX_PHRASE_PY(cli, py, compose)      cli " (docker-py " py ")"
#define FIX_PHRASE_COMPOSE(cli, py, compose) cli " (compose " compose ")"
#define FIX_EXEC_CMDS                        " of docker exec and docker compose exec"
#define FIX_PHRASE_EXEC(cli, py, compose)    cli FIX_EXEC_CMDS " (docker-py exec_run " py ")"
#define FIX_PHRASE_CLI(cli, py, compose)     cli
#define FIX_PHRASE_(kind, cli, py, compose)  FIX_PHRASE_##kind(cli, py, compose)
#define FIX_CLI_(kind, cli, py, compose)     cli
#define FIX_PY_(kind, cli, py, compose)      py
#define FIX_COMPOSE_(kind, cli, py, compose) compose

/* String literals, to be pasted into a message's format. */
#define FIX(name)         FIXROW_##name(FIX_PHRASE_)
#define FIX_CLI(name)     FIXROW_##name(FIX_CLI_)
#define FIX_PY(name)      FIXROW_##name(FIX_PY_)
#define FIX_COMPOSE(name) FIXROW_##name(FIX_COMPOSE_)

/* The user rule's fix with its value: each "%s" is the same UID:GID. */
#define FIX_USER_IDS \
        FIX_CLI(USER) " %s (docker-py " FIX_PY(USER) "=\"%s\", compose " FIX_COMPOSE(USER) ": \"%s\")"
#define FIX_EXEC_USER_IDS \
        FIX_CLI(EXEC_USER) " %s" FIX_EXEC_CMDS " (docker-py exec_run " FIX_PY(EXEC_USER) "=\"%s\")"

/* What a container that exists with settings no start, restart or rename can change needs:
 * removing, and creating again (decision_message() says it once per deny; "%s" is its short ID). */
#define FIX_RECREATE \
        "the container was created with these settings, which neither a start nor a rename changes: " \
        "remove it and create it again compliant (docker rm %s, docker-py container.remove(), " \
        "docker compose up --force-recreate)"
