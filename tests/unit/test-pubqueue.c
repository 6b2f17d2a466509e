/* The queue of ddamfnpublish on its own: bounds in records and bytes, the
 * block and drop-oldest policies, the spool (order, files, records a
 * previous run left), in-flight records and acknowledgements, and the
 * rule that every accepted record is somewhere or counted.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstddamfnpubqueue.h"

#include <glib/gstdio.h>
#include <string.h>

static GBytes *
rec (guint i)
{
  gchar *text = g_strdup_printf ("r%u", i);

  return g_bytes_new_take (text, strlen (text));
}

static void
push_n (GstDdamfnPubQueue * q, guint from, guint to, guint * dropped)
{
  guint total = 0;

  for (guint i = from; i < to; i++) {
    GBytes *b = rec (i);
    guint d = 0;
    g_assert_cmpint (gst_ddamfn_pub_queue_push (q, b, &d, NULL), ==,
        GST_DDAMFN_PUB_PUSH_OK);
    total += d;
    g_bytes_unref (b);
  }
  if (dropped)
    *dropped = total;
}

/* Pops one record, checks its text, sends it as MID and acknowledges it. */
static void
pop_expect (GstDdamfnPubQueue * q, guint i, gint mid)
{
  guint64 seq;
  GBytes *b = gst_ddamfn_pub_queue_pop (q, 10, g_get_monotonic_time () +
      G_TIME_SPAN_SECOND, &seq, NULL);
  gchar *want = g_strdup_printf ("r%u", i);
  gsize n;

  g_assert_nonnull (b);
  g_assert_cmpmem (g_bytes_get_data (b, &n), g_bytes_get_size (b), want,
      strlen (want));
  gst_ddamfn_pub_queue_sent (q, seq, mid);
  gst_ddamfn_pub_queue_ack (q, mid);
  g_bytes_unref (b);
  g_free (want);
}

/* Every accepted record is acknowledged, dropped, waiting or in flight. */
static void
assert_accounted (GstDdamfnPubQueue * q)
{
  GstDdamfnPubStats st;

  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.accepted + st.recovered, ==, st.acknowledged
      + st.dropped + st.queued + st.spool_records + st.in_flight);
}

static void
test_drop_oldest (void)
{
  GstDdamfnPubQueue *q = gst_ddamfn_pub_queue_new (3, 1 << 20,
      GST_DDAMFN_PUB_POLICY_DROP_OLDEST, NULL, 0, NULL);
  GstDdamfnPubStats st;
  guint dropped, lost;

  push_n (q, 0, 5, &dropped);
  g_assert_cmpuint (dropped, ==, 2);
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.accepted, ==, 5);
  g_assert_cmpuint (st.dropped, ==, 2);
  g_assert_cmpuint (st.queued, ==, 3);
  assert_accounted (q);
  gst_ddamfn_pub_queue_set_ready (q, TRUE);
  pop_expect (q, 2, 1);         /* the newest three, in order */
  pop_expect (q, 3, 2);
  pop_expect (q, 4, 3);
  assert_accounted (q);
  g_assert_true (gst_ddamfn_pub_queue_wait_empty (q, 0));
  gst_ddamfn_pub_queue_free (q, NULL, &lost);
  g_assert_cmpuint (lost, ==, 0);
}

static void
test_byte_bound (void)
{
  /* "rN" is 2 bytes: 5 bytes hold two records */
  GstDdamfnPubQueue *q = gst_ddamfn_pub_queue_new (100, 5,
      GST_DDAMFN_PUB_POLICY_DROP_OLDEST, NULL, 0, NULL);
  GstDdamfnPubStats st;
  guint dropped, lost;

  push_n (q, 0, 4, &dropped);
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (dropped, ==, 2);
  g_assert_cmpuint (st.queued, ==, 2);
  g_assert_cmpuint (st.queued_bytes, ==, 4);
  gst_ddamfn_pub_queue_free (q, NULL, &lost);
  g_assert_cmpuint (lost, ==, 2);       /* nothing sent them: lost, said */
}

typedef struct
{
  GstDdamfnPubQueue *q;
  gint result;
  gint done;
} Pusher;

static gpointer
push_one (gpointer data)
{
  Pusher *p = data;
  GBytes *b = rec (99);

  p->result = gst_ddamfn_pub_queue_push (p->q, b, NULL, NULL);
  g_bytes_unref (b);
  g_atomic_int_set (&p->done, 1);
  return NULL;
}

