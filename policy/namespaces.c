/* The namespaces rule: the container has its own PID, UTS, user, IPC and cgroup namespaces, and joins
 * no other container's cgroup. */
#include <stdio.h>
#include <string.h>

#include "policy/create.h"
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"

static void check_mode(json_t *v, const char *path, const char *flag, const char *const *allowed,
                       struct decision *d)
{
        const char *s;
        char q[160];
        if (go_string(v, path, d, &s) < 0)
                return;
        for (; *allowed; allowed++)
                if (strcmp(s, *allowed) == 0)
                        return;
        quote_value(s, 120, q, sizeof(q));
        decision_add(d, RULE_NAMESPACES, "%s is %s, but the container must have its own namespace; remove %s", path, q, flag);
}

void create_check_namespaces(const struct policy *p, const struct create_view *c, struct decision *d)
{
        json_t *const *hc = c->hc;
        bool view = c->view;
        (void) p;
        static const char *const empty[] = { "", NULL };
        static const char *const ipc_request[] = { "", "private", "none", NULL };
        static const char *const cgroupns_request[] = { "", "private", NULL };
        /* The daemon's view shows its defaults for "": default-ipc-mode "shareable" (a namespace of
         * the container's own that others may join, which create denies them), and on cgroup v1
         * default-cgroupns-mode "host". */
        static const char *const ipc_view[] = { "", "private", "none", "shareable", NULL };
        static const char *const cgroupns_view[] = { "", "private", "host", NULL };
        const char *const *ipc = view ? ipc_view : ipc_request;
        const char *const *cgroupns = view ? cgroupns_view : cgroupns_request;

        check_mode(hc[H_PIDMODE], "HostConfig.PidMode", FIX(PID), empty, d);
        check_mode(hc[H_UTSMODE], "HostConfig.UTSMode", FIX(UTS), empty, d);
        check_mode(hc[H_USERNSMODE], "HostConfig.UsernsMode", FIX(USERNS), empty, d);
        check_mode(hc[H_IPCMODE], "HostConfig.IpcMode", FIX(IPC), ipc, d);
        check_mode(hc[H_CGROUPNSMODE], "HostConfig.CgroupnsMode", FIX(CGROUPNS), cgroupns, d);
        /* No client flag sets it (it joins another container's cgroup): named by its field. */
        check_mode(hc[H_CGROUP], "HostConfig.Cgroup", "it", empty, d);
}
