/* Depthwise convolution for planes wider than the row kernels of
 * depthwise.c take (DDAMFN_DW_MAX_WIDTH): BlazeFace full range runs its
 * first layers on 96 × 96 planes. A direct convolution, output row by
 * output row, needing no scratch plane:
 *
 * - the output columns whose taps all lie inside the plane go in blocks
 *   of 32 that stay in registers over every tap (the last block overlaps
 *   the one before rather than running past the interior; with stride 2
 *   each input row is first split into its even and odd columns, so every
 *   tap reads a contiguous run); the few border columns on each side add
 *   only their taps inside the plane;
 * - rows too narrow for one block, and other strides: each tap adds its
 *   weight times a (strided) run of one input row into the output row,
 *   over exactly the output columns whose input lies inside the plane.
 *
 * The loops are compiled for AVX-512, AVX2 and the baseline, the CPU
 * picking one at load time (GCC target clones).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"
#include "ops/dispatch.h"

#include <string.h>

/* Output columns [*lo, *hi) whose input column ox·s + k − pad lies in
 * 0 … w − 1. */
static void
column_range (int ow, int w, int s, int k, int pad, int *lo, int *hi)
{
  int a = pad - k, b = w - 1 + pad - k;

  *lo = a <= 0 ? 0 : (a + s - 1) / s;
  *hi = b < 0 ? 0 : MIN (ow, b / s + 1);
}

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define ROW_CLONES __attribute__ ((target_clones ("avx512f", "avx2,fma", \
        "default")))
#else
#define ROW_CLONES
#endif

/* out[i] += w · src[i · s] for i in [lo, hi). */
ROW_CLONES static void
tap_row (float *restrict out, const float *restrict src, float w, int s,
    int lo, int hi)
{
  if (s == 1)
    for (int i = lo; i < hi; i++)
      out[i] += w * src[i];
  else
    for (int i = lo; i < hi; i++)
      out[i] += w * src[i * s];
}

/* Output columns one register block holds: four vectors of 8. */
#define BLOCK 32
/* Widest input row the stride-2 blocks split into phases (on the stack:
 * DDAMFN_DW_MAX_KERNEL rows of it). */
#define PHASE_MAX_WIDTH 256

typedef float WideV __attribute__ ((vector_size (32)));
typedef float WideVu __attribute__ ((vector_size (32), aligned (4),
        may_alias));

/* out[i] = Σ_t wt[t] · taps[t][off + i] for i in [0, BLOCK): the N taps
 * of a row that lie inside the plane. */
ROW_CLONES static void
tap_block (float *restrict out, const float *const *taps, const float *wt,
    int n, int off)
{
  WideV acc[BLOCK / 8] = { { 0 } };

  for (int t = 0; t < n; t++) {
    const float *p = taps[t] + off;
    const float wv = wt[t];
#pragma GCC unroll 4
    for (int v = 0; v < BLOCK / 8; v++)
      acc[v] += wv * *(const WideVu *) (p + 8 * v);
  }
#pragma GCC unroll 4
  for (int v = 0; v < BLOCK / 8; v++)
    *(WideVu *) (out + 8 * v) = acc[v];
}

/* even[j] = row[2j], odd[j] = row[2j + 1] (0 past the row's end) for j <
 * ⌈w / 2⌉. */
ROW_CLONES static void
split_phases (float *restrict even, float *restrict odd,
    const float *restrict row, int w)
{
  for (int j = 0; j < w / 2; j++) {
    even[j] = row[2 * j];
    odd[j] = row[2 * j + 1];
  }
  if (w & 1) {
    even[w / 2] = row[w - 1];
    odd[w / 2] = 0.f;
  }
}

/* Output column I of a row, from the input rows ROWS (NULL where outside
 * the plane), only the taps whose column lies in 0 … w − 1. */
static float
tap_column (const float *const *rows, const float *wt, int kh, int kw,
    int w, int s, int pad, int i)
{
  float sum = 0.f;

  for (int ky = 0; ky < kh; ky++)
    if (rows[ky] != NULL)
      for (int kx = 0; kx < kw; kx++) {
        const int ix = i * s + kx - pad;
        if (ix >= 0 && ix < w)
          sum += wt[ky * kw + kx] * rows[ky][ix];
      }
  return sum;
}

/* A plane's geometry and the output columns [lo, hi) whose every tap is
 * inside it. */
typedef struct
{
  int kh, kw, s, h, w, ow, pad_h, pad_w, lo, hi;
} WideRow;

static WideRow
wide_row (const DdamfnConv * conv, int h, int w, int ow)
{
  const int s = conv->stride, pad = conv->pad_w;
  WideRow g = {.kh = conv->kh,.kw = conv->kw,.s = s,.h = h,.w = w,.ow = ow,
    .pad_h = conv->pad_h,.pad_w = pad
  };

  /* i·s − pad ≥ 0 and i·s + kw − 1 − pad ≤ w − 1 */
  g.lo = MIN ((pad + s - 1) / s, ow);
  g.hi = w - g.kw + pad < 0 ? 0 : MIN (ow, (w - g.kw + pad) / s + 1);
  return g;
}

