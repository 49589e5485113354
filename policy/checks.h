/* Internal to policy/: checks shared by more than one rule family (checks.c), and the shared
 * views of resources.c and network.c. */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "policy/decision.h"
#include "policy/gojson.h"
#include "policy/policy.h"
#include "policy/query.h"
#include "policy/units.h"   /* parse_canonical_id */

/* Normalise a capability name as dockerd does: upper-case, without a "CAP_" prefix. */
void cap_normalise(const char *in, char *buf, size_t size);

/* Whose limits check_cpu() and check_memory() judge, for the words of their messages: a create's
 * HostConfig, an update (0 means unchanged, and CPU quota and period must come together: the
 * container's current period is unknown here), or a build's query (cpuquota, memory, ...). */
enum limits_of { LIMITS_CREATE, LIMITS_UPDATE, LIMITS_BUILD };
/* The CPU rule over NanoCpus / CpuQuota / CpuPeriod (a build has no NanoCpus: pass 0). */
void check_cpu(const struct policy *p, int64_t nano, int64_t quota, int64_t period, enum limits_of of,
               struct decision *d);
/* The memory rule over Memory / MemorySwap. */
void check_memory(const struct policy *p, int64_t memory, int64_t swap, enum limits_of of, struct decision *d);
/* The pids rule: `v` is PidsLimit (NULL/null: unset). */
void check_pids(const struct policy *p, const json_t *v, const char *path, bool update, struct decision *d);
/* container.Resources, the one field list that HostConfig (create, which embeds it) and
 * UpdateConfig share: X(P##ID, "JsonName"), with P the caller's enum prefix. */
#define RESOURCES_FIELDS(X, P) \
        X(P##CPUSHARES, "CpuShares") X(P##MEMORY, "Memory") X(P##NANOCPUS, "NanoCpus") \
        X(P##CGROUPPARENT, "CgroupParent") X(P##BLKIOWEIGHT, "BlkioWeight") \
        X(P##BLKIOWEIGHTDEVICE, "BlkioWeightDevice") X(P##BLKIODEVICEREADBPS, "BlkioDeviceReadBps") \
        X(P##BLKIODEVICEWRITEBPS, "BlkioDeviceWriteBps") X(P##BLKIODEVICEREADIOPS, "BlkioDeviceReadIOps") \
        X(P##BLKIODEVICEWRITEIOPS, "BlkioDeviceWriteIOps") X(P##CPUPERIOD, "CpuPeriod") \
        X(P##CPUQUOTA, "CpuQuota") X(P##CPUREALTIMEPERIOD, "CpuRealtimePeriod") \
        X(P##CPUREALTIMERUNTIME, "CpuRealtimeRuntime") X(P##CPUSETCPUS, "CpusetCpus") \
        X(P##CPUSETMEMS, "CpusetMems") X(P##DEVICES, "Devices") X(P##DEVICECGROUPRULES, "DeviceCgroupRules") \
        X(P##DEVICEREQUESTS, "DeviceRequests") X(P##KERNELMEMORY, "KernelMemory") \
        X(P##KERNELMEMORYTCP, "KernelMemoryTCP") X(P##MEMORYRESERVATION, "MemoryReservation") \
        X(P##MEMORYSWAP, "MemorySwap") X(P##MEMORYSWAPPINESS, "MemorySwappiness") \
        X(P##OOMKILLDISABLE, "OomKillDisable") X(P##PIDSLIMIT, "PidsLimit") X(P##ULIMITS, "Ulimits") \
        X(P##CPUCOUNT, "CpuCount") X(P##CPUPERCENT, "CpuPercent") X(P##IOMAXIMUMIOPS, "IOMaximumIOps") \
        X(P##IOMAXIMUMBANDWIDTH, "IOMaximumBandwidth")

/* The resource fields that create (HostConfig) and update share, as each one's struct view bound
 * them (borrowed; NULL when absent). */
struct resource_fields {
        json_t *nano_cpus, *cpu_quota, *cpu_period, *cpu_rt_period, *cpu_rt_runtime, *cpu_count,
               *cpu_percent, *memory, *memory_swap, *oom_kill_disable, *pids_limit, *devices,
               *device_requests, *device_cgroup_rules, *ulimits;
};

/* The cpu, memory, pids and devices rules over those fields, one place for create and update.
 * `prefix` names the struct in messages ("HostConfig", "Update").  `update`: 0 means unchanged.
 * `view`: the daemon's own view of a container, where MemorySwap shows dockerd's default. */
/* A struct resource_fields from values bound with RESOURCES_FIELDS under enum prefix P. */
#define RESOURCE_FIELDS_OF(v, P) { \
        .nano_cpus = (v)[P##NANOCPUS], .cpu_quota = (v)[P##CPUQUOTA], .cpu_period = (v)[P##CPUPERIOD], \
        .cpu_rt_period = (v)[P##CPUREALTIMEPERIOD], .cpu_rt_runtime = (v)[P##CPUREALTIMERUNTIME], \
        .cpu_count = (v)[P##CPUCOUNT], .cpu_percent = (v)[P##CPUPERCENT], .memory = (v)[P##MEMORY], \
        .memory_swap = (v)[P##MEMORYSWAP], .oom_kill_disable = (v)[P##OOMKILLDISABLE], \
        .pids_limit = (v)[P##PIDSLIMIT], .devices = (v)[P##DEVICES], \
        .device_requests = (v)[P##DEVICEREQUESTS], .device_cgroup_rules = (v)[P##DEVICECGROUPRULES], \
        .ulimits = (v)[P##ULIMITS], \
}

void check_resource_fields(const struct policy *p, const struct resource_fields *f, const char *prefix,
                           bool update, bool view, struct decision *d);

/* A query parameter a rule reads must occur at most once: Go reads the first, a careless checker
 * the last.  Its first value, or NULL when absent or repeated (rule "shape"). */
const char *query_once(const struct query *q, const char *key, struct decision *d);

/* Fields that must be absent, null, or empty (arrays/objects), e.g. Devices. */
void check_empty(const json_t *v, const char *path, enum rule rule, const char *fix, struct decision *d);
/* EndpointSettings: DriverOpts (per-endpoint driver options, e.g. interface sysctls) must be empty;
 * MacAddress and Links too unless the policy sets allow_network_settings (`view`: dockerd's own
 * MacAddress is shown). */
void check_endpoint_settings(const struct policy *p, json_t *v, const char *path, bool view,
                             struct decision *d);

/* Ulimits (create, update): only those the policy lists, Soft and Hard in [0, its bound]. */
void check_ulimits(const struct policy *p, json_t *v, const char *path, struct decision *d);
/* HostConfig.ShmSize not above the memory limit (`view`: dockerd's default 64m shown for 0). */
void check_shm_size(const struct policy *p, const json_t *v, bool view, struct decision *d);
/* RestartPolicy (create, update): "no", or on-failure with 1 to restart_max_retries retries. */
void check_restart(const struct policy *p, json_t *v, const char *path, struct decision *d);
/* HostConfig.LogConfig: a host-local driver with its known options. */
void check_log_config(json_t *v, struct decision *d);

/* A tmpfs at an allowed target, from HostConfig.Tmpfs (`opts`: its option string) or a Mounts
 * entry (`opts`: its TmpfsOptions): nosuid, nodev, noexec unless tmpfs_exec, a size within the
 * memory limit, only known options.  `field` names it in messages. */
void check_tmpfs_data(const struct policy *p, const char *opts, const char *field, struct decision *d);
void check_tmpfs_mount(const struct policy *p, json_t *opts, const char *field, struct decision *d);
