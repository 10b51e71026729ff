/* probe.c - the observer lists of probe.h.
 *
 * Design: one singly linked list per kind, appended to (listeners run in
 * subscription order), each node holding one function pointer of the
 * kind's type in a union; a handful of listeners per run, so lists and
 * linear duplicate checks are all it needs.
 */
#include <glib.h>

#include "sim/core/probe.h"

static void probe_add(struct probe_set *ps, enum probe_kind k, struct probe pr)
{
	struct probe **pp = &ps->head[k];
	for (; *pp; pp = &(*pp)->next)
		if ((*pp)->ctx == pr.ctx && (*pp)->fn.any == pr.fn.any)
			return;
	struct probe *n = g_new(struct probe, 1);
	*n = pr;
	n->next = NULL;
	*pp = n;
}

void probe_add_packet(struct probe_set *ps, enum probe_kind k, probe_packet_fn fn, void *ctx)
{
	probe_add(ps, k, (struct probe){ .ctx = ctx, .fn.packet = fn });
}

void probe_add_drop(struct probe_set *ps, probe_drop_fn fn, void *ctx)
{
	probe_add(ps, PROBE_DROP, (struct probe){ .ctx = ctx, .fn.drop = fn });
}

void probe_add_hook(struct probe_set *ps, probe_hook_fn fn, void *ctx)
{
	probe_add(ps, PROBE_HOOK, (struct probe){ .ctx = ctx, .fn.hook = fn });
}

void probe_add_line(struct probe_set *ps, enum probe_kind k, probe_line_fn fn, void *ctx)
{
	probe_add(ps, k, (struct probe){ .ctx = ctx, .fn.line = fn });
}

void probe_add_output(struct probe_set *ps, probe_output_fn fn, void *ctx)
{
	probe_add(ps, PROBE_CMD_OUTPUT, (struct probe){ .ctx = ctx, .fn.output = fn });
}

void probe_add_argv(struct probe_set *ps, enum probe_kind k, probe_argv_fn fn, void *ctx)
{
	probe_add(ps, k, (struct probe){ .ctx = ctx, .fn.argv = fn });
}

void probe_add_walk(struct probe_set *ps, probe_walk_fn fn, void *ctx)
{
	probe_add(ps, PROBE_WALK, (struct probe){ .ctx = ctx, .fn.walk = fn });
}

void probe_remove_ctx(struct probe_set *ps, void *ctx)
{
	for (unsigned k = 0; k < PROBE_N; k++) {
		struct probe **pp = &ps->head[k];
		while (*pp) {
			struct probe *p = *pp;
			if (p->ctx == ctx) {
				*pp = p->next;
				g_free(p);
			} else {
				pp = &p->next;
			}
		}
	}
}

void probe_set_free(struct probe_set *ps)
{
	for (unsigned k = 0; k < PROBE_N; k++) {
		struct probe *p = ps->head[k];
		while (p) {
			struct probe *next = p->next;
			g_free(p);
			p = next;
		}
		ps->head[k] = NULL;
	}
}

void probe_fire_drop(struct probe_set *ps, struct node *n, const struct packet *p,
		     const struct ip_drop *why)
{
	for (struct probe *pr = ps->head[PROBE_DROP]; pr; pr = pr->next)
		pr->fn.drop(pr->ctx, n, p, why);
}

void probe_fire_hook(struct probe_set *ps, struct node *n, const struct nf_ct_peek *before)
{
	for (struct probe *pr = ps->head[PROBE_HOOK]; pr; pr = pr->next)
		pr->fn.hook(pr->ctx, n, before);
}

void probe_fire_line(struct probe_set *ps, enum probe_kind k, struct node *n, sim_time t,
		     const char *line)
{
	for (struct probe *pr = ps->head[k]; pr; pr = pr->next)
		pr->fn.line(pr->ctx, n, t, line);
}

void probe_fire_output(struct probe_set *ps, struct node *n, sim_time t, const char *text,
		       enum probe_stream stream)
{
	for (struct probe *pr = ps->head[PROBE_CMD_OUTPUT]; pr; pr = pr->next)
		pr->fn.output(pr->ctx, n, t, text, stream);
}

void probe_fire_argv(struct probe_set *ps, enum probe_kind k, struct node *n, char **argv,
		     int argc)
{
	for (struct probe *pr = ps->head[k]; pr; pr = pr->next)
		pr->fn.argv(pr->ctx, n, argv, argc);
}

void probe_fire_walk(struct probe_set *ps, const char *line)
{
	for (struct probe *pr = ps->head[PROBE_WALK]; pr; pr = pr->next)
		pr->fn.walk(pr->ctx, line);
}
