/* ct_race.c - conntrack on several CPUs: the insertion race, deterministically.
 *
 * Linux runs nf_conntrack_in for two packets of one new flow on two CPUs at
 * once: each misses the other's entry (an unconfirmed entry is in no hash
 * chain), each makes its own and NAT gives each its mapping, and the second
 * to reach __nf_conntrack_confirm meets the first's entry in the table
 * (nf_ct_resolve_clash). natsim is single-threaded and runs a packet's walk
 * whole, so the simulator (sim/net/cpu.c) hands netfilter the packets of one
 * instant in ROUNDS: CPUs run in lockstep, one packet each per round; in a
 * round every packet's hooks run before any confirm, then the confirms run
 * in a seeded order. natsim serialises a round (each packet's whole walk in
 * the seeded order) and gets the same result by hiding, from the lookups of
 * a packet on CPU c (ct_table_find, nf_conntrack_tuple_taken), the entries
 * confirmed in the current round by the other CPUs: when the packet looked
 * its tuple up, those were still unconfirmed. The confirm's own walk
 * (ct_find_raw_in) sees them: that is where the later packet meets them.
 * Outside a round (one CPU, or a node without `cpus`) ns->ct->race is NULL
 * and the lookups pay one pointer test.
 */
#include <stdlib.h>
#include "nat/conntrack/ct.h"
#include "nat/conntrack/nf_conntrack.h"
#include "nat/core/nf_ns.h"

struct ct_race_seen {
	const struct ct_entry *ct;	/* compared, never dereferenced */
	unsigned cpu;
};

struct ct_race {
	unsigned cpu;			/* the CPU of the packet in hand */
	unsigned n, cap;
	struct ct_race_seen *seen;	/* this round's confirms */
};

/* The store outlives rounds (one allocation per namespace); ns->ct->race
 * points at it only while a round is on. */
static struct ct_race *ct_race_store(struct nf_ns *ns)
{
	if (!ns->ct->race_store)
		ns->ct->race_store = g_new0(struct ct_race, 1);
	return ns->ct->race_store;
}

void nf_ct_cpu_round(struct nf_ns *ns)
{
	if (!ns || !ns->ct)
		return;
	ns->ct->race = ct_race_store(ns);
	ns->ct->race->n = 0;
	ns->ct->race->cpu = 0;
}

void nf_ct_cpu_set(struct nf_ns *ns, unsigned cpu)
{
	if (ns && ns->ct && ns->ct->race)
		ns->ct->race->cpu = cpu;
}

void nf_ct_cpu_end(struct nf_ns *ns)
{
	if (!ns || !ns->ct || !ns->ct->race)
		return;
	ns->ct->race->n = 0;
	ns->ct->race = NULL;
}

void ct_race_note(struct nf_ns *ns, const struct ct_entry *ct)
{
	struct ct_race *r = ns->ct->race;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		r->seen = g_renew(struct ct_race_seen, r->seen, r->cap);
	}
	r->seen[r->n].ct = ct;
	r->seen[r->n].cpu = r->cpu;
	r->n++;
}

/* The newest record of ct wins: an entry freed and its memory reused in one
 * round is a new entry, noted again when it is confirmed. */
bool ct_race_hidden(const struct nf_ns *ns, const struct ct_entry *ct)
{
	const struct ct_race *r = ns->ct->race;

	for (unsigned i = r->n; i-- > 0;)
		if (r->seen[i].ct == ct)
			return r->seen[i].cpu != r->cpu;
	return false;
}

void ct_race_free(struct nf_ns *ns)
{
	struct ct_race *r = ns->ct->race_store;

	if (!r)
		return;
	g_free(r->seen);
	g_free(r);
	ns->ct->race_store = NULL;
	ns->ct->race = NULL;
}
