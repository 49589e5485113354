/* Base64, for the []byte fields of dockerd's JSON (an AuthZ envelope's RequestBody, the path-stat
 * header of the archive API). */
#pragma once

#include <stddef.h>

/* Strict standard base64 with padding, as Go encodes []byte (RequestBody, dockerd's path-stat
 * header).  A new NUL-terminated buffer in *ret, its length in *ret_len; -EINVAL, -ENOMEM. */
int base64_decode(const char *in, size_t len, char **ret, size_t *ret_len);
