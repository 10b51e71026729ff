/* ct_helper.h - conntrack helpers and expectations (nf_conntrack_helper.c,
 * nf_conntrack_expect.c; the FTP helper in ct_helper_ftp.c).
 *
 * A helper reads the packets of the entries it is attached to (after the
 * filter chains, in the confirm op, as the kernel's nf_confirm runs
 * helper->help) and may create expectations: "a connection from A to B:P
 * is coming, and it belongs to this entry". A new entry matching one
 * becomes RELATED, its `master` the expecting entry. Linux 6.x assigns
 * helpers only explicitly: the CT target's template (`-j CT --helper ftp`)
 * names the helper of the entry its packet creates.
 *
 * Design: helpers are registered per namespace by `modprobe
 * nf_conntrack_ftp [ports=...]` (or by the CT rule that needs one, as the
 * kernel's request_module does); an entry's helper data (struct
 * nf_conn_help) is a conntrack extension (NF_CT_EXT_HELPER) kept in a side
 * table keyed by the entry, so struct ct_entry does not grow.
 * Expectations are a list in creation order (the kernel hashes them; with
 * the few a scenario holds, `conntrack -L expect` lists them oldest first).
 * They expire at the first gc tick at or after their timeout (the kernel's
 * per-expectation timer is finer; natsim's clock for timeouts is the gc's).
 */
#ifndef NAT_CT_HELPER_H
#define NAT_CT_HELPER_H

#include <glib.h>
#include "nat/conntrack/ct.h"

struct nf_ns;

/* struct nf_conntrack_expect_policy */
struct nf_ct_expect_policy {
	unsigned max_expected;
	unsigned timeout;	/* seconds */
};

struct nf_conn_help;

/* struct nf_conntrack_helper */
struct nf_ct_helper {
	char name[16];		/* "ftp", "ftp-2121" */
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	uint16_t port;		/* the port it was made for (ports=) */
	const struct nf_ct_expect_policy *policy;
	/* helper->help: NF_ACCEPT or NF_DROP (skb->drop_reason set) */
	int (*help)(struct nf_ns *ns, struct nf_skb *skb, unsigned protoff,
		    struct ct_entry *ct, uint8_t ctinfo, nf_time now);
};

/* struct nf_ct_ftp_master: where the last lines ended, per direction */
#define NUM_SEQ_TO_REMEMBER 2
struct nf_ct_ftp_master {
	uint32_t seq_aft_nl[CT_DIR_MAX][NUM_SEQ_TO_REMEMBER];
	uint16_t seq_aft_nl_num[CT_DIR_MAX];
};

/* struct nf_conn_help: an entry's helper, its expectations, its children */
struct nf_conn_help {
	const struct nf_ct_helper *helper;
	unsigned expecting;		/* expecting[NF_CT_EXPECT_CLASS_DEFAULT] */
	GPtrArray *children;		/* struct ct_entry * whose master this is */
	struct nf_ct_ftp_master ftp;
};

/* struct nf_conntrack_expect. The mask covers the source address and port
 * (the destination and protocol must match exactly, as the kernel's
 * nf_ct_tuple_mask_cmp). */
struct nf_ct_expect {
	struct ct_tuple tuple;
	uint32_t mask_src;
	uint16_t mask_sport;
	struct ct_entry *master;
	nf_time timeout;
	unsigned class;
	/* set by a NAT helper (nf_nat_ftp): the announced port before it was
	 * changed (saved_proto), the direction the connection comes from, and
	 * what to do with the new entry when it arrives (expectfn:
	 * nf_nat_follow_master), called by init_conntrack */
	uint16_t saved_port;
	uint8_t dir;
	void (*expectfn)(struct nf_ns *ns, struct ct_entry *ct, const struct nf_ct_expect *exp,
			 nf_time now);
};

/* nf_nat_ftp_hook: NAT's rewrite of the line the FTP helper found
 * (type: enum nf_ct_ftp_type), which also registers the expectation.
 * NF_ACCEPT or NF_DROP. */
typedef int (*nf_nat_ftp_hook_fn)(struct nf_ns *ns, struct nf_skb *skb, uint8_t ctinfo,
				  int type, unsigned protoff, unsigned matchoff,
				  unsigned matchlen, struct nf_ct_expect *exp, nf_time now);

/* nf_nat_tftp_hook: NAT registers the TFTP expectation. NF_ACCEPT or
 * NF_DROP. */
typedef int (*nf_nat_tftp_hook_fn)(struct nf_ns *ns, struct nf_skb *skb, uint8_t ctinfo,
				   struct nf_ct_expect *exp, nf_time now);

/* conntrack's helper state of a namespace (ns->ct->help) */
struct nf_ct_helper_net {
	GPtrArray *helpers;		/* struct nf_ct_helper *, owned, load order */
	GPtrArray *expects;		/* struct nf_ct_expect *, owned, creation order */
	GHashTable *help;		/* struct ct_entry * -> struct nf_conn_help * */
	uint64_t expect_new, expect_create, expect_delete;
	/* set while nf_nat_ftp is loaded (`modprobe nf_nat_ftp`) */
	nf_nat_ftp_hook_fn nat_ftp;
	nf_nat_tftp_hook_fn nat_tftp;	/* `modprobe nf_nat_tftp` */
	nf_time now;			/* the time of the namespace's last event */
};

