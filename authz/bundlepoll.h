/* `serve --policy-url`: the policy comes from a signed bundle (policy/bundle.h) that a server
 * publishes for the whole fleet.
 *
 * At start the last good bundle kept on disk (--policy-cache) is verified and put in force, then
 * the server is asked once; from then on a thread asks it again every interval (with up to ±20%
 * jitter, so that a fleet does not ask in step), with If-None-Match and the last ETag, so an
 * unchanged bundle costs a 304.  A bundle is put in force only when it parses, its signature
 * verifies with the --policy-key, its policy is valid as a policy file would be (with this host's
 * environment on top, as for a file), and its serial is above the one in force; it is then kept
 * on disk, atomically, for the next start.  Anything else (the server unreachable, an HTTP error,
 * a bad signature, an invalid policy, an older or repeated serial) keeps the policy in force and is
 * logged with the reason.  With neither a kept bundle nor a reachable server there is no policy:
 * every request is denied (rule "policy"), naming why, until a good bundle arrives.
 *
 * SIGHUP rebuilds the policy from the bundle in force and the environment (reload.h). */
#pragma once

struct bundlepoll_config {
        const char *url;             /* http:// or https:// */
        const char *key_path;        /* the Ed25519 public key, PEM */
        const char *cache_path;      /* the last good bundle; its directory must exist */
        unsigned interval_s;         /* between polls, 1..86400 */
};

#define BUNDLEPOLL_DEFAULT_CACHE "/var/lib/arandu-authz/bundle.json"
#define BUNDLEPOLL_DEFAULT_INTERVAL_S 30

struct bundlepoll;

/* Load the key, put the kept bundle in force, ask the server once, and start polling (see above).
 * Call after policy_current_init(NULL, NULL).  0 with a poller in *ret, even when no policy could
 * be had (then every request is denied); -EINVAL for an unusable key or URL (logged), -ENOMEM,
 * -errno. */
int bundlepoll_start(const struct bundlepoll_config *cfg, struct bundlepoll **ret);

/* Stop polling (a poll in progress is waited for, bounded by its timeouts).  NULL-safe; NULL. */
struct bundlepoll *bundlepoll_stop(struct bundlepoll *bp);
