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
#include "ops/dispatch.h"

#include <string.h>

/* The padded plane of a depthwise conv: PH rows of row pitch PITCH
 * (stride 1), or the four phase planes of QSIZE floats, row pitch QW
 * (stride 2). Rows past the input on either side read as zero: PAD_H /
 * PAD_W before it, as many after it as the output size needs. */
typedef struct
{
  int ph, pitch, qw, qsize;
  gsize floats;                 /* scratch the layout needs, slack included */
} DwLayout;

static DwLayout
dw_layout (const DdamfnConv * conv, int h, int w, int oh, int ow)
{
  const int s = conv->stride;
  const int ph = MAX (h + 2 * conv->pad_h, (oh - 1) * s + conv->kh);
  const int pw = MAX (w + 2 * conv->pad_w, (ow - 1) * s + conv->kw);
  DwLayout l = {.ph = ph };

  if (s == 1) {
    /* rows start on 64-byte boundaries: the tap at kx = 0 loads whole
     * cache lines */
    l.pitch = (pw + 15) / 16 * 16;
    l.floats = (gsize) ph * l.pitch + DDAMFN_DW_SLACK (l.pitch);
  } else {
    const int qh = (ph + 1) / 2;
    l.pitch = pw;
    l.qw = (pw + 1) / 2;
    l.qsize = (qh + 1) * l.qw;
    l.floats = 4 * (gsize) l.qsize + DDAMFN_DW_SLACK (l.qw);
  }
  return l;
}

gsize
ddamfn_op_depthwise_scratch (const DdamfnConv * conv, int h, int w, int oh,
    int ow)
{
  return dw_layout (conv, h, w, oh, ow).floats;
}

void
ddamfn_op_depthwise (const DdamfnConv * conv, const float *x, float *y,
    int channels, int n, int h, int w, int oh, int ow, gboolean bias,
    const DdamfnEpilogue * in, float *pooled, float *scratch)
{
  const int kh = conv->kh, kw = conv->kw, s = conv->stride;
  const DwLayout l = dw_layout (conv, h, w, oh, ow);
  const gsize in_plane = (gsize) h * w, out_plane = (gsize) oh * ow;
  const gsize pooled_cols = (gsize) n * (oh + ow);
  const float *ib = in ? in->bias : NULL, *is = in ? in->slope : NULL;
  const DdamfnAct ia = in ? in->act : ACT_NONE;
  const DdamfnKernels *k = ddamfn_kernels_get ();
  int off[DDAMFN_DW_MAX_TAPS];

  g_assert (s == 1 || s == 2);
  g_assert (w <= DDAMFN_DW_MAX_WIDTH && ow <= DDAMFN_DW_MAX_WIDTH);
  g_assert (kh * kw <= DDAMFN_DW_MAX_TAPS);
  g_assert (in == NULL || in->act == ACT_NONE || in->act == ACT_PRELU);
  /* Pooling is of the conv's output; an activation would come after it. */
  g_assert (pooled == NULL || conv->act == ACT_NONE);

  for (int ky = 0; ky < kh; ky++)
    for (int kx = 0; kx < kw; kx++)
      off[ky * kw + kx] = s == 1 ? ky * l.pitch + kx
          : ((ky & 1) * 2 + (kx & 1)) * l.qsize + (ky >> 1) * l.qw + (kx >> 1);

  /* Borders (and the slack) stay zero; only the interior is rewritten. */
  memset (scratch, 0, sizeof (float) * l.floats);

  for (int c = 0; c < channels; c++) {
    const DdamfnDwChannel job = {
      .n = n,.h = h,.w = w,.oh = oh,.ow = ow,.stride = s,
      .pad_h = conv->pad_h,.pad_w = conv->pad_w,
      .pitch = l.pitch,.qw = l.qw,.qsize = l.qsize,
      .scratch = scratch,
      .off = off,.n_taps = kh * kw,.kh = kh,.kw = kw,
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
    k->dw_channel (&job);
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