static void
test_block (void)
{
  GstDdamfnPubQueue *q = gst_ddamfn_pub_queue_new (2, 1 << 20,
      GST_DDAMFN_PUB_POLICY_BLOCK, NULL, 0, NULL);
  Pusher p = { q, -1, 0 };
  GThread *t;
  GstDdamfnPubStats st;

  push_n (q, 0, 2, NULL);
  t = g_thread_new ("pusher", push_one, &p);
  g_usleep (100 * 1000);
  g_assert_cmpint (g_atomic_int_get (&p.done), ==, 0);  /* blocked */
  gst_ddamfn_pub_queue_set_ready (q, TRUE);
  pop_expect (q, 0, 1);         /* room: the push completes */
  g_thread_join (t);
  g_assert_cmpint (p.result, ==, GST_DDAMFN_PUB_PUSH_OK);
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.dropped, ==, 0);
  g_assert_cmpuint (st.queued, ==, 2);

  /* blocked again, then flushing: the push returns without taking it */
  p.done = 0;
  p.result = -1;
  t = g_thread_new ("pusher", push_one, &p);
  g_usleep (100 * 1000);
  g_assert_cmpint (g_atomic_int_get (&p.done), ==, 0);
  gst_ddamfn_pub_queue_set_flushing (q, TRUE);
  g_thread_join (t);
  g_assert_cmpint (p.result, ==, GST_DDAMFN_PUB_PUSH_FLUSHING);
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.accepted, ==, 3);
  assert_accounted (q);
  gst_ddamfn_pub_queue_free (q, NULL, NULL);
}

static guint
count_files (const gchar * dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (d && g_dir_read_name (d))
    n++;
  if (d)
    g_dir_close (d);
  return n;
}

static void
test_spool (void)
{
  gchar *dir = g_dir_make_tmp ("pubqueue-XXXXXX", NULL);
  GstDdamfnPubQueue *q = gst_ddamfn_pub_queue_new (2, 1 << 20,
      GST_DDAMFN_PUB_POLICY_BLOCK, dir, 1 << 20, NULL);
  GstDdamfnPubStats st;
  guint kept, lost;

  push_n (q, 0, 10, NULL);      /* never blocks: the spool takes 8 */
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.queued, ==, 2);
  g_assert_cmpuint (st.spool_records, ==, 8);
  g_assert_cmpuint (st.spooled, ==, 8);
  g_assert_cmpuint (count_files (dir), ==, 8);
  gst_ddamfn_pub_queue_set_ready (q, TRUE);
  for (guint i = 0; i < 4; i++)
    pop_expect (q, i, 100 + i);
  assert_accounted (q);
  /* 4..9 wait: at close they stay in the spool (4 and 5 were read back
   * into memory and keep their files until acknowledged) */
  gst_ddamfn_pub_queue_free (q, &kept, &lost);
  g_assert_cmpuint (kept, ==, 6);
  g_assert_cmpuint (lost, ==, 0);
  g_assert_cmpuint (count_files (dir), ==, 6);

  /* the next run sends them first, then its own, in order */
  q = gst_ddamfn_pub_queue_new (2, 1 << 20, GST_DDAMFN_PUB_POLICY_BLOCK, dir,
      1 << 20, NULL);
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.recovered, ==, 6);
  push_n (q, 10, 12, NULL);
  gst_ddamfn_pub_queue_set_ready (q, TRUE);
  for (guint i = 4; i < 12; i++)
    pop_expect (q, i, 200 + i);
  assert_accounted (q);
  g_assert_true (gst_ddamfn_pub_queue_wait_empty (q, 0));
  g_assert_cmpuint (count_files (dir), ==, 0);
  gst_ddamfn_pub_queue_free (q, &kept, &lost);
  g_assert_cmpuint (kept + lost, ==, 0);
  g_rmdir (dir);
  g_free (dir);
}

static void
test_spool_full_drops_oldest (void)
{
  gchar *dir = g_dir_make_tmp ("pubqueue-XXXXXX", NULL);
  /* memory 2 records, spool 6 bytes = three 2-byte records */
  GstDdamfnPubQueue *q = gst_ddamfn_pub_queue_new (2, 1 << 20,
      GST_DDAMFN_PUB_POLICY_DROP_OLDEST, dir, 6, NULL);
  GstDdamfnPubStats st;
  guint dropped;

  push_n (q, 0, 8, &dropped);
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (dropped, ==, 3);
  g_assert_cmpuint (st.queued + st.spool_records, ==, 5);
  assert_accounted (q);
  gst_ddamfn_pub_queue_set_ready (q, TRUE);
  for (guint i = 3; i < 8; i++) /* the newest five, in order */
    pop_expect (q, i, i);
  g_assert_cmpuint (count_files (dir), ==, 0);
  gst_ddamfn_pub_queue_free (q, NULL, NULL);
  g_rmdir (dir);
  g_free (dir);
}

