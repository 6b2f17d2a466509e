/* The record queue of ddamfnpublish: bounded memory, optional spool
 * directory, in-flight records by message id, counters.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Order: memory holds the oldest waiting records, the spool the newest;
 * once a record went to the spool every later one follows it there until
 * the spool is empty again, so records leave in the order they came. A
 * record read back from the spool keeps its file until it is
 * acknowledged or dropped: a crash in between sends it again (a
 * duplicate) rather than losing it.
 */
#include "gstddamfnpubqueue.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#define SPOOL_SUFFIX ".rec"
#define SPOOL_NAME_LEN (20 + 4)

typedef struct
{
  guint64 seq;
  GBytes *data;
  gboolean has_file;            /* its spool file still exists */
} Entry;

typedef struct
{
  guint64 seq;
  gsize size;
} SpoolEntry;

struct _GstDdamfnPubQueue
{
  GMutex lock;
  GCond cond;                   /* broadcast on every change */

  guint max_records;
  guint64 max_bytes;
  GstDdamfnPubPolicy policy;
  gchar *spool_dir;             /* NULL: no spool */
  guint64 max_spool_bytes;

  GQueue mem;                   /* Entry *, oldest first */
  GQueue spool;                 /* SpoolEntry *, oldest first */
  GHashTable *flight;           /* mid -> Entry * */
  Entry *popped;                /* between pop and sent/unsend */
  GHashTable *early;            /* mids acknowledged before sent () */
  guint64 next_seq;

  gboolean flushing;
  gboolean ready;
  gboolean closed;

  GstDdamfnPubStats st;
};

static gchar *
spool_path (GstDdamfnPubQueue * q, guint64 seq)
{
  gchar name[SPOOL_NAME_LEN + 1];

  g_snprintf (name, sizeof (name), "%020" G_GUINT64_FORMAT SPOOL_SUFFIX, seq);
  return g_build_filename (q->spool_dir, name, NULL);
}

static void
entry_free (GstDdamfnPubQueue * q, Entry * e, gboolean remove_file)
{
  if (e->has_file && remove_file) {
    gchar *path = spool_path (q, e->seq);
    g_unlink (path);
    g_free (path);
  }
  g_bytes_unref (e->data);
  g_free (e);
}

static gint
compare_seq (gconstpointer a, gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;
  return (x > y) - (x < y);
}

/* Records a previous run left: "<20 digits>.rec"; the temporaries of an
 * interrupted write ("<name>.rec." and six random characters, from
 * g_mkstemp) are removed. */
static gboolean
spool_recover (GstDdamfnPubQueue * q, GError ** error)
{
  GDir *dir;
  const gchar *name;
  GArray *seqs = g_array_new (FALSE, FALSE, sizeof (guint64));

  if (g_mkdir_with_parents (q->spool_dir, 0700) != 0) {
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (errno),
        "cannot make the spool directory %s: %s", q->spool_dir,
        g_strerror (errno));
    g_array_unref (seqs);
    return FALSE;
  }
  dir = g_dir_open (q->spool_dir, 0, error);
  if (dir == NULL) {
    g_array_unref (seqs);
    return FALSE;
  }
  while ((name = g_dir_read_name (dir))) {
    gsize len = strlen (name);
    gchar *end = NULL;
    guint64 seq;

    if (len > SPOOL_NAME_LEN && g_str_has_prefix (name + 20, SPOOL_SUFFIX ".")) {
      gchar *path = g_build_filename (q->spool_dir, name, NULL);
      g_unlink (path);
      g_free (path);
      continue;
    }
    if (len != SPOOL_NAME_LEN || !g_str_has_suffix (name, SPOOL_SUFFIX)
        || !g_ascii_isdigit (name[0]))
      continue;
    seq = g_ascii_strtoull (name, &end, 10);
    if (end != name + 20)
      continue;
    g_array_append_val (seqs, seq);
  }
  g_dir_close (dir);

  g_array_sort (seqs, compare_seq);
  for (guint i = 0; i < seqs->len; i++) {
    SpoolEntry *s = g_new0 (SpoolEntry, 1);
    gchar *path;
    GStatBuf sb;

    s->seq = g_array_index (seqs, guint64, i);
    path = spool_path (q, s->seq);
    s->size = g_stat (path, &sb) == 0 ? (gsize) sb.st_size : 0;
    g_free (path);
    g_queue_push_tail (&q->spool, s);
    q->st.spool_bytes += s->size;
    q->next_seq = s->seq + 1;
  }
  q->st.spool_records = seqs->len;
  q->st.recovered = seqs->len;
  g_array_unref (seqs);
  return TRUE;
}

