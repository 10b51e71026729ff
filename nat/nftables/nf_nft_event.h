/* nf_nft_event.h - nf_tables' change events, the public side of
 * nft_event.c (included by nat/nf.h). */
#ifndef NAT_NFTABLES_NF_NFT_EVENT_H
#define NAT_NFTABLES_NF_NFT_EVENT_H

#include <glib.h>
#include <stdbool.h>

struct nf_ns;

/* nf_tables' change events (nat/nftables/nft_event.c): a snapshot of the
 * objects nft and iptables-nft hold in ns, and the events from one
 * snapshot to another, in the kernel's order, as `nft monitor` prints them
 * (struct nf_nft_event, with free). */
enum nf_nft_ev_kind { NF_NFT_EV_TABLE, NF_NFT_EV_CHAIN, NF_NFT_EV_OBJ, NF_NFT_EV_SET,
		      NF_NFT_EV_ELEM, NF_NFT_EV_RULE };
struct nf_nft_event {
	enum nf_nft_ev_kind kind;
	bool add;		/* NEW*, else DEL* */
	bool replace;		/* an object changed in place: a rule's DEL and NEW, a chain's NEW */
	char *line, *line_h;	/* "add rule ip t c ...", the same with `-a`'s handles */
	char *set;		/* SET, ELEM: the set's key */
	char *refs;		/* RULE: keys of the named sets it names, '\n' after each */
};
struct nf_nft_snap;
struct nf_nft_snap *nf_nft_snapshot(struct nf_ns *ns);
void nf_nft_snapshot_free(struct nf_nft_snap *s);
/* The keys of the snapshot's named sets, '\n' after each (what a monitor
 * starting now has in its cache). */
void nf_nft_snapshot_sets(const struct nf_nft_snap *s, GString *out);
GPtrArray *nf_nft_events(const struct nf_nft_snap *before, const struct nf_nft_snap *after);
void nf_nft_event_free(struct nf_nft_event *e);
/* The NEWCHAIN events of the base chains of `table ip TABLE` in a
 * snapshot, in creation order (iptables-nft's -Z sends them again). */
GPtrArray *nf_nft_base_chains(const struct nf_nft_snap *s, const char *table);

/* `nft monitor trace` starts: the rules' counters as nft's cache holds
 * them from now on (nat/nftables/nft_trace_cache.c). */
void nf_nft_trace_cache(struct nf_ns *ns);

#endif
