/* LogConfig: only drivers that keep a container's output on this host, with their known options.
 *
 * Every other driver sends the output somewhere dockerd reaches as root: syslog, gelf, fluentd and
 * the others carry a network=none job's output over the network, and syslog's unix:// address
 * writes lines into any socket on the host.  Options are checked by name for each driver, so none
 * can name an address or a path, and sizes and counts are bounded. */
#include <stdio.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"
#include "policy/checks.h"
#include "policy/units.h"

#define LOG_SIZE_MAX   (INT64_C(1) << 30)   /* max-size, cache-max-size */
#define LOG_BUFFER_MAX (INT64_C(64) << 20)  /* max-buffer-size of non-blocking mode */
#define LOG_FILES_MAX  100

enum opt_kind { OPT_TEXT, OPT_BOOL, OPT_SIZE, OPT_BUFFER, OPT_FILES, OPT_MODE };

/* A driver's own options; `drivers` lists where each is known ("" stands for the daemon's default
 * driver, whose options we accept when any host-local driver knows them). */
static const struct log_opt {
        const char *name;
        enum opt_kind kind;
        const char *drivers;   /* space-separated, each word followed by a space */
} OPTS[] = {
        { "max-size",        OPT_SIZE,   "json-file local " },
        { "max-file",        OPT_FILES,  "json-file local " },
        { "compress",        OPT_BOOL,   "json-file local " },
        { "tag",             OPT_TEXT,   "json-file journald " },
        { "labels",          OPT_TEXT,   "json-file journald " },
        { "labels-regex",    OPT_TEXT,   "json-file journald " },
        { "env",             OPT_TEXT,   "json-file journald " },
        { "env-regex",       OPT_TEXT,   "json-file journald " },
        /* every driver: delivery mode, and the local cache of dual logging */
        { "mode",            OPT_MODE,   "json-file local journald " },
        { "max-buffer-size", OPT_BUFFER, "json-file local journald " },
        { "cache-disabled",  OPT_BOOL,   "journald " },
        { "cache-max-size",  OPT_SIZE,   "journald " },
        { "cache-max-file",  OPT_FILES,  "journald " },
        { "cache-compress",  OPT_BOOL,   "journald " },
};

static const char *const HOST_DRIVERS[] = { "", "json-file", "local", "journald", "none", NULL };

static bool driver_knows(const struct log_opt *o, const char *driver)
{
        size_t n = strlen(driver);
        if (n == 0)
                return true;
        for (const char *w = o->drivers; *w; w = strchr(w, ' ') + 1)
                if (strncmp(w, driver, n) == 0 && w[n] == ' ')
                        return true;
        return false;
}

/* strconv.ParseBool */
static bool go_parse_bool(const char *s)
{
        static const char *const ok[] = { "1", "t", "T", "TRUE", "true", "True",
                                          "0", "f", "F", "FALSE", "false", "False", NULL };
        for (const char *const *w = ok; *w; w++)
                if (strcmp(s, *w) == 0)
                        return true;
        return false;
}

/* go-units RAMInBytes: "10m", "1.5g", "512 KiB" (binary multiples).  -1 when not a size. */
static int64_t ram_in_bytes(const char *s)
{
        static const char units[] = "kmgtp";
        double v = 0, scale = 1;
        size_t i = 0;
        bool digits = false;

        for (; s[i] >= '0' && s[i] <= '9'; i++, digits = true)
                v = v * 10 + (s[i] - '0');
        if (!digits)
                return -1;
        if (s[i] == '.') {
                bool frac = false;
                for (i++; s[i] >= '0' && s[i] <= '9'; i++, frac = true)
                        v += (s[i] - '0') * (scale /= 10);
                if (!frac)
                        return -1;   /* "1.2.3" is refused below, as Go's ParseFloat does */
        }
        if (s[i] == ' ')
                i++;
        const char *u = s[i] ? strchr(units, s[i] | 0x20) : NULL;
        if (u) {
                for (const char *k = units; k <= u; k++)
                        v *= 1024;
                i++;
        }
        if (s[i] == 'i' || s[i] == 'I')
                i++;
        if (s[i] == 'b' || s[i] == 'B')
                i++;
        if (s[i] || v > 9e18)
                return -1;
        return (int64_t) v;
}

