/* The DDAMFN forward pass: walks the layers built by model.c over a batch.
 *
 * Activations are channel-major, [channel][face][h][w], so a 1×1
 * convolution over the whole batch is one sgemm, and depthwise and
 * attention kernels see contiguous planes. A session owns every scratch
 * buffer; they grow on the first run at a larger batch size and are reused
 * afterwards, so steady-state runs allocate nothing.
 *
 * Threads: a batch of several faces is cut into one slice per thread and
 * each slice runs the whole network on its own worker (own scratch, OpenBLAS
 * kept single-threaded), which scales almost linearly and never
 * oversubscribes the cores. OpenBLAS's own threads are not used: on the
 * network's small matrices they made a single face slower (16 ms against
 * 12.5 ms at 2 threads on the development machine), so one face runs on
 * one core.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <math.h>
#include <string.h>
#include <unistd.h>

/* Beyond this a batch is a caller bug, not a frame of faces. */
#define DDAMFN_MAX_BATCH 4096

enum
{
  BUF_ACT_A,                    /* block input / output (ping) */
  BUF_ACT_B,                    /* block input / output (pong) */
  BUF_EXPAND,                   /* 1×1 expansion, im2col, head attention */
  BUF_DW,                       /* MDConv output */
  BUF_POOLED,                   /* CoordAtt pooled rows/columns */
  BUF_MID,                      /* CoordAtt bottleneck */
  BUF_GATES,                    /* CoordAtt sigmoid gates */
  BUF_VEC_A,                    /* [512][n] embeddings */
  BUF_VEC_B,
  BUF_OUT,                      /* [≤ 16][n] head outputs */
  N_BUFS
};

/* One thread's share of a run: its scratch and its slice of the batch. */
typedef struct
{
  DdamfnSession *session;
  int capacity;                 /* batch size the buffers hold */
  float *bufs[N_BUFS];
  gsize scratch_bytes;
  GThread *thread;              /* NULL for worker 0 (the caller) */
  /* the job, set by the caller under the session lock */
  const float *input;
  int n;
  DdamfnResult *results;
  guint64 generation;
} Worker;

struct _DdamfnSession
{
  DdamfnModel *model;
  int n_threads;
  gsize per_face[N_BUFS];       /* floats per face of each buffer */
  Worker *workers;              /* n_threads of them */

  GMutex lock;
  GCond job_cond, done_cond;
  guint64 generation;           /* bumped for each parallel run */
  int pending;                  /* helper workers still busy */
  gboolean quit;
};

/* Floats per face each buffer needs, from the layer geometry. */
static void
plan_buffers (const DdamfnModel * m, gsize * per_face)
{
  gsize act = 64 * 56 * 56;     /* features.0 / features.1 output */
  gsize expand = (gsize) m->conv0.cin * m->conv0.kh * m->conv0.kw * 56 * 56;
  gsize dw = 0, pooled = 0, mid = 0;

  for (int i = 0; i < DDAMFN_N_MIX_BLOCKS; i++) {
    const DdamfnMixBlock *b = &m->blocks[i];
    gsize in_plane = (gsize) b->h_in * b->w_in;
    gsize out_plane = (gsize) b->h_out * b->w_out;
    act = MAX (act, MAX (b->cin * in_plane, b->cout * out_plane));
    expand = MAX (expand, b->groups_width * in_plane);
    dw = MAX (dw, b->groups_width * out_plane);
    pooled = MAX (pooled, (gsize) b->groups_width * (b->h_out + b->w_out));
    mid = MAX (mid, (gsize) b->ca.mip * (b->h_out + b->w_out));
  }
  act = MAX (act, 512 * 7 * 7);
  expand = MAX (expand, 512 * 7 * 7);
  pooled = MAX (pooled, 512 * 14);
  mid = MAX (mid, (gsize) m->heads[0].gate.mip * 14);

  per_face[BUF_ACT_A] = act;
  per_face[BUF_ACT_B] = act;
  per_face[BUF_EXPAND] = expand;
  per_face[BUF_DW] = dw;
  per_face[BUF_POOLED] = pooled;
  per_face[BUF_MID] = mid;
  per_face[BUF_GATES] = pooled;
  per_face[BUF_VEC_A] = 512;
  per_face[BUF_VEC_B] = 512;
  per_face[BUF_OUT] = DDAMFN_MAX_EXPRESSIONS;
}