/* The even and odd columns of the last input rows a stride-2 plane read,
 * one slot per kernel row (input row iy in slot iy mod kh): each input row
 * is split once, not once per output row that reads it. */
typedef struct
{
  int row[DDAMFN_DW_MAX_KERNEL];        /* the input row in each slot */
  float col[DDAMFN_DW_MAX_KERNEL][2][PHASE_MAX_WIDTH / 2];
} Phases;

/* One output row by blocks (the interior at least BLOCK wide). */
static void
row_blocked (float *out, const float *xp, const float *wt, const WideRow * g,
    int oy, Phases * ph)
{
  const float *rows[DDAMFN_DW_MAX_KERNEL];
  const float *taps[DDAMFN_DW_MAX_KERNEL * DDAMFN_DW_MAX_KERNEL];
  float wts[DDAMFN_DW_MAX_KERNEL * DDAMFN_DW_MAX_KERNEL];
  int n = 0;

  for (int ky = 0; ky < g->kh; ky++) {
    const int iy = oy * g->s + ky - g->pad_h;
    rows[ky] = iy >= 0 && iy < g->h ? xp + (gsize) iy * g->w : NULL;
    if (rows[ky] == NULL)
      continue;
    if (g->s == 2 && ph->row[iy % g->kh] != iy) {
      split_phases (ph->col[iy % g->kh][0], ph->col[iy % g->kh][1], rows[ky],
          g->w);
      ph->row[iy % g->kh] = iy;
    }
    /* tap (ky, kx) of output column i reads input column i·s + d */
    for (int kx = 0; kx < g->kw; kx++, n++) {
      const int d = kx - g->pad_w;
      wts[n] = wt[ky * g->kw + kx];
      if (g->s == 1)
        taps[n] = rows[ky] + d;
      else                      /* 2i + d = 2 (i + ⌊d/2⌋) + (d & 1) */
        taps[n] = ph->col[iy % g->kh][d & 1] + (d >> 1);
    }
  }
  for (int i = 0; i < g->lo; i++)
    out[i] = tap_column (rows, wt, g->kh, g->kw, g->w, g->s, g->pad_w, i);
  for (int i0 = g->lo; i0 < g->hi; i0 += BLOCK) {
    const int b = MIN (i0, g->hi - BLOCK);  /* the last block overlaps */
    tap_block (out + b, taps, wts, n, b);
  }
  for (int i = MAX (g->hi, g->lo); i < g->ow; i++)
    out[i] = tap_column (rows, wt, g->kh, g->kw, g->w, g->s, g->pad_w, i);
}

/* One output row tap by tap (rows narrower than a block, strides other
 * than 1 and 2): LO, HI per kernel column from column_range. */
static void
row_by_taps (float *out, const float *xp, const float *wt, const WideRow * g,
    int oy, const int *lo, const int *hi)
{
  memset (out, 0, sizeof (float) * g->ow);
  for (int ky = 0; ky < g->kh; ky++) {
    const int iy = oy * g->s + ky - g->pad_h;
    const float *row;

    if (iy < 0 || iy >= g->h)
      continue;
    row = xp + (gsize) iy * g->w;
    for (int kx = 0; kx < g->kw; kx++)
      /* lo[kx] makes the first index read ≥ 0 */
      tap_row (out, row + kx - g->pad_w, wt[ky * g->kw + kx], g->s, lo[kx],
          hi[kx]);
  }
}

void
ddamfn_op_depthwise_wide (const DdamfnConv * conv, const float *x, float *y,
    int channels, int n, int h, int w, int oh, int ow)
{
  const DdamfnKernels *k = ddamfn_kernels_get ();
  const WideRow g = wide_row (conv, h, w, ow);
  const gboolean blocked = g.hi - g.lo >= BLOCK
      && (g.s == 1 || (g.s == 2 && w <= PHASE_MAX_WIDTH));
  int lo[DDAMFN_DW_MAX_KERNEL], hi[DDAMFN_DW_MAX_KERNEL];
  Phases phases;

  g_assert (g.kh <= DDAMFN_DW_MAX_KERNEL && g.kw <= DDAMFN_DW_MAX_KERNEL
      && g.s >= 1);
  for (int kx = 0; kx < g.kw; kx++)
    column_range (ow, w, g.s, kx, conv->pad_w, &lo[kx], &hi[kx]);

  for (int c = 0; c < channels; c++) {
    const float *wt = conv->weight + (gsize) c * g.kh * g.kw;
    const float bias = conv->bias ? conv->bias[c] : 0.f;
    const float slope = conv->slope ? conv->slope[c] : 0.f;

    for (int f = 0; f < n; f++) {
      const float *xp = x + ((gsize) c * n + f) * h * w;
      float *yp = y + ((gsize) c * n + f) * oh * ow;

      for (int i = 0; i < DDAMFN_DW_MAX_KERNEL; i++)
        phases.row[i] = -1;
      for (int oy = 0; oy < oh; oy++) {
        float *out = yp + (gsize) oy * ow;

        if (blocked)
          row_blocked (out, xp, wt, &g, oy, &phases);
        else
          row_by_taps (out, xp, wt, &g, oy, lo, hi);
        k->act_inplace (out, ow, bias, slope, conv->act);
      }
    }
  }
}
