/* Per-row bias and activation epilogues applied after a convolution or a
 * dense layer: PReLU, ReLU, hardswish, sigmoid, tanh.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <math.h>

static inline float
hardswish (float x)
{
  float r = x + 3.f;
  r = r < 0.f ? 0.f : (r > 6.f ? 6.f : r);
  return x * r * (1.f / 6.f);
}

float
ddamfn_sigmoid (float x)
{
  return 1.f / (1.f + expf (-x));
}

void
ddamfn_op_bias_act (float *y, int rows, int cols, int ld, const float *bias,
    const float *slope, DdamfnAct act)
{
  for (int r = 0; r < rows; r++) {
    float *row = y + (gsize) r * ld;
    const float b = bias ? bias[r] : 0.f;

    switch (act) {
      case ACT_NONE:
        if (bias)
          for (int j = 0; j < cols; j++)
            row[j] += b;
        break;
      case ACT_PRELU:{
        const float a = slope[r];
        for (int j = 0; j < cols; j++) {
          float v = row[j] + b;
          row[j] = v > 0.f ? v : a * v;
        }
        break;
      }
      case ACT_RELU:
        for (int j = 0; j < cols; j++) {
          float v = row[j] + b;
          row[j] = v > 0.f ? v : 0.f;
        }
        break;
      case ACT_HARDSWISH:
        for (int j = 0; j < cols; j++)
          row[j] = hardswish (row[j] + b);
        break;
      case ACT_SIGMOID:
        for (int j = 0; j < cols; j++)
          row[j] = ddamfn_sigmoid (row[j] + b);
        break;
      case ACT_TANH:
        for (int j = 0; j < cols; j++)
          row[j] = tanhf (row[j] + b);
        break;
    }
  }
}
