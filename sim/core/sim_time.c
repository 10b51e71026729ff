/* sim_time.c - parsing and printing simulated time.
 *
 * Design: values are parsed digit by digit into integer nanoseconds, never
 * through a double, so "1.5ms" is exactly 1500000 ns and "0.1s" exactly
 * 100000000 ns. Fractions finer than a nanosecond are truncated.
 */
#include "sim/core/sim_time.h"

#include <stdio.h>
#include <string.h>

/* Parse "DIGITS[.DIGITS]" followed by an optional unit into nanoseconds, with
 * `bare_unit` nanoseconds per unit when no unit is written (0: unit required). */
static bool time_parse(const char *s, sim_time bare_unit, sim_time *out)
{
	static const struct { const char *name; sim_time ns; } units[] = {
		{ "ns", SIM_NS }, { "us", SIM_US }, { "ms", SIM_MS }, { "s", SIM_S },
	};
	const char *p = s;
	int64_t whole = 0;
	bool digits = false;

	if (!s)
		return false;
	while (*p >= '0' && *p <= '9') {
		if (whole > (INT64_MAX - 9) / 10)
			return false;
		whole = whole * 10 + (*p - '0');
		digits = true;
		p++;
	}
	const char *frac = NULL;
	size_t nfrac = 0;
	if (*p == '.') {
		frac = ++p;
		while (*p >= '0' && *p <= '9')
			p++;
		nfrac = (size_t)(p - frac);
		digits = digits || nfrac > 0;
	}
	if (!digits)
		return false;

	sim_time unit = 0;
	if (*p == '\0') {
		unit = bare_unit;
	} else {
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strcmp(p, units[i].name) == 0)
				unit = units[i].ns;
	}
	if (unit == 0)
		return false;
	if (whole > INT64_MAX / unit)
		return false;
	sim_time t = whole * unit;

	/* Fraction: digit k (1-based) is worth unit / 10^k; stop once that is
	 * below a nanosecond (unit is a power of ten). */
	sim_time place = unit;
	for (size_t i = 0; i < nfrac; i++) {
		place /= 10;
		if (place == 0)
			break;
		sim_time add = (frac[i] - '0') * place;
		if (t > INT64_MAX - add)
			return false;
		t += add;
	}
	*out = t;
	return true;
}

bool sim_time_parse(const char *text, sim_time *out)
{
	return time_parse(text, 0, out);
}

bool sim_time_parse_seconds(const char *text, sim_time *out)
{
	return time_parse(text, SIM_S, out);
}

void sim_time_format(sim_time t, char buf[32])
{
	const char *sign = "";
	uint64_t u = (uint64_t)t;
	if (t < 0) {
		sign = "-";
		u = -(uint64_t)t;
	}
	snprintf(buf, 32, "%s%llu.%06llu", sign, (unsigned long long)(u / SIM_S),
		 (unsigned long long)(u % SIM_S / SIM_US));
}
