/* ddamfnpublish across hosts: the broker in one network namespace, the
 * pipeline and the subscriber in another, joined by a veth pair (the
 * test's own two hosts); the publisher's end of the link goes down for 4 s
 * in the middle of a live run. Needs root (ip netns); skipped otherwise,
 * failed under CI=true only when ip netns works but the run fails.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "publish-common.h"

#include <string.h>
#include <unistd.h>

#define N_RECORDS 600

static gboolean
run (const gchar * cmd)
{
  gint status = -1;
  gchar *err = NULL;
  gboolean ok = g_spawn_command_line_sync (cmd, NULL, &err, &status, NULL)
      && g_spawn_check_wait_status (status, NULL);

  if (!ok)
    g_printerr ("'%s' failed: %s\n", cmd, err ? err : "");
  g_free (err);
  return ok;
}

typedef struct
{
  gchar *ns_pub, *veth_pub;
} Flap;

static gpointer
flap_link (gpointer data)
{
  Flap *f = data;
  gchar *down = g_strdup_printf ("ip netns exec %s ip link set %s down",
      f->ns_pub, f->veth_pub);
  gchar *up = g_strdup_printf ("ip netns exec %s ip link set %s up",
      f->ns_pub, f->veth_pub);

  /* PUBLISH_NETNS_CUT_MS: a longer cut (beyond 1.5 x keepalive) makes the
   * element see the link fall and reconnect; 4 s by default, which TCP
   * rides out */
  const gchar *cut = g_getenv ("PUBLISH_NETNS_CUT_MS");
  guint cut_ms = cut ? (guint) g_ascii_strtoull (cut, NULL, 10) : 4000;

  g_usleep (1500 * 1000);
  run (down);
  g_usleep (cut_ms * 1000);
  run (up);
  g_free (down);
  g_free (up);
  return NULL;
}

/* The publisher's side, run inside its namespace by the outer process. */
static gint
inner (Ctx * c, const gchar * host)
{
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true num-buffers=%d ! "
      "video/x-raw,width=64,height=48,framerate=100/1 ! "
      "ddamfnjson source=netns ! ddamfnpublish name=p keepalive=5 "
      "eos-timeout=30000 uri=mqtt://%s:1883/faces/netns", N_RECORDS, host);
  LinkEvents ev = { 0 };
  GstStructure *st;
  guint got, missing = 0;

  c->sub = test_subscriber_new (host, 1883, "faces/#");
  CHECK (c->sub != NULL, "no subscriber across the link");
  if (c->sub == NULL)
    return 1;
  st = run_pipeline (c, desc, &ev, NULL);
  CHECK (st != NULL, "no ddamfnpublish message at EOS");
  if (st) {
    check_counts (st, "netns", N_RECORDS, N_RECORDS, 0);
    gst_structure_free (st);
  }
  got = test_subscriber_wait_source (c->sub, "netns", N_RECORDS, 30);
  for (guint i = 0; i < N_RECORDS; i++)
    if (!test_subscriber_has (c->sub, "netns", i, NULL))
      missing++;
  CHECK (got == N_RECORDS && missing == 0, "received %u distinct of %d, %u "
      "missing", got, N_RECORDS, missing);
  g_print ("netns: sent %d across a veth pair whose link went down; "
      "received %u messages = %u distinct + %u duplicates, %u missing; the "
      "element saw the link fall %u times\n", N_RECORDS,
      test_subscriber_received (c->sub), got,
      test_subscriber_duplicates (c->sub), missing, ev.down);
  g_free (desc);
  return publish_check_failures ? 1 : 0;
}

void
case_netns (Ctx * c, const gchar * self_exe)
{
  gint id = (gint) getpid () % 100000;
  gchar *ns_pub = g_strdup_printf ("ddpub-a%d", id);
  gchar *ns_brk = g_strdup_printf ("ddpub-b%d", id);
  gchar *veth_pub = g_strdup_printf ("ddva%d", id);
  gchar *veth_brk = g_strdup_printf ("ddvb%d", id);
  gchar *cmds[] = {
    g_strdup_printf ("ip netns add %s", ns_pub),
    g_strdup_printf ("ip netns add %s", ns_brk),
    g_strdup_printf ("ip link add %s type veth peer name %s", veth_pub,
        veth_brk),
    g_strdup_printf ("ip link set %s netns %s", veth_pub, ns_pub),
    g_strdup_printf ("ip link set %s netns %s", veth_brk, ns_brk),
    g_strdup_printf ("ip netns exec %s ip addr add 10.77.0.1/24 dev %s",
        ns_pub, veth_pub),
    g_strdup_printf ("ip netns exec %s ip addr add 10.77.0.2/24 dev %s",
        ns_brk, veth_brk),
    g_strdup_printf ("ip netns exec %s ip link set %s up", ns_pub, veth_pub),
    g_strdup_printf ("ip netns exec %s ip link set %s up", ns_brk, veth_brk),
    g_strdup_printf ("ip netns exec %s ip link set lo up", ns_pub),
    g_strdup_printf ("ip netns exec %s ip link set lo up", ns_brk),
    NULL
  };
  gboolean ok = TRUE;
  guint i;

  if (getuid () != 0 || !run ("ip netns list")) {
    g_print ("SKIP: network namespaces need root and ip netns\n");
    c->skipped = TRUE;
    goto out;
  }
  for (i = 0; cmds[i] && ok; i++)
    ok = run (cmds[i]);
  CHECK (ok, "cannot set up the two namespaces");
  if (ok) {
    Flap flap = { ns_pub, veth_pub };
    gchar *argv[] = { "ip", "netns", "exec", ns_pub, (gchar *) self_exe,
      "netns-inner", c->broker.exe, (gchar *) c->data, (gchar *) c->model,
      c->work, NULL
    };
    gint status = -1;
    GThread *t;

    c->broker.host = (g_free (c->broker.host), g_strdup ("10.77.0.2"));
    c->broker.netns = g_strdup (ns_brk);
    c->broker.port = 1883;
    ok = test_broker_start (&c->broker);
    CHECK (ok, "the broker does not start in %s", ns_brk);
    t = g_thread_new ("flap", flap_link, &flap);
    ok = ok && g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH |
        G_SPAWN_CHILD_INHERITS_STDIN, NULL, NULL, NULL, NULL, &status, NULL);
    g_thread_join (t);
    CHECK (ok && g_spawn_check_wait_status (status, NULL),
        "the publisher's side failed (status %d)", status);
  }
out:
  for (i = 0; cmds[i]; i++)
    g_free (cmds[i]);
  test_broker_stop (&c->broker);
  if (!c->skipped) {
    gchar *del_a = g_strdup_printf ("ip netns del %s", ns_pub);
    gchar *del_b = g_strdup_printf ("ip netns del %s", ns_brk);
    run (del_a);
    run (del_b);
    g_free (del_a);
    g_free (del_b);
  }
  g_free (ns_pub);
  g_free (ns_brk);
  g_free (veth_pub);
  g_free (veth_brk);
}

gint
case_netns_inner (Ctx * c)
{
  return inner (c, "10.77.0.2");
}
