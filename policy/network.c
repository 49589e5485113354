/* The network rule: no network, or the default bridge when the policy allows it; no published
 * ports; no resolver, host entries, MAC, links or addresses of the client's choosing unless the
 * policy allows them; for create, network connect and network create. */
#include <stdio.h>
#include <string.h>

#include "policy/checks.h"
#include "policy/create.h"
#include "policy/eval.h"
#include "policy/fixes.h"
#include "policy/gojson.h"

#define NC_FIELDS(X) X(N_ENDPOINTSCONFIG, "EndpointsConfig")
enum { NC_FIELDS(FIELD_ENUM) N__MAX };
static const char *const nc_fields[N__MAX] = { NC_FIELDS(FIELD_NAME) };
/* Loose: docker-py's run(network=NAME) sends {"NAME": null} here beside HostConfig.NetworkMode, and
 * dockerd ignores every key but EndpointsConfig (duplicates are still refused). */
static const struct gostruct nc_struct = { "NetworkingConfig", nc_fields, N__MAX, false };

/* network.EndpointSettings as of API 1.51.  The operational fields (NetworkID ... DNSNames) are
 * cleared by dockerd at every start and written after the join; GwPriority only orders a
 * container's own networks; Aliases dockerd refuses on "none" and the default bridge, the only
 * networks the policy lets a container join.  dockerd's own view carries more (loose). */
#define EP_FIELDS(X) \
        X(EP_IPAMCONFIG, "IPAMConfig") X(EP_LINKS, "Links") X(EP_ALIASES, "Aliases") X(EP_DRIVEROPTS, "DriverOpts") \
        X(EP_GWPRIORITY, "GwPriority") X(EP_NETWORKID, "NetworkID") X(EP_ENDPOINTID, "EndpointID") \
        X(EP_GATEWAY, "Gateway") X(EP_IPADDRESS, "IPAddress") X(EP_IPPREFIXLEN, "IPPrefixLen") \
        X(EP_IPV6GATEWAY, "IPv6Gateway") X(EP_GLOBALIPV6ADDRESS, "GlobalIPv6Address") \
        X(EP_GLOBALIPV6PREFIXLEN, "GlobalIPv6PrefixLen") X(EP_MACADDRESS, "MacAddress") X(EP_DNSNAMES, "DNSNames")
enum { EP_FIELDS(FIELD_ENUM) EP__MAX };
static const char *const ep_fields[EP__MAX] = { EP_FIELDS(FIELD_NAME) };
static const struct gostruct ep_struct = { "EndpointSettings", ep_fields, EP__MAX, true };
static const struct gostruct ep_view_struct = { "EndpointSettings", ep_fields, EP__MAX, false };

enum { IPAM_IPV4, IPAM_IPV6, IPAM_LINKLOCAL, IPAM__MAX };
static const char *const ipam_fields[IPAM__MAX] = {
        [IPAM_IPV4] = "IPv4Address", [IPAM_IPV6] = "IPv6Address", [IPAM_LINKLOCAL] = "LinkLocalIPs",
};
static const struct gostruct ipam_struct = { "EndpointIPAMConfig", ipam_fields, IPAM__MAX, true };

/* Addresses of the client's choosing.  A link-local one dockerd adds to the container's interface
 * even on the default bridge, beside every other job's; static ones it refuses there itself, but
 * they are still the client picking where the job sits.  Empty values (compose sends the object
 * with nothing in it) choose nothing.  Read strictly whatever the policy allows. */
static void check_endpoint_ipam(const struct policy *p, json_t *v, const char *path, struct decision *d)
{
        json_t *f[IPAM__MAX];
        char fp[300];

        snprintf(fp, sizeof(fp), "%s.IPAMConfig", path);
        if (gojson_bind(v, &ipam_struct, fp, f, d) < 0 || p->allow_network_settings)
                return;
        snprintf(fp, sizeof(fp), "%s.IPAMConfig.IPv4Address", path);
        check_empty(f[IPAM_IPV4], fp, RULE_NETWORK, "remove " FIX(IP), d);
        snprintf(fp, sizeof(fp), "%s.IPAMConfig.IPv6Address", path);
        check_empty(f[IPAM_IPV6], fp, RULE_NETWORK, "remove " FIX(IP6), d);
        snprintf(fp, sizeof(fp), "%s.IPAMConfig.LinkLocalIPs", path);
        check_empty(f[IPAM_LINKLOCAL], fp, RULE_NETWORK, "remove " FIX(LINK_LOCAL_IP) "; the policy's allow_network_settings allows it", d);
}

