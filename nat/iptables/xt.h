/* xt.h - the iptables extension registry: one ops record per match or
 * target, the libxt_NAME / xt_NAME split in one place.
 *
 * Mirrors the two halves Linux and iptables keep apart: the userspace
 * extension (iptables' struct xtables_match / xtables_target: an option
 * table, x6_parse, x6_fcheck, print for -L, save for -S) and the kernel's
 * (struct xt_match / xt_target: the match or target function, checkentry
 * with the table, hook and protocol a module allows, destroy). natsim has
 * both in one record, defined in one file under nat/iptables/xt/ and named
 * once in the registry table (xt_registry.c).
 *
 * Design: a rule keeps an array of (ops, data) instances in the order they
 * were given (the order -S prints them) and one target instance; `data` is
 * the extension's own struct (ops->size bytes, zeroed, then ops->init),
 * allocated with the rule, so struct ipt_rule knows no extension. Names
 * without ops stay "not implemented" (ipt_ext_names.c).
 */
#ifndef NAT_XT_H
#define NAT_XT_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "nat/iptables/ipt.h"

/* Option ids at or above this are options real iptables has and natsim
 * does not: the parser says so in natsim's voice before calling parse. */
#define XT_OPT_UNIMPL 1000

/* One long option of an extension (struct xt_option_entry, reduced):
 * has_arg 0 none, 1 required, 2 optional. Aliases share an id. */
struct xt_option {
	const char *name;
	int has_arg;
	int id;
};

/* What an extension's parse and final_check see (xt_option_call). */
struct xt_parse {
	const struct xt_ops *ops;
	const struct ipt_rule *rule;	/* the rule so far (-p, -s, ...) */
	bool invert;			/* '!' before the option */
	GString *msg;			/* the error text (xtables_error) */
	int argc;
	char **argv;
	int *next;			/* options taking two words (--tcp-flags) */
	unsigned *once;			/* this instance's options given (xt mflags) */
};

/* The packet as ipt_do_table read it once (ip_packet_match's view). */
struct xt_pkt {
	uint32_t src, dst;
	uint16_t len, frag;	/* total length; fragment offset */
	uint8_t proto;
	const uint8_t *l4;
	uint32_t l4len;
};

/* struct xt_action_param: what a match or target function gets. */
struct xt_action_param {
	struct nf_ns *ns;
	struct nf_skb *skb;
	const struct xt_pkt *pkt;
	const char *in, *out;
	enum nf_hook hook;
	nf_time now;
	bool hotdrop;		/* a header the match needs is truncated: drop */
};

/* struct xt_mtchk_param / xt_tgchk_param. */
struct xt_check_param {
	struct nf_ns *ns;		/* NULL for a dry run's scratch table */
	const struct ipt_rule *rule;
	enum ipt_table_id table;
	unsigned hookmask;	/* hooks reaching the rule's chain */
	/* the hook_mask nft_compat hands a checkentry (nft_target_set_tgchk_param,
	 * iptables-nft): the hook of a base chain, 0 in a user chain */
	unsigned nft_hookmask;
};

/* A target's verdict that lets the traversal go on (the kernel's XT_CONTINUE). */
#define XT_CONTINUE 0xFFFFFFFFu

/* A NAT target's verdict: a failed binding (no address to masquerade to)
 * drops the packet for NAT's reason, not the rule's. */
static inline unsigned xt_nat_verdict(struct xt_action_param *par, int v)
{
	if (v != NF_ACCEPT)
		par->skb->drop_reason = NF_DROP_REASON_NAT;
	return (unsigned)v;
}

enum xt_kind { XT_MATCH, XT_TARGET };

/* iptables-translate's buffer (libxtables' struct xt_xlate): the rule's
 * nft text, pieces joined as xt_xlate_add joins them, and the comment a
 * -m comment leaves for the end of the rule. */
