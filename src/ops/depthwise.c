/* Depthwise k_h × k_w convolution over channel-major planes, any stride and
 * zero padding, with an optional per-channel bias and activation. Used by
 * MDConv (3…9 square kernels), the 3×3 ConvBlock of features.1 and the
 * heads' 7×7 LinearBlock.
 *
 * Each plane is copied into a zero-bordered scratch plane of row pitch P.
 * Output (oy, ox) is then accumulated at flat index j = oy·P + ox, and tap
 * (ky, kx) reads the scratch at j + ky·P + kx: every tap is one long
 * contiguous multiply-add, which vectorises well even for 7×7 planes. The
 * columns ox ≥ ow of the flat accumulator are computed and thrown away.
 *
 * Stride 2 reads padded[2·oy + ky][2·ox + kx]; splitting the padded plane
 * into its four (row parity, column parity) phases turns that into a
 * stride-1 read of phase (ky & 1, kx & 1) at (oy + ky/2, ox + kx/2), so the
 * same flat scheme applies with the phase pitch.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "ops/dispatch.h"

#include <string.h>

/* Largest padded plane handled on the stack: 56×56 with a 7×7 kernel. */
#define MAX_PADDED (66 * 66)
#define MAX_ACC (66 * 66)

void
ddamfn_op_depthwise (const DdamfnConv * conv, const float *x, float *y,
    int channels, int n, int h, int w, int oh, int ow, gboolean bias)
{
  const int kh = conv->kh, kw = conv->kw, s = conv->stride;
  const int ph = h + 2 * conv->pad_h;
  const int pitch = w + 2 * conv->pad_w;
  const gsize in_plane = (gsize) h * w, out_plane = (gsize) oh * ow;
  float padded[MAX_PADDED + 32];
  float acc[MAX_ACC];
  /* Stride 2: four phases of (qh + 1) × qw, qw = ⌈P/2⌉. */
  const int qw = (pitch + 1) / 2, qh = (ph + 1) / 2;
  const int qsize = (qh + 1) * qw + 16;
  float phases[4 * (MAX_PADDED / 4 + 2 * 66 + 16)];
  const int acc_len = oh * (s == 1 ? pitch : qw);

  g_assert (s == 1 || s == 2);
  g_assert ((ph + 1) * pitch <= MAX_PADDED && acc_len <= MAX_ACC);
  g_assert (s == 1 || 4 * qsize <= (int) G_N_ELEMENTS (phases));
  if (s == 2)
    memset (phases, 0, 4 * qsize * sizeof (float));

  /* Borders stay zero for every plane; only the interior is rewritten. */
  memset (padded, 0, sizeof (float) * ((ph + 1) * pitch + 32));

  for (int c = 0; c < channels; c++) {
    const float *k = conv->weight + (gsize) c * kh * kw;
    const float b = bias ? conv->bias[c] : 0.f;
    for (int f = 0; f < n; f++) {
      const float *src = x + ((gsize) c * n + f) * in_plane;
      float *dst = y + ((gsize) c * n + f) * out_plane;

      for (int i = 0; i < h; i++)
        memcpy (padded + (gsize) (i + conv->pad_h) * pitch + conv->pad_w,
            src + (gsize) i * w, w * sizeof (float));

      if (s == 1) {
        ddamfn_kernels->fill (acc, b, acc_len);
        for (int ky = 0; ky < kh; ky++)
          for (int kx = 0; kx < kw; kx++)
            ddamfn_kernels->axpy (acc, k[ky * kw + kx],
                padded + ky * pitch + kx, acc_len);
        for (int oy = 0; oy < oh; oy++)
          memcpy (dst + (gsize) oy * ow, acc + (gsize) oy * pitch,
              ow * sizeof (float));
      } else {
        for (int py = 0; py < 2; py++)
          for (int i = 0; 2 * i + py < ph; i++)
            for (int px = 0; px < 2; px++)
              ddamfn_kernels->gather_stride2 (phases + (py * 2 + px) * qsize
                  + i * qw, padded + (gsize) (2 * i + py) * pitch + px,
                  (pitch - px + 1) / 2);
        ddamfn_kernels->fill (acc, b, acc_len);
        for (int ky = 0; ky < kh; ky++)
          for (int kx = 0; kx < kw; kx++)
            ddamfn_kernels->axpy (acc, k[ky * kw + kx],
                phases + ((ky & 1) * 2 + (kx & 1)) * qsize
                + (ky >> 1) * qw + (kx >> 1), acc_len);
        for (int oy = 0; oy < oh; oy++)
          memcpy (dst + (gsize) oy * ow, acc + (gsize) oy * qw,
              ow * sizeof (float));
      }
    }
  }
  if (conv->act != ACT_NONE)
    for (int c = 0; c < channels; c++)
      ddamfn_op_bias_act (y + (gsize) c * n * out_plane, 1,
          (int) (n * out_plane), 0, NULL,
          conv->slope ? conv->slope + c : NULL, conv->act);
}
