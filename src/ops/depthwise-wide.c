/* Depthwise convolution for planes wider than the row kernels of
 * depthwise.c take (DDAMFN_DW_MAX_WIDTH): BlazeFace full range runs its
 * first layers on 96 × 96 planes. A direct convolution, output row by
 * output row: each tap adds its weight times a (strided) run of one input
 * row, over exactly the output columns whose input lies inside the plane,
 * so padding costs nothing and no scratch plane is needed. The stride-1
 * runs are contiguous: their loop is compiled for AVX-512, AVX2 and the
 * baseline, the CPU picking one at load time (GCC target clones).
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

void
ddamfn_op_depthwise_wide (const DdamfnConv * conv, const float *x, float *y,
    int channels, int n, int h, int w, int oh, int ow)
{
  const int kh = conv->kh, kw = conv->kw, s = conv->stride;
  const DdamfnKernels *k = ddamfn_kernels_get ();
  int lo[DDAMFN_DW_MAX_KERNEL], hi[DDAMFN_DW_MAX_KERNEL];

  g_assert (kw <= DDAMFN_DW_MAX_KERNEL && s >= 1);
  g_assert (conv->act == ACT_NONE || conv->act == ACT_RELU
      || conv->act == ACT_PRELU);
  for (int kx = 0; kx < kw; kx++)
    column_range (ow, w, s, kx, conv->pad_w, &lo[kx], &hi[kx]);

  for (int c = 0; c < channels; c++) {
    const float *wt = conv->weight + (gsize) c * kh * kw;
    const float bias = conv->bias ? conv->bias[c] : 0.f;
    const float slope = conv->slope ? conv->slope[c] : 0.f;

    for (int f = 0; f < n; f++) {
      const float *xp = x + ((gsize) c * n + f) * h * w;
      float *yp = y + ((gsize) c * n + f) * oh * ow;

      for (int oy = 0; oy < oh; oy++) {
        float *out = yp + (gsize) oy * ow;

        memset (out, 0, sizeof (float) * ow);
        for (int ky = 0; ky < kh; ky++) {
          const int iy = oy * s + ky - conv->pad_h;
          const float *row;

          if (iy < 0 || iy >= h)
            continue;
          row = xp + (gsize) iy * w;
          for (int kx = 0; kx < kw; kx++) {
            /* lo[kx] makes the first index read ≥ 0 */
            tap_row (out, row + kx - conv->pad_w, wt[ky * kw + kx], s,
                lo[kx], hi[kx]);
          }
        }
        k->act_copy (out, out, ow, bias, slope, conv->act);
      }
    }
  }
}
