/* check.h - the one assertion of the C unit tests.
 *
 * CHECK(cond) or CHECK(cond, "fmt", ...): on failure print the file, line,
 * the condition and the optional message, count it, and go on, so one run
 * shows every broken case; main() returns failures != 0.
 */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <stdarg.h>
#include <stdio.h>

/* CHECK(cond) passes an empty message */
#pragma GCC diagnostic ignored "-Wformat-zero-length"

static int failures;

static inline void __attribute__((format(printf, 4, 5)))
check_fail(const char *file, int line, const char *cond, const char *fmt, ...)
{
	va_list ap;

	failures++;
	printf("FAIL %s:%d: %s", file, line, cond);
	if (*fmt) {
		printf(": ");
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
}

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (!(cond))                                               \
			check_fail(__FILE__, __LINE__, #cond, "" __VA_ARGS__); \
	} while (0)

#endif
