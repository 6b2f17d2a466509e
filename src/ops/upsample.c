/* 2× bilinear upsampling of channel-major planes, as TFLite's
 * RESIZE_BILINEAR to twice the size (BlazeFace full range's feature
 * pyramid). With half-pixel centres output i reads input (i + 0.5)/2 − 0.5:
 * even outputs are ¼ of the previous input and ¾ of their own, odd ones ¾
 * of their own and ¼ of the next, the edges clamped; without, output i
 * reads input i/2.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"

/* Taps of output I of an axis of N inputs. */
static void
taps (int i, int n, gboolean half_pixel, int *i0, int *i1, float *a)
{
  const int k = i / 2;

  if (!half_pixel) {
    *i0 = k;
    *i1 = MIN (k + 1, n - 1);
    *a = (i & 1) ? 0.5f : 0.f;
  } else if (i & 1) {
    *i0 = k;
    *i1 = MIN (k + 1, n - 1);
    *a = 0.25f;
  } else {
    *i0 = MAX (k - 1, 0);
    *i1 = k;
    *a = 0.75f;
  }
}

void
ddamfn_op_upsample2 (float *y, const float *x, int planes, int h, int w,
    gboolean half_pixel)
{
  const int oh = 2 * h, ow = 2 * w;
  int cx0[2 * DDAMFN_UPSAMPLE_MAX_WIDTH], cx1[2 * DDAMFN_UPSAMPLE_MAX_WIDTH];
  float ax[2 * DDAMFN_UPSAMPLE_MAX_WIDTH];

  g_assert (w <= DDAMFN_UPSAMPLE_MAX_WIDTH);
  for (int j = 0; j < ow; j++)
    taps (j, w, half_pixel, &cx0[j], &cx1[j], &ax[j]);
  for (int p = 0; p < planes; p++) {
    const float *src = x + (gsize) p * h * w;
    float *dst = y + (gsize) p * oh * ow;

    for (int i = 0; i < oh; i++) {
      int r0, r1;
      float ay;
      const float *a, *b;
      float *out = dst + (gsize) i * ow;

      taps (i, h, half_pixel, &r0, &r1, &ay);
      a = src + (gsize) r0 * w;
      b = src + (gsize) r1 * w;
      for (int j = 0; j < ow; j++) {
        const float top = a[cx0[j]] + ax[j] * (a[cx1[j]] - a[cx0[j]]);
        const float bot = b[cx0[j]] + ax[j] * (b[cx1[j]] - b[cx0[j]]);

        out[j] = top + ay * (bot - top);
      }
    }
  }
}
