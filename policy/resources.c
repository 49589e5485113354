/* The cpu, memory, pids and devices rules, for create and update alike; and check_empty, which
 * every family uses. */
#include "policy/checks.h"
#include "policy/create.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/units.h"

#define DEFAULT_CPU_PERIOD 100000   /* dockerd/kernel default when CpuPeriod is 0 */

/* The words of the cpu and memory messages, per enum limits_of: the request's fields, and the
 * settings that fix them. */
static const struct limit_words {
        const char *none;                           /* the fields that, all 0, set no CPU limit */
        const char *nano, *quota, *period, *memory, *swap;
        const char *cpus;                           /* NULL: none (a build) */
        const char *cpu_quota, *cpu_period, *mem, *memswap;
} limit_words[] = {
        [LIMITS_CREATE] = { "HostConfig.NanoCpus and HostConfig.CpuQuota are", "HostConfig.NanoCpus",
                            "HostConfig.CpuQuota", "HostConfig.CpuPeriod", "HostConfig.Memory", "HostConfig.MemorySwap",
                            FIX(CPUS), FIX(CPU_QUOTA), FIX(CPU_PERIOD), FIX(MEMORY), FIX(MEMORY_SWAP) },
        [LIMITS_UPDATE] = { "Update.NanoCpus and Update.CpuQuota are", "Update.NanoCpus", "Update.CpuQuota",
                            "Update.CpuPeriod", "Update.Memory", "Update.MemorySwap",
                            FIX(UPDATE_CPUS), FIX(UPDATE_CPU_QUOTA), FIX(UPDATE_CPU_PERIOD), FIX(UPDATE_MEMORY),
                            FIX(UPDATE_MEMORY_SWAP) },
        [LIMITS_BUILD]  = { "cpuquota and cpuperiod are", "nanocpus", "cpuquota", "cpuperiod", "memory", "memswap",
                            NULL, FIX(BUILD_CPU_QUOTA), FIX(BUILD_CPU_PERIOD), FIX(BUILD_MEMORY),
                            FIX(BUILD_MEMORY_SWAP) },
};

/* "set --cpus (...) to at most 2", or a build's quota and period. */
static void cpu_fix(const struct limit_words *w, const char *lim, char *buf, size_t size)
{
        if (w->cpus)
                snprintf(buf, size, "set %s to at most %s", w->cpus, lim);
        else
                snprintf(buf, size, "set %s and %s to at most %s CPUs (quota/period)", w->cpu_quota, w->cpu_period, lim);
}

void check_cpu(const struct policy *p, int64_t nano, int64_t quota, int64_t period, enum limits_of of,
               struct decision *d)
{
        const struct limit_words *w = &limit_words[of];
        bool update = of == LIMITS_UPDATE;
        char lim[32], have[32], fix[192];
        format_cpus(p->cpu_limit_nano, lim, sizeof(lim));
        cpu_fix(w, lim, fix, sizeof(fix));

        if (!update && nano == 0 && quota == 0 && period == 0) {
                decision_add(d, RULE_CPU, "%s 0 (no CPU limit); %s", w->none, fix);
                return;
        }
        if (nano < 0) {
                decision_add(d, RULE_CPU, "%s is %" PRId64 " (negative); %s", w->nano, nano, fix);
        } else if (nano > p->cpu_limit_nano) {
                format_cpus(nano, have, sizeof(have));
                decision_add(d, RULE_CPU, "%s is %" PRId64 " (%s CPUs), over the limit; %s", w->nano, nano, have, fix);
        }
        if (quota == 0 && period == 0)
                return;
        if (update && (quota == 0 || period == 0)) {
                decision_add(d, RULE_CPU, "%s (%" PRId64 ") or %s (%" PRId64 ") alone, so the resulting CPU share cannot be "
                             "checked; set %s and %s together, or %s", w->quota, quota, w->period, period,
                             w->cpu_quota, w->cpu_period, fix);
                return;
        }
        if (quota <= 0) {
                decision_add(d, RULE_CPU, "%s is %" PRId64 " (no CPU limit); %s", w->quota, quota, fix);
                return;
        }
        if (period < 0) {
                decision_add(d, RULE_CPU, "%s is %" PRId64 " (negative); %s", w->period, period, fix);
                return;
        }
        int64_t eff = period ? period : DEFAULT_CPU_PERIOD;
        /* quota/eff <= limit/1e9, in 128-bit integers: no rounding, no overflow. */
        __int128 lhs = (__int128) quota * 1000000000;
        __int128 rhs = (__int128) p->cpu_limit_nano * eff;
        if (lhs > rhs)
                decision_add(d, RULE_CPU, "%s/%s is %" PRId64 "/%" PRId64 ", over %s CPUs; lower %s%s%s", w->quota, w->period,
                             quota, eff, lim, w->cpu_quota, w->cpus ? ", or use " : "", w->cpus ? w->cpus : "");
}

