/* The identity dockerd gives a process, worked out as its user lookup does (moby/sys/user
 * GetExecUser and GetAdditionalGroups, libcontainer/user before it), from the container's own
 * /etc/passwd and /etc/group.
 *
 * A bare UID with no passwd entry gets group 0; a name gets its entry's group and, when no group is
 * named, every group that lists it.  Each field is parsed as Go's strconv.Atoi with its error
 * ignored (0 for text, clamped on overflow), lines trimmed of ASCII white space (Go also trims
 * Unicode spaces: where that differs we read a name or number that does not match, never a
 * different non-zero id, and so deny). */
#include "policy/identity.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "policy/eval.h"
#include "policy/checks.h"

#define PASSWD_LINE_MAX (64u << 10)   /* bufio.Scanner's default token limit */
#define GROUP_LINE_MAX  (1u << 20)    /* ParseGroupFilter raises it to 1 MiB */

static bool is_space(char c)
{
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* strconv.Atoi with its error ignored: 0 unless the whole field is [+-]digits; clamped on overflow. */
static int64_t go_atoi(const char *s, size_t n)
{
        size_t i = 0;
        bool neg = false;
        uint64_t v = 0;
        bool over = false;

        if (n > 0 && (s[0] == '+' || s[0] == '-')) {
                neg = s[0] == '-';
                i = 1;
        }
        if (i == n)
                return 0;
        for (; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return 0;
                if (v > (UINT64_MAX - 9) / 10)
                        over = true;
                else
                        v = v * 10 + (uint64_t) (s[i] - '0');
        }
        if (neg)
                return over || v > (uint64_t) INT64_MAX + 1 ? INT64_MIN : (int64_t) (0 - v);
        return over || v > INT64_MAX ? INT64_MAX : (int64_t) v;
}

/* Is s[0..n) all digits (the spec forms dockerd reads as numbers)? */
static bool all_digits(const char *s, size_t n)
{
        if (n == 0)
                return false;
        for (size_t i = 0; i < n; i++)
                if (s[i] < '0' || s[i] > '9')
                        return false;
        return true;
}

struct field {
        const char *s;
        size_t n;
};

/* Split a trimmed line on ':' into at most `max` fields; missing ones are empty. */
static void split_fields(const char *line, size_t len, struct field *f, size_t max)
{
        size_t k = 0, start = 0;

        for (size_t i = 0; i < max; i++)
                f[i] = (struct field) { "", 0 };
        for (size_t i = 0; i <= len && k < max; i++)
                if (i == len || line[i] == ':') {
                        f[k++] = (struct field) { line + start, i - start };
                        start = i + 1;
                }
}

static bool field_is(const struct field *f, const char *s, size_t n)
{
        return f->n == n && memcmp(f->s, s, n) == 0;
}

/* Call fn for each trimmed, non-empty line; -E2BIG when a line is over `line_max`. */
typedef bool (*line_fn)(const char *line, size_t len, void *ctx);   /* true: stop */

static int each_line(const char *text, size_t len, size_t line_max, bool skip_comments, line_fn fn, void *ctx)
{
        size_t i = 0;

        while (i < len) {
                const char *nl = memchr(text + i, '\n', len - i);
                size_t end = nl ? (size_t) (nl - text) : len;
                if (end - i > line_max)
                        return -E2BIG;
                size_t a = i, b = end;
                while (a < b && is_space(text[a]))
                        a++;
                while (b > a && is_space(text[b - 1]))
                        b--;
                i = end + 1;
                if (a == b || (skip_comments && text[a] == '#'))
                        continue;
                if (fn(text + a, b - a, ctx))
                        break;
        }
        return 0;
}

/* --- /etc/passwd ---------------------------------------------------------------------------------- */

struct passwd_find {
        const char *user;
        size_t user_len;
        bool numeric;
        int64_t uid;
        bool found;
        char name[IDENTITY_NAME_MAX];
        size_t name_len;
        bool name_too_long;
        int64_t out_uid, out_gid;
};

static bool passwd_line(const char *line, size_t len, void *ctx)
{
        struct passwd_find *q = ctx;
        struct field f[4];

        split_fields(line, len, f, 4);
        int64_t uid = go_atoi(f[2].s, f[2].n);
        if (q->numeric ? uid != q->uid : !field_is(&f[0], q->user, q->user_len))
                return false;
        q->found = true;   /* the first match wins */
        q->out_uid = uid;
        q->out_gid = go_atoi(f[3].s, f[3].n);
        if (f[0].n >= sizeof(q->name)) {
                q->name_too_long = true;
        } else {
                memcpy(q->name, f[0].s, f[0].n);
                q->name[f[0].n] = '\0';
                q->name_len = f[0].n;
        }
        return true;
}

/* --- /etc/group ----------------------------------------------------------------------------------- */

struct group_scan {
        struct identity *id;
        /* the explicit group of the spec, or NULL */
        const char *group;
        size_t group_len;
        bool group_numeric;
        int64_t group_gid;
        bool group_found;
        int64_t group_out;
        /* the matched user name, for supplementary groups ("" none) */
        const char *member;
        size_t member_len;
};

static void add_group(struct identity *id, int64_t gid)
{
        for (size_t i = 0; i < id->n_groups; i++)
                if (id->groups[i] == gid)
                        return;
        if (id->n_groups < IDENTITY_GROUPS_MAX)
                id->groups[id->n_groups++] = gid;
        else
                id->too_many_groups = true;
}

static bool group_line(const char *line, size_t len, void *ctx)
{
        struct group_scan *q = ctx;
        struct field f[4];

        split_fields(line, len, f, 4);
        int64_t gid = go_atoi(f[2].s, f[2].n);
        if (q->group) {
                if (q->group_numeric ? gid == q->group_gid : field_is(&f[0], q->group, q->group_len)) {
                        q->group_found = true;
                        q->group_out = gid;
                        return true;
                }
                return false;
        }
        /* implicit form: every group whose list names the user */
        for (size_t a = 0; a <= f[3].n && f[3].n > 0;) {
                const char *c = memchr(f[3].s + a, ',', f[3].n - a);
                size_t b = c ? (size_t) (c - f[3].s) : f[3].n;
                if (b - a == q->member_len && memcmp(f[3].s + a, q->member, q->member_len) == 0) {
                        add_group(q->id, gid);
                        break;
                }
                a = b + 1;
        }
        return false;
}

struct addgroup_scan {
        const char *name;
        size_t len;
        bool numeric;
        int64_t gid;
        bool found;
        int64_t out;
};

/* GetAdditionalGroups: a GroupAdd entry matches a group by name or by its gid written in decimal,
 * numeric or not: "5" matches a group named "5" whatever its gid. */
static bool addgroup_line(const char *line, size_t len, void *ctx)
{
        struct addgroup_scan *q = ctx;
        struct field f[4];
        char dec[24];

        split_fields(line, len, f, 4);
        int64_t gid = go_atoi(f[2].s, f[2].n);
        int k = snprintf(dec, sizeof(dec), "%" PRId64, gid);
        if (field_is(&f[0], q->name, q->len) ||
            (k > 0 && (size_t) k == q->len && memcmp(dec, q->name, q->len) == 0)) {
                q->found = true;
                q->out = gid;
                return true;
        }
        return false;
}

int identity_resolve(const char *spec, const struct identity_files *files, const char *const *group_add,
                     size_t n_group_add, struct identity *id, char *why, size_t whysz)
{
        const char *colon = strchr(spec, ':');
        size_t ulen = colon ? (size_t) (colon - spec) : strlen(spec);
        const char *grp = colon ? colon + 1 : NULL;
        int r;

        memset(id, 0, sizeof(*id));   /* dockerd's defaults: uid 0, gid 0 */
        if (grp && grp[0] == '\0')
                grp = NULL;             /* "1000:" is "1000" */

        struct passwd_find pq = { .user = spec, .user_len = ulen, .numeric = all_digits(spec, ulen) };
        if (pq.numeric)
                pq.uid = go_atoi(spec, ulen);
        if (ulen > 0 && files->passwd) {
                r = each_line(files->passwd, files->passwd_len, PASSWD_LINE_MAX, false, passwd_line, &pq);
                if (r < 0) {
                        snprintf(why, whysz, "the image's /etc/passwd has a line over %u bytes, which dockerd refuses", PASSWD_LINE_MAX);
                        return r;
                }
        }
        if (pq.name_too_long) {
                snprintf(why, whysz, "the image's /etc/passwd entry for it has a name too long to check");
                return -E2BIG;
        }
        if (pq.found) {
                id->uid = pq.out_uid;
                id->gid = pq.out_gid;
        } else if (ulen > 0) {
                if (!pq.numeric) {
                        char q[80];
                        quote_value(spec, ulen > 64 ? 64 : ulen, q, sizeof(q));
                        snprintf(why, whysz, "the image's /etc/passwd has no user %s", q);
                        return -ENOENT;
                }
                id->uid = pq.uid;   /* numeric and not in /etc/passwd: group stays 0 */
        }

        if (grp || (pq.found && pq.name_len > 0)) {
                struct group_scan gq = { .id = id, .member = pq.name, .member_len = pq.name_len };
                if (grp) {
                        gq.group = grp;
                        gq.group_len = strlen(grp);
                        gq.group_numeric = all_digits(grp, gq.group_len);
                        if (gq.group_numeric)
                                gq.group_gid = go_atoi(grp, gq.group_len);
                }
                if (files->group) {
                        r = each_line(files->group, files->group_len, GROUP_LINE_MAX, true, group_line, &gq);
                        if (r < 0) {
                                snprintf(why, whysz, "the image's /etc/group has a line over %u bytes, which dockerd refuses", GROUP_LINE_MAX);
                                return r;
                        }
                }
                if (grp) {
                        if (gq.group_found)
                                id->gid = gq.group_out;
                        else if (gq.group_numeric)
                                id->gid = gq.group_gid;
                        else {
                                char q[80];
                                quote_value(grp, 64, q, sizeof(q));
                                snprintf(why, whysz, "the image's /etc/group has no group %s", q);
                                return -ENOENT;
                        }
                }
        }

        for (size_t i = 0; i < n_group_add; i++) {
                struct addgroup_scan aq = { .name = group_add[i], .len = strlen(group_add[i]) };
                aq.numeric = all_digits(aq.name, aq.len);
                if (aq.numeric)
                        aq.gid = go_atoi(aq.name, aq.len);
                if (files->group) {
                        r = each_line(files->group, files->group_len, GROUP_LINE_MAX, true, addgroup_line, &aq);
                        if (r < 0) {
                                snprintf(why, whysz, "the image's /etc/group has a line over %u bytes, which dockerd refuses", GROUP_LINE_MAX);
                                return r;
                        }
                }
                if (aq.found)
                        add_group(id, aq.out);
                else if (aq.numeric)
                        add_group(id, aq.gid);
                else {
                        char q[80];
                        quote_value(aq.name, 64, q, sizeof(q));
                        snprintf(why, whysz, "GroupAdd names %s, which the image's /etc/group does not have", q);
                        return -ENOENT;
                }
        }
        if (id->too_many_groups) {
                snprintf(why, whysz, "more than %d supplementary groups", IDENTITY_GROUPS_MAX);
                return -E2BIG;
        }
        return 0;
}

bool identity_needs_lookup(const char *spec, size_t n_group_add)
{
        const char *colon = strchr(spec, ':');
        size_t ulen = colon ? (size_t) (colon - spec) : strlen(spec);

        if (!colon || !all_digits(spec, ulen) || !all_digits(colon + 1, strlen(colon + 1)))
                return true;
        /* A numeric GroupAdd entry also matches a group of that name (addgroup_line). */
        return n_group_add > 0;
}

void check_identity(const struct policy *p, const char *what, const char *spec, const struct identity_files *files,
                    const char *const *group_add, size_t n_group_add, struct decision *d)
{
        struct identity id;
        char why[256], q[64], fix[224];

        quote_value(spec, 40, q, sizeof(q));
        user_fix(p, what, fix, sizeof(fix));
        if (identity_resolve(spec, files, group_add, n_group_add, &id, why, sizeof(why)) < 0) {
                decision_add(d, RULE_USER, "%s %s cannot be resolved as dockerd would: %s; %s", what, q, why, fix);
                return;
        }
        bool group0 = false;
        for (size_t i = 0; i < id.n_groups; i++)
                group0 |= id.groups[i] == 0;
        if (id.uid != (int64_t) p->uid || id.gid <= 0 || group0)
                decision_add(d, RULE_USER, "%s %s runs as uid %" PRId64 ", gid %" PRId64 "%s in this image (its /etc/passwd and /etc/group)%s; %s",
                             what, q, id.uid, id.gid, group0 ? ", with supplementary group 0" : "",
                             id.uid != (int64_t) p->uid ? ", not the policy's uid" : "", fix);
}

/* --- the tar stream of GET /containers/{id}/archive ---------------------------------------------------- */

static int64_t tar_octal(const unsigned char *h, size_t n)
{
        int64_t v = 0;
        size_t i = 0;

        if (h[0] & 0x80)
                return -1;   /* base-256: far beyond any /etc file */
        while (i < n && (h[i] == ' ' || h[i] == '\0'))
                i++;
        for (; i < n && h[i] >= '0' && h[i] <= '7'; i++) {
                if (v > (INT64_MAX >> 3))
                        return -1;
                v = v * 8 + (h[i] - '0');
        }
        for (; i < n; i++)
                if (h[i] != ' ' && h[i] != '\0')
                        return -1;
        return v;
}

int identity_tar_file(const char *tar, size_t len, const char **data, size_t *data_len, char *why, size_t whysz)
{
        size_t off = 0;

        for (int entries = 0; entries < 8; entries++) {
                if (len - off < 512) {
                        snprintf(why, whysz, "the archive ends early");
                        return -EINVAL;
                }
                const unsigned char *h = (const unsigned char *) tar + off;
                if (memcmp(h + 257, "ustar", 5) != 0) {
                        snprintf(why, whysz, "the archive is not a tar stream");
                        return -EINVAL;
                }
                int64_t size = tar_octal(h + 124, 12);
                if (size < 0 || (uint64_t) size > len - off - 512) {
                        snprintf(why, whysz, "the archive entry has a bad size");
                        return -EINVAL;
                }
                char type = (char) h[156];
                off += 512;
                /* PAX and GNU long-name headers describe the next entry */
                if (type == 'x' || type == 'g' || type == 'L' || type == 'K') {
                        off += ((size_t) size + 511) / 512 * 512;
                        if (off > len) {
                                snprintf(why, whysz, "the archive ends early");
                                return -EINVAL;
                        }
                        continue;
                }
                if (type != '0' && type != '\0') {
                        snprintf(why, whysz, "it is not a regular file (a link or a special file)");
                        return -EINVAL;
                }
                *data = tar + off;
                *data_len = (size_t) size;
                return 0;
        }
        snprintf(why, whysz, "the archive has too many headers");
        return -EINVAL;
}
