/* Moving floats between layouts for graph models: the caller's face-major
 * input (NCHW from ONNX, NHWC from TensorFlow.js) into the engine's
 * channel-major tensors, flattening planes into vectors for a dense layer
 * in the order the graph's weights expect, swapping H and W, and the
 * plain copies a channel concatenation is made of, and the rows of a
 * slice or concatenation along H.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ops/ops.h"

#include <string.h>

void
ddamfn_op_reorder (DdamfnReorder how, float *y, const float *x, int c, int n,
    int h, int w)
{
  const gsize plane = (gsize) h * w;

  switch (how) {
    case REORDER_FROM_NCHW:
      for (int ch = 0; ch < c; ch++)
        for (int f = 0; f < n; f++)
          memcpy (y + ((gsize) ch * n + f) * plane,
              x + ((gsize) f * c + ch) * plane, plane * sizeof (float));
      break;
    case REORDER_FROM_NHWC:
      for (int f = 0; f < n; f++)
        for (gsize p = 0; p < plane; p++) {
          const float *src = x + ((gsize) f * plane + p) * c;
          for (int ch = 0; ch < c; ch++)
            y[((gsize) ch * n + f) * plane + p] = src[ch];
        }
      break;
    case REORDER_FLATTEN_CHW:
      for (int ch = 0; ch < c; ch++)
        for (int f = 0; f < n; f++)
          for (gsize p = 0; p < plane; p++)
            y[((gsize) ch * plane + p) * n + f] =
                x[((gsize) ch * n + f) * plane + p];
      break;
    case REORDER_FLATTEN_HWC:
      for (int ch = 0; ch < c; ch++)
        for (int f = 0; f < n; f++)
          for (gsize p = 0; p < plane; p++)
            y[(p * c + ch) * n + f] = x[((gsize) ch * n + f) * plane + p];
      break;
    case REORDER_TRANSPOSE_HW:
      for (gsize pl = 0; pl < (gsize) c * n; pl++)
        for (int i = 0; i < h; i++)
          for (int j = 0; j < w; j++)
            y[pl * plane + (gsize) j * h + i] = x[pl * plane + (gsize) i * w
                + j];
      break;
    case REORDER_COPY:
      memmove (y, x, (gsize) c * n * plane * sizeof (float));
      break;
    case REORDER_ROWS:
      g_assert_not_reached ();        /* ddamfn_op_copy_rows */
      break;
  }
}

void
ddamfn_op_copy_rows (float *y, const float *x, int planes, int w, int xh,
    int row_x, int yh, int row_y, int rows)
{
  for (gsize p = 0; p < (gsize) planes; p++)
    memcpy (y + (p * yh + row_y) * w, x + (p * xh + row_x) * w,
        (gsize) rows * w * sizeof (float));
}