static void
worker_release_buffers (Worker * w)
{
  for (int i = 0; i < N_BUFS; i++)
    g_clear_pointer (&w->bufs[i], g_free);
  w->capacity = 0;
  w->scratch_bytes = 0;
}

static gboolean
worker_reserve (Worker * w, int n, GError ** error)
{
  const gsize *per_face = w->session->per_face;

  if (n <= w->capacity)
    return TRUE;
  worker_release_buffers (w);
  for (int i = 0; i < N_BUFS; i++) {
    gsize bytes = (per_face[i] * n + DDAMFN_ROW_SLACK) * sizeof (float);
    /* zeroed: the row kernels read whole vectors past the tensors they
     * work on (into slack and unused space), values they then discard */
    w->bufs[i] = g_try_malloc0 (bytes);
    if (w->bufs[i] == NULL) {
      worker_release_buffers (w);
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
          "out of memory allocating %" G_GSIZE_FORMAT " bytes of scratch "
          "for a batch of %d faces", bytes, n);
      return FALSE;
    }
    w->scratch_bytes += bytes;
  }
  w->capacity = n;
  return TRUE;
}

static void forward (Worker * w, const float *input, int n,
    DdamfnResult * results);

/* Helper threads wait for a new generation, run their slice, report. */
static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  DdamfnSession *s = w->session;
  guint64 seen = 0;

  g_mutex_lock (&s->lock);
  for (;;) {
    while (!s->quit && s->generation == seen)
      g_cond_wait (&s->job_cond, &s->lock);
    if (s->quit)
      break;
    seen = s->generation;
    if (w->generation == seen && w->n > 0) {
      g_mutex_unlock (&s->lock);
      forward (w, w->input, w->n, w->results);
      g_mutex_lock (&s->lock);
      if (--s->pending == 0)
        g_cond_signal (&s->done_cond);
    }
  }
  g_mutex_unlock (&s->lock);
  return NULL;
}

DdamfnSession *
ddamfn_session_new (DdamfnModel * model, int n_threads, GError ** error)
{
  DdamfnSession *s;

  g_return_val_if_fail (model != NULL, NULL);
  if (n_threads < 0 || n_threads > 64) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "n_threads must be between 0 and 64, got %d", n_threads);
    return NULL;
  }
  if (n_threads == 0) {
    long online = sysconf (_SC_NPROCESSORS_ONLN);
    n_threads = online > 0 ? (int) MIN (online, 64) : 1;
  }
  if (!ddamfn_blas_init (error))
    return NULL;
  s = g_new0 (DdamfnSession, 1);
  s->model = ddamfn_model_ref (model);
  s->n_threads = n_threads;
  plan_buffers (model, s->per_face);
  g_mutex_init (&s->lock);
  g_cond_init (&s->job_cond);
  g_cond_init (&s->done_cond);
  s->workers = g_new0 (Worker, n_threads);
  for (int i = 0; i < n_threads; i++)
    s->workers[i].session = s;
  for (int i = 1; i < n_threads; i++) {
    s->workers[i].thread = g_thread_try_new ("ddamfn-worker", worker_main,
        &s->workers[i], error);
    if (s->workers[i].thread == NULL) {
      ddamfn_session_free (s);
      return NULL;
    }
  }
  return s;
}

