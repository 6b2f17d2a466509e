/* Batches of faces for the network, and the thread of live mode.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstddamfnworker.h"

#include <math.h>
#include <string.h>

/* Jobs kept for reuse beyond the ones in use: finished jobs are recycled
 * by the streaming thread, so a few spare ones avoid allocating the
 * faces' tensors (150 KB each for DDAMFN) on every frame. */
#define POOL_SIZE 4

GstDdamfnJob *
gst_ddamfn_job_new (guint n_faces, gsize input_floats)
{
  GstDdamfnJob *job = g_new0 (GstDdamfnJob, 1);

  job->input_floats = input_floats;
  if (!gst_ddamfn_job_reserve (job, n_faces)) {
    g_free (job);
    return NULL;
  }
  return job;
}

static void
job_clear (GstDdamfnJob * job)
{
  g_clear_pointer (&job->track_ids, g_free);
  g_clear_pointer (&job->input, g_free);
  g_clear_pointer (&job->results, g_free);
  job->capacity = 0;
}

gboolean
gst_ddamfn_job_reserve (GstDdamfnJob * job, guint n_faces)
{
  job->n_faces = 0;
  if (n_faces <= job->capacity)
    return TRUE;
  job_clear (job);
  job->track_ids = g_try_new (guint, n_faces);
  job->input = g_try_new (float, (gsize) n_faces * job->input_floats);
  job->results = g_try_new0 (DdamfnResult, n_faces);
  if (job->track_ids == NULL || job->input == NULL || job->results == NULL) {
    job_clear (job);
    return FALSE;
  }
  job->capacity = n_faces;
  return TRUE;
}

void
gst_ddamfn_job_free (GstDdamfnJob * job)
{
  if (job == NULL)
    return;
  job_clear (job);
  g_free (job);
}

gboolean
gst_ddamfn_job_run (GstDdamfnJob * job, DdamfnSession * session,
    GError ** error)
{
  if (job->n_faces == 0)
    return TRUE;
  return ddamfn_session_run (session, job->input, (int) job->n_faces,
      job->results, error);
}

struct _GstDdamfnWorker
{
  DdamfnSession *session;
  guint queue_size;
  GThread *thread;

  GMutex lock;
  GCond cond;
  gboolean quit;
  GQueue waiting;               /* GstDdamfnJob, oldest first */
  GQueue done;                  /* GstDdamfnJob, oldest first */
  GQueue pool;                  /* spare GstDdamfnJob */
  GError *error;                /* first failure of the network */
  gboolean error_reported;
  gdouble us_per_face;          /* running average, 0 until the first job */
};

static gpointer
worker_main (gpointer data)
{
  GstDdamfnWorker *w = data;

  g_mutex_lock (&w->lock);
  for (;;) {
    GstDdamfnJob *job;
    GError *error = NULL;
    gint64 start;
    gdouble us;
    gboolean ok;

    while (!w->quit && g_queue_is_empty (&w->waiting))
      g_cond_wait (&w->cond, &w->lock);
    if (w->quit)
      break;
    job = g_queue_pop_head (&w->waiting);
    g_mutex_unlock (&w->lock);

    start = g_get_monotonic_time ();
    ok = gst_ddamfn_job_run (job, w->session, &error);
    us = (gdouble) (g_get_monotonic_time () - start) / MAX (job->n_faces, 1);

    g_mutex_lock (&w->lock);
    w->us_per_face = w->us_per_face > 0 ? 0.5 * w->us_per_face + 0.5 * us : us;
    if (ok) {
      g_queue_push_tail (&w->done, job);
    } else {
      if (w->error == NULL)
        w->error = error;
      else
        g_clear_error (&error);
      g_queue_push_tail (&w->pool, job);
    }
  }
  g_mutex_unlock (&w->lock);
  return NULL;
}

GstDdamfnWorker *
gst_ddamfn_worker_new (DdamfnSession * session, guint queue_size,
    GError ** error)
{
  GstDdamfnWorker *w = g_new0 (GstDdamfnWorker, 1);

  w->session = session;
  w->queue_size = MAX (queue_size, 1);
  g_mutex_init (&w->lock);
  g_cond_init (&w->cond);
  g_queue_init (&w->waiting);
  g_queue_init (&w->done);
  g_queue_init (&w->pool);
  w->thread = g_thread_try_new ("ddamfn-live", worker_main, w, error);
  if (w->thread == NULL) {
    g_mutex_clear (&w->lock);
    g_cond_clear (&w->cond);
    g_free (w);
    return NULL;
  }
  return w;
}

