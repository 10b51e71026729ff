/* replay.c - `replay FILE.pcap [dev IF] [speed X]`: a pcap's frames sent out
 * of an interface, byte for byte, keeping their relative timestamps.
 *
 * Like tcpreplay: frames bypass the IP stack (link_transmit); the first
 * leaves at command time, frame k at t0 + (ts_k - ts_0) / speed. The only
 * rewrite: an all-zero destination MAC becomes the link peer's MAC and an
 * all-zero source MAC the interface's own (scapy writes zeros when it has
 * no neighbour). The file is read lazily: one frame ahead, one pending
 * event, so a capture of any size costs one frame of memory. The dry run
 * reads the whole file, so a truncated or foreign capture is bad input
 * before anything is simulated.
 */
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>
#include "sim/apps/apps.h"

struct replay_job {
	uint64_t serial;
	struct iface *ifc;
	pcap_t *pc;
	char *path;
	double speed;
	sim_time t0;
	int64_t ts0;		/* first frame's timestamp, ns */
	bool have_next;
	int64_t next_ts;
	uint8_t *next;		/* the frame read ahead */
	uint32_t next_len, next_cap;
	uint64_t sent;
};

void replay_job_free(struct replay_job *r)
{
	if (r->pc)
		pcap_close(r->pc);
	g_free(r->path);
	g_free(r->next);
	g_free(r);
}

static char *replay_path(struct world *w, const char *file)
{
	if (g_path_is_absolute(file) || !w->files_dir)
		return g_strdup(file);
	return g_build_filename(w->files_dir, file, NULL);
}

static pcap_t *replay_open(const char *path, const char *file, GString *err)
{
	char errbuf[PCAP_ERRBUF_SIZE] = "";
	pcap_t *pc = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO,
							     errbuf);
	if (!pc) {
		g_string_append_printf(err, "%s: %s", file, errbuf);
		return NULL;
	}
	if (pcap_datalink(pc) != DLT_EN10MB) {
		g_string_append_printf(err, "%s: link-layer type %d is not Ethernet (LINKTYPE_ETHERNET)",
				       file, pcap_datalink(pc));
		pcap_close(pc);
		return NULL;
	}
	return pc;
}

/* Read the next frame into r->next; false at the end of the file (or on a
 * read error, already reported by the dry run). */
static bool replay_read(struct replay_job *r)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	r->have_next = false;
	if (pcap_next_ex(r->pc, &h, &data) != 1)
		return false;
	if (h->caplen > r->next_cap) {
		r->next_cap = h->caplen;
		r->next = g_realloc(r->next, r->next_cap);
	}
	if (h->caplen) /* an empty record: nothing to copy (r->next may be NULL) */
		memcpy(r->next, data, h->caplen);
	r->next_len = h->caplen;
	r->next_ts = (int64_t)h->ts.tv_sec * SIM_S + h->ts.tv_usec; /* tv_usec holds ns */
	r->have_next = true;
	return true;
}

static sim_time replay_due(const struct replay_job *r)
{
	int64_t d = r->next_ts - r->ts0;
	if (d < 0)
		d = 0; /* out-of-order timestamps: send at once */
	return r->t0 + (sim_time)((double)d / r->speed);
}

static struct replay_job *replay_find(struct node *n, uint64_t serial)
{
	struct app_node *t = app_node_peek(n);
	if (!t)
		return NULL;
	for (unsigned i = 0; i < t->replays->len; i++) {
		struct replay_job *r = g_ptr_array_index(t->replays, i);
		if (r->serial == serial)
			return r;
	}
	return NULL;
}

static bool mac_is_zero(const uint8_t *m)
{
	return !(m[0] | m[1] | m[2] | m[3] | m[4] | m[5]);
}

static void replay_ev(struct world *w, void *arg, uint64_t serial)
{
	struct replay_job *r = replay_find(arg, serial);
	if (!r || !r->pc)
		return;
	while (r->have_next && replay_due(r) <= w->now) {
		struct packet *p = packet_new(r->next_len);
		if (r->next_len)
			memcpy(p->data, r->next, r->next_len);
		if (r->next_len >= ETH_HLEN) {
			struct link *l = r->ifc->link;
			if (mac_is_zero(p->data) && l)
				memcpy(p->data, l->end[1 - r->ifc->link_side]->mac.b, 6);
			if (mac_is_zero(p->data + 6))
				memcpy(p->data + 6, r->ifc->mac.b, 6);
		}
		packet_parse(p);
		r->sent++;
		link_transmit(w, r->ifc, p);
		replay_read(r);
	}
	if (r->have_next) {
		world_at(w, replay_due(r), replay_ev, arg, r->serial);
	} else {
		pcap_close(r->pc); /* done: release the file */
		r->pc = NULL;
	}
}

int replay_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	static const char usage[] = "replay: usage: replay FILE.pcap [dev IF] [speed X]";
	if (argc < 2) {
		g_string_append(c->err, usage);
		return 2;
	}
	const char *file = argv[1], *dev = NULL;
	double speed = 1;
	for (int k = 2; k < argc; k += 2) {
		if (k + 1 >= argc) {
			g_string_append_printf(c->err, "replay: '%s' needs a value", argv[k]);
			return 2;
		}
		if (!strcmp(argv[k], "dev")) {
			dev = argv[k + 1];
		} else if (!strcmp(argv[k], "speed")) {
			char *end;
			speed = strtod(argv[k + 1], &end);
			if (*end || end == argv[k + 1] || !(speed > 0) || speed > 1e9) {
				g_string_append_printf(c->err, "replay: bad speed '%s' (a number > 0)",
						       argv[k + 1]);
				return 2;
			}
		} else {
			g_string_append_printf(c->err, "replay: unknown option '%s'\n%s", argv[k], usage);
			return 2;
		}
	}
	struct node *n = c->node;
	struct iface *ifc = NULL;
	if (dev) {
		ifc = iface_find(n, dev);
		if (!ifc && (!c->dry_run || n->ifaces->len)) {
			g_string_append_printf(c->err, "replay: %s: no such interface on %s", dev, n->name);
			return 2;
		}
	} else if (n->ifaces->len == 1) {
		ifc = g_ptr_array_index(n->ifaces, 0);
	} else if (!c->dry_run || n->ifaces->len > 1) {
		g_string_append_printf(c->err, "replay: %s has %u interfaces: say which with dev IF",
				       n->name, n->ifaces->len);
		return 2;
	}
	char *path = replay_path(c->w, file);
	pcap_t *pc = replay_open(path, file, c->err);
	if (!pc) {
		g_free(path);
		return 2;
	}
	if (c->dry_run) {
		/* Read it all: a damaged file is bad input now, not mid-run. */
		struct pcap_pkthdr *h;
		const u_char *data;
		int rc;
		while ((rc = pcap_next_ex(pc, &h, &data)) == 1)
			;
		if (rc == PCAP_ERROR)
			g_string_append_printf(c->err, "%s: %s", file, pcap_geterr(pc));
		pcap_close(pc);
		g_free(path);
		return rc == PCAP_ERROR ? 2 : 0;
	}
	struct replay_job *r = g_new0(struct replay_job, 1);
	r->serial = tr_serial(c->w);
	r->ifc = ifc;
	r->pc = pc;
	r->path = path;
	r->speed = speed;
	r->t0 = c->w->now;
	g_ptr_array_add(app_node_get(n)->replays, r);
	if (replay_read(r)) {
		r->ts0 = r->next_ts;
		world_at(c->w, r->t0, replay_ev, n, r->serial);
	} else {
		pcap_close(r->pc);
		r->pc = NULL;
	}
	return 0;
}