struct xt_xlate {
	GString *rule;
	char *comment;		/* quoted; NULL: none */
	/* xt_xlate_set_add's buffer: the sets the rule needs, printed as an
	 * `add set` line before it (connlimit's); and how many such sets the
	 * process has named (libxt_connlimit's static counter: a restore file
	 * counts on from line to line, and a rule printed as a comment counts
	 * too). */
	GString *set;
	unsigned *nset;
};

struct xt_ops {
	const char *name;	/* -m NAME / -j NAME */
	enum xt_kind kind;
	size_t size;		/* private data of an instance */

	/* userspace side (libxt_NAME) */
	const struct xt_option *opts;	/* NULL-terminated; NULL: none */
	void (*init)(void *data);	/* defaults (LOG level 4, REJECT port-unreach) */
	/* One option; 0 or 2 with the text in p->msg. */
	int (*parse)(struct xt_parse *p, int id, const char *arg, void *data);
	/* After the whole command line (x6_fcheck). */
	int (*final_check)(struct xt_parse *p, const void *data);
	/* iptables-nft's own refusal when it translates the rule (after the
	 * generic checks of the command line): tcp/udp options need -p. */
	int (*nft_check)(const struct ipt_rule *r, const void *data, GString *msg);
	/* -L text (matches: all of it; targets: what follows the column). */
	void (*print)(GString *o, const void *data, uint8_t proto, bool numeric);
	/* -S text after " -m NAME" / " -j NAME". */
	void (*save)(GString *o, const void *data);
	/* iptables-nft reads the options of every instance back into one
	 * (tcp, udp): which instances have options, and how a later one
	 * folds into the first. NULL: each instance prints on its own. */
	bool (*mergeable)(const void *data);
	void (*merge)(void *into, const void *later);
	/* iptables-translate (the extension's xlate): append the nft text
	 * with xt_xlate_add; false where iptables 1.8.9 has no xlate for the
	 * case (the rule is then printed as a comment). */
	bool (*xlate)(struct xt_xlate *xl, const struct ipt_rule *r, const void *data);
	/* iptables 1.8.9's extension has no xlate at all (recent, tos, TTL):
	 * the rule is a comment. An extension with neither this nor xlate is
	 * one natsim has not taught to translate: it says so. */
	bool no_xlate;
	/* `nft list ruleset` of an iptables-nft rule (nft_list_xt.c): the
	 * text nft prints for the native nf_tables expressions iptables-nft
	 * 1.8.9 makes of this extension (nft.c add_match: tcp, udp, mark,
	 * limit; TRACE's nftrace), appended with xt_xlate_add. NULL: the
	 * extension is kept as an xt expression, which nft prints by the
	 * extension's xlate (else as `xt match|target NAME`). */
	void (*nft_list)(struct xt_xlate *xl, const struct ipt_rule *r, const void *data);
	/* Deep parts of a copy (strings), and of a free. */
	void (*copy)(void *dst, const void *src);
	void (*destroy)(void *data);
	/* A name the rule refers to, resolved in the namespace when the rule
	 * is made, not in a dry run (libxt_set's get_set_byname): 0, or 2
	 * with iptables' message in msg. NULL: nothing to resolve. */
	int (*bind)(struct nf_ns *ns, void *data, GString *msg);

	/* kernel side (xt_NAME) */
	bool (*match)(struct xt_action_param *par, const void *data);
	/* An enum nf_verdict, or XT_CONTINUE. */
	unsigned (*target)(struct xt_action_param *par, const void *data);
	const char *table;	/* only valid in this table; NULL: any */
	unsigned hooks;		/* only usable from these hooks; 0: any */
	uint8_t proto;		/* match only valid for this protocol; 0: any */
	/* Further kernel checks; 0 or EINVAL with the kernel log line in klog. */
	int (*checkentry)(const struct xt_check_param *par, const void *data, GString *klog);
	bool needs_ct;		/* loads conntrack (nf_ct_netns_get) */
	/* the same, decided per instance (a target's checkentry); NULL: no */
	bool (*loads_ct)(const void *data);

