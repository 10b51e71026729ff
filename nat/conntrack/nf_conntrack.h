/* nf_conntrack.h - conntrack's part of the simulator's interface (nat/nf.h
 * includes it): the gc on the simulated clock and the read-only queries.
 *
 * A header of its own so that conntrack's files, which may not include the
 * assembled nat/nf.h (a higher layer), see the prototypes they define.
 * Implemented in ct_gc.c and nf_peek.c.
 */
#ifndef NAT_NF_CONNTRACK_H
#define NAT_NF_CONNTRACK_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>
#include "nat/core/nf_types.h"

struct nf_ns;

/* The garbage collector on the simulated clock (gc_worker): it ticks at
 * every whole simulated second from 1 s; a tick scans a slice of the table,
 * reaping expired entries (DESTROY events). nf_gc runs the ticks up to `now`
 * not yet run, in order: those with work (nf_gc_next) are run, the others
 * only move the scan cursor, in one step however many they are. Returns how
 * many ticks had work. The caller must have run the ticks that precede an
 * event before handing the namespace that event (a packet, a command). */
unsigned nf_gc(struct nf_ns *ns, nf_time now);
/* The first tick not yet run that has work (a reap or the early drop), with
 * the table as it is; NF_TIME_NEVER if none. Ticks before it reap nothing. */
nf_time nf_gc_next(struct nf_ns *ns);
/* Simulated nanoseconds between two ticks. */
#define NF_GC_INTERVAL 1000000000LL

/* Queries for expectations and summary.json. */
unsigned nf_ct_count(struct nf_ns *ns, nf_time now);
/* `conntrack -L` lines into out (one per entry, newline-terminated). */
unsigned nf_ct_list(struct nf_ns *ns, nf_time now, GString *out);
/* A `conntrack -S` counter by name; false if no such counter. */
bool nf_ct_stat(struct nf_ns *ns, const char *name, uint64_t *value);
/* Names of all conntrack -S counters, NULL-terminated, in -S order. */
const char *const *nf_ct_stat_names(void);

/* A side-effect-free look at a router's conntrack numbers for the report
 * (--report): no reaping, no events, so watching never changes the run. */
struct nf_ct_peek {
	uint32_t count;		/* nf_conntrack_count (expired, unreaped included) */
	uint32_t peak;		/* the highest count since the namespace started */
	uint32_t max;		/* nf_conntrack_max */
	uint64_t drop, early_drop, insert_failed, invalid;
};
void nf_ct_peek(const struct nf_ns *ns, struct nf_ct_peek *out);

/* Several CPUs (ct_race.c): the simulator hands the packets of one instant
 * that several CPUs process at once in rounds (sim/net/cpu.c). A round
 * starts with nf_ct_cpu_round, each packet's walk is preceded by
 * nf_ct_cpu_set(its CPU), and nf_ct_cpu_end ends the rounds. Within a round
 * a packet's lookups miss the entries other CPUs' packets confirmed in that
 * round (they were unconfirmed when it looked); its confirm meets them. */
void nf_ct_cpu_round(struct nf_ns *ns);
void nf_ct_cpu_set(struct nf_ns *ns, unsigned cpu);
void nf_ct_cpu_end(struct nf_ns *ns);

/* nfct's timeout objects (nfnetlink_cttimeout, ct_timeout.c). A protocol
 * (l4num) has nf_cttimeout_nstates() policy values, in the order of its
 * CTA_TIMEOUT_* attributes, each named as libnetfilter_cttimeout names it;
 * 0 states: a protocol natsim has no policy for. add: `secs` for the
 * states whose bit is in `set` (the others from the sysctl defaults), EBUSY
 * when the name exists, EINVAL with no state given; del: ENOENT, EBUSY
 * while a rule uses it, or with name NULL every unused one (flush); walk:
 * one (ENOENT) or, name NULL, all in the order added. */
#define NF_CT_TIMEOUT_NAME_MAX 32	/* CTNL_TIMEOUT_NAME_MAX, with the NUL */
#define NF_CT_TIMEOUT_STATES_MAX 11
unsigned nf_cttimeout_nstates(uint8_t l4num);
const char *nf_cttimeout_state_name(uint8_t l4num, unsigned i);
int nf_cttimeout_add(struct nf_ns *ns, const char *name, uint16_t l3num, uint8_t l4num,
		     const uint32_t *secs, uint32_t set);
int nf_cttimeout_del(struct nf_ns *ns, const char *name);
int nf_cttimeout_walk(struct nf_ns *ns, const char *name,
		      void (*fn)(void *ctx, const char *name, uint16_t l3num, uint8_t l4num,
				 const uint32_t *secs, unsigned n), void *ctx);

#endif
