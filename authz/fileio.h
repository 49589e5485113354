/* Whole files in and out: bounded reads, and writes that a crash or a reader never sees half done. */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* All of `path` ("-": standard input), at most `cap` bytes: a new NUL-terminated buffer in *ret,
 * its length in *ret_len.  0, -E2BIG beyond cap, or -errno. */
int file_read_all(const char *path, size_t cap, char **ret, size_t *ret_len);

/* The same for a file that must be a regular one (a FIFO or a device would block or never end):
 * opened without blocking, -EBADFD when it is not regular; its fstat() in *ret_st (may be NULL). */
struct stat;
int file_read_regular(const char *path, size_t cap, char **ret, size_t *ret_len, struct stat *ret_st);

/* Replace `path` with `data`: written to a new file beside it (PATH.arandu-authz.XXXXXX, a fresh
 * name made by mkostemp(3), mode 0600 until given `mode`), fsync'ed and renamed over `path`; the
 * directory is then fsync'ed, so the rename survives a crash.  Readers see the old file or the new
 * one, never a part.  0 or -errno (the new file is removed). */
int file_write_atomic(const char *path, const void *data, size_t len, mode_t mode);
