/* pcapw.c - capture: one pcap file per interface, written with libpcap.
 *
 * Design: a "dead" pcap handle with nanosecond precision, so the record
 * timestamps are the simulated clock exactly (ns-3 writes its traces the same
 * way). The file header has no wall-clock field, so equal runs give equal
 * bytes. iface_capture is the one place a frame is recorded; it also fires
 * the capture probe (the `saw` expectations listen to it).
 *
 * libpcap writes the file header (pcap_dump_fopen); the records, 16 bytes
 * of struct pcap_sf_pkthdr and the frame, are laid into our own buffer and
 * handed to stdio a buffer at a time. pcap_dump's two locked fwrite calls
 * per frame and the 4 KiB stdio buffer were a third of a 1M-packet run
 * (perf: _IO_fwrite, _IO_file_xsputn, pcap_dump, and a write(2) per 4 KiB,
 * whose per-call file-system cost outweighs the copy); the bytes are the
 * same as pcap_dump's.
 */
#include <errno.h>
#include <pcap/pcap.h>
#include <stdlib.h>
#include <string.h>

#include "sim/net/node.h"

#define PCAPW_SNAPLEN 262144
#define PCAPW_BUFSIZE (256u << 10)

/* The record header of a pcap file (libpcap's struct pcap_sf_pkthdr):
 * 32-bit seconds and nanoseconds, captured and wire length, host order. */
struct pcapw_rec {
	uint32_t sec, nsec, caplen, len;
};

struct pcapw {
	pcap_t *pcap;
	pcap_dumper_t *dump;
	char *path;
	int error;		/* errno of the first failed write, 0 if none */
	uint8_t *buf;		/* records not yet given to stdio */
	size_t used;
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
	pw->buf = g_malloc(PCAPW_BUFSIZE);
	return pw;
}

/* Give the buffered records to stdio; a failure (ENOSPC...) is kept. */
static void pcapw_drain(struct pcapw *pw)
{
	FILE *f = pcap_dump_file(pw->dump);

	if (pw->used && !pw->error && fwrite(pw->buf, 1, pw->used, f) != pw->used)
		pw->error = errno ? errno : EIO;
	pw->used = 0;
}

void pcapw_write(struct pcapw *pw, sim_time t, const uint8_t *data, uint32_t len)
{
	struct pcapw_rec h;
	uint32_t caplen = len < PCAPW_SNAPLEN ? len : PCAPW_SNAPLEN;

	h.sec = (uint32_t)(t / SIM_S);
	h.nsec = (uint32_t)(t % SIM_S);
	h.caplen = caplen;
	h.len = len;
	if (pw->used + sizeof(h) + caplen > PCAPW_BUFSIZE) {
		pcapw_drain(pw);
		if (sizeof(h) + caplen > PCAPW_BUFSIZE) { /* a 256 KiB frame */
			FILE *f = pcap_dump_file(pw->dump);
			if (!pw->error && (fwrite(&h, sizeof(h), 1, f) != 1 ||
					   fwrite(data, 1, caplen, f) != caplen))
				pw->error = errno ? errno : EIO;
			return;
		}
	}
	memcpy(pw->buf + pw->used, &h, sizeof(h));
	memcpy(pw->buf + pw->used + sizeof(h), data, caplen);
	pw->used += sizeof(h) + caplen;
}

int pcapw_flush(struct pcapw *pw, GString *err)
{
	pcapw_drain(pw);
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
	pcapw_drain(pw);
	pcap_dump_flush(pw->dump);
	pcap_dump_close(pw->dump);
	pcap_close(pw->pcap);
	g_free(pw->buf);
	g_free(pw->path);
	g_free(pw);
}

/* The pcap record (and a full disk's check), then the capture probe's
 * listeners: iface_capture's path when there is a pcap or more than one
 * listener, kept out of line so that the other path builds no frame. */
static __attribute__((noinline)) void iface_capture_slow(struct world *w, struct iface *ifc,
							 const struct packet *p)
{
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
	probe_fire_packet(&w->probes, PROBE_CAPTURE, ifc->node, ifc, p);
}

/* Four calls per forwarded datagram. Without a pcap (--no-pcap) and with at
 * most one listener (the `saw` expectations) it is a tail call to that
 * listener or nothing: 8 instructions instead of 32 (callgrind, udp-1m). */
void iface_capture(struct world *w, struct iface *ifc, const struct packet *p)
{
	struct probe *pr = w->probes.head[PROBE_CAPTURE];

	if (ifc->node->kind == NODE_SWITCH)
		return; /* a switch writes no pcap (README: the scenario language) */
	if (ifc->pcap || (pr && pr->next)) {
		iface_capture_slow(w, ifc, p);
		return;
	}
	if (pr)
		pr->fn.packet(pr->ctx, ifc->node, ifc, p);
}
