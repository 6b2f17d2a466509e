/* ddamfn-serve: latency of a stream's frames through its analysis.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A frame's latency is the wall time from its buffer entering
 * ddamfnfacedetect to the record made of it leaving ddamfnjson (which keeps
 * the video buffer's timestamps). The two pad probes run on different
 * streaming threads (a queue stands between detection and the network),
 * so both take a lock. Frames pass in order, so the entries wait in a FIFO
 * keyed by PTS: a leaving buffer takes the oldest entry of its PTS and
 * drops any older ones (frames an element dropped); repeated PTS, which
 * some decoders give, still match in order. Both the FIFO and the window
 * of samples are bounded.
 */
#include "serve-latency.h"

#include <math.h>
#include <stdlib.h>

/* Most entries waiting: far more than the frames in flight in one
 * pipeline; beyond it the oldest are forgotten. */
#define MAX_PENDING 1024

typedef struct
{
  GstClockTime pts;
  gint64 t_us;
} Entry;

struct _ServeLatency
{
  GMutex lock;
  Entry pending[MAX_PENDING];   /* ring: head is the oldest */
  guint head, n_pending;
  gdouble window[SERVE_LATENCY_WINDOW]; /* ms, a ring too */
  guint next, n_samples;
};

ServeLatency *
serve_latency_new (void)
{
  ServeLatency *l = g_new0 (ServeLatency, 1);

  g_mutex_init (&l->lock);
  return l;
}

void
serve_latency_free (ServeLatency * l)
{
  if (l == NULL)
    return;
  g_mutex_clear (&l->lock);
  g_free (l);
}

void
serve_latency_enter (ServeLatency * l, GstClockTime pts)
{
  gint64 now = g_get_monotonic_time ();

  g_mutex_lock (&l->lock);
  if (l->n_pending == MAX_PENDING) {
    l->head = (l->head + 1) % MAX_PENDING;
    l->n_pending--;
  }
  l->pending[(l->head + l->n_pending) % MAX_PENDING] = (Entry) {
  pts, now};
  l->n_pending++;
  g_mutex_unlock (&l->lock);
}

void
serve_latency_leave (ServeLatency * l, GstClockTime pts)
{
  gint64 now = g_get_monotonic_time ();
  guint i;

  g_mutex_lock (&l->lock);
  for (i = 0; i < l->n_pending; i++)
    if (l->pending[(l->head + i) % MAX_PENDING].pts == pts)
      break;
  if (i < l->n_pending) {
    const Entry *e = &l->pending[(l->head + i) % MAX_PENDING];

    l->window[l->next] = (now - e->t_us) / 1000.0;
    l->next = (l->next + 1) % SERVE_LATENCY_WINDOW;
    l->n_samples = MIN (l->n_samples + 1, SERVE_LATENCY_WINDOW);
    /* this entry and every older one are done with */
    l->head = (l->head + i + 1) % MAX_PENDING;
    l->n_pending -= i + 1;
  }
  g_mutex_unlock (&l->lock);
}

static int
compare_doubles (const void *a, const void *b)
{
  gdouble x = *(const gdouble *) a, y = *(const gdouble *) b;

  return x < y ? -1 : x > y;
}

/* Nearest rank of the sorted samples. */
static gdouble
percentile (const gdouble * sorted, guint n, gdouble q)
{
  gint rank = (gint) ceil (q * n) - 1;

  return sorted[CLAMP (rank, 0, (gint) n - 1)];
}

/* FALSE when no frame has gone through yet. */
gboolean
serve_latency_percentiles (ServeLatency * l, gdouble * p50_ms,
    gdouble * p95_ms)
{
  gdouble sorted[SERVE_LATENCY_WINDOW];
  guint n;

  g_mutex_lock (&l->lock);
  n = l->n_samples;
  for (guint i = 0; i < n; i++)
    sorted[i] = l->window[i];
  g_mutex_unlock (&l->lock);
  if (n == 0)
    return FALSE;
  qsort (sorted, n, sizeof (sorted[0]), compare_doubles);
  *p50_ms = percentile (sorted, n, 0.50);
  *p95_ms = percentile (sorted, n, 0.95);
  return TRUE;
}
