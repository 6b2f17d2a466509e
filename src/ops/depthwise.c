/* Depthwise k_h × k_w convolution over channel-major planes, any stride and
 * zero padding, with an optional per-channel bias and activation. Used by
 * MDConv (3…9 square kernels), the 3×3 ConvBlock of features.1 and the
 * heads' (1,7), (7,1) and 7×7 LinearBlocks.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <string.h>

/* Output columns ox whose input column ox·s + kx − pad lies in [0, w). */
static inline void
valid_range (int k, int pad, int stride, int w, int ow, int *lo, int *hi)
{
  int off = k - pad;
  int a = off >= 0 ? 0 : (-off + stride - 1) / stride;
  int b = (w - 1 - off) >= 0 ? (w - 1 - off) / stride + 1 : 0;
  *lo = a;
  *hi = b < ow ? b : ow;
}

void
ddamfn_op_depthwise (const DdamfnConv * conv, const float *x, float *y,
    int channels, int n, int h, int w, int oh, int ow, gboolean bias)
{
  const int kh = conv->kh, kw = conv->kw, s = conv->stride;
  const gsize in_plane = (gsize) h * w, out_plane = (gsize) oh * ow;
  int lo[16], hi[16];

  g_assert (kw <= 16);
  for (int kx = 0; kx < kw; kx++)
    valid_range (kx, conv->pad_w, s, w, ow, &lo[kx], &hi[kx]);

  for (int c = 0; c < channels; c++) {
    const float *k = conv->weight + (gsize) c * kh * kw;
    for (int f = 0; f < n; f++) {
      const float *src = x + ((gsize) c * n + f) * in_plane;
      float *dst = y + ((gsize) c * n + f) * out_plane;

      memset (dst, 0, out_plane * sizeof (float));
      for (int oy = 0; oy < oh; oy++) {
        float *drow = dst + (gsize) oy * ow;
        for (int ky = 0; ky < kh; ky++) {
          const int iy = oy * s + ky - conv->pad_h;
          if (iy < 0 || iy >= h)
            continue;
          const float *srow = src + (gsize) iy * w;
          for (int kx = 0; kx < kw; kx++) {
            const float wk = k[ky * kw + kx];
            const int off = kx - conv->pad_w;
            if (s == 1) {
              for (int ox = lo[kx]; ox < hi[kx]; ox++)
                drow[ox] += wk * srow[ox + off];
            } else {
              for (int ox = lo[kx]; ox < hi[kx]; ox++)
                drow[ox] += wk * srow[ox * s + off];
            }
          }
        }
      }
    }
  }
  if (bias || conv->act != ACT_NONE)
    for (int c = 0; c < channels; c++)
      ddamfn_op_bias_act (y + (gsize) c * n * out_plane, 1,
          (int) (n * out_plane), 0, bias ? conv->bias + c : NULL,
          conv->slope ? conv->slope + c : NULL, conv->act);
}
