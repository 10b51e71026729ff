/* test_pcapw.c - capture files (sim/net/pcapw.c): the records natsim lays into
 * its own buffer are byte for byte what libpcap's pcap_dump writes, across
 * buffer drains, for frames of every size up to one larger than the buffer,
 * with nanosecond timestamps. */
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/core/world.h"

#include "tests/unit/check.h"

static char *slurp(const char *path, size_t *len)
{
	gchar *data = NULL;
	gsize n = 0;

	if (!g_file_get_contents(path, &data, &n, NULL))
		return NULL;
	*len = n;
	return data;
}

int main(void)
{
	char dir[] = "/tmp/test_pcapw.XXXXXX";
	CHECK(g_mkdtemp(dir) != NULL, "mkdtemp");
	gchar *ours = g_build_filename(dir, "ours.pcap", NULL);
	gchar *theirs = g_build_filename(dir, "libpcap.pcap", NULL);

	pcap_t *pc = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 262144,
							  PCAP_TSTAMP_PRECISION_NANO);
	pcap_dumper_t *d = pcap_dump_open(pc, theirs);
	GString *err = g_string_new(NULL);
	struct pcapw *pw = pcapw_open(ours, err);
	CHECK(pc && d && pw, "open: %s", err->str);

	/* sizes 14..1514 cycling, then one frame bigger than the 256 KiB
	 * buffer and one at the snap length's edge */
	static uint8_t frame[300000];
	for (size_t i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 7 + 3);
	uint32_t sizes[2100];
	unsigned n = 0;
	for (; n < 2000; n++)
		sizes[n] = 14 + (n * 37) % 1501;
	sizes[n++] = 270000; /* larger than the buffer: written through */
	sizes[n++] = 60;
	sizes[n++] = 262144;
	for (unsigned i = 0; i < n; i++) {
		sim_time t = (sim_time)i * 1234567891LL + 999999999LL * (i & 1);
		struct pcap_pkthdr h;

		h.ts.tv_sec = (time_t)(t / SIM_S);
		h.ts.tv_usec = (suseconds_t)(t % SIM_S);
		h.caplen = sizes[i] < 262144 ? sizes[i] : 262144;
		h.len = sizes[i];
		pcap_dump((u_char *)d, &h, frame + (i % 97));
		pcapw_write(pw, t, frame + (i % 97), sizes[i]);
	}
	CHECK(pcapw_flush(pw, err) == 0, "flush: %s", err->str);
	pcapw_close(pw);
	pcap_dump_close(d);
	pcap_close(pc);

	size_t la = 0, lb = 0;
	char *a = slurp(ours, &la), *b = slurp(theirs, &lb);
	CHECK(a && b, "read back");
	CHECK(la == lb, "length %zu, libpcap %zu", la, lb);
	CHECK(la > 1000000, "the run crossed several buffer drains (%zu bytes)", la);
	CHECK(memcmp(a, b, la < lb ? la : lb) == 0, "bytes differ from pcap_dump's");
	g_free(a);
	g_free(b);
	remove(ours);
	remove(theirs);
	remove(dir);
	g_free(ours);
	g_free(theirs);
	g_string_free(err, TRUE);
	printf("test_pcapw: ok\n");
	return 0;
}
