/* POST /containers/create as the rule families see it: create.c binds the body once to Go's struct
 * views (container.Config with HostConfig and NetworkingConfig), and each family's check reads its
 * own fields from them.  Internal to policy/. */
#pragma once

#include <jansson.h>
#include <stdbool.h>

#include "policy/checks.h"   /* RESOURCES_FIELDS */
#include "policy/decision.h"
#include "policy/gojson.h"
#include "policy/policy.h"

/* container.Config fields, plus the wrapper's HostConfig and NetworkingConfig. */
#define TOP_FIELDS(X) \
        X(T_HOSTNAME, "Hostname") X(T_DOMAINNAME, "Domainname") X(T_USER, "User") \
        X(T_ATTACHSTDIN, "AttachStdin") X(T_ATTACHSTDOUT, "AttachStdout") X(T_ATTACHSTDERR, "AttachStderr") \
        X(T_EXPOSEDPORTS, "ExposedPorts") X(T_TTY, "Tty") X(T_OPENSTDIN, "OpenStdin") X(T_STDINONCE, "StdinOnce") \
        X(T_ENV, "Env") X(T_CMD, "Cmd") X(T_HEALTHCHECK, "Healthcheck") X(T_ARGSESCAPED, "ArgsEscaped") \
        X(T_IMAGE, "Image") X(T_VOLUMES, "Volumes") X(T_WORKINGDIR, "WorkingDir") X(T_ENTRYPOINT, "Entrypoint") \
        X(T_NETWORKDISABLED, "NetworkDisabled") X(T_MACADDRESS, "MacAddress") X(T_ONBUILD, "OnBuild") \
        X(T_LABELS, "Labels") X(T_STOPSIGNAL, "StopSignal") X(T_STOPTIMEOUT, "StopTimeout") X(T_SHELL, "Shell") \
        X(T_HOSTCONFIG, "HostConfig") X(T_NETWORKINGCONFIG, "NetworkingConfig")
enum { TOP_FIELDS(FIELD_ENUM) T__MAX };

/* container.HostConfig, with the embedded Resources promoted (API v1.41 to current). */
#define HC_FIELDS(X) \
        X(H_BINDS, "Binds") X(H_CONTAINERIDFILE, "ContainerIDFile") X(H_LOGCONFIG, "LogConfig") \
        X(H_NETWORKMODE, "NetworkMode") X(H_PORTBINDINGS, "PortBindings") X(H_RESTARTPOLICY, "RestartPolicy") \
        X(H_AUTOREMOVE, "AutoRemove") X(H_VOLUMEDRIVER, "VolumeDriver") X(H_VOLUMESFROM, "VolumesFrom") \
        X(H_CONSOLESIZE, "ConsoleSize") X(H_ANNOTATIONS, "Annotations") X(H_CAPADD, "CapAdd") \
        X(H_CAPDROP, "CapDrop") X(H_CGROUPNSMODE, "CgroupnsMode") X(H_DNS, "Dns") X(H_DNSOPTIONS, "DnsOptions") \
        X(H_DNSSEARCH, "DnsSearch") X(H_EXTRAHOSTS, "ExtraHosts") X(H_GROUPADD, "GroupAdd") X(H_IPCMODE, "IpcMode") \
        X(H_CGROUP, "Cgroup") X(H_LINKS, "Links") X(H_OOMSCOREADJ, "OomScoreAdj") X(H_PIDMODE, "PidMode") \
        X(H_PRIVILEGED, "Privileged") X(H_PUBLISHALLPORTS, "PublishAllPorts") X(H_READONLYROOTFS, "ReadonlyRootfs") \
        X(H_SECURITYOPT, "SecurityOpt") X(H_STORAGEOPT, "StorageOpt") X(H_TMPFS, "Tmpfs") X(H_UTSMODE, "UTSMode") \
        X(H_USERNSMODE, "UsernsMode") X(H_SHMSIZE, "ShmSize") X(H_SYSCTLS, "Sysctls") X(H_RUNTIME, "Runtime") \
        X(H_ISOLATION, "Isolation") \
        RESOURCES_FIELDS(X, H_) \
        X(H_MOUNTS, "Mounts") X(H_MASKEDPATHS, "MaskedPaths") X(H_READONLYPATHS, "ReadonlyPaths") X(H_INIT, "Init")
enum { HC_FIELDS(FIELD_ENUM) H__MAX };

/* One create body, or dockerd's view of a created container, bound. */
struct create_view {
        json_t *top[T__MAX];   /* borrowed, NULL when absent */
        json_t *hc[H__MAX];
        bool view;             /* dockerd's own view (GET /containers/{id}/json), not a request: its
                                * defaults appear filled in */
};

/* The families' checks, in the order create.c runs them (the order of a message's violations). */
void create_check_user(const struct policy *p, const struct create_view *c, struct decision *d);        /* user.c */
void create_check_resources(const struct policy *p, const struct create_view *c, struct decision *d);   /* resources.c */
void create_check_network(const struct policy *p, const struct create_view *c, struct decision *d);     /* network.c */
void create_check_rootfs(const struct policy *p, const struct create_view *c, struct decision *d);      /* mounts.c */
void create_check_mounts(const struct policy *p, const struct create_view *c, struct decision *d);      /* mounts.c */
void create_check_privileges(const struct policy *p, const struct create_view *c, struct decision *d);  /* privileges.c */
void create_check_group_add(const struct policy *p, const struct create_view *c, struct decision *d);   /* user.c */
void create_check_namespaces(const struct policy *p, const struct create_view *c, struct decision *d);  /* namespaces.c */
void create_check_kernel(const struct policy *p, const struct create_view *c, struct decision *d);      /* kernel.c */
