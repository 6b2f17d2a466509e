/* The DDAMFN forward pass: walks the layers built by model.c over a batch.
 *
 * Activations are channel-major, [channel][face][h][w], so a 1×1
 * convolution over the whole batch is one sgemm, and depthwise and
 * attention kernels see contiguous planes. A session owns every scratch
 * buffer; they grow on the first run at a larger batch size and are reused
 * afterwards, so steady-state runs allocate nothing.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <cblas.h>
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

struct _DdamfnSession
{
  DdamfnModel *model;
  int n_threads;
  int capacity;                 /* batch size the buffers hold */
  gsize per_face[N_BUFS];       /* floats per face of each buffer */
  float *bufs[N_BUFS];
  gsize scratch_bytes;
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
session_release_buffers (DdamfnSession * s)
{
  for (int i = 0; i < N_BUFS; i++)
    g_clear_pointer (&s->bufs[i], g_free);
  s->capacity = 0;
  s->scratch_bytes = 0;
}

static gboolean
session_reserve (DdamfnSession * s, int n, GError ** error)
{
  if (n <= s->capacity)
    return TRUE;
  session_release_buffers (s);
  for (int i = 0; i < N_BUFS; i++) {
    gsize bytes = s->per_face[i] * n * sizeof (float);
    s->bufs[i] = g_try_malloc (bytes);
    if (s->bufs[i] == NULL) {
      session_release_buffers (s);
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
          "out of memory allocating %" G_GSIZE_FORMAT " bytes of scratch "
          "for a batch of %d faces", bytes, n);
      return FALSE;
    }
    s->scratch_bytes += bytes;
  }
  s->capacity = n;
  return TRUE;
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
  s = g_new0 (DdamfnSession, 1);
  s->model = ddamfn_model_ref (model);
  s->n_threads = n_threads;
  plan_buffers (model, s->per_face);
  return s;
}

void
ddamfn_session_free (DdamfnSession * session)
{
  if (session == NULL)
    return;
  session_release_buffers (session);
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
  g_return_val_if_fail (session != NULL, 0);
  return session->scratch_bytes;
}

/* One MixDW block: expand → MDConv → CoordAtt → project (+ input). */
static void
run_mix_block (DdamfnSession * s, const DdamfnMixBlock * b, const float *x,
    float *y, int n)
{
  const gsize in_plane = (gsize) b->h_in * b->w_in;
  const gsize out_plane = (gsize) b->h_out * b->w_out;
  float *e = s->bufs[BUF_EXPAND], *d = s->bufs[BUF_DW];
  int c0 = 0;

  ddamfn_op_conv1x1 (&b->expand, x, (int) (n * in_plane), e,
      (int) (n * in_plane), (int) (n * in_plane));

  for (int i = 0; i < b->n_splits; i++) {
    const DdamfnConv *dw = &b->dw[i];
    ddamfn_op_depthwise (dw, e + (gsize) c0 * n * in_plane,
        d + (gsize) c0 * n * out_plane, dw->cout, n, b->h_in, b->w_in,
        b->h_out, b->w_out, FALSE);
    c0 += dw->cout;
  }

  ddamfn_op_coord_pool_mean (d, s->bufs[BUF_POOLED], b->groups_width, n,
      b->h_out, b->w_out);
  ddamfn_op_coord_gates (&b->ca, s->bufs[BUF_POOLED], s->bufs[BUF_MID],
      s->bufs[BUF_GATES], n, b->h_out, b->w_out);
  ddamfn_op_coord_apply (d, s->bufs[BUF_GATES], b->groups_width, n,
      b->h_out, b->w_out);

  ddamfn_op_conv1x1 (&b->project, d, (int) (n * out_plane), y,
      (int) (n * out_plane), (int) (n * out_plane));
  if (b->residual) {
    const gsize total = (gsize) b->cout * n * out_plane;
    for (gsize i = 0; i < total; i++)
      y[i] += x[i];
  }
}

/* The two DDAM heads and the global depthwise conv: F → embedding [512][n]. */
static void
run_attention_heads (DdamfnSession * s, const float *f, float *emb, int n)
{
  const DdamfnModel *m = s->model;
  float *att = s->bufs[BUF_EXPAND];
  const gsize total = (gsize) 512 * n * 49;

  for (int i = 0; i < DDAMFN_N_HEADS; i++) {
    const DdamfnHead *hd = &m->heads[i];
    ddamfn_op_coord_pool_linear (&hd->linear_h, &hd->linear_w, f,
        s->bufs[BUF_POOLED], 512, n, 7, 7);
    ddamfn_op_coord_gates (&hd->gate, s->bufs[BUF_POOLED], s->bufs[BUF_MID],
        s->bufs[BUF_GATES], n, 7, 7);
    ddamfn_op_coord_max_into (att, s->bufs[BUF_GATES], 512, n, 7, 7, i == 0);
  }
  for (gsize i = 0; i < total; i++)
    att[i] *= f[i];
  ddamfn_op_depthwise (&m->gdc, att, emb, 512, n, 7, 7, 1, 1, TRUE);
}

gboolean
ddamfn_session_run (DdamfnSession * s, const float *input, int n,
    DdamfnResult * results, GError ** error)
{
  const DdamfnModel *m;
  float *cur, *other;

  g_return_val_if_fail (s != NULL, FALSE);
  m = s->model;
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
  if (!session_reserve (s, n, error))
    return FALSE;

  /* OpenBLAS keeps one process-wide thread count. */
  if (openblas_get_num_threads () != s->n_threads)
    openblas_set_num_threads (s->n_threads);

  cur = s->bufs[BUF_ACT_A];
  other = s->bufs[BUF_ACT_B];
  ddamfn_op_conv_im2col (&m->conv0, input, n, DDAMFN_INPUT_SIZE,
      DDAMFN_INPUT_SIZE, s->bufs[BUF_EXPAND], cur);
  ddamfn_op_depthwise (&m->conv1_dw, cur, other, 64, n, 56, 56, 56, 56, TRUE);
  cur = other;
  other = s->bufs[BUF_ACT_A];

  for (int i = 0; i < DDAMFN_N_MIX_BLOCKS; i++) {
    float *t;
    run_mix_block (s, &m->blocks[i], cur, other, n);
    t = cur;
    cur = other;
    other = t;
  }

  ddamfn_op_conv1x1 (&m->conv_last, cur, n * 49, other, n * 49, n * 49);
  run_attention_heads (s, other, s->bufs[BUF_VEC_A], n);
  ddamfn_postprocess (m, s->bufs[BUF_VEC_A], s->bufs[BUF_VEC_B], s->bufs[BUF_OUT],
      n, results);
  return TRUE;
}
