/* dockerd's /etc/docker/daemon.json, edited as text: the one member "authorization-plugins" gets a
 * plugin name added or removed, and every other byte of the file (the admin's settings, their order,
 * spacing and the spelling of their values) stays as it was.
 *
 * A file is edited only when it reads as dockerd reads it: one JSON object, no duplicate keys (Go
 * would take the last), "authorization-plugins" absent or an array of strings.  Anything else is
 * refused with the reason, and nothing is written. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define DAEMONJSON_KEY "authorization-plugins"

struct daemonjson_error {
        char text[256];
};

/* `text` (len bytes; "" or only whitespace: no file yet) with `plugin` appended to
 * authorization-plugins.  1 and a new NUL-terminated text in *ret (*ret_len bytes; the caller frees)
 * when it changed; 0 (and *ret untouched) when the file names the plugin already; -EINVAL with the
 * reason in err when the file cannot be edited safely; -ENOMEM. */
int daemonjson_enable(const char *text, size_t len, const char *plugin, char **ret, size_t *ret_len,
                      struct daemonjson_error *err);

/* The same with every occurrence of `plugin` removed; the member goes when nothing is left in it.
 * 0 when the file does not name the plugin. */
int daemonjson_disable(const char *text, size_t len, const char *plugin, char **ret, size_t *ret_len,
                       struct daemonjson_error *err);

/* Does the file name `plugin` in authorization-plugins?  1 yes, 0 no, -EINVAL (err) unreadable. */
int daemonjson_names(const char *text, size_t len, const char *plugin, struct daemonjson_error *err);