static void
free_jobs (GQueue * q)
{
  GstDdamfnJob *job;

  while ((job = g_queue_pop_head (q)))
    gst_ddamfn_job_free (job);
}

void
gst_ddamfn_worker_free (GstDdamfnWorker * w)
{
  if (w == NULL)
    return;
  g_mutex_lock (&w->lock);
  w->quit = TRUE;
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
  g_thread_join (w->thread);

  free_jobs (&w->waiting);
  free_jobs (&w->done);
  free_jobs (&w->pool);
  g_clear_error (&w->error);
  g_mutex_clear (&w->lock);
  g_cond_clear (&w->cond);
  g_free (w);
}

GstDdamfnJob *
gst_ddamfn_worker_get_job (GstDdamfnWorker * w, guint n_faces)
{
  GstDdamfnJob *job;

  g_mutex_lock (&w->lock);
  job = g_queue_pop_head (&w->pool);
  g_mutex_unlock (&w->lock);

  if (job == NULL)
    return gst_ddamfn_job_new (n_faces,
        ddamfn_model_get_input_floats (ddamfn_session_get_model
            (w->session)));
  if (!gst_ddamfn_job_reserve (job, n_faces)) {
    gst_ddamfn_job_free (job);
    return NULL;
  }
  return job;
}

/* Called with the lock held. */
static void
recycle_locked (GstDdamfnWorker * w, GstDdamfnJob * job)
{
  if (g_queue_get_length (&w->pool) < POOL_SIZE)
    g_queue_push_tail (&w->pool, job);
  else
    gst_ddamfn_job_free (job);
}

GstDdamfnJob *
gst_ddamfn_worker_submit (GstDdamfnWorker * w, GstDdamfnJob * job)
{
  GstDdamfnJob *replaced = NULL;

  g_mutex_lock (&w->lock);
  if (g_queue_get_length (&w->waiting) >= w->queue_size)
    replaced = g_queue_pop_head (&w->waiting);
  g_queue_push_tail (&w->waiting, job);
  g_cond_signal (&w->cond);
  g_mutex_unlock (&w->lock);
  return replaced;
}

guint
gst_ddamfn_worker_get_budget (GstDdamfnWorker * w, guint64 frame_ns,
    guint n_faces)
{
  gdouble us, fit;
  guint budget;

  g_mutex_lock (&w->lock);
  us = w->us_per_face;
  g_mutex_unlock (&w->lock);
  if (us <= 0)
    return n_faces;
  /* Rounded down, a job ends before the next frame brings the next one, so
   * results come back within a frame; but when that leaves the thread idle
   * for more than a quarter of each frame, rounded up (jobs then wait a
   * little for the thread, which never idles). */
  fit = frame_ns / 1000.0 / us;
  budget = (guint) floor (fit);
  if (budget == 0 || budget < 0.75 * fit)
    budget = (guint) ceil (fit);
  return CLAMP (budget, 1, MAX (n_faces, 1));
}

GstDdamfnJob *
gst_ddamfn_worker_pop_done (GstDdamfnWorker * w, GError ** error)
{
  GstDdamfnJob *job;

  g_mutex_lock (&w->lock);
  if (w->error != NULL && !w->error_reported) {
    w->error_reported = TRUE;
    g_propagate_error (error, g_error_copy (w->error));
    g_mutex_unlock (&w->lock);
    return NULL;
  }
  job = g_queue_pop_head (&w->done);
  g_mutex_unlock (&w->lock);
  return job;
}

void
gst_ddamfn_worker_recycle (GstDdamfnWorker * w, GstDdamfnJob * job)
{
  g_mutex_lock (&w->lock);
  recycle_locked (w, job);
  g_mutex_unlock (&w->lock);
}

void
gst_ddamfn_worker_flush (GstDdamfnWorker * w)
{
  GstDdamfnJob *job;

  g_mutex_lock (&w->lock);
  while ((job = g_queue_pop_head (&w->waiting)))
    recycle_locked (w, job);
  while ((job = g_queue_pop_head (&w->done)))
    recycle_locked (w, job);
  g_mutex_unlock (&w->lock);
}
