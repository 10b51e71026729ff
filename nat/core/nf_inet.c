/* nf_inet.c - the one IPv4 address formatter (see nf_inet.h).
 *
 * Hand-rolled rather than snprintf("%u.%u.%u.%u"): conntrack-events.log
 * prints two tuples per event, and a storm writes millions of them. The
 * text is printf's, digit for digit (no leading zeros).
 */
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
