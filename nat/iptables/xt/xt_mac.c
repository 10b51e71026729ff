/* xt_mac.c - `-m mac [!] --mac-source XX:XX:XX:XX:XX:XX`.
 *
 * Mirrors libxt_mac.c (xtopt_parse_ethermac: six hex fields of at most two
 * digits each; -L prints "MAC [! ]aa:bb:...", lower case) and the kernel's
 * net/netfilter/xt_mac.c (mac_mt: the received frame's source MAC; only
 * from PREROUTING, INPUT and FORWARD, the hooks where an skb still has
 * the Ethernet header it came with).
 */
#include <stdlib.h>
#include <string.h>

#include "nat/iptables/xt.h"

struct xt_mac_info {
	uint8_t srcaddr[6];
	int invert;
};

enum { O_MAC };

static const struct xt_option mac_opts[] = { { "mac-source", 1, O_MAC }, { NULL, 0, 0 } };

/* xtopt_parse_ethermac, strtoul's leniency included */
static bool mac_parse_addr(const char *arg, uint8_t out[6])
{
	char *end;
	for (unsigned i = 0; i < 6; i++) {
		unsigned long v = strtoul(arg, &end, 16);
		if (*end != (i < 5 ? ':' : '\0') || end - arg > 2)
			return false;
		out[i] = (uint8_t)v;
		arg = end + 1;
	}
	return true;
}

static int mac_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_mac_info *info = data;
	int rc = xt_once(p, "mac-source", id);
	if (rc)
		return rc;
	if (!mac_parse_addr(arg, info->srcaddr))
		return xt_err(p, "Invalid MAC address specified.");
	info->invert = p->invert;
	return 0;
}

static int mac_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & 1u << O_MAC))
		return xt_err(p, "mac: option \"--mac-source\" must be specified\n");
	return 0;
}

static void mac_print_addr(GString *o, const uint8_t *a)
{
	g_string_append_printf(o, " %02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
}

static void mac_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_mac_info *info = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " MAC%s", info->invert ? " !" : "");
	mac_print_addr(o, info->srcaddr);
}

static void mac_save(GString *o, const void *data)
{
	const struct xt_mac_info *info = data;
	g_string_append_printf(o, "%s --mac-source", info->invert ? " !" : "");
	mac_print_addr(o, info->srcaddr);
}

/* mac_mt: no Ethernet header (lo is ARPHRD_LOOPBACK; a packet this node
 * sent has none) is no match, whatever `!` says. */
static bool mac_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_mac_info *info = data;
	const uint8_t *mac = par->skb->mac;

	if (!mac || !par->in || strcmp(par->in, "lo") == 0)
		return false;
	return (memcmp(mac + 6, info->srcaddr, 6) == 0) ^ !!info->invert;
}

/* mac_xlate: `ether saddr [!= ]aa:bb:..`. */
static bool mac_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	const struct xt_mac_info *info = data;
	(void)r;
	xt_xlate_add(xl, "ether saddr%s ", info->invert ? " !=" : "");
	xt_xlate_add(xl, "%02x", info->srcaddr[0]);
	for (unsigned i = 1; i < 6; i++)
		xt_xlate_add(xl, ":%02x", info->srcaddr[i]);
	return true;
}

const struct xt_ops xt_mac_ops = {
	.name = "mac", .kind = XT_MATCH, .size = sizeof(struct xt_mac_info),
	.xlate = mac_xlate,
	.opts = mac_opts, .parse = mac_parse, .final_check = mac_final_check,
	.print = mac_print, .save = mac_save, .match = mac_mt,
	.hooks = 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_LOCAL_IN | 1u << NF_INET_FORWARD,
};
