/* tftp.c - a TFTP server (`listen udp PORT tftp [size N]`) and client
 * (`tftp get DEST FILE [port P]`), enough to drive the TFTP conntrack
 * helper with the datagrams a read transfer has (RFC 1350).
 *
 * The client sends a read request, "\0\1FILE\0octet\0" (tftp-hpa's client
 * in binary mode, no options), from an ephemeral port to the server's
 * port; the server answers from a new ephemeral port of its own (tftpd-hpa
 * binds each transfer to a fresh socket), DATA blocks of 512 bytes
 * (opcode 3, block number, the file's zero bytes), each sent once the
 * previous one is acknowledged (ACK: opcode 4, block number); a block of
 * fewer than 512 bytes ends the transfer (an empty one if the size is a
 * multiple of 512). The client takes the port of the first DATA as the
 * transfer's (its TID) and ignores datagrams from any other. Checked
 * against tftp-hpa 5.2's `tftp -m binary` and tftpd-hpa 5.2 (`in.tftpd
 * -L -s DIR`) in network namespaces, a 1300-byte file: the same 17-byte
 * request, DATA of 516, 516 and 280 bytes from the server's new port, ACKs
 * of 4 bytes (the payloads byte for byte). The kernel comparison runs those
 * two programs (tests/kernel/realapps.py) against these bytes. Not done: no
 * retransmission on timeout, no options (blksize, tsize), no write
 * requests, no ERROR packets.
 *
 * Design: both ends are found again from the node and the local port the
 * datagram arrived on (sockets' udp_recv_fn), never a pointer in an event.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sim/apps/apps.h"

#define TFTP_BLOCK 512
enum { TFTP_RRQ = 1, TFTP_WRQ = 2, TFTP_DATA = 3, TFTP_ACK = 4, TFTP_ERROR = 5 };

struct tftp_xfer {
	bool server;
	uint16_t lport;		/* our socket's port */
	uint32_t peer;
	uint16_t pport;		/* the peer's port (client: 0 until the first DATA) */
	uint32_t size;		/* server: the file's bytes */
	uint16_t block;		/* server: last block sent; client: next block expected */
	uint64_t received;
	char *file;
	bool done;
};

struct tftp_server {
	uint16_t port;
	uint32_t size;
};

struct tftp_node {
	GArray *servers;	/* struct tftp_server */
	GPtrArray *xfers;	/* struct tftp_xfer *, start order */
};

static struct tftp_node *tftp_node_get(struct node *n)
{
	struct app_node *a = app_node_get(n);
	if (!a->tftp) {
		a->tftp = g_new0(struct tftp_node, 1);
		a->tftp->servers = g_array_new(false, false, sizeof(struct tftp_server));
		a->tftp->xfers = g_ptr_array_new();
	}
	return a->tftp;
}

void tftp_node_free(struct tftp_node *t)
{
	if (!t)
		return;
	for (unsigned i = 0; i < t->xfers->len; i++) {
		struct tftp_xfer *x = g_ptr_array_index(t->xfers, i);
		g_free(x->file);
		g_free(x);
	}
	g_ptr_array_free(t->xfers, true);
	g_array_free(t->servers, true);
	g_free(t);
}

static struct tftp_xfer *tftp_find(struct node *n, uint16_t lport)
{
	struct app_node *a = app_node_peek(n);
	if (!a || !a->tftp)
		return NULL;
	for (unsigned i = 0; i < a->tftp->xfers->len; i++) {
		struct tftp_xfer *x = g_ptr_array_index(a->tftp->xfers, i);
		if (x->lport == lport)
			return x;
	}
	return NULL;
}

/* DATA block x->block: its share of the file, zeros. */
static void tftp_send_data(struct world *w, struct node *n, struct tftp_xfer *x)
{
	uint64_t off = (uint64_t)(x->block - 1) * TFTP_BLOCK;
	uint32_t len = off >= x->size ? 0 : (uint32_t)MIN((uint64_t)TFTP_BLOCK, x->size - off);
	uint8_t buf[4 + TFTP_BLOCK] = { 0, TFTP_DATA, (uint8_t)(x->block >> 8),
					(uint8_t)x->block };
	udp_sendto(w, n, x->lport, x->peer, x->pport, buf, 4 + len);
}

static void tftp_send_ack(struct world *w, struct node *n, struct tftp_xfer *x, uint16_t block)
{
	uint8_t buf[4] = { 0, TFTP_ACK, (uint8_t)(block >> 8), (uint8_t)block };
	udp_sendto(w, n, x->lport, x->peer, x->pport, buf, 4);
}