void
ddamfn_session_free (DdamfnSession * session)
{
  if (session == NULL)
    return;
  g_mutex_lock (&session->lock);
  session->quit = TRUE;
  g_cond_broadcast (&session->job_cond);
  g_mutex_unlock (&session->lock);
  for (int i = 0; i < session->n_threads; i++) {
    if (session->workers[i].thread)
      g_thread_join (session->workers[i].thread);
    worker_release_buffers (&session->workers[i]);
  }
  g_free (session->workers);
  g_mutex_clear (&session->lock);
  g_cond_clear (&session->job_cond);
  g_cond_clear (&session->done_cond);
  ddamfn_model_unref (session->model);
  g_free (session);
}

DdamfnModel *
ddamfn_session_get_model (DdamfnSession * session)
{
  g_return_val_if_fail (session != NULL, NULL);
  return session->model;
}

size_t
ddamfn_session_get_scratch_bytes (const DdamfnSession * session)
{
  size_t total = 0;
  g_return_val_if_fail (session != NULL, 0);
  for (int i = 0; i < session->n_threads; i++)
    total += session->workers[i].scratch_bytes;
  return total;
}

/* One MixDW block: expand → MDConv → CoordAtt → project (+ input).
 *
 * The expand conv's bias and PReLU are applied by the depthwise pass as it
 * copies each plane in, the depthwise pass also pools for CoordAtt, and the
 * project conv's product is added onto the input in place (its bias lives
 * in the stream's readers, stream-bias.c): each activation tensor is
 * written once and read once per step. Returns where the output is: X for
 * a residual block, else Y. */
static float *
run_mix_block (Worker * s, const DdamfnMixBlock * b, float *x, float *y,
    int n)
{
  const gsize in_plane = (gsize) b->h_in * b->w_in;
  const gsize out_plane = (gsize) b->h_out * b->w_out;
  const gsize pooled_cols = (gsize) n * (b->h_out + b->w_out);
  float *e = s->bufs[BUF_EXPAND], *d = s->bufs[BUF_DW];
  int c0 = 0;

  ddamfn_op_conv1x1_product (&b->expand, x, e, (int) (n * in_plane), FALSE);

  for (int i = 0; i < b->n_splits; i++) {
    const DdamfnConv *dw = &b->dw[i];
    const DdamfnEpilogue in = { b->expand.bias + c0,
      b->expand.slope ? b->expand.slope + c0 : NULL, b->expand.act
    };
    ddamfn_op_depthwise (dw, e + (gsize) c0 * n * in_plane,
        d + (gsize) c0 * n * out_plane, dw->cout, n, b->h_in, b->w_in,
        b->h_out, b->w_out, FALSE, &in,
        s->bufs[BUF_POOLED] + (gsize) c0 * pooled_cols);
    c0 += dw->cout;
  }

  ddamfn_op_coord_gates (&b->ca, s->bufs[BUF_POOLED], s->bufs[BUF_MID],
      s->bufs[BUF_GATES], n, b->h_out, b->w_out);
  /* The expansion is consumed: the gated tensor goes there. */
  ddamfn_op_coord_apply (e, d, s->bufs[BUF_GATES], b->groups_width, n,
      b->h_out, b->w_out);

  if (b->residual) {
    ddamfn_op_conv1x1_product (&b->project, e, x, (int) (n * out_plane),
        TRUE);
    return x;
  }
  ddamfn_op_conv1x1_product (&b->project, e, y, (int) (n * out_plane), FALSE);
  return y;
}

/* The two DDAM heads and the global depthwise conv: F → embedding [512][n]. */
static void
run_attention_heads (Worker * s, const float *f, float *emb, int n)
{
  const DdamfnModel *m = s->session->model;
  float *att = s->bufs[BUF_EXPAND];

  for (int i = 0; i < DDAMFN_N_HEADS; i++) {
    const DdamfnHead *hd = &m->heads[i];
    ddamfn_op_coord_pool_linear (&hd->linear_h, &hd->linear_w, f,
        s->bufs[BUF_POOLED], 512, n, 7, 7);
    ddamfn_op_coord_gates (&hd->gate, s->bufs[BUF_POOLED], s->bufs[BUF_MID],
        s->bufs[BUF_GATES], n, 7, 7);
    ddamfn_op_coord_max_into (att, s->bufs[BUF_GATES], 512, n, 7, 7, i == 0);
  }
  ddamfn_op_global_depthwise (&m->gdc, att, f, emb, 512, n);
}

