/* The runner: a plan walked over a batch (see run.h).
 *
 * A batch is cut into one slice per worker (sizes differ by at most one)
 * and each slice runs the whole plan on its own worker, chunk after chunk
 * of DDAMFN_RUN_CHUNK inputs, with its own scratch: the workers never
 * share a tensor, so a batch scales across cores without locks. A single
 * input runs on one core. Scratch grows on the first run at a larger
 * chunk and is reused afterwards: steady-state runs allocate nothing.
 *
 * The workers are the only parallelism: the default BLAS (BLIS, serial,
 * private to the library) runs each product on its calling worker. With
 * -Dblas=openblas the runner leaves OpenBLAS's settings alone and the
 * application keeps it to one thread per call (README, Speed).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "run.h"

#include <stdlib.h>
#include <string.h>

/* Alignment of every scratch buffer: whole cache lines, and the widest
 * vector loads (AVX-512) never split one. */
#define SCRATCH_ALIGN 64

typedef struct
{
  DdamfnRunner *runner;
  DdamfnScratch scratch;
  GThread *thread;              /* NULL for worker 0 (the caller) */
  /* the job, set by the caller under the runner's lock */
  const float *input;
  int n;
  gpointer results;
  guint64 generation;
} Worker;

struct _DdamfnRunner
{
  const DdamfnPlan *plan;
  int n_threads;
  Worker *workers;

  GMutex lock;
  GCond job_cond, done_cond;
  guint64 generation;           /* bumped for each parallel run */
  int pending;                  /* helper workers still busy */
  gboolean quit;
};

static float *
scratch_alloc (gsize floats)
{
  gsize bytes = (floats + DDAMFN_ROW_SLACK) * sizeof (float);
  void *p = NULL;

  if (posix_memalign (&p, SCRATCH_ALIGN, bytes) != 0)
    return NULL;
  /* zeroed: the row kernels read whole vectors past the tensors they work
   * on (into slack and unused space), values they then discard */
  memset (p, 0, bytes);
  return p;
}

void
ddamfn_scratch_release (DdamfnScratch * s)
{
  for (int i = 0; i < DDAMFN_PLAN_MAX_SLOTS; i++)
    g_clear_pointer (&s->slots[i], free);
  g_clear_pointer (&s->kernel, free);
  s->capacity = 0;
  s->bytes = 0;
}

gboolean
ddamfn_scratch_reserve (DdamfnScratch * s, const DdamfnPlan * plan, int n,
    GError ** error)
{
  const int n_slots = ddamfn_plan_n_slots (plan);
  gsize floats;

  g_return_val_if_fail (n >= 1 && n <= DDAMFN_RUN_CHUNK, FALSE);
  if (n <= s->capacity)
    return TRUE;
  ddamfn_scratch_release (s);
  for (int i = 0; i <= n_slots; i++) {
    floats = i < n_slots ? ddamfn_plan_slot_floats (plan, i) * n
        : ddamfn_plan_kernel_scratch_floats (plan);
    float *p = scratch_alloc (floats);
    if (p == NULL) {
      ddamfn_scratch_release (s);
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
          "out of memory allocating %" G_GSIZE_FORMAT " bytes of scratch "
          "for %d inputs", floats * sizeof (float), n);
      return FALSE;
    }
    if (i < n_slots)
      s->slots[i] = p;
    else
      s->kernel = p;
    s->bytes += (floats + DDAMFN_ROW_SLACK) * sizeof (float);
  }
  s->capacity = n;
  return TRUE;
}

static float *
at (float *const *slots, const float *input, const DdamfnTensor * t, int n)
{
  if (t->slot == DDAMFN_PLAN_INPUT)
    return (float *) input;
  return slots[t->slot] + (gsize) t->c0 * n * t->h * t->w;
}

