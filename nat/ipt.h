/* ipt.h - iptables: tables, chains, rules, matches and targets.
 *
 * Mirrors net/ipv4/netfilter/ip_tables.c (ipt_do_table) and the iptables
 * userspace (iptables 1.8 parsing, -L / -S / iptables-save text). A table is a
 * set of built-in chains (with policy) and user chains; a rule is a list of
 * matches and one target (or none: counters only). Rules are parsed once into
 * this structure; matching never parses text.
 */
#ifndef NAT_IPT_H
#define NAT_IPT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "nat.h"

enum ipt_table_id { IPT_FILTER, IPT_NAT, IPT_MANGLE, IPT_RAW, IPT_NTABLES };

/* Conntrack state bits for -m state / -m conntrack (XT_STATE_*). */
enum {
	IPT_STATE_INVALID = 1 << 0,
	IPT_STATE_ESTABLISHED = 1 << 1,
	IPT_STATE_RELATED = 1 << 2,
	IPT_STATE_NEW = 1 << 3,
	IPT_STATE_UNTRACKED = 1 << 4,
	/* -m conntrack --ctstate only: */
	IPT_STATE_SNAT = 1 << 5,
	IPT_STATE_DNAT = 1 << 6,
};

enum ipt_verdict_kind {
	IPT_T_NONE,	/* no -j: counters only, continue */
	IPT_T_ACCEPT, IPT_T_DROP, IPT_T_RETURN, IPT_T_JUMP, IPT_T_GOTO,
	IPT_T_REJECT, IPT_T_LOG,
	IPT_T_SNAT, IPT_T_DNAT, IPT_T_MASQUERADE, IPT_T_REDIRECT,
	IPT_T_NOTRACK, /* raw table CT --notrack / NOTRACK */
	IPT_T_MARK,    /* mangle MARK --set-mark */
};

struct ipt_chain;

/* One rule. The parsed form keeps everything needed to print it back exactly
 * as iptables -S / iptables-save print it. */
struct ipt_rule {
	/* -p, -s, -d, -i, -o, each with '!' */
	uint8_t proto; bool proto_inv;	/* 0 = any */
	uint32_t src, src_mask; bool src_inv;
	uint32_t dst, dst_mask; bool dst_inv;
	char in[16], out[16]; bool in_inv, out_inv; /* "" = any; "eth+" wildcard */
	/* --sport/--dport (tcp/udp match) and -m multiport */
	uint16_t sport_min, sport_max; bool sport_set, sport_inv;
	uint16_t dport_min, dport_max; bool dport_set, dport_inv;
	uint8_t mport_kind; bool mport_inv; /* 0 none, 1 --sports, 2 --dports, 3 --ports */
	uint8_t mport_n; uint16_t mport_min[15], mport_max[15];
	/* --tcp-flags MASK COMP, --syn */
	uint8_t tcp_flags_mask, tcp_flags_cmp; bool tcp_flags_set, tcp_flags_inv;
	/* --icmp-type */
	int16_t icmp_type; int16_t icmp_code; bool icmp_set, icmp_inv; /* code -1: any */
	/* -m state --state / -m conntrack --ctstate */
	uint8_t state_mask; bool state_set, state_inv, state_is_conntrack;
	/* -m comment --comment */
	char *comment;
	/* matches in the order given, for printing: e.g. "state", "comment", "tcp" */
	char *match_order;
	/* target */
	enum ipt_verdict_kind target;
	struct ipt_chain *jump;		/* IPT_T_JUMP / IPT_T_GOTO */
	struct nat_range range;		/* SNAT DNAT MASQUERADE REDIRECT */
	uint8_t reject_with;		/* enum nf_reject_with */
	char *log_prefix; uint8_t log_level;
	uint32_t mark_value, mark_mask;
	/* counters */
	uint64_t packets, bytes;
};

struct ipt_chain {
	char *name;
	bool builtin;
	int policy;		/* NF_ACCEPT / NF_DROP for built-in chains */
	uint64_t packets, bytes; /* policy counters */
	GPtrArray *rules;	/* struct ipt_rule * */
	unsigned refs;		/* jumps pointing here (-X refuses when > 0) */
};

struct ipt_table {
	enum ipt_table_id id;
	GPtrArray *chains;	/* struct ipt_chain *, built-ins first in kernel order */
};

struct nf_ns;

void ipt_tables_init(struct nf_ns *ns);
void ipt_tables_free(struct nf_ns *ns);

/* ipt_do_table: traverse the table's chain for `hook`. For the nat table the
 * SNAT/DNAT/... targets bind skb->ct via nat_setup_info() etc. Returns an
 * enum nf_verdict (NF_ACCEPT, NF_DROP, NF_REJECT). */
int ipt_do_table(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook,
		 struct nf_skb *skb, const char *in, const char *out, nf_time now);

/* True if the table's chain for this hook has at least one rule (fast path:
 * an empty nat chain still makes a null binding, but needs no traversal). */
bool ipt_hook_has_rules(struct nf_ns *ns, enum ipt_table_id table, enum nf_hook hook);

/* A rule in `iptables -S` form without "-A CHAIN " (e.g. "-p tcp -j ACCEPT"). */
void ipt_rule_format(const struct ipt_rule *r, GString *out);

#endif
