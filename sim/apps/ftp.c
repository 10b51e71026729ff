/* ftp.c - an FTP server (`listen tcp PORT ftp [size N]`) and client (`ftp
 * get DEST FILE [active|passive] [eprt|epsv] [port P]`), enough to drive a
 * conntrack FTP helper with the bytes real programs send.
 *
 * The server's replies follow vsftpd 3.0.3's (checked against Debian's
 * vsftpd 3.0.3 and curl 7.88.1 in network namespaces) ("220
 * (vsFTPd 3.0.3)", "227 Entering Passive Mode (h1,h2,h3,h4,p1,p2).", "229
 * Entering Extended Passive Mode (|||p|)", "257 \"/\" is the current
 * directory", "213 SIZE"), connects an active data
 * connection from port 20 (Debian's connect_from_port_20=YES), serves
 * every file name with the same size, and sends "226 Transfer complete."
 * once it has closed the data connection. The client logs in as curl
 * 7.88 does (USER anonymous, PASS ftp@example.com), then PWD, asks for the
 * data connection (PORT, EPRT, PASV or EPSV), then TYPE I, SIZE FILE, RETR
 * FILE and QUIT, curl's commands in curl's order (its flags for each mode:
 * README). It prints each reply line as
 * `ftp -v` does and, at the end, the bytes the data connection brought.
 *
 * Design: both sides are state machines driven by the TCP application
 * sockets' callbacks (sim/sock/sock.h, tcp_app_*); a session is found
 * again from the connection's serial or the data listener's port (never a
 * pointer in an event). Commands and replies are split into lines at
 * "\n" as the peers do, so a line split across segments is read whole.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sim/apps/apps.h"

#define FTP_BANNER "220 (vsFTPd 3.0.3)\r\n"
#define FTP_DATA_PORT 20

enum ftp_mode { FTP_PORT, FTP_EPRT, FTP_PASV, FTP_EPSV };

struct ftp_sess {
	bool server;
	uint16_t ctrl_port;	/* the server's listening port */
	uint64_t ctrl, data;	/* connection serials (0: none) */
	uint16_t data_lport;	/* a data listener of ours (0: none) */
	GString *line;		/* bytes of the line being read */
	/* server */
	uint32_t size;		/* bytes of every file */
	bool have_port;		/* PORT/EPRT given */
	uint32_t port_addr;
	uint16_t port_port;
	char *retr;		/* RETR's file, data connection not yet up */
	/* client */
	enum ftp_mode mode;
	int step;		/* enum ftp_cstep */
	char *file;
	uint64_t received;
	bool data_done, got_226;
};

enum ftp_cstep { C_BANNER, C_USER, C_PASS, C_PWD, C_DATACMD, C_TYPE, C_SIZE, C_RETR, C_QUIT,
		 C_DONE };

struct ftp_server {
	uint16_t port;
	uint32_t size;
};

struct ftp_node {
	GPtrArray *sess;	/* struct ftp_sess *, start order */
	GArray *servers;	/* struct ftp_server */
};

static struct ftp_node *ftp_node_get(struct node *n)
{
	struct app_node *a = app_node_get(n);
	if (!a->ftp) {
		a->ftp = g_new0(struct ftp_node, 1);
		a->ftp->sess = g_ptr_array_new();
		a->ftp->servers = g_array_new(false, false, sizeof(struct ftp_server));
	}
	return a->ftp;
}

void ftp_node_free(struct ftp_node *f)
{
	if (!f)
		return;
	for (unsigned i = 0; i < f->sess->len; i++) {
		struct ftp_sess *s = g_ptr_array_index(f->sess, i);
		g_string_free(s->line, true);
		g_free(s->retr);
		g_free(s->file);
		g_free(s);
	}
	g_ptr_array_free(f->sess, true);
	g_array_free(f->servers, true);
	g_free(f);
}