	/* standard targets: the verdict (ACCEPT, DROP, RETURN); else IPT_T_EXT */
	enum ipt_verdict_kind verdict;
	const char *column;	/* -L target column when not the name */
	const char *trace;	/* --trace's text for the verdict when not the name */
};

/* The registry (xt_registry.c). NULL when natsim has no such extension. */
const struct xt_ops *xt_find(const char *name, enum xt_kind kind);
/* The match iptables loads for a -p protocol (load_proto), or NULL. */
const struct xt_ops *xt_find_proto_match(uint8_t proto);

/* ----- helpers for extensions: parsing (ipt_parse.c) ----- */
int xt_err(struct xt_parse *p, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* natsim's voice for something real iptables accepts. */
int xt_unimpl(GString *msg, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* "NAME: option \"--CANON\" can only be used once." (bit `id` of p->once) */
int xt_once(struct xt_parse *p, const char *canon, int id);
/* "NAME: option \"--CANON\" cannot be inverted." */
int xt_noinvert(struct xt_parse *p, const char *canon);
bool xt_strtoul(const char *s, unsigned long max, unsigned long *out);
/* xtables_strtoul (XTTYPE_UINT8 and friends): base 0, so 0x2e is hex. */
bool xt_strtoul0(const char *s, unsigned long max, unsigned long *out);
bool xt_parse_ip(const char *s, uint32_t *out);
/* A port number or a service name of the protocol (xtables_parse_port). */
bool xt_port_value(const char *s, uint8_t proto, uint16_t *out);

/* ----- helpers for extensions: printing (ipt_print.c) ----- */
/* A port, by its service name unless numeric. */
void xt_print_port(GString *o, uint16_t port, uint8_t proto, bool numeric);
/* xtables_save_string: " word" or " \"quoted text\"". */
void xt_save_string(GString *o, const char *s);

/* ----- helpers for extensions: translating (ipt_xlate.c) ----- */
/* xt_xlate_add: a space first when the buffer does not end in one and the
 * text starts with a letter, digit or bracket. */
void xt_xlate_add(struct xt_xlate *xl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* xt_xlate_set_add: the same, into the rule's `add set` text. */
void xt_xlate_set_add(struct xt_xlate *xl, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* The protocol's /etc/protocols name (getprotobynumber), NULL unknown. */
const char *xt_xlate_proto_name(uint8_t proto);

/* ----- shared by -m state and -m conntrack (xt_state.c) ----- */
enum {
	XT_STATE_INVALID = 1 << 0,
	XT_STATE_ESTABLISHED = 1 << 1,
	XT_STATE_RELATED = 1 << 2,
	XT_STATE_NEW = 1 << 3,
	XT_STATE_UNTRACKED = 1 << 4,
	/* -m conntrack --ctstate only: */
	XT_STATE_SNAT = 1 << 5,
	XT_STATE_DNAT = 1 << 6,
};
int xt_state_parse_list(struct xt_parse *p, const char *arg, bool ct, uint8_t *out);
void xt_state_print_list(GString *o, uint8_t mask);
/* state_xlate_print: "! " when inverted, then nft's state names. */
void xt_state_xlate_list(struct xt_xlate *xl, uint8_t mask, bool inv);
/* The packet's state bit (state_mt's statebit). */
unsigned xt_state_bit(const struct nf_skb *skb);

/* ----- shared by SNAT, DNAT, MASQUERADE, REDIRECT (xt_nat.c) ----- */
/* -p allows ports (tcp, udp, sctp, dccp, icmp; not inverted). */
bool xt_nat_portok(const struct ipt_rule *r);
/* "PORT[-PORT]" into the range (libxt_NAT parse_ports). */
int xt_nat_parse_ports(struct xt_parse *p, const char *arg, struct nf_nat_range2 *range);
/* ADDR[-ADDR][:PORT[-PORT]] (addr true) or PORT[-PORT]. */
void xt_nat_print_range(GString *o, const struct nf_nat_range2 *r, bool addr);
/* " random" / " --random" ... of the range's flags. */
void xt_nat_print_flags(GString *o, const struct nf_nat_range2 *r, bool save);
/* __NAT_xlate: TGT (snat, dnat, masquerade, redirect), ` to RANGE`, the
 * flags joined by commas. */
bool xt_nat_xlate(struct xt_xlate *xl, const struct nf_nat_range2 *r, const char *tgt);

/* ----- shared by -m tos and -j TOS (xt_tos.c) ----- */
/* XTTYPE_TOSMASK: VALUE[/MASK] (mask 0xff) or a symbolic name (mask 0x3f). */
int xt_tos_parse(struct xt_parse *p, const char *arg, uint8_t *value, uint8_t *mask);
/* tos_try_print_symbolic: " PREFIXNAME" when the mask is 0x3f and the
 * value has a name; false (nothing printed) otherwise. */
bool xt_tos_print_symbolic(GString *o, const char *prefix, uint8_t value, uint8_t mask);
/* ipv4_change_dsfield: tos = (tos & mask) | value, the header checksum
 * updated as csum_replace2 does. */
void xt_ipv4_change_dsfield(uint8_t *ip, uint8_t mask, uint8_t value);

/* ----- shared by -m dscp and -j DSCP (xt_dscp.c) ----- */
/* class_to_dscp: the DSCP of a class name (CS0-7, BE, AF11-43, EF). */
int xt_dscp_class(struct xt_parse *p, const char *name, uint8_t *dscp);

/* ----- shared by NETMAP and connlimit (xt_NETMAP.c) ----- */
/* xtopt_parse_mask as iptables 1.8.9 reads a mask: a prefix length (base
 * 0), else an address (inet_aton's forms); a mask that is not contiguous
 * counts as 255.255.255.255 (*contiguous false, when not NULL). False:
 * neither. */
bool xt_plenmask_parse(const char *s, uint32_t *mask, bool *contiguous);

/* ----- -m recent's lists (xt_recent.c) ----- */
extern const struct xt_ops xt_recent_ops;
/* Free the namespace's lists (from ipt_tables_free). */
void xt_recent_net_exit(struct nf_ns *ns);

/* ----- -m nfacct's accounting objects (xt_nfacct.c) ----- */
extern const struct xt_ops xt_nfacct_ops;
/* Free the namespace's objects (from ipt_tables_free). */
void xt_nfacct_net_exit(struct nf_ns *ns);

/* ----- shared by -m set and -j SET (xt_set.c) ----- */
struct ip_set;
struct ip_set_pkt;
/* A set named by a rule: the name as given, the slot once bound (with a
 * reference), the dimensions and which of them are src (bit i). */
struct xt_set_ref {
	char name[32];
	struct ip_set *set;
	uint8_t dim, src;
};
/* NAME and the next word's src,dst list (libxt_set's parse_dirs). */
int xt_set_parse_ref(struct xt_parse *p, const char *opt, const char *name, struct xt_set_ref *r);
int xt_set_bind_ref(struct nf_ns *ns, struct xt_set_ref *r, GString *msg);
void xt_set_ref_copy(struct xt_set_ref *r);
void xt_set_ref_put(struct xt_set_ref *r);
/* " PREFIX NAME src,dst" */
void xt_set_print_ref(GString *o, const char *prefix, const struct xt_set_ref *r);
/* What the set types read of the packet. */
void xt_set_pkt(const struct xt_action_param *par, struct ip_set_pkt *p);

/* ----- -m hashlimit's tables (xt_hashlimit.c) ----- */
void xt_hashlimit_net_exit(struct nf_ns *ns);

#endif
