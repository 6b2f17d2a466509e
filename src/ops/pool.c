/* Elementwise joins and pooling of whole tensors: a residual add with an
 * activation (the shortcut may have fewer channels, the rest read as 0)
 * and 2 × 2 max pooling.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"
#include "ops/dispatch.h"

#include <math.h>

void
ddamfn_op_add (float *y, const float *a, const float *b, int c, int cb,
    gsize n_plane, DdamfnAct act)
{
  const DdamfnKernels *k = ddamfn_kernels_get ();

  g_assert (cb <= c);
  for (int ch = 0; ch < c; ch++) {
    float *yc = y + (gsize) ch * n_plane;
    const float *ac = a + (gsize) ch * n_plane;
    if (ch < cb) {
      const float *bc = b + (gsize) ch * n_plane;
      for (gsize i = 0; i < n_plane; i++)
        yc[i] = ac[i] + bc[i];
      k->act_inplace (yc, (int) n_plane, 0.f, 0.f, act);
    } else if (yc == ac) {
      k->act_inplace (yc, (int) n_plane, 0.f, 0.f, act);
    } else {
      k->act_copy (yc, ac, (int) n_plane, 0.f, 0.f, act);
    }
  }
}

void
ddamfn_op_maxpool2 (float *y, const float *x, int planes, int h, int w)
{
  const int oh = (h + 1) / 2, ow = (w + 1) / 2;

  for (int p = 0; p < planes; p++) {
    const float *src = x + (gsize) p * h * w;
    float *dst = y + (gsize) p * oh * ow;
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        float m = -INFINITY;
        for (int dy = 0; dy < 2 && 2 * oy + dy < h; dy++)
          for (int dx = 0; dx < 2 && 2 * ox + dx < w; dx++)
            m = fmaxf (m, src[(gsize) (2 * oy + dy) * w + 2 * ox + dx]);
        dst[(gsize) oy * ow + ox] = m;
      }
  }
}
