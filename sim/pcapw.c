/* pcapw.c - capture: one pcap file per interface, written with libpcap.
 *
 * Design: a "dead" pcap handle with nanosecond precision, so the record
 * timestamps are the simulated clock exactly (ns-3 writes its traces the same
 * way). The file header has no wall-clock field, so equal runs give equal
 * bytes. iface_capture is the one place a frame is recorded; it also feeds
 * the `saw` expectations.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "world.h"

#define PCAPW_SNAPLEN 262144

struct pcapw {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	char *path;
	int error;		/* errno of the first failed write, 0 if none */
};

struct pcapw *pcapw_open(const char *path, GString *err)
{
	pcap_t *pc = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, PCAPW_SNAPLEN,
							  PCAP_TSTAMP_PRECISION_NANO);
	if (!pc) {
		if (err)
			g_string_append_printf(err, "%s: cannot create a pcap handle", path);
		return NULL;
	}
	pcap_dumper_t *d = pcap_dump_open(pc, path);
	if (!d) {
		if (err)
			g_string_append_printf(err, "%s: %s", path, pcap_geterr(pc));
		pcap_close(pc);
		return NULL;
	}
	struct pcapw *pw = g_new0(struct pcapw, 1);
	pw->pcap = pc;
	pw->dump = d;
	pw->path = g_strdup(path);
	return pw;
}

void pcapw_write(struct pcapw *pw, sim_time t, const uint8_t *data, uint32_t len)
{
	struct pcap_pkthdr h;
	/* With nanosecond precision libpcap stores tv_usec as nanoseconds. */
	h.ts.tv_sec = (time_t)(t / SIM_S);
	h.ts.tv_usec = (suseconds_t)(t % SIM_S);
	h.caplen = len < PCAPW_SNAPLEN ? len : PCAPW_SNAPLEN;
	h.len = len;
	pcap_dump((u_char *)pw->dump, &h, data);
	/* pcap_dump reports nothing: the stdio error flag does (ENOSPC...) */
	if (!pw->error && ferror(pcap_dump_file(pw->dump)))
		pw->error = errno ? errno : EIO;
}

int pcapw_flush(struct pcapw *pw, GString *err)
{
	if (!pw->error && pcap_dump_flush(pw->dump) != 0)
		pw->error = errno ? errno : EIO;
	if (pw->error && err)
		g_string_append_printf(err, "%s: %s", pw->path, g_strerror(pw->error));
	return pw->error ? 2 : 0;
}

bool pcapw_failed(const struct pcapw *pw)
{
	return pw->error != 0;
}

void pcapw_close(struct pcapw *pw)
{
	if (!pw)
		return;
	pcap_dump_flush(pw->dump);
	pcap_dump_close(pw->dump);
	pcap_close(pw->pcap);
	g_free(pw->path);
	g_free(pw);
}

void iface_capture(struct world *w, struct iface *ifc, const struct packet *p)
{
	if (ifc->node->kind == NODE_SWITCH)
		return; /* switch ports are not captured (SPEC 3) */
	if (ifc->pcap) {
		pcapw_write(ifc->pcap, w->now, p->data, p->len);
		if (pcapw_failed(ifc->pcap) && !w->output_failed) {
			/* a full disk: say so once, stop the run, exit 2 */
			GString *err = g_string_new(NULL);
			pcapw_flush(ifc->pcap, err);
			fprintf(stderr, "natsim: error: cannot write %s\n", err->str);
			g_string_free(err, TRUE);
			w->output_failed = true;
			w->exit_status = 2;
			w->stopping = true;
		}
	}
	expect_observe(w, ifc, p);
}
