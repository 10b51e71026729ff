/* nf_inet.c - the one IPv4 address formatter (see nf_inet.h).
 *
 * Hand-rolled rather than snprintf("%u.%u.%u.%u"): conntrack-events.log
 * prints two tuples per event, and a storm writes millions of them. The
 * text is printf's, digit for digit (no leading zeros).
 */
#include <stdlib.h>

#include "nat/core/nf_inet.h"

size_t nf_inet_ntop4(uint32_t addr, char buf[NF_INET_ADDRSTRLEN])
{
	char *p = buf;

	for (int shift = 24; shift >= 0; shift -= 8) {
		unsigned v = (addr >> shift) & 0xff;

		if (v >= 100)
			*p++ = (char)('0' + v / 100);
		if (v >= 10)
			*p++ = (char)('0' + v / 10 % 10);
		*p++ = (char)('0' + v % 10);
		*p++ = '.';
	}
	*--p = '\0';
	return (size_t)(p - buf);
}

void nf_inet_append4(GString *s, uint32_t addr)
{
	char buf[NF_INET_ADDRSTRLEN];

	g_string_append_len(s, buf, (gssize)nf_inet_ntop4(addr, buf));
}

bool nf_inet_aton(const char *s, uint32_t *out)
{
	unsigned long part[4];
	int n = 0;
	const char *p = s;
	for (;;) {
		char *end;
		if (n == 4 || !g_ascii_isdigit(*p))
			return false;
		part[n++] = strtoul(p, &end, 0);
		if (*end == '.') {
			p = end + 1;
			continue;
		}
		if (*end)
			return false;
		break;
	}
	static const unsigned long max[4] = { 0xffffffffu, 0xffffff, 0xffff, 0xff };
	uint32_t a = 0;
	for (int i = 0; i < n - 1; i++) {
		if (part[i] > 0xff)
			return false;
		a |= (uint32_t)part[i] << (24 - 8 * i);
	}
	if (part[n - 1] > max[n - 1])
		return false;
	*out = a | (uint32_t)part[n - 1];
	return true;
}