void check_endpoint_settings(const struct policy *p, json_t *v, const char *path, bool view,
                             struct decision *d)
{
        json_t *f[EP__MAX];
        char fp[256];
        if (gojson_bind(v, view ? &ep_view_struct : &ep_struct, path, f, d) < 0)
                return;
        snprintf(fp, sizeof(fp), "%s.DriverOpts", path);
        check_empty(f[EP_DRIVEROPTS], fp, RULE_NETWORK, "remove the endpoint driver options", d);
        /* IPAMConfig stays what the client asked for in dockerd's view too */
        check_endpoint_ipam(p, f[EP_IPAMCONFIG], path, d);
        if (p->allow_network_settings)
                return;
        /* the MAC in dockerd's view is the one it chose */
        snprintf(fp, sizeof(fp), "%s.MacAddress", path);
        if (!view)
                check_empty(f[EP_MACADDRESS], fp, RULE_NETWORK, "remove " FIX(MAC_ADDRESS) "; the policy's allow_network_settings allows it", d);
        snprintf(fp, sizeof(fp), "%s.Links", path);
        check_empty(f[EP_LINKS], fp, RULE_NETWORK, "remove " FIX(LINK) "; the policy's allow_network_settings allows it", d);
}

/* Bridge containers: the resolver, host entries, MAC and links follow the policy.  With an
 * allowlist, a resolver or a host entry of the client's choosing would route around it. */
static void check_network_settings(const struct policy *p, const struct create_view *c, struct decision *d)
{
        json_t *const *top = c->top, *const *hc = c->hc;
        bool view = c->view;
        static const char fix[] = "the policy's allow_network_settings allows it";
        char how[256];

        if (p->network != NETWORK_BRIDGE)
                return;
        if (!p->allow_network_settings || p->n_domains) {
                const char *why = p->allow_network_settings ? "it would route around allowlist_domains" : fix;
                snprintf(how, sizeof(how), "remove " FIX(DNS) "; %s", why);
                check_empty(hc[H_DNS], "HostConfig.Dns", RULE_NETWORK, how, d);
                snprintf(how, sizeof(how), "remove " FIX(ADD_HOST) "; %s", why);
                check_empty(hc[H_EXTRAHOSTS], "HostConfig.ExtraHosts", RULE_NETWORK, how, d);
        }
        if (p->allow_network_settings)
                return;
        snprintf(how, sizeof(how), "remove " FIX(DNS_SEARCH) "; %s", fix);
        check_empty(hc[H_DNSSEARCH], "HostConfig.DnsSearch", RULE_NETWORK, how, d);
        snprintf(how, sizeof(how), "remove " FIX(DNS_OPTION) "; %s", fix);
        check_empty(hc[H_DNSOPTIONS], "HostConfig.DnsOptions", RULE_NETWORK, how, d);
        snprintf(how, sizeof(how), "remove " FIX(LINK) "; %s", fix);
        check_empty(hc[H_LINKS], "HostConfig.Links", RULE_NETWORK, how, d);
        snprintf(how, sizeof(how), "remove " FIX(MAC_ADDRESS) "; %s", fix);
        if (!view)
                check_empty(top[T_MACADDRESS], "Config.MacAddress", RULE_NETWORK, how, d);
}