static void
test_in_flight (void)
{
  GstDdamfnPubQueue *q = gst_ddamfn_pub_queue_new (100, 1 << 20,
      GST_DDAMFN_PUB_POLICY_BLOCK, NULL, 0, NULL);
  GstDdamfnPubStats st;
  guint64 seq;
  GBytes *b;
  guint lost;

  push_n (q, 0, 6, NULL);
  /* not ready: nothing comes out */
  g_assert_null (gst_ddamfn_pub_queue_pop (q, 10,
          g_get_monotonic_time () + 10000, &seq, NULL));
  gst_ddamfn_pub_queue_set_ready (q, TRUE);

  /* three in flight, the limit is 3: the fourth waits */
  for (gint mid = 1; mid <= 3; mid++) {
    b = gst_ddamfn_pub_queue_pop (q, 3, -1, &seq, NULL);
    gst_ddamfn_pub_queue_sent (q, seq, mid);
    g_bytes_unref (b);
  }
  g_assert_null (gst_ddamfn_pub_queue_pop (q, 3,
          g_get_monotonic_time () + 10000, &seq, NULL));
  gst_ddamfn_pub_queue_ack (q, 2);
  gst_ddamfn_pub_queue_ack (q, 2);      /* twice: counted once */
  gst_ddamfn_pub_queue_ack (q, 77);     /* unknown: ignored */
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.acknowledged, ==, 1);
  g_assert_cmpuint (st.in_flight, ==, 2);

  /* the link falls: r0 and r2 go back to the head, before r3 */
  gst_ddamfn_pub_queue_requeue_in_flight (q);
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.requeued, ==, 2);
  g_assert_cmpuint (st.in_flight, ==, 0);
  pop_expect (q, 0, 4);
  pop_expect (q, 2, 5);

  /* an acknowledgement that overtakes sent () */
  b = gst_ddamfn_pub_queue_pop (q, 3, -1, &seq, NULL);
  gst_ddamfn_pub_queue_ack (q, 6);
  gst_ddamfn_pub_queue_sent (q, seq, 6);
  g_bytes_unref (b);
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.acknowledged, ==, 4);
  g_assert_cmpuint (st.in_flight, ==, 0);

  /* a record that could not be sent comes out again first */
  b = gst_ddamfn_pub_queue_pop (q, 3, -1, &seq, NULL);
  gst_ddamfn_pub_queue_unsend (q, seq, b);
  g_bytes_unref (b);
  pop_expect (q, 4, 7);
  pop_expect (q, 5, 8);
  assert_accounted (q);
  g_assert_true (gst_ddamfn_pub_queue_wait_empty (q, 0));
  gst_ddamfn_pub_queue_get_stats (q, &st);
  g_assert_cmpuint (st.accepted, ==, 6);
  g_assert_cmpuint (st.acknowledged, ==, 6);
  g_assert_cmpuint (st.sent, ==, 8);    /* two sent twice */
  gst_ddamfn_pub_queue_free (q, NULL, &lost);
  g_assert_cmpuint (lost, ==, 0);
}

static void
test_close_sender (void)
{
  GstDdamfnPubQueue *q = gst_ddamfn_pub_queue_new (10, 1 << 20,
      GST_DDAMFN_PUB_POLICY_BLOCK, NULL, 0, NULL);
  guint64 seq;
  guint lost;

  push_n (q, 0, 2, NULL);
  gst_ddamfn_pub_queue_close_sender (q);
  gst_ddamfn_pub_queue_set_ready (q, TRUE);
  g_assert_null (gst_ddamfn_pub_queue_pop (q, 10, -1, &seq, NULL));
  g_assert_false (gst_ddamfn_pub_queue_wait_empty (q,
          g_get_monotonic_time () + 10000));
  gst_ddamfn_pub_queue_free (q, NULL, &lost);
  g_assert_cmpuint (lost, ==, 2);
}

static void
test_bad_spool (void)
{
  GError *error = NULL;
  GstDdamfnPubQueue *q = gst_ddamfn_pub_queue_new (10, 100,
      GST_DDAMFN_PUB_POLICY_BLOCK, "/proc/version/spool", 100, &error);

  g_assert_null (q);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "/proc/version/spool"));
  g_error_free (error);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pubqueue/drop-oldest", test_drop_oldest);
  g_test_add_func ("/pubqueue/byte-bound", test_byte_bound);
  g_test_add_func ("/pubqueue/block", test_block);
  g_test_add_func ("/pubqueue/spool", test_spool);
  g_test_add_func ("/pubqueue/spool-full-drops-oldest",
      test_spool_full_drops_oldest);
  g_test_add_func ("/pubqueue/in-flight", test_in_flight);
  g_test_add_func ("/pubqueue/close-sender", test_close_sender);
  g_test_add_func ("/pubqueue/bad-spool", test_bad_spool);
  return g_test_run ();
}