GstDdamfnPubQueue *
gst_ddamfn_pub_queue_new (guint max_records, guint64 max_bytes,
    GstDdamfnPubPolicy policy, const gchar * spool_dir,
    guint64 max_spool_bytes, GError ** error)
{
  GstDdamfnPubQueue *q = g_new0 (GstDdamfnPubQueue, 1);

  g_mutex_init (&q->lock);
  g_cond_init (&q->cond);
  q->max_records = MAX (max_records, 1);
  q->max_bytes = MAX (max_bytes, 1);
  q->policy = policy;
  q->max_spool_bytes = MAX (max_spool_bytes, 1);
  g_queue_init (&q->mem);
  g_queue_init (&q->spool);
  q->flight = g_hash_table_new (g_direct_hash, g_direct_equal);
  q->early = g_hash_table_new (g_direct_hash, g_direct_equal);
  if (spool_dir && *spool_dir) {
    q->spool_dir = g_strdup (spool_dir);
    if (!spool_recover (q, error)) {
      gst_ddamfn_pub_queue_free (q, NULL, NULL);
      return NULL;
    }
  }
  return q;
}

/* Writes E's record to its spool file (once). */
static gboolean
spool_write (GstDdamfnPubQueue * q, guint64 seq, GBytes * data, GError ** error)
{
  gchar *path = spool_path (q, seq);
  gsize size;
  const gchar *bytes = g_bytes_get_data (data, &size);
  gboolean ok = g_file_set_contents_full (path, bytes, (gssize) size,
      G_FILE_SET_CONTENTS_CONSISTENT, 0600, error);

  g_free (path);
  return ok;
}

/* Moves the spool's oldest records into memory while memory has room.
 * A file that cannot be read drops its record (counted). */
static void
refill_locked (GstDdamfnPubQueue * q, GError ** error)
{
  while (q->spool.length > 0 && q->mem.length < q->max_records) {
    SpoolEntry *s = g_queue_peek_head (&q->spool);
    gchar *path, *contents = NULL;
    gsize len = 0;
    Entry *e;

    if (q->mem.length > 0 && q->st.queued_bytes + s->size > q->max_bytes)
      break;
    g_queue_pop_head (&q->spool);
    q->st.spool_records--;
    q->st.spool_bytes -= MIN (q->st.spool_bytes, s->size);
    path = spool_path (q, s->seq);
    if (!g_file_get_contents (path, &contents, &len, error)) {
      g_unlink (path);
      q->st.dropped++;
      g_free (path);
      g_free (s);
      continue;
    }
    g_free (path);
    e = g_new0 (Entry, 1);
    e->seq = s->seq;
    e->data = g_bytes_new_take (contents, len);
    e->has_file = TRUE;
    g_queue_push_tail (&q->mem, e);
    q->st.queued++;
    q->st.queued_bytes += len;
    g_free (s);
  }
}

/* Drops the oldest waiting record (memory first: it is older than the
 * spool); FALSE when nothing waits. */
static gboolean
drop_oldest_locked (GstDdamfnPubQueue * q)
{
  Entry *e = g_queue_pop_head (&q->mem);

  if (e) {
    q->st.queued--;
    q->st.queued_bytes -= g_bytes_get_size (e->data);
    entry_free (q, e, TRUE);
  } else {
    SpoolEntry *s = g_queue_pop_head (&q->spool);
    gchar *path;

    if (s == NULL)
      return FALSE;
    q->st.spool_records--;
    q->st.spool_bytes -= MIN (q->st.spool_bytes, s->size);
    path = spool_path (q, s->seq);
    g_unlink (path);
    g_free (path);
    g_free (s);
  }
  q->st.dropped++;
  return TRUE;
}

