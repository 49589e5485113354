/* Numbers and units: the one strict decimal parser, the policy's byte sizes ("4g") and CPU counts
 * ("2.0"), and their printed forms.  Every integer the policy or the CLI reads from text goes
 * through these (STYLE.md, "Bounds at the door"); every CPU count or size a message shows comes
 * from the two formatters, so a limit reads the same in a denial, a warning and `arandu-authz
 * policy`.
 *
 * Pure: no allocation, no I/O, no locale (the digits are ASCII whatever LC_NUMERIC says).  The
 * parsers leave their ret_* parameters untouched on failure.
 *
 * Not here, on purpose: the go-units RAMInBytes reading of log-opt sizes (policy/logs.c), which
 * must read what dockerd reads ("1.5g", "512 KiB"), not the policy's stricter syntax. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Docker counts CPUs in nano-CPUs: 1 CPU = 1e9. */
#define UNITS_NANO_PER_CPU INT64_C(1000000000)
/* The most CPUs a policy may name: beyond any host Docker runs on, and far from int64 overflow
 * in nano-CPUs. */
#define UNITS_CPUS_MAX     1024

/* ---- integers -------------------------------------------------------------------------------- */

/* parse_int64: a strict decimal integer in [min, max].
 *
 * Takes `s`, which must start with a digit: no leading space, no sign (so a negative number is
 * -EINVAL whatever min is), no "0x".  With `ret_end` NULL the digits must be the whole string;
 * otherwise where the digits end is stored in *ret_end and the caller decides what may follow
 * (a unit letter, nothing).
 *
 * Returns 0 with the value in *ret (and *ret_end set), or
 *   -EINVAL  `s` does not start with a digit, or (ret_end NULL) something follows the digits;
 *   -ERANGE  the value is below min or above max, or does not fit in 64 bits (never clamped).
 * On failure *ret and *ret_end are untouched.  Leading zeros are accepted ("007" is 7); callers
 * to whom "007" is not 7 use parse_canonical_id. */
int parse_int64(const char *s, int64_t min, int64_t max, const char **ret_end, int64_t *ret);

/* parse_canonical_id: a canonical decimal in [0, max], the way Go code compares ids as strings.
 *
 * Takes the `len` bytes at `s` (no NUL needed): digits only, no sign, no leading zero unless the
 * number is "0" (to strconv.Atoi "00" is 0, which would be root in disguise), at most 20 digits.
 *
 * Returns true with the value in *ret, or false (and *ret untouched) when the bytes are empty,
 * not canonical, or above max. */
bool parse_canonical_id(const char *s, size_t len, uint64_t max, uint64_t *ret);

/* ---- sizes and CPU counts: the detailed scanners ----------------------------------------------- */

/* Why a size or CPU count was refused, for the loader's messages (policy/config_settings.c words
 * each one per setting).  UNITS_OK is 0. */
enum units_status {
        UNITS_OK = 0,
        UNITS_EMPTY,         /* "" */
        UNITS_SYNTAX,        /* not digits (and a unit, or a decimal point) */
        UNITS_NOT_FINITE,    /* "nan", "inf", "-Infinity" ... */
        UNITS_NOT_POSITIVE,  /* 0 or negative */
        UNITS_TOO_PRECISE,   /* a CPU count with more than 9 decimals */
        UNITS_FRACTION,      /* a size with a decimal point ("1.5g") */
        UNITS_TOO_BIG,       /* over 2^63-1 bytes, or over UNITS_CPUS_MAX CPUs */
        UNITS__MAX,
};

/* scan_memory_size: a byte size as the policy writes it.
 *
 * Takes digits and at most one unit letter b, k, m or g (1024-based, case-insensitive): "4g",
 * "512m", "1024", "1000b".  No sign, space or fraction.
 *
 * Returns UNITS_OK with the bytes (> 0) in *ret_bytes, or why not: UNITS_EMPTY, UNITS_SYNTAX,
 * UNITS_NOT_POSITIVE ("0", "-1"), UNITS_FRACTION ("1.5g"), UNITS_TOO_BIG (over INT64_MAX bytes,
 * unit included).  *ret_bytes is untouched unless UNITS_OK. */
enum units_status scan_memory_size(const char *s, int64_t *ret_bytes);

/* scan_cpus: a CPU count as the policy writes it.
 *
 * Takes a decimal "2", "2.0", "0.5", ".5", "1.000000001": read digit by digit, so "0.1" is exactly
 * 100000000 nano-CPUs (strtod would round through binary floating point).
 *
 * Returns UNITS_OK with nano-CPUs in (0, UNITS_CPUS_MAX * 1e9] in *ret_nano, or why not:
 * UNITS_EMPTY, UNITS_SYNTAX, UNITS_NOT_FINITE, UNITS_NOT_POSITIVE (0 or negative),
 * UNITS_TOO_PRECISE (over 9 decimals), UNITS_TOO_BIG.  *ret_nano is untouched unless UNITS_OK. */
enum units_status scan_cpus(const char *s, int64_t *ret_nano);

/* scan_cpus_real: a CPU count given as a JSON real (2.5), whose text is lost.
 *
 * Takes a double.  Below 1025 a double carries ~13 significant digits more than 9 decimals need,
 * so the value is printed with 9 decimals and read back with scan_cpus(); it is accepted only if
 * those decimals make the same double again (else it had more than 9).
 *
 * Returns what scan_cpus() would for the admin's decimals: UNITS_OK with nano-CPUs in *ret_nano,
 * UNITS_NOT_FINITE, UNITS_NOT_POSITIVE, UNITS_TOO_BIG, or UNITS_TOO_PRECISE (also for a positive
 * value that rounds to 0, such as 1e-10).  *ret_nano may be written even when not UNITS_OK. */
enum units_status scan_cpus_real(double v, int64_t *ret_nano);

/* ---- sizes and CPU counts: yes or no --------------------------------------------------------- */

/* parse_memory_size: scan_memory_size() for callers that need no reason ("size=" of a tmpfs).
 * Takes `s` (NULL allowed).  Returns 0 with the bytes in *ret_bytes, or -EINVAL (untouched). */
int parse_memory_size(const char *s, int64_t *ret_bytes);

/* parse_cpus: scan_cpus() for callers that need no reason.  Takes `s` (NULL allowed).  Returns 0
 * with nano-CPUs in *ret_nano, or -EINVAL (untouched). */
int parse_cpus(const char *s, int64_t *ret_nano);

/* ---- printed forms ----------------------------------------------------------------------------- */

/* format_bytes: bytes in the largest unit that divides them exactly, for messages and the printed
 * policy: 4294967296 -> "4g", 1610612736 -> "1536m", 2048 -> "2k", 1000 -> "1000" (no unit
 * letter), 0 and negative numbers as they are ("0", "-1").  Up to "g" (2^40 is "1024g").
 *
 * Takes the buffer and its size; writes at most size bytes, always NUL-terminated when size > 0
 * (24 bytes hold any int64).  No return value: a short buffer cuts the text (snprintf's rules). */
void format_bytes(int64_t bytes, char *buf, size_t size);

/* format_cpus: nano-CPUs as a decimal CPU count, exact, without trailing zeros: 2000000000 -> "2",
 * 500000000 -> "0.5", 2000000001 -> "2.000000001", 0 -> "0"; a negative number as the nano-CPUs
 * it is ("-1").
 *
 * Takes the buffer and its size, as format_bytes(); 32 bytes hold any int64. */
void format_cpus(int64_t nano, char *buf, size_t size);
