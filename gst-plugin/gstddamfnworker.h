/* Batches of faces for the network: run on the streaming thread
 * (synchronous mode) or on a thread of their own behind a bounded queue
 * (live mode of ddamfnfilter).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_WORKER_H__
#define __GST_DDAMFN_WORKER_H__

#include <glib.h>
#include <ddamfn/ddamfn.h>

G_BEGIN_DECLS

/* The faces of one frame that go through the network together. */
typedef struct
{
  guint64 frame;                /* the filter's frame counter */
  guint generation;             /* the filter's track generation */
  guint n_faces;                /* faces filled in */
  guint capacity;               /* faces the buffers below hold */
  gsize input_floats;           /* floats of one face's input tensor */
  guint *track_ids;             /* track of each face */
  float *input;                 /* n_faces normalised face tensors */
  DdamfnResult *results;        /* filled by the run */
} GstDdamfnJob;

/* A job with room for N_FACES faces of INPUT_FLOATS floats each (the
 * model's input) (n_faces reset to 0), or NULL when out of memory. */
GstDdamfnJob *gst_ddamfn_job_new (guint n_faces, gsize input_floats);

/* Makes room for N_FACES faces, keeping nothing; FALSE when out of
 * memory (JOB is then empty with capacity 0). */
gboolean gst_ddamfn_job_reserve (GstDdamfnJob * job, guint n_faces);

void gst_ddamfn_job_free (GstDdamfnJob * job);

/* Runs the network on the faces of JOB, filling its results. */
gboolean gst_ddamfn_job_run (GstDdamfnJob * job, DdamfnSession * session,
    GError ** error);

/* A thread that runs jobs one after the other. It holds at most
 * QUEUE_SIZE waiting jobs: a job submitted to a full queue replaces the
 * oldest waiting one, so the thread always works on recent frames and
 * memory stays bounded however slow the network is. */
typedef struct _GstDdamfnWorker GstDdamfnWorker;

/* Starts the thread; SESSION is used by that thread alone from now on
 * (not owned). NULL with ERROR set when the thread cannot start. */
GstDdamfnWorker *gst_ddamfn_worker_new (DdamfnSession * session,
    guint queue_size, GError ** error);

/* Stops the thread (after the job it is running, if any), waits for it and
 * frees every job. */
void gst_ddamfn_worker_free (GstDdamfnWorker * worker);

/* An empty job with room for N_FACES faces, recycled when possible; NULL
 * when out of memory. Give it back with gst_ddamfn_worker_submit() or
 * gst_ddamfn_worker_recycle(). */
GstDdamfnJob *gst_ddamfn_worker_get_job (GstDdamfnWorker * worker,
    guint n_faces);

/* Queues JOB (taken). Returns the waiting job it replaced when the queue
 * was full (the caller recycles it), NULL otherwise. */
GstDdamfnJob *gst_ddamfn_worker_submit (GstDdamfnWorker * worker,
    GstDdamfnJob * job);

/* How many of N_FACES faces the thread analyses in FRAME_NS nanoseconds
 * (one frame) at its speed on the recent jobs: 1 … N_FACES; N_FACES
 * before its first job finished. */
guint gst_ddamfn_worker_get_budget (GstDdamfnWorker * worker,
    guint64 frame_ns, guint n_faces);

/* The oldest finished job (taken: recycle it), or NULL when none is
 * finished. When the network failed on a job, returns NULL and sets
 * ERROR (once). */
GstDdamfnJob *gst_ddamfn_worker_pop_done (GstDdamfnWorker * worker,
    GError ** error);

/* Returns JOB to the worker's pool (or frees it when the pool is full). */
void gst_ddamfn_worker_recycle (GstDdamfnWorker * worker, GstDdamfnJob * job);

/* Drops the waiting and the finished jobs (a flush); the job being run
 * finishes and is returned by pop_done, its generation tells it apart. */
void gst_ddamfn_worker_flush (GstDdamfnWorker * worker);

G_END_DECLS

#endif /* __GST_DDAMFN_WORKER_H__ */