static void check_network(const struct policy *p, const struct create_view *c, struct decision *d)
{
        json_t *const *top = c->top, *const *hc = c->hc;
        bool view = c->view;
        const char *mode;
        char q[160];
        bool publish_all;

        go_string(hc[H_NETWORKMODE], "HostConfig.NetworkMode", d, &mode);
        quote_value(mode, 120, q, sizeof(q));
        bool ok = strcmp(mode, "none") == 0 ||
                  (p->network == NETWORK_BRIDGE &&
                   (strcmp(mode, "bridge") == 0 || strcmp(mode, "default") == 0 || mode[0] == '\0'));
        if (!ok)
                decision_add(d, RULE_NETWORK, "HostConfig.NetworkMode is %s; set " FIX(NETWORK) " to none%s", q,
                             p->network == NETWORK_BRIDGE ? " or bridge" : "");

        json_t *ports;
        if (go_object(hc[H_PORTBINDINGS], "HostConfig.PortBindings", d, &ports) == 0 && go_len(ports))
                decision_add(d, RULE_NETWORK, "HostConfig.PortBindings publishes %zu port(s); remove " FIX(PUBLISH), go_len(ports));
        go_bool(hc[H_PUBLISHALLPORTS], "HostConfig.PublishAllPorts", d, &publish_all);
        if (publish_all)
                decision_add(d, RULE_NETWORK, "HostConfig.PublishAllPorts is true; remove " FIX(PUBLISH_ALL));

        json_t *nc[N__MAX], *eps, *v;
        const char *key;
        if (gojson_bind(top[T_NETWORKINGCONFIG], &nc_struct, "NetworkingConfig", nc, d) < 0)
                return;
        if (go_object(nc[N_ENDPOINTSCONFIG], "NetworkingConfig.EndpointsConfig", d, &eps) < 0 || !eps)
                return;
        json_object_foreach(eps, key, v) {
                char path[256], qk[72];   /* in the path of the endpoint's own messages too */
                quote_value(key, 60, qk, sizeof(qk));
                bool allowed = strcmp(key, "none") == 0 ||
                               (p->network == NETWORK_BRIDGE && (strcmp(key, "bridge") == 0 || strcmp(key, "default") == 0));
                if (!allowed)
                        decision_add(d, RULE_NETWORK, "NetworkingConfig.EndpointsConfig connects to network %s; set " FIX(NETWORK) " to none%s",
                                     qk, p->network == NETWORK_BRIDGE ? " or bridge" : "");
                snprintf(path, sizeof(path), "NetworkingConfig.EndpointsConfig[%s]", qk);
                check_endpoint_settings(p, v, path, view, d);
        }
}

void create_check_network(const struct policy *p, const struct create_view *c, struct decision *d)
{
        check_network(p, c, d);
        check_network_settings(p, c, d);
}

/* --- network connect ------------------------------------------------------------------------- */

#define CONNECT_FIELDS(X) X(C_CONTAINER, "Container") X(C_ENDPOINTCONFIG, "EndpointConfig")
enum { CONNECT_FIELDS(FIELD_ENUM) C__MAX };
static const char *const connect_fields[C__MAX] = { CONNECT_FIELDS(FIELD_NAME) };
static const struct gostruct connect_struct = { "the connect body", connect_fields, C__MAX, true };