static void check_option(const char *driver, const char *key, const char *val, struct decision *d)
{
        char qk[80], qv[80], qd[40];
        const struct log_opt *o = NULL;

        quote_value(key, 60, qk, sizeof(qk));
        quote_value(val, 60, qv, sizeof(qv));
        quote_value(driver, 30, qd, sizeof(qd));
        for (size_t i = 0; i < sizeof(OPTS) / sizeof(OPTS[0]); i++)
                if (strcmp(OPTS[i].name, key) == 0 && driver_knows(&OPTS[i], driver))
                        o = &OPTS[i];
        if (!o) {
                decision_add(d, RULE_LOGS, "HostConfig.LogConfig.Config has %s, not an option of log driver %s that keeps logs on the host; remove it from " FIX(LOG_OPT),
                             qk, driver[0] ? qd : "(the daemon's default)");
                return;
        }
        int64_t n;
        switch (o->kind) {
        case OPT_TEXT:
                return;
        case OPT_BOOL:
                if (!go_parse_bool(val))
                        decision_add(d, RULE_LOGS, "HostConfig.LogConfig.Config[%s] is %s; use true or false", qk, qv);
                return;
        case OPT_MODE:
                if (val[0] && strcmp(val, "blocking") != 0 && strcmp(val, "non-blocking") != 0)
                        decision_add(d, RULE_LOGS, "HostConfig.LogConfig.Config[%s] is %s; use blocking or non-blocking", qk, qv);
                return;
        case OPT_SIZE:
        case OPT_BUFFER:
                n = ram_in_bytes(val);
                if (n < 0 || n > (o->kind == OPT_SIZE ? LOG_SIZE_MAX : LOG_BUFFER_MAX))
                        decision_add(d, RULE_LOGS, "HostConfig.LogConfig.Config[%s] is %s; use a size up to %s such as 10m",
                                     qk, qv, o->kind == OPT_SIZE ? "1g" : "64m");
                return;
        case OPT_FILES: {
                uint64_t files;
                if (!parse_canonical_id(val, strlen(val), LOG_FILES_MAX, &files) || files == 0)
                        decision_add(d, RULE_LOGS, "HostConfig.LogConfig.Config[%s] is %s; use a number of files from 1 to %d",
                                     qk, qv, LOG_FILES_MAX);
                return;
        }
        }
}

/* container.LogConfig */
enum { LC_TYPE, LC_CONFIG, LC__MAX };
static const char *const log_fields[LC__MAX] = { [LC_TYPE] = "Type", [LC_CONFIG] = "Config" };
static const struct gostruct log_struct = { "LogConfig", log_fields, LC__MAX, true };

void check_log_config(json_t *v, struct decision *d)
{
        json_t *f[LC__MAX], *cfg, *val;
        const char *type, *key;
        char q[80];
        bool host = false;

        if (gojson_bind(v, &log_struct, "HostConfig.LogConfig", f, d) < 0)
                return;
        go_string(f[LC_TYPE], "HostConfig.LogConfig.Type", d, &type);
        for (const char *const *h = HOST_DRIVERS; *h; h++)
                if (strcmp(type, *h) == 0)
                        host = true;
        if (!host) {
                quote_value(type, 40, q, sizeof(q));
                decision_add(d, RULE_LOGS, "HostConfig.LogConfig.Type is %s, a log driver that sends the output over the network or into a "
                             "host socket; set " FIX(LOG_DRIVER) " to json-file, local, journald or none, or leave it unset",
                             q);
                return;
        }
        if (go_object(f[LC_CONFIG], "HostConfig.LogConfig.Config", d, &cfg) < 0 || !cfg)
                return;
        json_object_foreach(cfg, key, val) {
                if (!json_is_string(val)) {
                        quote_value(key, 60, q, sizeof(q));
                        decision_add(d, RULE_SHAPE, "HostConfig.LogConfig.Config[%s] is not a string; dockerd expects a string", q);
                        continue;
                }
                if (strcmp(type, "none") == 0) {
                        quote_value(key, 60, q, sizeof(q));
                        decision_add(d, RULE_LOGS, "HostConfig.LogConfig.Config has %s, but log driver none takes no options; remove it from " FIX(LOG_OPT),
                                     q);
                        continue;
                }
                check_option(type, key, json_string_value(val), d);
        }
}