/* The network on N faces with worker W's scratch (already reserved). */
static void
forward (Worker * w, const float *input, int n, DdamfnResult * results)
{
  const DdamfnModel *m = w->session->model;
  float *cur = w->bufs[BUF_ACT_A], *other = w->bufs[BUF_ACT_B];
  /* conv0's bias and PReLU are applied by conv1_dw as it reads */
  const DdamfnEpilogue conv0_out = { m->conv0.bias, m->conv0.slope,
    m->conv0.act
  };

  ddamfn_op_conv_im2col (&m->conv0, input, n, DDAMFN_INPUT_SIZE,
      DDAMFN_INPUT_SIZE, w->bufs[BUF_EXPAND], cur, FALSE);
  ddamfn_op_depthwise (&m->conv1_dw, cur, other, 64, n, 56, 56, 56, 56, TRUE,
      &conv0_out, NULL);
  cur = other;
  other = w->bufs[BUF_ACT_A];

  for (int i = 0; i < DDAMFN_N_MIX_BLOCKS; i++) {
    float *t;
    if (run_mix_block (w, &m->blocks[i], cur, other, n) == other) {
      t = cur;
      cur = other;
      other = t;
    }
  }

  ddamfn_op_conv1x1 (&m->conv_last, cur, n * 49, other, n * 49, n * 49);
  run_attention_heads (w, other, w->bufs[BUF_VEC_A], n);
  ddamfn_postprocess (m, w->bufs[BUF_VEC_A], w->bufs[BUF_VEC_B],
      w->bufs[BUF_OUT], n, results);
}

gboolean
ddamfn_session_run (DdamfnSession * s, const float *input, int n,
    DdamfnResult * results, GError ** error)
{
  int slices, first = 0;

  g_return_val_if_fail (s != NULL, FALSE);
  if (input == NULL || results == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "input and results must not be NULL");
    return FALSE;
  }
  if (n < 1 || n > DDAMFN_MAX_BATCH) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "batch size must be between 1 and %d, got %d", DDAMFN_MAX_BATCH, n);
    return FALSE;
  }
  for (gsize i = 0; i < (gsize) n * DDAMFN_INPUT_FLOATS; i++) {
    if (!isfinite (input[i])) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
          "input face %d holds a non-finite value",
          (int) (i / DDAMFN_INPUT_FLOATS));
      return FALSE;
    }
  }

  /* Slice sizes differ by at most one face. */
  slices = MIN (s->n_threads, n);
  for (int t = 0; t < slices; t++) {
    Worker *w = &s->workers[t];
    w->n = n / slices + (t < n % slices);
    w->input = input + (gsize) first * DDAMFN_INPUT_FLOATS;
    w->results = results + first;
    first += w->n;
    if (!worker_reserve (w, w->n, error))
      return FALSE;
  }

  ddamfn_blas_set_threads (1);

  if (slices == 1) {
    forward (&s->workers[0], input, n, results);
    return TRUE;
  }

  g_mutex_lock (&s->lock);
  s->generation++;
  s->pending = slices - 1;
  for (int t = 1; t < s->n_threads; t++) {
    s->workers[t].generation = s->generation;
    if (t >= slices)
      s->workers[t].n = 0;
  }
  g_cond_broadcast (&s->job_cond);
  g_mutex_unlock (&s->lock);

  forward (&s->workers[0], s->workers[0].input, s->workers[0].n,
      s->workers[0].results);

  g_mutex_lock (&s->lock);
  while (s->pending > 0)
    g_cond_wait (&s->done_cond, &s->lock);
  g_mutex_unlock (&s->lock);
  return TRUE;
}