void eval_network_connect(const struct policy *p, const char *network, json_t *body, struct decision *d)
{
        json_t *f[C__MAX];
        char q[160];

        quote_value(network, 120, q, sizeof(q));
        if (p->network != NETWORK_BRIDGE || strcmp(network, "bridge") != 0)
                decision_add(d, RULE_NETWORK, "connecting a container to network %s is not allowed%s", q,
                             p->network == NETWORK_BRIDGE ? "; only the default bridge is" : " (the policy allows no network)");
        if (!body) {
                decision_add(d, RULE_SHAPE, "the connect request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &connect_struct, "the connect body", f, d);
        check_endpoint_settings(p, f[C_ENDPOINTCONFIG], "EndpointConfig", false, d);
}

/* --- network create -------------------------------------------------------------------------- */

#define NETCREATE_FIELDS(X) \
        X(NW_NAME, "Name") X(NW_CHECKDUPLICATE, "CheckDuplicate") X(NW_DRIVER, "Driver") X(NW_SCOPE, "Scope") \
        X(NW_ENABLEIPV4, "EnableIPv4") X(NW_ENABLEIPV6, "EnableIPv6") X(NW_IPAM, "IPAM") X(NW_INTERNAL, "Internal") \
        X(NW_ATTACHABLE, "Attachable") X(NW_INGRESS, "Ingress") X(NW_CONFIGONLY, "ConfigOnly") \
        X(NW_CONFIGFROM, "ConfigFrom") X(NW_OPTIONS, "Options") X(NW_LABELS, "Labels")
enum { NETCREATE_FIELDS(FIELD_ENUM) NW__MAX };
static const char *const netcreate_fields[NW__MAX] = { NETCREATE_FIELDS(FIELD_NAME) };
static const struct gostruct netcreate_struct = { "the network body", netcreate_fields, NW__MAX, true };

#define IPAM_FIELDS(X) X(IP_DRIVER, "Driver") X(IP_CONFIG, "Config") X(IP_OPTIONS, "Options")
enum { IPAM_FIELDS(FIELD_ENUM) IP__MAX };
static const char *const netipam_fields[IP__MAX] = { IPAM_FIELDS(FIELD_NAME) };
static const struct gostruct netipam_struct = { "IPAM", netipam_fields, IP__MAX, true };

/* A user network makes a host bridge, addresses and routes, and no container may join one (create
 * and connect allow only none and the default bridge): under "none" there is nothing to create it
 * for; under "bridge" a plain one is allowed (compose makes a project network by default). */
void eval_network_create(const struct policy *p, json_t *body, struct decision *d)
{
        json_t *f[NW__MAX], *ipam[IP__MAX];
        const char *driver, *scope, *ipam_driver;
        bool ipv6, ingress, config_only, attachable;
        char q[160];

        if (p->network != NETWORK_BRIDGE) {
                decision_add(d, RULE_NETWORK, "creating networks is not allowed: the policy allows only " FIX(NETWORK) " none, so no container may join one");
                return;
        }
        if (!body) {
                decision_add(d, RULE_SHAPE, "the network request has no JSON body that the plugin can see; send it as application/json");
                return;
        }
        gojson_bind(body, &netcreate_struct, "the network body", f, d);
        if (go_string(f[NW_DRIVER], "Network.Driver", d, &driver) == 0 && driver[0] && strcmp(driver, "bridge") != 0) {
                quote_value(driver, 80, q, sizeof(q));
                decision_add(d, RULE_NETWORK, "Network.Driver is %s; only the bridge driver is allowed", q);
        }
        if (go_string(f[NW_SCOPE], "Network.Scope", d, &scope) == 0 && scope[0] && strcmp(scope, "local") != 0)
                decision_add(d, RULE_NETWORK, "Network.Scope is not local; remove " FIX(NETWORK_SCOPE));
        check_empty(f[NW_OPTIONS], "Network.Options", RULE_NETWORK, "remove " FIX(NETWORK_OPT) ": they set host interface and firewall settings", d);
        check_empty(f[NW_CONFIGFROM], "Network.ConfigFrom", RULE_NETWORK, "remove " FIX(NETWORK_CONFIG_FROM), d);
        go_bool(f[NW_ENABLEIPV6], "Network.EnableIPv6", d, &ipv6);
        go_bool(f[NW_INGRESS], "Network.Ingress", d, &ingress);
        go_bool(f[NW_CONFIGONLY], "Network.ConfigOnly", d, &config_only);
        go_bool(f[NW_ATTACHABLE], "Network.Attachable", d, &attachable);
        if (ipv6)
                decision_add(d, RULE_NETWORK, "Network.EnableIPv6 is true; remove " FIX(NETWORK_IPV6));
        if (ingress || config_only || attachable)
                decision_add(d, RULE_NETWORK, "Network.Ingress, ConfigOnly or Attachable is true (swarm and config-only networks); remove it");
        if (gojson_bind(f[NW_IPAM], &netipam_struct, "Network.IPAM", ipam, d) == 0) {
                if (go_string(ipam[IP_DRIVER], "Network.IPAM.Driver", d, &ipam_driver) == 0 && ipam_driver[0] &&
                    strcmp(ipam_driver, "default") != 0)
                        decision_add(d, RULE_NETWORK, "Network.IPAM.Driver is not default; remove " FIX(NETWORK_IPAM_DRIVER));
                check_empty(ipam[IP_CONFIG], "Network.IPAM.Config", RULE_NETWORK,
                            "remove " FIX(NETWORK_IPAM_POOL) ": the daemon's address pools choose", d);
                check_empty(ipam[IP_OPTIONS], "Network.IPAM.Options", RULE_NETWORK, "remove " FIX(NETWORK_IPAM_OPT), d);
        }
}
