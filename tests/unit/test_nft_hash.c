/* test_nft_hash.c - nft's jhash (nat/nftables/nft_hash.c) against values
 * observed on Linux 6.18: the chain (mod 2, seed 0xdead) and the ct mark
 * (mod 4, seed 0x5, offset 1) each UDP flow from 10.0.1.2 got in
 * topologies/nft-jhash.scn and nft-mark-map.scn, over the 8 bytes of
 * `ip saddr . udp sport` as nf_tables' registers hold them.
 */
#include <string.h>

#include "tests/unit/check.h"
#include "nat/nftables/nft_hash.h"

static uint32_t scaled(uint16_t sport, uint32_t seed, uint32_t mod)
{
	static const struct nft_key saddr = { "ip saddr", NFT_DT_IPV4, -1, true, NFT_K_IP_SADDR };
	static const struct nft_key port = { "udp sport", NFT_DT_SERVICE, 17, false, NFT_K_UDP_SPORT };
	uint8_t buf[8];
	unsigned len = 0;
	nft_hash_put_key(buf, &len, &saddr, 0x0a000102, NULL, true);
	nft_hash_put_key(buf, &len, &port, sport, NULL, true);
	CHECK(len == 8, "%u", len);
	CHECK(buf[0] == 10 && buf[3] == 2 && buf[4] == sport >> 8 && buf[6] == 0 && buf[7] == 0);
	return (uint32_t)(((uint64_t)nft_jhash(buf, len, seed) * mod) >> 32);
}

int main(void)
{
	CHECK(nft_jhash("", 0, 0) == 0xdeadbeef, "no bytes: the initial value");
	/* nft-jhash.scn: 5002-5004 and 5007 went to `odd` on Linux */
	static const uint32_t odd[8] = { 0, 0, 1, 1, 1, 0, 0, 1 };
	for (unsigned i = 0; i < 8; i++)
		CHECK(scaled((uint16_t)(5000 + i), 0xdead, 2) == odd[i], "sport %u", 5000 + i);
	/* nft-mark-map.scn: ct marks 2, 1, 3, 4 (offset 1), and 3 for 5005 */
	static const uint32_t mark[6] = { 1, 0, 2, 3, 99, 2 };
	for (unsigned i = 0; i < 6; i++)
		if (mark[i] != 99)
			CHECK(scaled((uint16_t)(5000 + i), 5, 4) == mark[i], "sport %u", 5000 + i);
	/* a mark is a host-order register: little-endian bytes on x86 */
	static const struct nft_key mk = { "meta mark", NFT_DT_MARK, -1, false, NFT_K_MARK };
	uint8_t b[4];
	unsigned n = 0;
	nft_hash_put_key(b, &n, &mk, 0x01020304, NULL, false);
	CHECK(n == 4 && b[0] == 4 && b[3] == 1);
	printf("test_nft_hash: %s\n", failures ? "FAILED" : "ok");
	return failures != 0;
}
