/* Per-row bias and activation epilogues applied after a convolution or a
 * dense layer: PReLU, ReLU, hardswish, sigmoid, tanh.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/dispatch.h"


void
ddamfn_op_bias_act (float *y, int rows, int cols, int ld, const float *bias,
    const float *slope, DdamfnAct act)
{
  const DdamfnKernels *k = ddamfn_kernels_get ();

  for (int r = 0; r < rows; r++)
    k->act_inplace (y + (gsize) r * ld, cols,
        bias ? bias[r] : 0.f, slope ? slope[r] : 0.f, act);
}
