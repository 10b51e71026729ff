/* devconf.c - the per-interface IPv4 knobs net.ipv4.conf.{all,default,IF}.*
 * a node acts on, and how the kernel combines them.
 *
 * Design: as in devinet.c, a node has two sets of its own, `all` and
 * `default`, and every interface a copy taken from `default` when it is
 * created. A write to `default` also reaches every interface whose own
 * value was never written (devinet_copy_dflt_conf, by the per-interface
 * `state` bits) - but an interface that got an address, and lo (up since
 * boot), count as written all over (ipv4_devconf_setall). A write to `all`
 * changes only `all`. The stack
 * never reads a set directly but through the IN_DEV_* rules of
 * include/linux/inetdevice.h: the OR of `all` and the interface for most
 * knobs (route_localnet too: IN_DEV_NET_ROUTE_LOCALNET on input and
 * IN_DEV_ROUTE_LOCALNET on output are both `all` OR the device), the
 * larger of the two for rp_filter, and for accept_redirects the
 * AND on a forwarding node, the OR otherwise. Values are ints as
 * proc_dointvec parses them (any int is accepted; nonzero is "on", and for
 * rp_filter 1 is strict, any other nonzero loose). Defaults are those of a
 * fresh network namespace on Debian 12 (checked on 6.18: all, default and
 * every device alike).
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sim/inet/inet.h"

static const char *const devconf_names[DEVCONF_MAX] = {
	[DEVCONF_ACCEPT_REDIRECTS] = "accept_redirects",
	[DEVCONF_SECURE_REDIRECTS] = "secure_redirects",
	[DEVCONF_SEND_REDIRECTS] = "send_redirects",
	[DEVCONF_SHARED_MEDIA] = "shared_media",
	[DEVCONF_RP_FILTER] = "rp_filter",
	[DEVCONF_ACCEPT_LOCAL] = "accept_local",
	[DEVCONF_LOG_MARTIANS] = "log_martians",
	[DEVCONF_ROUTE_LOCALNET] = "route_localnet",
};

static const int devconf_defaults[DEVCONF_MAX] = {
	[DEVCONF_ACCEPT_REDIRECTS] = 1,
	[DEVCONF_SECURE_REDIRECTS] = 1,
	[DEVCONF_SEND_REDIRECTS] = 1,
	[DEVCONF_SHARED_MEDIA] = 1,
	[DEVCONF_RP_FILTER] = 0,
	[DEVCONF_ACCEPT_LOCAL] = 0,
	[DEVCONF_LOG_MARTIANS] = 0,
	[DEVCONF_ROUTE_LOCALNET] = 0,
};

#define DEVCONF_PREFIX "net.ipv4.conf."

void devconf_node_init(struct node *n)
{
	memcpy(n->ipv4->conf_all.data, devconf_defaults, sizeof devconf_defaults);
	n->ipv4->conf_all.state = 0;
	n->ipv4->conf_dflt = n->ipv4->conf_all;
	/* lo came up at boot, before any write to default: its own values
	 * (kept here until ip.c makes the device on first use) */
	n->ipv4->conf_lo = n->ipv4->conf_all;
	n->ipv4->conf_lo.state = (1u << DEVCONF_MAX) - 1;
	/* inet_forward_change: forwarding turns all.accept_redirects off */
	n->ipv4->conf_all.data[DEVCONF_ACCEPT_REDIRECTS] = !n->ipv4->ip_forward;
	for (unsigned i = 0; i < n->ifaces->len; i++)
		devconf_iface_init(n, g_ptr_array_index(n->ifaces, i));
	if (n->ipv4->lo)
		devconf_iface_init(n, n->ipv4->lo);
}

void devconf_iface_init(struct node *n, struct iface *ifc)
{
	if (ifc == n->ipv4->lo || strcmp(ifc->name, "lo") == 0) {
		ifc->cnf = n->ipv4->conf_lo;
		return;
	}
	ifc->cnf = n->ipv4->conf_dflt;
	ifc->cnf.state = 0;
}

void devconf_iface_setall(struct iface *ifc)
{
	ifc->cnf.state = (1u << DEVCONF_MAX) - 1;
}

void devconf_forward_change(struct node *n)
{
	n->ipv4->conf_all.data[DEVCONF_ACCEPT_REDIRECTS] = !n->ipv4->ip_forward;
}

