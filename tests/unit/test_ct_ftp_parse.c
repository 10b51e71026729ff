/* test_ct_ftp_parse.c - the FTP helper's control-line parser
 * (nf_ct_ftp_parse, nat/conntrack/ct_helper_ftp.c) against the kernel's
 * nf_conntrack_ftp.c rules: the pattern must start the packet (any case),
 * PORT and EPRT from the client, 227 (RFC 1123: the six numbers wherever
 * they start) and 229 from the server; a packet that is a prefix of a
 * pattern, or whose numbers run off its end, is a partial match (-1: the
 * helper drops it); anything else is no match.
 */
#include <string.h>
#include "tests/unit/check.h"
#include "nat/conntrack/ct_helper.h"

struct pcase {
	const char *text;
	int dir;
	int found;
	const char *addr;	/* expected dotted address on a match */
	unsigned port;
	unsigned off, len;	/* where the numbers are */
};

static const struct pcase cases[] = {
	{ "PORT 10,0,0,1,200,10\r\n", CT_DIR_ORIGINAL, 1, "10.0.0.1", 51210, 5, 15 },
	{ "port 192,168,1,2,4,1\r\n", CT_DIR_ORIGINAL, 1, "192.168.1.2", 1025, 5, 15 },
	{ "EPRT |1|10.0.0.1|51210|\r\n", CT_DIR_ORIGINAL, 1, "10.0.0.1", 51210, 5, 18 },
	{ "EPRT !1!10.0.0.1!2121!\r\n", CT_DIR_ORIGINAL, 1, "10.0.0.1", 2121, 5, 17 },
	{ "227 Entering Passive Mode (10,0,1,2,156,64).\r\n", CT_DIR_REPLY, 1, "10.0.1.2",
	  40000, 27, 15 },
	{ "227 Entering Passive Mode 10,0,1,2,156,64\r\n", CT_DIR_REPLY, 1, "10.0.1.2", 40000,
	  26, 15 },
	{ "229 Entering Extended Passive Mode (|||40000|)\r\n", CT_DIR_REPLY, 1, "0.0.0.0",
	  40000, 36, 9 },
	/* partial: a prefix of the pattern, numbers cut, no terminator */
	{ "POR", CT_DIR_ORIGINAL, -1, NULL, 0, 0, 0 },
	{ "PORT 10,0", CT_DIR_ORIGINAL, -1, NULL, 0, 0, 0 },
	{ "PORT 10,0,0,1,200,10", CT_DIR_ORIGINAL, -1, NULL, 0, 0, 0 },
	{ "PORT10,0,0,1,200,10\r\n", CT_DIR_ORIGINAL, -1, NULL, 0, 0, 0 },
	/* only the first space is skipped: a second one is not a number */
	{ "PORT  10,0,0,1,0,21\r\n", CT_DIR_ORIGINAL, -1, NULL, 0, 0, 0 },
	/* no data at all reads as a prefix (the helper never asks) */
	{ "", CT_DIR_ORIGINAL, -1, NULL, 0, 0, 0 },
	{ "PORT 10,0,0,1,200,10,7\r\n", CT_DIR_ORIGINAL, -1, NULL, 0, 0, 0 },
	{ "EPRT |2|::1|5|\r\n", CT_DIR_ORIGINAL, -1, NULL, 0, 0, 0 },
	{ "229 Entering Extended Passive Mode (|||0|)\r\n", CT_DIR_REPLY, -1, NULL, 0, 0, 0 },
	{ "227 Entering Passive Mode (10,0,1,2,156", CT_DIR_REPLY, -1, NULL, 0, 0, 0 },
	/* no match: another command, the wrong direction, not at the start */
	{ "USER anonymous\r\n", CT_DIR_ORIGINAL, 0, NULL, 0, 0, 0 },
	{ "NOOP\r\nPORT 10,0,0,1,200,10\r\n", CT_DIR_ORIGINAL, 0, NULL, 0, 0, 0 },
	{ "227 Entering Passive Mode (10,0,1,2,156,64).\r\n", CT_DIR_ORIGINAL, 0, NULL, 0, 0, 0 },
	{ "PORT 10,0,0,1,200,10\r\n", CT_DIR_REPLY, 0, NULL, 0, 0, 0 },
	{ "200 PORT command successful.\r\n", CT_DIR_REPLY, 0, NULL, 0, 0, 0 },
};

int main(void)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct pcase *c = &cases[i];
		uint32_t addr = 0;
		uint16_t port = 0;
		unsigned off = 0, len = 0;
		int type = 0;
		int got = nf_ct_ftp_parse(c->text, strlen(c->text), (enum ct_dir)c->dir, &addr,
					  &port, &off, &len, &type);

		CHECK(got == c->found, "case %zu \"%s\": %d", i, c->text, got);
		if (got == 1 && c->found == 1) {
			char a[16];

			nf_inet_ntop4(addr, a);
			CHECK(strcmp(a, c->addr) == 0, "case %zu: %s", i, a);
			CHECK(port == c->port, "case %zu: port %u", i, port);
			CHECK(off == c->off && len == c->len, "case %zu: off %u len %u", i, off, len);
		}
	}
	if (!failures)
		printf("test_ct_ftp_parse: ok\n");
	return failures != 0;
}
