/* Depthwise k_h × k_w convolution over channel-major planes, any stride and
 * zero padding, with an optional per-channel bias and activation. Used by
 * MDConv (3…9 square kernels), the 3×3 ConvBlock of features.1, the heads'
 * LinearBlocks and the global depthwise conv.
 *
 * Each plane is copied into a zero-bordered scratch plane of row pitch P
 * (applying the producing 1×1 conv's bias and PReLU on the way, when the
 * caller left them to us; pad_rows). Output row oy then reads, for tap (ky, kx), the
 * scratch row oy + ky from column kx on: the dw_rows kernel keeps a whole
 * output row in registers while every tap is added, and pools the row and
 * column means for CoordAtt while the plane is still in registers.
 *
 * Stride 2 reads padded[2·oy + ky][2·ox + kx]; splitting the padded plane
 * into its four (row parity, column parity) phases turns that into a
 * stride-1 read of phase (ky & 1, kx & 1) at (oy + ky/2, ox + kx/2), so the
 * same kernel applies with the phase pitch and per-tap phase offsets.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "ops/dispatch.h"

#include <string.h>

/* Largest padded plane handled on the stack: 56×56 with a 7×7 kernel. */
#define MAX_PADDED (66 * 66)
#define MAX_TAPS (9 * 9)
/* What dw_rows may read past the last tap of the plane, at most. */
#define SLACK DDAMFN_DW_SLACK (66)

void
ddamfn_op_depthwise (const DdamfnConv * conv, const float *x, float *y,
    int channels, int n, int h, int w, int oh, int ow, gboolean bias,
    const DdamfnEpilogue * in, float *pooled)
{
  const int kh = conv->kh, kw = conv->kw, s = conv->stride;
  const int ph = h + 2 * conv->pad_h;
  /* Stride 1: rows start on 64-byte boundaries, so that the tap at
   * kx = 0 loads whole cache lines. */
  const int pitch = s == 1 ? (w + 2 * conv->pad_w + 15) / 16 * 16
      : w + 2 * conv->pad_w;
  const gsize in_plane = (gsize) h * w, out_plane = (gsize) oh * ow;
  const gsize pooled_cols = (gsize) n * (oh + ow);
  float padded[MAX_PADDED + SLACK] __attribute__ ((aligned (64)));
  /* Stride 2: four phases of (qh + 1) × qw, qw = ⌈P/2⌉. */
  const int qw = (pitch + 1) / 2, qh = (ph + 1) / 2;
  const int qsize = (qh + 1) * qw;
  float phases[MAX_PADDED + 4 * 2 * 66 + SLACK] __attribute__ ((aligned (64)));
  int off[MAX_TAPS];
  const float *ib = in ? in->bias : NULL, *is = in ? in->slope : NULL;
  const DdamfnAct ia = in ? in->act : ACT_NONE;

  g_assert (s == 1 || s == 2);
  g_assert (ph * pitch <= MAX_PADDED && kh * kw <= MAX_TAPS);
  g_assert (pitch <= 66);
  g_assert (s == 1 || 4 * qsize + DDAMFN_DW_SLACK (qw)
      <= (int) G_N_ELEMENTS (phases));
  g_assert (w <= DDAMFN_DW_MAX_WIDTH && ow <= DDAMFN_DW_MAX_WIDTH);
  g_assert (in == NULL || in->act == ACT_NONE || in->act == ACT_PRELU);
  /* Pooling is of the conv's output; an activation would come after it. */
  g_assert (pooled == NULL || conv->act == ACT_NONE);

  for (int ky = 0; ky < kh; ky++)
    for (int kx = 0; kx < kw; kx++)
      off[ky * kw + kx] = s == 1 ? ky * pitch + kx
          : ((ky & 1) * 2 + (kx & 1)) * qsize + (ky >> 1) * qw + (kx >> 1);

  /* Borders (and the slack) stay zero; only the interior is rewritten. */
  if (s == 1)
    memset (padded, 0, sizeof (float) * (ph * pitch + DDAMFN_DW_SLACK (pitch)));
  else
    memset (phases, 0, sizeof (float) * (4 * qsize + DDAMFN_DW_SLACK (qw)));

  for (int c = 0; c < channels; c++) {
    const DdamfnDwChannel job = {
      .n = n,.h = h,.w = w,.oh = oh,.ow = ow,.stride = s,
      .pad_h = conv->pad_h,.pad_w = conv->pad_w,
      .pitch = pitch,.qw = qw,.qsize = qsize,
      .scratch = s == 1 ? padded : phases,
      .off = off,.n_taps = kh * kw,
      .wts = conv->weight + (gsize) c * kh * kw,
      .bias = bias ? conv->bias[c] : 0.f,
      .x = x + (gsize) c * n * in_plane,.x_plane = in_plane,
      .y = y + (gsize) c * n * out_plane,.y_plane = out_plane,
      .in_bias = ib ? ib[c] : 0.f,.in_slope = is ? is[c] : 0.f,.in_act = ia,
      .out_slope = conv->slope ? conv->slope[c] : 0.f,.out_act = conv->act,
      .row_mean = pooled ? pooled + c * pooled_cols : NULL,
      .col_mean = pooled ? pooled + c * pooled_cols + (gsize) n * oh : NULL,
      .inv_w = 1.f / ow,.inv_h = 1.f / oh,
    };
    ddamfn_kernels->dw_channel (&job);
  }
}

void
ddamfn_op_global_depthwise (const DdamfnConv * conv, const float *a,
    const float *b, float *y, int channels, int n)
{
  const int taps = conv->kh * conv->kw;

  g_assert (conv->pad_h == 0 && conv->pad_w == 0 && conv->act == ACT_NONE);
  for (int c = 0; c < channels; c++) {
    const float *w = conv->weight + (gsize) c * taps;
    for (int f = 0; f < n; f++) {
      const float *pa = a + ((gsize) c * n + f) * taps;
      const float *pb = b + ((gsize) c * n + f) * taps;
      /* four partial sums: one chain would wait out every add */
      float s[4] = { 0.f, 0.f, 0.f, 0.f };
      int i = 0;
      for (; i + 4 <= taps; i += 4)
        for (int j = 0; j < 4; j++)
          s[j] += w[i + j] * (pa[i + j] * pb[i + j]);
      for (; i < taps; i++)
        s[0] += w[i] * (pa[i] * pb[i]);
      y[(gsize) c * n + f] = conv->bias[c] + ((s[0] + s[1]) + (s[2] + s[3]));
    }
  }
}