GstDdamfnPubPushResult
gst_ddamfn_pub_queue_push (GstDdamfnPubQueue * q, GBytes * record,
    guint * n_dropped, GError ** error)
{
  gsize size = g_bytes_get_size (record);
  GstDdamfnPubPushResult res = GST_DDAMFN_PUB_PUSH_OK;
  guint dropped = 0;

  g_mutex_lock (&q->lock);
  for (;;) {
    gboolean mem_room = q->spool.length == 0
        && q->mem.length < q->max_records
        && (q->mem.length == 0 || q->st.queued_bytes + size <= q->max_bytes);
    gboolean spool_room = q->spool_dir != NULL && (q->spool.length == 0
        || q->st.spool_bytes + size <= q->max_spool_bytes);

    if (q->flushing) {
      res = GST_DDAMFN_PUB_PUSH_FLUSHING;
      break;
    }
    if (mem_room) {
      Entry *e = g_new0 (Entry, 1);
      e->seq = q->next_seq++;
      e->data = g_bytes_ref (record);
      g_queue_push_tail (&q->mem, e);
      q->st.queued++;
      q->st.queued_bytes += size;
      q->st.accepted++;
      break;
    }
    if (spool_room) {
      SpoolEntry *s;

      if (!spool_write (q, q->next_seq, record, error)) {
        res = GST_DDAMFN_PUB_PUSH_ERROR;
        break;
      }
      s = g_new0 (SpoolEntry, 1);
      s->seq = q->next_seq++;
      s->size = size;
      g_queue_push_tail (&q->spool, s);
      q->st.spool_records++;
      q->st.spool_bytes += size;
      q->st.spooled++;
      q->st.accepted++;
      break;
    }
    if (q->policy == GST_DDAMFN_PUB_POLICY_DROP_OLDEST
        && drop_oldest_locked (q)) {
      dropped++;
      refill_locked (q, NULL);
      continue;
    }
    g_cond_wait (&q->cond, &q->lock);
  }
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
  if (n_dropped)
    *n_dropped = dropped;
  return res;
}