void check_memory(const struct policy *p, int64_t memory, int64_t swap, enum limits_of of, struct decision *d)
{
        const struct limit_words *w = &limit_words[of];
        char lim[32], have[32];
        format_bytes(p->memory_limit, lim, sizeof(lim));
        format_bytes(memory, have, sizeof(have));

        if (of == LIMITS_UPDATE && memory == 0) {
                /* unchanged */
        } else if (memory <= 0) {
                decision_add(d, RULE_MEMORY, "%s is %" PRId64 " (no limit); set %s to at most %s", w->memory, memory, w->mem, lim);
        } else if (memory > p->memory_limit) {
                decision_add(d, RULE_MEMORY, "%s is %s, over the limit; set %s to at most %s", w->memory, have, w->mem, lim);
        }
        if (swap == -1) {
                decision_add(d, RULE_MEMORY, "%s is -1 (unlimited swap); set %s to the memory's value, or leave it unset",
                             w->swap, w->memswap);
        } else if (swap != 0 && (swap != memory || memory == 0)) {
                char sw[32];
                format_bytes(swap, sw, sizeof(sw));
                decision_add(d, RULE_MEMORY, "%s is %s, not equal to %s (%s); set %s to the memory's value, or leave it unset",
                             w->swap, sw, w->memory, have, w->memswap);
        }
}

void check_pids(const struct policy *p, const json_t *v, const char *path, bool update, struct decision *d)
{
        int64_t pids;
        if (p->pids_limit <= 0)
                return;
        if (go_int64(v, path, d, &pids) < 0)
                return;
        if (update && (!v || json_is_null(v)))
                return;                      /* null: unchanged */
        const char *fix = update ? FIX(UPDATE_PIDS_LIMIT) : FIX(PIDS_LIMIT);
        if (pids <= 0)
                decision_add(d, RULE_PIDS, "%s is %" PRId64 " (no limit); set %s to at most %" PRId64,
                             path, pids, fix, p->pids_limit);
        else if (pids > p->pids_limit)
                decision_add(d, RULE_PIDS, "%s is %" PRId64 ", over the limit; set %s to at most %" PRId64,
                             path, pids, fix, p->pids_limit);
}


void check_resource_fields(const struct policy *p, const struct resource_fields *f, const char *prefix,
                           bool update, bool view, struct decision *d)
{
        int64_t nano, quota, period, rtp, rtr, count, percent, memory, swap;
        bool oomkd;
        char path[64];

#define READ_INT(field, name, var) \
        (snprintf(path, sizeof(path), "%s." name, prefix), go_int64(f->field, path, d, &(var)))
        READ_INT(nano_cpus, "NanoCpus", nano);
        READ_INT(cpu_quota, "CpuQuota", quota);
        READ_INT(cpu_period, "CpuPeriod", period);
        check_cpu(p, nano, quota, period, update ? LIMITS_UPDATE : LIMITS_CREATE, d);
        READ_INT(cpu_rt_period, "CpuRealtimePeriod", rtp);
        READ_INT(cpu_rt_runtime, "CpuRealtimeRuntime", rtr);
        if (rtp || rtr)
                decision_add(d, RULE_CPU, "%s.CpuRealtimePeriod/CpuRealtimeRuntime are set; remove " FIX(CPU_RT_PERIOD) " and "
                             FIX(CPU_RT_RUNTIME), prefix);
        READ_INT(cpu_count, "CpuCount", count);
        READ_INT(cpu_percent, "CpuPercent", percent);
        if (count || percent)
                decision_add(d, RULE_CPU, "%s.CpuCount/CpuPercent are set (Windows only); remove " FIX(CPU_COUNT) " and "
                             FIX(CPU_PERCENT) ", and use " FIX(CPUS), prefix);

        READ_INT(memory, "Memory", memory);
        READ_INT(memory_swap, "MemorySwap", swap);
#undef READ_INT
        /* dockerd turns MemorySwap 0 into twice Memory, and an update that lowers Memory keeps the
         * swap: its view may show any bounded swap from Memory up to twice the limit (the create
         * and update rules allow nothing larger).  Unlimited (-1) or more is still judged. */
        if (view && memory > 0 && swap >= memory && p->memory_limit <= INT64_MAX / 2 &&
            swap <= 2 * p->memory_limit)
                swap = 0;
        check_memory(p, memory, swap, update ? LIMITS_UPDATE : LIMITS_CREATE, d);
        snprintf(path, sizeof(path), "%s.OomKillDisable", prefix);
        go_bool(f->oom_kill_disable, path, d, &oomkd);
        if (oomkd)
                decision_add(d, RULE_MEMORY, "%s is true; remove " FIX(OOM_KILL_DISABLE), path);
        snprintf(path, sizeof(path), "%s.PidsLimit", prefix);
        check_pids(p, f->pids_limit, path, update, d);
        snprintf(path, sizeof(path), "%s.Ulimits", prefix);
        check_ulimits(p, f->ulimits, path, d);

        snprintf(path, sizeof(path), "%s.Devices", prefix);
        check_empty(f->devices, path, RULE_DEVICES, update ? "devices cannot be added" : "remove " FIX(DEVICE), d);
        snprintf(path, sizeof(path), "%s.DeviceRequests", prefix);
        check_empty(f->device_requests, path, RULE_DEVICES, update ? "devices cannot be added" : "remove " FIX(GPUS), d);
        snprintf(path, sizeof(path), "%s.DeviceCgroupRules", prefix);
        check_empty(f->device_cgroup_rules, path, RULE_DEVICES,
                    update ? "device rules cannot be added" : "remove " FIX(DEVICE_CGROUP_RULE), d);
}

void create_check_resources(const struct policy *p, const struct create_view *c, struct decision *d)
{
        const struct resource_fields f = RESOURCE_FIELDS_OF(c->hc, H_);

        check_resource_fields(p, &f, "HostConfig", false, c->view, d);
}