void
ddamfn_run_step (const DdamfnStep * s, const float *input, int n,
    float *const *slots, float *kernel_scratch)
{
  float *in = at (slots, input, &s->in, n), *out = at (slots, input, &s->out,
      n);
  float *aux = s->aux.c > 0 ? at (slots, input, &s->aux, n) : NULL;
  const int out_cols = n * s->out.h * s->out.w;
  const gboolean has_prologue = s->prologue.bias || s->prologue.slope
      || s->prologue.act != ACT_NONE;

  switch (s->kind) {
    case DDAMFN_STEP_CONV_IM2COL:
      ddamfn_op_conv_im2col (s->conv, in, n, s->in.h, s->in.w, aux, out,
          s->apply_bias);
      break;
    case DDAMFN_STEP_CONV1X1:
      if (s->apply_bias)
        ddamfn_op_conv1x1 (s->conv, in, out_cols, out, out_cols, out_cols);
      else
        ddamfn_op_conv1x1_product (s->conv, in, out, out_cols,
            s->accumulate);
      break;
    case DDAMFN_STEP_DEPTHWISE:
      ddamfn_op_depthwise (s->conv, in, out, s->out.c, n, s->in.h, s->in.w,
          s->out.h, s->out.w, s->apply_bias,
          has_prologue ? &s->prologue : NULL, aux, kernel_scratch);
      break;
    case DDAMFN_STEP_COORD_GATES:
      ddamfn_op_coord_gates (s->gate, in, aux, out, n, s->plane_h,
          s->plane_w);
      break;
    case DDAMFN_STEP_COORD_APPLY:
      ddamfn_op_coord_apply (out, in, aux, s->in.c, n, s->in.h, s->in.w);
      break;
    case DDAMFN_STEP_COORD_POOL_LINEAR:
      ddamfn_op_coord_pool_linear (s->conv, s->conv2, in, out, s->in.c, n,
          s->in.h, s->in.w);
      break;
    case DDAMFN_STEP_COORD_MAX:
      ddamfn_op_coord_max_into (out, in, s->out.c, n, s->out.h, s->out.w,
          s->first);
      break;
    case DDAMFN_STEP_GLOBAL_DEPTHWISE:
      ddamfn_op_global_depthwise (s->conv, in, aux, out, s->in.c, n);
      break;
    case DDAMFN_STEP_DENSE:
      ddamfn_op_dense (s->dense, in, out, n, s->act);
      break;
    case DDAMFN_STEP_ADD:
      ddamfn_op_add (out, in, aux, s->out.c, s->aux.c,
          (gsize) n * s->out.h * s->out.w, s->act);
      break;
    case DDAMFN_STEP_MAXPOOL2:
      ddamfn_op_maxpool2 (out, in, s->in.c * n, s->in.h, s->in.w);
      break;
    case DDAMFN_STEP_DEPTHWISE_WIDE:
      ddamfn_op_depthwise_wide (s->conv, in, out, s->out.c, n, s->in.h,
          s->in.w, s->out.h, s->out.w);
      break;
    case DDAMFN_STEP_UPSAMPLE2:
      ddamfn_op_upsample2 (out, in, s->in.c * n, s->in.h, s->in.w,
          s->half_pixel);
      break;
    case DDAMFN_STEP_CONV_GENERAL:
      ddamfn_op_conv_im2col_cm (s->conv, in, n, s->in.h, s->in.w, s->out.h,
          s->out.w, aux, out, s->apply_bias);
      break;
    case DDAMFN_STEP_ELTWISE:
      ddamfn_op_eltwise (s->eltwise, out, in, aux, s->out.c, n,
          (gsize) s->out.h * s->out.w);
      break;
    case DDAMFN_STEP_POOL:
      ddamfn_op_pool (s->pool, out, in, s->in.c * n, s->in.h, s->in.w,
          s->out.h, s->out.w);
      break;
    case DDAMFN_STEP_SOFTMAX:
      ddamfn_op_softmax_channels (out, in, s->in.c, n);
      break;
    case DDAMFN_STEP_REORDER:
      if (s->reorder == REORDER_ROWS)
        ddamfn_op_copy_rows (out, in, s->in.c * n, s->in.w, s->in.h,
            s->row_in, s->out.h, s->row_out, MIN (s->in.h - s->row_in,
                s->out.h - s->row_out));
      else
        ddamfn_op_reorder (s->reorder, out, in, s->in.c, n, s->in.h,
            s->in.w);
      break;
  }
}

void
ddamfn_run_steps (const DdamfnPlan * plan, const float *input, int n,
    float *const *slots, float *kernel_scratch)
{
  const guint n_steps = ddamfn_plan_n_steps (plan);

  for (guint i = 0; i < n_steps; i++)
    ddamfn_run_step (ddamfn_plan_step (plan, i), input, n, slots,
        kernel_scratch);
}

/* Worker W's slice, chunk by chunk (scratch already reserved). */
static void
run_slice (Worker * w)
{
  const DdamfnPlan *plan = w->runner->plan;
  const gsize in_floats = ddamfn_plan_input_floats (plan);
  const gsize result_size = ddamfn_plan_result_size (plan);

  for (int first = 0; first < w->n; first += DDAMFN_RUN_CHUNK) {
    const int n = MIN (DDAMFN_RUN_CHUNK, w->n - first);
    ddamfn_run_steps (plan, w->input + (gsize) first * in_floats, n,
        w->scratch.slots, w->scratch.kernel);
    ddamfn_plan_finish (plan, w->scratch.slots, n,
        (guint8 *) w->results + (gsize) first * result_size);
  }
}

