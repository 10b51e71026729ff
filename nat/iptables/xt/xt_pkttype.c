/* xt_pkttype.c - `-m pkttype [!] --pkt-type unicast|broadcast|multicast`.
 *
 * Mirrors libxt_pkttype.c (the names in any case, with the aliases host,
 * bcast and mcast; otherhost is accepted too; -L prints "PKTTYPE = NAME")
 * and the kernel's net/netfilter/xt_pkttype.c (pkttype_mt: skb->pkt_type,
 * which eth_type_trans set from the frame's destination MAC).
 *
 * Design: natsim keeps no pkt_type in the packet; the match reads the
 * destination MAC of the received frame (nf_skb.mac) as eth_type_trans
 * did. A packet the node sent has no received frame: PACKET_HOST, as the
 * kernel's locally generated skb.
 */
#include <string.h>
#include <strings.h>

#include "nat/iptables/xt.h"

/* linux/if_packet.h */
enum { PACKET_HOST, PACKET_BROADCAST, PACKET_MULTICAST, PACKET_OTHERHOST };

struct xt_pkttype_info {
	int pkttype;
	int invert;
};

/* libxt_pkttype's supported_types, in its order (print takes the first) */
static const struct {
	const char *name;
	int type;
} pkttype_names[] = {
	{ "unicast", PACKET_HOST }, { "broadcast", PACKET_BROADCAST },
	{ "multicast", PACKET_MULTICAST }, { "otherhost", PACKET_OTHERHOST },
	{ "bcast", PACKET_BROADCAST }, { "mcast", PACKET_MULTICAST }, { "host", PACKET_HOST },
};

enum { O_PKTTYPE };

static const struct xt_option pkttype_opts[] = { { "pkt-type", 1, O_PKTTYPE }, { NULL, 0, 0 } };

static int pkttype_parse(struct xt_parse *p, int id, const char *arg, void *data)
{
	struct xt_pkttype_info *info = data;
	int rc = xt_once(p, "pkt-type", id);
	if (rc)
		return rc;
	for (unsigned i = 0; i < G_N_ELEMENTS(pkttype_names); i++)
		if (strcasecmp(arg, pkttype_names[i].name) == 0) {
			info->pkttype = pkttype_names[i].type;
			info->invert = p->invert;
			return 0;
		}
	return xt_err(p, "Bad packet type '%s'", arg);
}

static int pkttype_final_check(struct xt_parse *p, const void *data)
{
	(void)data;
	if (!(*p->once & 1u << O_PKTTYPE))
		return xt_err(p, "pkttype: option \"--pkt-type\" must be specified\n");
	return 0;
}

static const char *pkttype_name(int type)
{
	for (unsigned i = 0; i < G_N_ELEMENTS(pkttype_names); i++)
		if (pkttype_names[i].type == type)
			return pkttype_names[i].name;
	return "unicast";
}

static void pkttype_print(GString *o, const void *data, uint8_t proto, bool numeric)
{
	const struct xt_pkttype_info *info = data;
	(void)proto;
	(void)numeric;
	g_string_append_printf(o, " PKTTYPE %s= %s", info->invert ? "!" : "",
			       pkttype_name(info->pkttype));
}

static void pkttype_save(GString *o, const void *data)
{
	const struct xt_pkttype_info *info = data;
	g_string_append_printf(o, "%s --pkt-type %s", info->invert ? " !" : "",
			       pkttype_name(info->pkttype));
}

/* eth_type_trans's pkt_type: the group bit of the destination MAC, all
 * ones being a broadcast. Frames that reach the stack otherwise are ours
 * (ip_rcv drops PACKET_OTHERHOST before PREROUTING). */
static int pkttype_of(const struct nf_skb *skb)
{
	const uint8_t *dst = skb->mac;
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	if (!dst || !(dst[0] & 1))
		return PACKET_HOST;
	return memcmp(dst, bcast, 6) == 0 ? PACKET_BROADCAST : PACKET_MULTICAST;
}

/* pkttype_mt */
static bool pkttype_mt(struct xt_action_param *par, const void *data)
{
	const struct xt_pkttype_info *info = data;
	return (pkttype_of(par->skb) == info->pkttype) ^ !!info->invert;
}

/* pkttype_xlate: nft's names for unicast, broadcast and multicast, the
 * number for otherhost. */
static bool pkttype_xlate(struct xt_xlate *xl, const struct ipt_rule *r, const void *data)
{
	static const char *const names[] = {
		[PACKET_HOST] = "unicast", [PACKET_BROADCAST] = "broadcast",
		[PACKET_MULTICAST] = "multicast",
	};
	const struct xt_pkttype_info *info = data;
	(void)r;
	xt_xlate_add(xl, "pkttype%s ", info->invert ? " !=" : "");
	if (info->pkttype >= 0 && info->pkttype < (int)G_N_ELEMENTS(names))
		xt_xlate_add(xl, "%s", names[info->pkttype]);
	else
		xt_xlate_add(xl, "%d", info->pkttype);
	return true;
}

const struct xt_ops xt_pkttype_ops = {
	.name = "pkttype", .kind = XT_MATCH, .size = sizeof(struct xt_pkttype_info),
	.xlate = pkttype_xlate,
	.opts = pkttype_opts, .parse = pkttype_parse, .final_check = pkttype_final_check,
	.print = pkttype_print, .save = pkttype_save, .match = pkttype_mt,
};