void
gst_ddamfn_pub_queue_set_flushing (GstDdamfnPubQueue * q, gboolean flushing)
{
  g_mutex_lock (&q->lock);
  q->flushing = flushing;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
gst_ddamfn_pub_queue_set_ready (GstDdamfnPubQueue * q, gboolean ready)
{
  g_mutex_lock (&q->lock);
  q->ready = ready;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
gst_ddamfn_pub_queue_close_sender (GstDdamfnPubQueue * q)
{
  g_mutex_lock (&q->lock);
  q->closed = TRUE;
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

GBytes *
gst_ddamfn_pub_queue_pop (GstDdamfnPubQueue * q, guint max_in_flight,
    gint64 end_time, guint64 * seq, GError ** error)
{
  GBytes *out = NULL;

  g_mutex_lock (&q->lock);
  for (;;) {
    /* one sender: a record popped and not yet sent or given back */
    if (q->closed || q->popped != NULL)
      break;
    if (q->mem.length == 0 && q->spool.length > 0)
      refill_locked (q, error);
    if (q->ready && q->mem.length > 0
        && g_hash_table_size (q->flight) < MAX (max_in_flight, 1)) {
      Entry *e = g_queue_pop_head (&q->mem);

      q->st.queued--;
      q->st.queued_bytes -= g_bytes_get_size (e->data);
      q->popped = e;
      *seq = e->seq;
      out = g_bytes_ref (e->data);
      refill_locked (q, NULL);
      g_cond_broadcast (&q->cond);      /* room for a blocked push */
      break;
    }
    if (end_time < 0)
      g_cond_wait (&q->cond, &q->lock);
    else if (!g_cond_wait_until (&q->cond, &q->lock, end_time))
      break;
  }
  g_mutex_unlock (&q->lock);
  return out;
}

void
gst_ddamfn_pub_queue_sent (GstDdamfnPubQueue * q, guint64 seq, gint mid)
{
  Entry *e;

  g_mutex_lock (&q->lock);
  e = q->popped;
  if (e == NULL || e->seq != seq) {
    g_mutex_unlock (&q->lock);
    g_return_if_reached ();
  }
  q->popped = NULL;
  q->st.sent++;
  if (g_hash_table_contains (q->early, GINT_TO_POINTER (mid))) {
    q->st.acknowledged++;
    entry_free (q, e, TRUE);
  } else {
    g_hash_table_insert (q->flight, GINT_TO_POINTER (mid), e);
    q->st.in_flight = g_hash_table_size (q->flight);
  }
  /* an early acknowledgement can only be for the record popped last */
  g_hash_table_remove_all (q->early);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
gst_ddamfn_pub_queue_unsend (GstDdamfnPubQueue * q, guint64 seq,
    G_GNUC_UNUSED GBytes * record)
{
  Entry *e;

  g_mutex_lock (&q->lock);
  e = q->popped;
  if (e == NULL || e->seq != seq) {
    g_mutex_unlock (&q->lock);
    g_return_if_reached ();
  }
  q->popped = NULL;
  g_queue_push_head (&q->mem, e);
  q->st.queued++;
  q->st.queued_bytes += g_bytes_get_size (e->data);
  g_hash_table_remove_all (q->early);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
gst_ddamfn_pub_queue_drop_popped (GstDdamfnPubQueue * q, guint64 seq)
{
  Entry *e;

  g_mutex_lock (&q->lock);
  e = q->popped;
  if (e == NULL || e->seq != seq) {
    g_mutex_unlock (&q->lock);
    g_return_if_reached ();
  }
  q->popped = NULL;
  q->st.dropped++;
  entry_free (q, e, TRUE);
  g_hash_table_remove_all (q->early);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

void
gst_ddamfn_pub_queue_ack (GstDdamfnPubQueue * q, gint mid)
{
  Entry *e;

  g_mutex_lock (&q->lock);
  e = g_hash_table_lookup (q->flight, GINT_TO_POINTER (mid));
  if (e) {
    g_hash_table_remove (q->flight, GINT_TO_POINTER (mid));
    q->st.in_flight = g_hash_table_size (q->flight);
    q->st.acknowledged++;
    entry_free (q, e, TRUE);
  } else if (q->popped) {
    g_hash_table_add (q->early, GINT_TO_POINTER (mid));
  }
  /* else: a record already given back by requeue_in_flight */
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

static gint
compare_entry_seq_desc (gconstpointer a, gconstpointer b)
{
  const Entry *x = *(Entry * const *) a, *y = *(Entry * const *) b;
  return (x->seq < y->seq) - (x->seq > y->seq);
}

void
gst_ddamfn_pub_queue_requeue_in_flight (GstDdamfnPubQueue * q)
{
  GPtrArray *all;
  GHashTableIter it;
  gpointer value;

  g_mutex_lock (&q->lock);
  all = g_ptr_array_new ();
  g_hash_table_iter_init (&it, q->flight);
  while (g_hash_table_iter_next (&it, NULL, &value))
    g_ptr_array_add (all, value);
  g_hash_table_remove_all (q->flight);
  g_ptr_array_sort (all, compare_entry_seq_desc);
  for (guint i = 0; i < all->len; i++) {
    Entry *e = g_ptr_array_index (all, i);
    g_queue_push_head (&q->mem, e);
    q->st.queued++;
    q->st.queued_bytes += g_bytes_get_size (e->data);
  }
  q->st.requeued += all->len;
  q->st.in_flight = 0;
  g_ptr_array_unref (all);
  g_cond_broadcast (&q->cond);
  g_mutex_unlock (&q->lock);
}

gboolean
gst_ddamfn_pub_queue_wait_empty (GstDdamfnPubQueue * q, gint64 end_time)
{
  gboolean empty;

  g_mutex_lock (&q->lock);
  for (;;) {
    empty = q->mem.length == 0 && q->spool.length == 0 && q->popped == NULL
        && g_hash_table_size (q->flight) == 0;
    if (empty || q->flushing)
      break;
    if (end_time < 0)
      g_cond_wait (&q->cond, &q->lock);
    else if (!g_cond_wait_until (&q->cond, &q->lock, end_time))
      break;
  }
  g_mutex_unlock (&q->lock);
  return empty;
}

void
gst_ddamfn_pub_queue_get_stats (GstDdamfnPubQueue * q,
    GstDdamfnPubStats * stats)
{
  g_mutex_lock (&q->lock);
  *stats = q->st;
  g_mutex_unlock (&q->lock);
}

/* At free: a record still held goes to the spool, or is lost. */
static void
keep_or_lose (GstDdamfnPubQueue * q, Entry * e, guint * kept, guint * lost)
{
  if (q->spool_dir && (e->has_file || spool_write (q, e->seq, e->data, NULL))) {
    e->has_file = FALSE;        /* the file stays for the next run */
    (*kept)++;
  } else {
    q->st.dropped++;
    (*lost)++;
  }
  entry_free (q, e, FALSE);
}

void
gst_ddamfn_pub_queue_free (GstDdamfnPubQueue * q, guint * n_kept,
    guint * n_lost)
{
  guint kept = 0, lost = 0;
  GHashTableIter it;
  gpointer value;
  Entry *e;
  SpoolEntry *s;

  if (q == NULL)
    return;
  if (q->popped)
    keep_or_lose (q, q->popped, &kept, &lost);
  g_hash_table_iter_init (&it, q->flight);
  while (g_hash_table_iter_next (&it, NULL, &value))
    keep_or_lose (q, value, &kept, &lost);
  while ((e = g_queue_pop_head (&q->mem)))
    keep_or_lose (q, e, &kept, &lost);
  while ((s = g_queue_pop_head (&q->spool))) {
    kept++;
    g_free (s);
  }
  g_hash_table_unref (q->flight);
  g_hash_table_unref (q->early);
  g_free (q->spool_dir);
  g_mutex_clear (&q->lock);
  g_cond_clear (&q->cond);
  g_free (q);
  if (n_kept)
    *n_kept = kept;
  if (n_lost)
    *n_lost = lost;
}