/* IN_DEV_ORCONF, IN_DEV_MAXCONF and IN_DEV_RX_REDIRECTS. */
int in_dev_conf(const struct node *n, const struct iface *ifc, enum ipv4_devconf_id id)
{
	int all = n->ipv4->conf_all.data[id], dev = ifc->cnf.data[id];
	switch (id) {
	case DEVCONF_RP_FILTER:
		return all > dev ? all : dev;
	case DEVCONF_ACCEPT_REDIRECTS:
		/* a forwarding device (natsim: a forwarding node) needs both */
		if (n->ipv4->ip_forward)
			return all && dev;
		return all || dev;
	default:
		return all || dev;
	}
}

/* "net.ipv4.conf.WHO.KNOB" -> the set and the knob. 1 if the name is not
 * one of these knobs (another module's, or one natsim does not keep), 2 if
 * WHO names no interface of the node, 0 found. */
static int devconf_find(struct node *n, const char *name, struct ipv4_devconf **set,
			struct iface **ifc, int *id)
{
	if (strncmp(name, DEVCONF_PREFIX, strlen(DEVCONF_PREFIX)) != 0)
		return 1;
	const char *who = name + strlen(DEVCONF_PREFIX);
	const char *dot = strrchr(who, '.');
	if (!dot || dot == who)
		return 1;
	*id = -1;
	for (int i = 0; i < DEVCONF_MAX; i++)
		if (strcmp(dot + 1, devconf_names[i]) == 0)
			*id = i;
	if (*id < 0)
		return 1;
	char *dev = g_strndup(who, (size_t)(dot - who));
	int rc = 0;
	*ifc = NULL;
	if (strcmp(dev, "all") == 0) {
		*set = &n->ipv4->conf_all;
	} else if (strcmp(dev, "default") == 0) {
		*set = &n->ipv4->conf_dflt;
	} else if (strcmp(dev, "lo") == 0) {
		*ifc = n->ipv4->lo;	/* NULL until first used: then made with conf_lo */
		*set = *ifc ? &(*ifc)->cnf : &n->ipv4->conf_lo;
	} else if ((*ifc = iface_find(n, dev)) != NULL) {
		*set = &(*ifc)->cnf;
	} else {
		rc = 2;
	}
	g_free(dev);
	return rc;
}

int devconf_get(struct node *n, const char *name, GString *val)
{
	struct ipv4_devconf *set;
	struct iface *ifc;
	int id;
	int rc = devconf_find(n, name, &set, &ifc, &id);
	if (rc == 0)
		g_string_printf(val, "%d", set->data[id]);
	return rc;
}

/* proc_dointvec's proc_get_long: blanks, an optional '-', then a number in
 * C notation (strtoul base 0: 010 is 8, 0x1f is 31) ending at a blank or
 * the end; only the first of several values is used. */
static bool devconf_parse(const char *value, int *out)
{
	while (*value == ' ' || *value == '\t' || *value == '\n')
		value++;
	bool neg = *value == '-';
	if (neg)
		value++;
	if (*value < '0' || *value > '9')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(value, &end, 0);
	if (errno || v > (unsigned long long)INT_MAX + neg)
		return false;
	if (*end && *end != ' ' && *end != '\t' && *end != '\n')
		return false;
	*out = neg ? (int)(-(long long)v) : (int)v;
	return true;
}

int devconf_set(struct node *n, const char *name, const char *value, GString *err,
		bool dry_run)
{
	struct ipv4_devconf *set;
	struct iface *ifc;
	int id, v;
	int rc = devconf_find(n, name, &set, &ifc, &id);
	if (rc)
		return rc;
	if (!devconf_parse(value, &v)) {
		g_string_printf(err, "sysctl: setting key \"%s\": Invalid argument", name);
		return 3;
	}
	if (dry_run)
		return 0;
	set->data[id] = v;
	set->state |= 1u << id;
	if (set == &n->ipv4->conf_dflt) {
		/* devinet_copy_dflt_conf */
		for (unsigned i = 0; i < n->ifaces->len; i++) {
			struct iface *c = g_ptr_array_index(n->ifaces, i);
			if (!(c->cnf.state & (1u << id)))
				c->cnf.data[id] = v;
		}
	}
	return 0;
}
