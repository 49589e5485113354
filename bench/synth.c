/* Synthetic AuthZReq envelopes for the cost curves.
 *
 * Usage: synth BASE.req.json KIND N OUT.json
 *
 * Reads a real container-create envelope (BASE, as dockerd posts it), decodes its body and adds to
 * it, then writes the envelope back with the new body base64-encoded, as dockerd would:
 *   env N      N entries in Config.Env ("BENCH_VAR_00001=value...", 64 bytes each)
 *   labels N   N entries in Config.Labels
 *   binds N    N entries in HostConfig.Binds (sources under the repos dir, distinct targets)
 *   mounts N   N entries in HostConfig.Mounts (type bind, same shape)
 *   size N     Env entries of 128 bytes until the body is N bytes (never over N)
 * Prints the body size in bytes.  Not in any hot path: jansson is fine here. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *b64_encode(const unsigned char *in, size_t n)
{
        char *out = malloc((n + 2) / 3 * 4 + 1), *o = out;
        if (!out)
                exit(2);
        size_t i;
        for (i = 0; i + 3 <= n; i += 3) {
                unsigned v = (unsigned) in[i] << 16 | (unsigned) in[i + 1] << 8 | in[i + 2];
                *o++ = b64[v >> 18];
                *o++ = b64[v >> 12 & 63];
                *o++ = b64[v >> 6 & 63];
                *o++ = b64[v & 63];
        }
        if (n - i == 1) {
                unsigned v = (unsigned) in[i] << 16;
                *o++ = b64[v >> 18];
                *o++ = b64[v >> 12 & 63];
                *o++ = '=';
                *o++ = '=';
        } else if (n - i == 2) {
                unsigned v = (unsigned) in[i] << 16 | (unsigned) in[i + 1] << 8;
                *o++ = b64[v >> 18];
                *o++ = b64[v >> 12 & 63];
                *o++ = b64[v >> 6 & 63];
                *o++ = '=';
        }
        *o = '\0';
        return out;
}

static int b64v(int c)
{
        const char *p = c ? strchr(b64, c) : NULL;
        return p ? (int) (p - b64) : -1;
}

static unsigned char *b64_decode(const char *in, size_t *ret_len)
{
        size_t n = strlen(in);
        unsigned char *out = malloc(n / 4 * 3 + 1);
        size_t o = 0;
        if (!out)
                exit(2);
        for (size_t i = 0; i + 4 <= n; i += 4) {
                int a = b64v(in[i]), b = b64v(in[i + 1]), c = b64v(in[i + 2]), d = b64v(in[i + 3]);
                unsigned v = (unsigned) a << 18 | (unsigned) b << 12 | (unsigned) (c < 0 ? 0 : c) << 6 |
                             (unsigned) (d < 0 ? 0 : d);
                out[o++] = (unsigned char) (v >> 16);
                if (c >= 0)
                        out[o++] = (unsigned char) (v >> 8 & 255);
                if (d >= 0)
                        out[o++] = (unsigned char) (v & 255);
        }
        *ret_len = o;
        return out;
}

static json_t *get_or_make(json_t *obj, const char *key, json_t *(*make)(void))
{
        json_t *v = json_object_get(obj, key);
        if (!v || json_is_null(v)) {
                v = make();
                json_object_set_new(obj, key, v);
        }
        return v;
}

int main(int argc, char **argv)
{
        json_error_t err;

        if (argc != 5) {
                fprintf(stderr, "usage: synth BASE.req.json env|labels|binds|mounts|size N OUT.json\n");
                return 2;
        }
        const char *kind = argv[2];
        long n = strtol(argv[3], NULL, 10);
        json_t *env = json_load_file(argv[1], 0, &err);
        if (!env) {
                fprintf(stderr, "synth: %s: %s\n", argv[1], err.text);
                return 2;
        }
        size_t blen;
        unsigned char *raw = b64_decode(json_string_value(json_object_get(env, "RequestBody")), &blen);
        json_t *body = json_loadb((const char *) raw, blen, 0, &err);
        if (!body) {
                fprintf(stderr, "synth: body: %s\n", err.text);
                return 2;
        }
        json_t *hc = json_object_get(body, "HostConfig");
        char s[256];

        if (strcmp(kind, "env") == 0) {
                json_t *a = get_or_make(body, "Env", json_array);
                for (long i = 0; i < n; i++) {
                        snprintf(s, sizeof(s), "BENCH_VAR_%05ld=%-47s", i, "value");
                        json_array_append_new(a, json_string(s));
                }
        } else if (strcmp(kind, "labels") == 0) {
                json_t *o = get_or_make(body, "Labels", json_object);
                for (long i = 0; i < n; i++) {
                        char k[64];
                        snprintf(k, sizeof(k), "org.example.bench.label%05ld", i);
                        json_object_set_new(o, k, json_string("some label value"));
                }
        } else if (strcmp(kind, "binds") == 0) {
                json_t *a = get_or_make(hc, "Binds", json_array);
                for (long i = 0; i < n; i++) {
                        snprintf(s, sizeof(s), "/srv/arandu/repos/demo%ld:/workspace%ld:ro", i, i);
                        json_array_append_new(a, json_string(s));
                }
        } else if (strcmp(kind, "mounts") == 0) {
                json_t *a = get_or_make(hc, "Mounts", json_array);
                for (long i = 0; i < n; i++) {
                        char src[128], dst[64];
                        snprintf(src, sizeof(src), "/srv/arandu/repos/demo%ld", i);
                        snprintf(dst, sizeof(dst), "/workspace%ld", i);
                        json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:b}", "Type", "bind", "Source", src,
                                                           "Target", dst, "ReadOnly", 1));
                }
        } else if (strcmp(kind, "size") == 0) {
                char *cur = json_dumps(body, JSON_COMPACT);
                long have = (long) strlen(cur);
                free(cur);
                json_t *a = get_or_make(body, "Env", json_array);
                /* Each entry adds its 126 characters, two quotes and a comma. */
                for (long i = 0; have + 129 + 2 <= n; i++, have += 129) {
                        snprintf(s, sizeof(s), "BENCH_SIZE_%07ld=%-106s", i, "x");
                        json_array_append_new(a, json_string(s));
                }
        } else {
                fprintf(stderr, "synth: unknown kind %s\n", kind);
                return 2;
        }

        char *out = json_dumps(body, JSON_COMPACT);
        size_t olen = strlen(out);
        char *enc = b64_encode((const unsigned char *) out, olen);
        json_object_set_new(env, "RequestBody", json_string(enc));
        if (json_dump_file(env, argv[4], JSON_COMPACT) < 0) {
                fprintf(stderr, "synth: cannot write %s\n", argv[4]);
                return 2;
        }
        printf("%zu\n", olen);
        return 0;
}