/* The session a connection belongs to (*is_data: its data connection). */
static struct ftp_sess *ftp_find(struct node *n, uint64_t conn, bool *is_data)
{
	struct app_node *a = app_node_peek(n);
	if (!a || !a->ftp)
		return NULL;
	for (unsigned i = 0; i < a->ftp->sess->len; i++) {
		struct ftp_sess *s = g_ptr_array_index(a->ftp->sess, i);
		if (s->ctrl == conn || (s->data && s->data == conn)) {
			*is_data = s->data == conn;
			return s;
		}
	}
	return NULL;
}

static struct ftp_sess *ftp_find_listener(struct node *n, uint16_t lport)
{
	struct app_node *a = app_node_peek(n);
	for (unsigned i = 0; a && a->ftp && i < a->ftp->sess->len; i++) {
		struct ftp_sess *s = g_ptr_array_index(a->ftp->sess, i);
		if (s->data_lport == lport && !s->data)
			return s;
	}
	return NULL;
}

static struct ftp_sess *ftp_sess_new(struct node *n, bool server)
{
	struct ftp_sess *s = g_new0(struct ftp_sess, 1);
	s->server = server;
	s->line = g_string_new(NULL);
	g_ptr_array_add(ftp_node_get(n)->sess, s);
	return s;
}

static void ftp_send(struct world *w, struct node *n, uint64_t conn, const char *text)
{
	tcp_app_write(w, n, conn, (const uint8_t *)text, strlen(text));
}

/* ----- the server (vsftpd) ----- */

static const struct tcp_app_ops ftp_srv_ops;
static const struct tcp_app_ops ftp_srv_data_ops;

/* The data connection is up and RETR asked: 150, the file, close, 226.
 * vsftpd says 150 only once it has the data connection (an active one it
 * could not connect gets 425 alone). */
static void ftp_srv_transfer(struct world *w, struct node *n, struct ftp_sess *s)
{
	/* the whole name, as vsftpd (a 66-character one checked) */
	char *buf = g_strdup_printf(
		"150 Opening BINARY mode data connection for %s (%u bytes).\r\n", s->retr, s->size);
	ftp_send(w, n, s->ctrl, buf);
	g_free(buf);
	tcp_app_write(w, n, s->data, NULL, s->size);
	tcp_app_close(w, n, s->data);
	ftp_send(w, n, s->ctrl, "226 Transfer complete.\r\n");
	g_free(s->retr);
	s->retr = NULL;
	s->data = 0;
	s->have_port = false;
}

/* "h1,h2,h3,h4,p1,p2" (PORT's argument) */
static bool ftp_parse_port(const char *a, uint32_t *addr, uint16_t *port)
{
	unsigned v[6];
	int used = 0;
	if (sscanf(a, "%u,%u,%u,%u,%u,%u%n", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &used) != 6 || a[used])
		return false;
	for (int i = 0; i < 6; i++)
		if (v[i] > 255)
			return false;
	*addr = v[0] << 24 | v[1] << 16 | v[2] << 8 | v[3];
	*port = (uint16_t)(v[4] << 8 | v[5]);
	return true;
}

/* "|1|a.b.c.d|p|" (EPRT's argument, RFC 2428) */
static bool ftp_parse_eprt(const char *a, uint32_t *addr, uint16_t *port)
{
	char d = a[0];
	if (!d || a[1] != '1' || a[2] != d)
		return false;
	const char *ip = a + 3, *bar = strchr(ip, d);
	if (!bar || bar - ip > 15)
		return false;
	char buf[16];
	memcpy(buf, ip, (size_t)(bar - ip));
	buf[bar - ip] = 0;
	uint32_t p;
	char pbuf[8];
	const char *end = strchr(bar + 1, d);
	if (!end || end - bar - 1 > 5 || end[1])
		return false;
	memcpy(pbuf, bar + 1, (size_t)(end - bar - 1));
	pbuf[end - bar - 1] = 0;
	if (!ip_parse(buf, addr) || !tr_parse_u32(pbuf, 1, 65535, &p))
		return false;
	*port = (uint16_t)p;
	return true;
}

