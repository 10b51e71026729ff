/* test_nft_stateful.c - nft's limit token bucket and quota (nat/nftables/
 * nft_stateful.c) at exact times, as net/netfilter/nft_limit.c and
 * nft_quota.c compute them.
 *
 * The bucket starts full (burst packets, or unit * (rate + burst) / rate
 * for bytes); a packet passes while the tokens cover its cost, also when
 * they cover it exactly (delta >= 0); `over` inverts the match. A quota
 * counts the packet first and is used up once the sum reaches it.
 */
#include <string.h>

#include "tests/unit/check.h"
#include "nat/nftables/nft_int.h"

#define MS 1000000LL

static struct nft_limit pkts(uint64_t rate, uint64_t unit, uint32_t burst, bool over)
{
	struct nft_limit l;
	memset(&l, 0, sizeof(l));
	l.rate = rate;
	l.unit = unit;
	l.burst = burst;
	l.over = over;
	return l;
}

static void test_packet_limit(void)
{
	/* 10/second burst 5: 5 at once, then one each 100 ms */
	struct nft_limit l = pkts(10, 1, 5, false);
	int passed = 0;
	for (int i = 0; i < 8; i++)
		passed += nft_limit_eval(&l, 84, 1000 * MS);
	CHECK(passed == 5, "%d", passed);
	CHECK(!nft_limit_eval(&l, 84, 1099 * MS));
	CHECK(nft_limit_eval(&l, 84, 1100 * MS), "the exact cost passes");
	CHECK(!nft_limit_eval(&l, 84, 1100 * MS));
	/* a long pause fills the bucket to burst packets, no more */
	passed = 0;
	for (int i = 0; i < 8; i++)
		passed += nft_limit_eval(&l, 84, 60000 * MS);
	CHECK(passed == 5, "%d", passed);

	/* over: matches what the plain limit would refuse */
	struct nft_limit o = pkts(1, 60, 2, true);
	CHECK(!nft_limit_eval(&o, 84, 0));
	CHECK(!nft_limit_eval(&o, 84, 0));
	CHECK(nft_limit_eval(&o, 84, 0));
	CHECK(nft_limit_eval(&o, 84, 59999 * MS));
	CHECK(!nft_limit_eval(&o, 84, 60000 * MS + 59999 * MS));
}

static void test_byte_limit(void)
{
	/* 1000 bytes/second burst 500 bytes: 1.5 s of tokens; 100 bytes cost 100 ms */
	struct nft_limit l = pkts(1000, 1, 500, false);
	l.bytes = true;
	int passed = 0;
	for (int i = 0; i < 20; i++)
		passed += nft_limit_eval(&l, 100, 0);
	CHECK(passed == 15, "%d", passed);
	CHECK(!nft_limit_eval(&l, 100, 99 * MS));
	CHECK(nft_limit_eval(&l, 100, 100 * MS));
	/* burst 0: the bucket holds one unit of time (1000 bytes) */
	struct nft_limit z = pkts(1000, 1, 0, false);
	z.bytes = true;
	CHECK(nft_limit_eval(&z, 1000, 5000 * MS));
	CHECK(!nft_limit_eval(&z, 1, 5000 * MS));
}

static void test_quota(void)
{
	struct nft_quota q = { .bytes = 300 };
	CHECK(nft_quota_eval(&q, 92));
	CHECK(nft_quota_eval(&q, 92));
	CHECK(nft_quota_eval(&q, 92));
	CHECK(!nft_quota_eval(&q, 92), "368 >= 300");
	CHECK(q.used == 368);
	struct nft_quota e = { .bytes = 100 };
	CHECK(!nft_quota_eval(&e, 100), "reaching the quota uses it up");
	struct nft_quota o = { .bytes = 250, .over = true };
	CHECK(!nft_quota_eval(&o, 92));
	CHECK(!nft_quota_eval(&o, 92));
	CHECK(nft_quota_eval(&o, 92));
	/* listed capped at the quota, in the largest whole unit */
	GString *s = g_string_new(NULL);
	struct nft_quota big = { .bytes = 2048, .used = 5000 };
	nft_print_quota(s, &big, false);
	CHECK(!strcmp(s->str, "2 kbytes used 2 kbytes"), "%s", s->str);
	g_string_truncate(s, 0);
	nft_print_quota(s, &big, true);
	CHECK(!strcmp(s->str, "2 kbytes"), "%s", s->str);
	g_string_free(s, TRUE);
}

int main(void)
{
	test_packet_limit();
	test_byte_limit();
	test_quota();
	printf("test_nft_stateful: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