/* ----- helpers (ct_helper.c) ----- */

/* modprobe nf_conntrack_ftp [ports=21,2121] (or nf_conntrack_tftp
 * [ports=69]): 0, or -1 with err set. */
int nf_ct_helper_load(struct nf_ns *ns, const char *module, const char *ports, GString *err);
/* nf_nat_ftp's module init: RCU_INIT_POINTER(nf_nat_ftp_hook, ...). */
void nf_ct_helper_set_nat_ftp(struct nf_ns *ns, nf_nat_ftp_hook_fn fn);
void nf_ct_helper_set_nat_tftp(struct nf_ns *ns, nf_nat_tftp_hook_fn fn);
/* __nf_conntrack_helper_find by name and protocol; NULL if not loaded. */
const struct nf_ct_helper *nf_ct_helper_find(struct nf_ns *ns, const char *name, uint8_t proto);
/* nf_conntrack_helper_try_module_get: found, or its module loaded for a
 * base name ("ftp" tcp, "tftp" udp) and found then; NULL if neither. */
const struct nf_ct_helper *nf_ct_helper_get(struct nf_ns *ns, const char *name, uint8_t proto);
/* Does a module of that name exist in natsim (nf_conntrack_ftp)? */
bool nf_ct_helper_module_known(const char *module);
/* The entry's helper data, NULL if it has none. */
struct nf_conn_help *nfct_help(const struct nf_ns *ns, const struct ct_entry *ct);
/* nf_ct_helper_ext_add + the helper: at the entry's creation. */
struct nf_conn_help *nf_ct_helper_assign(struct nf_ns *ns, struct ct_entry *ct,
					 const struct nf_ct_helper *helper);
/* The references other entries hold on ct (its RELATED children): added
 * to `use` in conntrack -L. */
unsigned nf_ct_master_refs(const struct nf_ns *ns, const struct ct_entry *ct);
/* init_conntrack's expectation step: the expectation t matches, if any,
 * is consumed (DESTROY event); ct becomes its master's child, EXPECTED. */
bool nf_ct_expect_apply(struct nf_ns *ns, struct ct_entry *ct, const struct ct_tuple *t,
			nf_time now);
/* nf_confirm's helper step (run by the confirm op before confirming). */
int nf_ct_helper_run(struct nf_ns *ns, struct nf_skb *skb, nf_time now);
/* The extension type (registered by conntrack's pernet init). */
extern const struct nf_ct_ext_type ct_helper_ext;

/* ----- expectations (ct_expect.c) ----- */

/* nf_ct_expect_related: 0, or -EBUSY (clash), -EMFILE (over a limit). */
int nf_ct_expect_related(struct nf_ns *ns, const struct nf_ct_expect *exp, nf_time now);
/* nf_ct_find_expectation: the live expectation t matches (t->zone: the new
 * entry's zone id, equal to its master's), unlinked (and
 * freed by the caller with g_free), or NULL. */
struct nf_ct_expect *nf_ct_find_expectation(struct nf_ns *ns, const struct ct_tuple *t,
					    nf_time now);
/* nf_ct_remove_expectations: the master goes, its expectations with it. */
void nf_ct_remove_expectations(struct nf_ns *ns, struct ct_entry *master, nf_time now);
/* Expired expectations go (DESTROY events), at the gc tick `now`. */
void nf_ct_expect_gc(struct nf_ns *ns, nf_time now);
/* The earliest expectation timeout, NF_TIME_NEVER if none. */
nf_time nf_ct_expect_next(const struct nf_ns *ns);
/* `conntrack -L expect` / -E expect text of one expectation (event NULL,
 * "NEW" or "DESTROY"), no newline. */
void nf_ct_expect_format(const struct nf_ns *ns, const struct nf_ct_expect *exp, nf_time now,
			 const char *event, GString *out);
/* Unlink and free one expectation (DESTROY event, expect_delete). */
void nf_ct_unlink_expect(struct nf_ns *ns, struct nf_ct_expect *exp, nf_time now);
/* Free the namespace's helper state. */
void nf_ct_helper_net_free(struct nf_ns *ns);

/* ----- the FTP helper (ct_helper_ftp.c) ----- */
/* enum nf_ct_ftp_type: what the line announced */
enum nf_ct_ftp_type { NF_CT_FTP_PORT, NF_CT_FTP_PASV, NF_CT_FTP_EPRT, NF_CT_FTP_EPSV };
extern const struct nf_ct_expect_policy ftp_exp_policy;
int nf_ct_ftp_help(struct nf_ns *ns, struct nf_skb *skb, unsigned protoff, struct ct_entry *ct,
		   uint8_t ctinfo, nf_time now);
/* The parser alone (the fuzzer's and unit tests' entry): find_pattern over
 * one direction's search table. Returns 1 match (*addr, *port, *off, *len
 * set), 0 none, -1 partial. */
int nf_ct_ftp_parse(const char *data, size_t dlen, enum ct_dir dir, uint32_t *addr,
		    uint16_t *port, unsigned *off, unsigned *len, int *type);

/* ----- the TFTP helper (ct_helper_tftp.c) ----- */
extern const struct nf_ct_expect_policy tftp_exp_policy;
int nf_ct_tftp_help(struct nf_ns *ns, struct nf_skb *skb, unsigned protoff, struct ct_entry *ct,
		    uint8_t ctinfo, nf_time now);

#endif