static void ftp_srv_command(struct world *w, struct node *n, struct ftp_sess *s, char *line)
{
	char *arg = strchr(line, ' ');
	if (arg)
		*arg++ = 0;
	else
		arg = line + strlen(line);
	for (char *c = line; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	uint32_t la, ra;
	uint16_t lp, rp;
	char buf[128];
	if (!strcmp(line, "USER")) {
		ftp_send(w, n, s->ctrl, "331 Please specify the password.\r\n");
	} else if (!strcmp(line, "PASS")) {
		ftp_send(w, n, s->ctrl, "230 Login successful.\r\n");
	} else if (!strcmp(line, "PWD")) {
		ftp_send(w, n, s->ctrl, "257 \"/\" is the current directory\r\n");
	} else if (!strcmp(line, "SIZE")) {
		snprintf(buf, sizeof buf, "213 %u\r\n", s->size);
		ftp_send(w, n, s->ctrl, buf);
	} else if (!strcmp(line, "TYPE")) {
		ftp_send(w, n, s->ctrl, *arg == 'A' ? "200 Switching to ASCII mode.\r\n"
						     : "200 Switching to Binary mode.\r\n");
	} else if (!strcmp(line, "PORT") || !strcmp(line, "EPRT")) {
		/* vsftpd: the last PORT/PASV goes first, and the address must
		 * be the control connection's peer (port_promiscuous=NO) */
		bool eprt = line[0] == 'E';
		if (s->data_lport)
			tcp_app_unlisten(n, s->data_lport);
		s->data_lport = 0;
		s->have_port = false;
		if (!(eprt ? ftp_parse_eprt(arg, &s->port_addr, &s->port_port)
			   : ftp_parse_port(arg, &s->port_addr, &s->port_port))) {
			ftp_send(w, n, s->ctrl, eprt ? "500 Bad EPRT command.\r\n"
						     : "500 Illegal PORT command.\r\n");
			return;
		}
		if (!tcp_app_addrs(n, s->ctrl, &la, &lp, &ra, &rp) || s->port_addr != ra) {
			ftp_send(w, n, s->ctrl, eprt ? "500 Illegal EPRT command.\r\n"
						     : "500 Illegal PORT command.\r\n");
			return;
		}
		s->have_port = true;
		ftp_send(w, n, s->ctrl, eprt ? "200 EPRT command successful. Consider using EPSV.\r\n"
					     : "200 PORT command successful. Consider using PASV.\r\n");
	} else if (!strcmp(line, "PASV") || !strcmp(line, "EPSV")) {
		if (!tcp_app_addrs(n, s->ctrl, &la, &lp, &ra, &rp))
			return;
		if (s->data_lport)
			tcp_app_unlisten(n, s->data_lport);
		int port = tcp_app_listen(n, 0, &ftp_srv_data_ops);
		if (port < 0) {
			ftp_send(w, n, s->ctrl, "425 Could not listen.\r\n");
			return;
		}
		s->data_lport = (uint16_t)port;
		s->have_port = false;
		if (line[0] == 'P')
			snprintf(buf, sizeof buf,
				 "227 Entering Passive Mode (%u,%u,%u,%u,%u,%u).\r\n", la >> 24,
				 la >> 16 & 255, la >> 8 & 255, la & 255, (unsigned)port >> 8,
				 (unsigned)port & 255);
		else
			snprintf(buf, sizeof buf, "229 Entering Extended Passive Mode (|||%d|)\r\n",
				 port);
		ftp_send(w, n, s->ctrl, buf);
	} else if (!strcmp(line, "RETR")) {
		if (!s->have_port && !s->data_lport && !s->data) {
			ftp_send(w, n, s->ctrl, "425 Use PORT or PASV first.\r\n");
			return;
		}
		g_free(s->retr);
		s->retr = g_strdup(arg);
		if (s->have_port) {
			if (tcp_app_connect(w, n, s->port_addr, s->port_port, FTP_DATA_PORT,
					    &ftp_srv_data_ops, &s->data)) {
				s->data = 0;
				ftp_send(w, n, s->ctrl, "425 Failed to establish connection.\r\n");
			}
		} else if (s->data) {
			ftp_srv_transfer(w, n, s); /* passive, already connected */
		}
	} else if (!strcmp(line, "QUIT")) {
		ftp_send(w, n, s->ctrl, "221 Goodbye.\r\n");
		tcp_app_close(w, n, s->ctrl);
	} else {
		ftp_send(w, n, s->ctrl, "500 Unknown command.\r\n");
	}
}

/* Split received bytes into lines; fn for each (without "\r\n"). */
static void ftp_lines(struct world *w, struct node *n, struct ftp_sess *s, const uint8_t *data,
		      size_t len,
		      void (*fn)(struct world *, struct node *, struct ftp_sess *, char *))
{
	for (size_t i = 0; i < len; i++) {
		if (data[i] != '\n') {
			if (s->line->len < 1024)
				g_string_append_c(s->line, (char)data[i]);
			continue;
		}
		if (s->line->len && s->line->str[s->line->len - 1] == '\r')
			g_string_truncate(s->line, s->line->len - 1);
		char *l = g_strdup(s->line->str);
		g_string_truncate(s->line, 0);
		fn(w, n, s, l);
		g_free(l);
	}
}

static void ftp_srv_established(struct world *w, struct node *n, uint64_t conn, uint16_t lport)
{
	struct ftp_sess *s = ftp_sess_new(n, true);
	s->ctrl = conn;
	s->ctrl_port = lport;
	struct app_node *a = app_node_peek(n);
	for (unsigned i = 0; i < a->ftp->servers->len; i++) {
		struct ftp_server *v = &g_array_index(a->ftp->servers, struct ftp_server, i);
		if (v->port == lport)
			s->size = v->size;
	}
	ftp_send(w, n, conn, FTP_BANNER);
}

static void ftp_srv_recv(struct world *w, struct node *n, uint64_t conn, const uint8_t *data,
			 size_t len)
{
	bool is_data;
	struct ftp_sess *s = ftp_find(n, conn, &is_data);
	if (s && !is_data)
		ftp_lines(w, n, s, data, len, ftp_srv_command);
}

static const struct tcp_app_ops ftp_srv_ops = {
	.established = ftp_srv_established,
	.recv = ftp_srv_recv,
};

/* A data connection is up, on either side: the session that connected it,
 * or the one whose data listener accepted it (*accepted: the listener
 * closes and the connection becomes the session's data connection). */
static struct ftp_sess *ftp_data_up(struct node *n, uint64_t conn, uint16_t lport,
				    bool *accepted)
{
	bool is_data;
	struct ftp_sess *s = ftp_find(n, conn, &is_data);

	*accepted = false;
	if (s)
		return s;
	s = ftp_find_listener(n, lport);
	if (!s)
		return NULL;
	tcp_app_unlisten(n, s->data_lport);
	s->data_lport = 0;
	s->data = conn;
	*accepted = true;
	return s;
}

/* A data connection of the server is up: active (we connected) or
 * passive (our listener accepted). */
static void ftp_srv_data_established(struct world *w, struct node *n, uint64_t conn,
				     uint16_t lport)
{
	bool accepted;
	struct ftp_sess *s = ftp_data_up(n, conn, lport, &accepted);
	if (!s)
		return;
	if (s->retr)
		ftp_srv_transfer(w, n, s);
}

static void ftp_srv_data_failed(struct world *w, struct node *n, uint64_t conn, const char *why)
{
	(void)why;
	bool is_data;
	struct ftp_sess *s = ftp_find(n, conn, &is_data);
	if (!s || !is_data)
		return;
	s->data = 0;
	g_free(s->retr);
	s->retr = NULL;
	ftp_send(w, n, s->ctrl, "425 Failed to establish connection.\r\n");
}

static const struct tcp_app_ops ftp_srv_data_ops = {
	.established = ftp_srv_data_established,
	.failed = ftp_srv_data_failed,
};

int ftp_server_start(struct node *n, uint16_t port, uint32_t size)
{
	struct ftp_node *f = ftp_node_get(n);
	struct ftp_server v = { port, size };
	bool found = false;
	for (unsigned i = 0; i < f->servers->len; i++) {
		struct ftp_server *o = &g_array_index(f->servers, struct ftp_server, i);
		if (o->port == port) {
			o->size = size;
			found = true;
		}
	}
	if (!found)
		g_array_append_val(f->servers, v);
	return tcp_app_listen(n, port, &ftp_srv_ops) < 0 ? -EADDRNOTAVAIL : 0;
}

/* ----- the client (curl's commands) ----- */

static const struct tcp_app_ops ftp_cli_ops;
static const struct tcp_app_ops ftp_cli_data_ops;

static void ftp_cli_finish(struct world *w, struct node *n, struct ftp_sess *s)
{
	if (s->step == C_RETR && s->data_done && s->got_226) {
		s->step = C_QUIT;
		ftp_send(w, n, s->ctrl, "QUIT\r\n");
	}
}

/* The data-connection command: PORT/EPRT with a listener of ours, or
 * PASV/EPSV. */
static void ftp_cli_datacmd(struct world *w, struct node *n, struct ftp_sess *s)
{
	uint32_t la, ra;
	uint16_t lp, rp;
	char buf[96];
	if (!tcp_app_addrs(n, s->ctrl, &la, &lp, &ra, &rp))
		return;
	s->step = C_DATACMD;
	if (s->mode == FTP_PASV || s->mode == FTP_EPSV) {
		ftp_send(w, n, s->ctrl, s->mode == FTP_PASV ? "PASV\r\n" : "EPSV\r\n");
		return;
	}
	int port = tcp_app_listen(n, 0, &ftp_cli_data_ops);
	if (port < 0) {
		tr_output(w, n, "ftp: bind: Address already in use");
		s->step = C_QUIT;
		ftp_send(w, n, s->ctrl, "QUIT\r\n");
		return;
	}
	s->data_lport = (uint16_t)port;
	if (s->mode == FTP_PORT)
		snprintf(buf, sizeof buf, "PORT %u,%u,%u,%u,%u,%u\r\n", la >> 24, la >> 16 & 255,
			 la >> 8 & 255, la & 255, (unsigned)port >> 8, (unsigned)port & 255);
	else
		snprintf(buf, sizeof buf, "EPRT |1|%u.%u.%u.%u|%d|\r\n", la >> 24, la >> 16 & 255,
			 la >> 8 & 255, la & 255, port);
	ftp_send(w, n, s->ctrl, buf);
}

/* The address of a 227 reply ("... (h1,h2,h3,h4,p1,p2)") or the port of a
 * 229 ("... (|||p|)"), the address then being the control connection's. */
static bool ftp_cli_pasv_target(struct node *n, struct ftp_sess *s, const char *line,
				uint32_t *addr, uint16_t *port)
{
	const char *open = strchr(line, '(');
	if (!open)
		return false;
	if (s->mode == FTP_PASV) {
		char buf[64];
		const char *close = strchr(open, ')');
		if (!close || close - open - 1 >= (long)sizeof buf)
			return false;
		memcpy(buf, open + 1, (size_t)(close - open - 1));
		buf[close - open - 1] = 0;
		return ftp_parse_port(buf, addr, port);
	}
	unsigned p;
	int used = 0;
	uint32_t la, ra;
	uint16_t lp, rp;
	if (sscanf(open, "(|||%u|)%n", &p, &used) != 1 || !used || p == 0 || p > 65535 ||
	    !tcp_app_addrs(n, s->ctrl, &la, &lp, &ra, &rp))
		return false;
	*addr = ra;
	*port = (uint16_t)p;
	return true;
}

static void ftp_cli_reply(struct world *w, struct node *n, struct ftp_sess *s, char *line)
{
	tr_output(w, n, "%s", line);
	if (strlen(line) < 4 || line[3] == '-')
		return; /* a continuation line of a multi-line reply */
	int code = atoi(line);
	char buf[160];
	switch (s->step) {
	case C_BANNER:
		if (code == 220) {
			s->step = C_USER;
			ftp_send(w, n, s->ctrl, "USER anonymous\r\n");
			return;
		}
		break;
	case C_USER:
		if (code == 331) {
			s->step = C_PASS;
			ftp_send(w, n, s->ctrl, "PASS ftp@example.com\r\n");
			return;
		}
		break;
	case C_PASS:
		if (code == 230) {
			s->step = C_PWD;
			ftp_send(w, n, s->ctrl, "PWD\r\n");
			return;
		}
		break;
	case C_PWD:
		if (code == 257) {
			ftp_cli_datacmd(w, n, s);
			return;
		}
		break;
	case C_DATACMD:
		if (code == 200) {
			s->step = C_TYPE;
			ftp_send(w, n, s->ctrl, "TYPE I\r\n");
			return;
		}
		if (code == 227 || code == 229) {
			uint32_t a;
			uint16_t p;
			if (ftp_cli_pasv_target(n, s, line, &a, &p) &&
			    !tcp_app_connect(w, n, a, p, -1, &ftp_cli_data_ops, &s->data)) {
				s->step = C_TYPE; /* TYPE I once the data connection is up */
				return;
			}
			s->data = 0;
			tr_output(w, n, "ftp: can't connect to the passive address");
		}
		break;
	case C_TYPE:
		if (code == 200) {
			s->step = C_SIZE;
			snprintf(buf, sizeof buf, "SIZE %.100s\r\n", s->file);
			ftp_send(w, n, s->ctrl, buf);
			return;
		}
		break;
	case C_SIZE: /* curl asks for the size, then retrieves whatever the answer */
		if (code >= 200) {
			s->step = C_RETR;
			snprintf(buf, sizeof buf, "RETR %.100s\r\n", s->file);
			ftp_send(w, n, s->ctrl, buf);
			return;
		}
		break;
	case C_RETR:
		if (code == 150)
			return;
		if (code == 226) {
			s->got_226 = true;
			ftp_cli_finish(w, n, s);
			return;
		}
		break;
	case C_QUIT:
		if (code == 221) {
			s->step = C_DONE;
			tr_output(w, n, "ftp: %s: %" G_GUINT64_FORMAT " bytes received", s->file,
				  s->received);
			tcp_app_close(w, n, s->ctrl);
			return;
		}
		break;
	default:
		return;
	}
	/* an unexpected reply: give up as curl does, politely */
	if (s->step != C_QUIT && s->step != C_DONE) {
		s->step = C_QUIT;
		ftp_send(w, n, s->ctrl, "QUIT\r\n");
	}
}

static void ftp_cli_recv(struct world *w, struct node *n, uint64_t conn, const uint8_t *data,
			 size_t len)
{
	bool is_data;
	struct ftp_sess *s = ftp_find(n, conn, &is_data);
	if (!s)
		return;
	if (is_data)
		s->received += len;
	else
		ftp_lines(w, n, s, data, len, ftp_cli_reply);
}

static void ftp_cli_failed(struct world *w, struct node *n, uint64_t conn, const char *why)
{
	bool is_data;
	struct ftp_sess *s = ftp_find(n, conn, &is_data);
	if (!s)
		return;
	uint32_t la, ra;
	uint16_t lp, rp;
	(void)la, (void)lp, (void)ra, (void)rp;
	if (is_data) {
		s->data = 0;
		tr_output(w, n, "ftp: data connection: %s", why);
		if (s->step != C_QUIT && s->step != C_DONE) {
			s->step = C_QUIT;
			ftp_send(w, n, s->ctrl, "QUIT\r\n");
		}
		return;
	}
	s->ctrl = 0;
	s->step = C_DONE;
	tr_output(w, n, "ftp: control connection: %s", why);
}

static const struct tcp_app_ops ftp_cli_ops = {
	.recv = ftp_cli_recv,
	.failed = ftp_cli_failed,
};

/* The data connection is up: accepted (active) or connected (passive). */
static void ftp_cli_data_established(struct world *w, struct node *n, uint64_t conn,
				     uint16_t lport)
{
	bool accepted;
	struct ftp_sess *s = ftp_data_up(n, conn, lport, &accepted);
	if (!s || accepted)
		return;
	if (s->step == C_TYPE) /* passive: now the transfer's commands */
		ftp_send(w, n, s->ctrl, "TYPE I\r\n");
}

static void ftp_cli_data_eof(struct world *w, struct node *n, uint64_t conn)
{
	bool is_data;
	struct ftp_sess *s = ftp_find(n, conn, &is_data);
	if (!s || !is_data)
		return;
	s->data_done = true;
	ftp_cli_finish(w, n, s);
}

static const struct tcp_app_ops ftp_cli_data_ops = {
	.established = ftp_cli_data_established,
	.recv = ftp_cli_recv,
	.eof = ftp_cli_data_eof,
	.failed = ftp_cli_failed,
};

/* `ftp get DEST FILE [active|passive] [eprt|epsv] [port P]` */
int ftp_cmd(struct cmd_ctx *c, int argc, char **argv)
{
	static const char usage[] =
		"ftp: usage: ftp get DEST FILE [active|passive] [eprt|epsv] [port P]";
	if (argc < 4 || strcmp(argv[1], "get")) {
		g_string_append(c->err, usage);
		return 2;
	}
	uint32_t dst, port = 21;
	bool passive = false, ext = false;
	if (!tr_parse_addr(c->w, argv[2], &dst)) {
		g_string_append_printf(c->err, "ftp: %s: Name or service not known", argv[2]);
		return 2;
	}
	if (!*argv[3] || strlen(argv[3]) > 100 || strpbrk(argv[3], "\r\n")) {
		g_string_append_printf(c->err, "ftp: bad file name '%s'", argv[3]);
		return 2;
	}
	for (int k = 4; k < argc; k++) {
		if (!strcmp(argv[k], "active") || !strcmp(argv[k], "passive")) {
			passive = argv[k][0] == 'p';
		} else if (!strcmp(argv[k], "eprt") || !strcmp(argv[k], "epsv")) {
			ext = true;
		} else if (!strcmp(argv[k], "port") && k + 1 < argc) {
			if (!tr_parse_u32(argv[++k], 1, 65535, &port)) {
				g_string_append_printf(c->err, "ftp: bad port '%s'", argv[k]);
				return 2;
			}
		} else {
			g_string_append_printf(c->err, "ftp: unknown option '%s'\n%s", argv[k], usage);
			return 2;
		}
	}
	if (c->dry_run)
		return 0;
	if (!dst) {
		g_string_append_printf(c->err, "ftp: %s: Name or service not known (no IPv4 address)",
				       argv[2]);
		return 2;
	}
	struct ftp_sess *s = ftp_sess_new(c->node, false);
	s->mode = passive ? (ext ? FTP_EPSV : FTP_PASV) : (ext ? FTP_EPRT : FTP_PORT);
	s->file = g_strdup(argv[3]);
	int rc = tcp_app_connect(c->w, c->node, dst, (uint16_t)port, -1, &ftp_cli_ops, &s->ctrl);
	if (rc) {
		s->ctrl = 0;
		s->step = C_DONE;
		g_string_append_printf(c->out, "ftp: connect: %s\n",
				       rc == -ENETUNREACH ? "Network is unreachable"
							  : "Cannot assign requested address");
	}
	return 0;
}