/* Helper threads wait for a new generation, run their slice, report. */
static gpointer
worker_main (gpointer data)
{
  Worker *w = data;
  DdamfnRunner *r = w->runner;
  guint64 seen = 0;

  g_mutex_lock (&r->lock);
  for (;;) {
    while (!r->quit && r->generation == seen)
      g_cond_wait (&r->job_cond, &r->lock);
    if (r->quit)
      break;
    seen = r->generation;
    if (w->generation == seen && w->n > 0) {
      g_mutex_unlock (&r->lock);
      run_slice (w);
      g_mutex_lock (&r->lock);
      if (--r->pending == 0)
        g_cond_signal (&r->done_cond);
    }
  }
  g_mutex_unlock (&r->lock);
  return NULL;
}

DdamfnRunner *
ddamfn_runner_new (const DdamfnPlan * plan, int n_threads, GError ** error)
{
  DdamfnRunner *r;

  g_return_val_if_fail (plan != NULL && n_threads >= 1, NULL);
  r = g_new0 (DdamfnRunner, 1);
  r->plan = plan;
  r->n_threads = n_threads;
  g_mutex_init (&r->lock);
  g_cond_init (&r->job_cond);
  g_cond_init (&r->done_cond);
  r->workers = g_new0 (Worker, n_threads);
  for (int i = 0; i < n_threads; i++)
    r->workers[i].runner = r;
  for (int i = 1; i < n_threads; i++) {
    r->workers[i].thread = g_thread_try_new ("ddamfn-worker", worker_main,
        &r->workers[i], error);
    if (r->workers[i].thread == NULL) {
      ddamfn_runner_free (r);
      return NULL;
    }
  }
  return r;
}

void
ddamfn_runner_free (DdamfnRunner * r)
{
  if (r == NULL)
    return;
  g_mutex_lock (&r->lock);
  r->quit = TRUE;
  g_cond_broadcast (&r->job_cond);
  g_mutex_unlock (&r->lock);
  for (int i = 0; i < r->n_threads; i++) {
    if (r->workers[i].thread)
      g_thread_join (r->workers[i].thread);
    ddamfn_scratch_release (&r->workers[i].scratch);
  }
  g_free (r->workers);
  g_mutex_clear (&r->lock);
  g_cond_clear (&r->job_cond);
  g_cond_clear (&r->done_cond);
  g_free (r);
}

gsize
ddamfn_runner_get_scratch_bytes (const DdamfnRunner * r)
{
  gsize total = 0;

  for (int i = 0; i < r->n_threads; i++)
    total += r->workers[i].scratch.bytes;
  return total;
}

gboolean
ddamfn_runner_run (DdamfnRunner * r, const float *input, int n,
    gpointer results, GError ** error)
{
  const gsize in_floats = ddamfn_plan_input_floats (r->plan);
  const gsize result_size = ddamfn_plan_result_size (r->plan);
  int slices = MIN (r->n_threads, n), first = 0;

  g_return_val_if_fail (n >= 1 && n <= DDAMFN_RUN_MAX_BATCH, FALSE);
  for (int t = 0; t < slices; t++) {
    Worker *w = &r->workers[t];
    w->n = n / slices + (t < n % slices);
    w->input = input + (gsize) first * in_floats;
    w->results = (guint8 *) results + (gsize) first * result_size;
    first += w->n;
    if (!ddamfn_scratch_reserve (&w->scratch, r->plan,
            MIN (w->n, DDAMFN_RUN_CHUNK), error))
      return FALSE;
  }
  if (slices == 1) {
    run_slice (&r->workers[0]);
    return TRUE;
  }

  g_mutex_lock (&r->lock);
  r->generation++;
  r->pending = slices - 1;
  for (int t = 1; t < r->n_threads; t++) {
    r->workers[t].generation = r->generation;
    if (t >= slices)
      r->workers[t].n = 0;
  }
  g_cond_broadcast (&r->job_cond);
  g_mutex_unlock (&r->lock);

  run_slice (&r->workers[0]);

  g_mutex_lock (&r->lock);
  while (r->pending > 0)
    g_cond_wait (&r->done_cond, &r->lock);
  g_mutex_unlock (&r->lock);
  return TRUE;
}