/* A datagram on a transfer's port (either end). */
static void tftp_xfer_recv(struct world *w, struct node *n, uint16_t lport, uint32_t src,
			   uint16_t sport, const uint8_t *data, uint32_t len)
{
	struct tftp_xfer *x = tftp_find(n, lport);
	if (!x || x->done || len < 4 || src != x->peer)
		return;
	uint16_t op = (uint16_t)(data[0] << 8 | data[1]), block = (uint16_t)(data[2] << 8 | data[3]);
	if (x->server) {
		if (sport != x->pport || op != TFTP_ACK || block != x->block)
			return;
		uint64_t sent = (uint64_t)x->block * TFTP_BLOCK;
		if (sent > x->size) {	/* the short block was acknowledged */
			x->done = true;
			return;
		}
		x->block++;
		tftp_send_data(w, n, x);
		return;
	}
	if (op != TFTP_DATA)
		return;
	if (!x->pport)
		x->pport = sport;	/* the server's transfer port: its TID */
	if (sport != x->pport)
		return;
	if (block != x->block) {
		if ((uint16_t)(block + 1) == x->block)
			tftp_send_ack(w, n, x, block);	/* a repeated block */
		return;
	}
	x->received += len - 4;
	tftp_send_ack(w, n, x, block);
	x->block++;
	if (len - 4 < TFTP_BLOCK) {
		x->done = true;
		tr_output(w, n, "tftp: %s: %" G_GUINT64_FORMAT " bytes received", x->file,
			  x->received);
	}
}

/* A request on the server's port: a read request opens a transfer from a
 * new port. */
static void tftp_srv_recv(struct world *w, struct node *n, uint16_t lport, uint32_t src,
			  uint16_t sport, const uint8_t *data, uint32_t len)
{
	struct tftp_node *t = tftp_node_get(n);
	const struct tftp_server *srv = NULL;
	for (unsigned i = 0; i < t->servers->len; i++)
		if (g_array_index(t->servers, struct tftp_server, i).port == lport)
			srv = &g_array_index(t->servers, struct tftp_server, i);
	if (!srv || len < 4 || data[0] != 0 || data[1] != TFTP_RRQ)
		return;
	const char *file = (const char *)data + 2;
	size_t flen = strnlen(file, len - 2);
	if (flen == 0 || flen == len - 2)
		return;	/* no file name, or no NUL after it */
	int port = udp_bind_ephemeral(n, tftp_xfer_recv);
	if (port < 0)
		return;
	struct tftp_xfer *x = g_new0(struct tftp_xfer, 1);
	x->server = true;
	x->lport = (uint16_t)port;
	x->peer = src;
	x->pport = sport;
	x->size = srv->size;
	x->block = 1;
	x->file = g_strndup(file, flen);
	g_ptr_array_add(t->xfers, x);
	tftp_send_data(w, n, x);
}

int tftp_server_start(struct node *n, uint16_t port, uint32_t size)
{
	struct tftp_node *t = tftp_node_get(n);
	struct tftp_server s = { .port = port, .size = size };
	g_array_append_val(t->servers, s);
	udp_set_recv(n, port, tftp_srv_recv);
	return 0;
}

/* `tftp get DEST FILE [port P]` */
int tftp_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	static const char usage[] = "tftp: usage: tftp get DEST FILE [port P]";
	uint32_t dst, port = 69;
	if (argc < 4 || strcmp(argv[1], "get") || (argc != 4 && argc != 6) ||
	    (argc == 6 && strcmp(argv[4], "port"))) {
		g_string_append(c->err, usage);
		return 2;
	}
	if (!tr_parse_addr(c->w, argv[2], &dst)) {
		g_string_append_printf(c->err, "tftp: %s: Name or service not known", argv[2]);
		return 2;
	}
	if (!*argv[3] || strlen(argv[3]) > 255) {
		g_string_append_printf(c->err, "tftp: bad file name '%s'", argv[3]);
		return 2;
	}
	if (argc == 6 && !tr_parse_u32(argv[5], 1, 65535, &port)) {
		g_string_append_printf(c->err, "tftp: bad port '%s'", argv[5]);
		return 2;
	}
	if (c->dry_run)
		return 0;
	if (!dst) {
		g_string_append_printf(c->err, "tftp: %s: Name or service not known (no IPv4 "
				       "address)", argv[2]);
		return 2;
	}
	int lport = udp_bind_ephemeral(c->node, tftp_xfer_recv);
	if (lport < 0) {
		g_string_append(c->out, "tftp: socket: Address already in use\n");
		return 0;
	}
	struct tftp_xfer *x = g_new0(struct tftp_xfer, 1);
	x->lport = (uint16_t)lport;
	x->peer = dst;
	x->block = 1;
	x->file = g_strdup(argv[3]);
	g_ptr_array_add(tftp_node_get(c->node)->xfers, x);
	/* RRQ: opcode, file, NUL, "octet", NUL */
	GByteArray *rrq = g_byte_array_new();
	static const uint8_t op[2] = { 0, TFTP_RRQ };
	g_byte_array_append(rrq, op, 2);
	g_byte_array_append(rrq, (const uint8_t *)x->file, (guint)strlen(x->file) + 1);
	g_byte_array_append(rrq, (const uint8_t *)"octet", 6);
	int rc = udp_sendto(c->w, c->node, x->lport, dst, (uint16_t)port, rrq->data, rrq->len);
	g_byte_array_free(rrq, true);
	if (rc == -ENETUNREACH)
		g_string_append(c->out, "tftp: sendto: Network is unreachable\n");
	return 0;
}
