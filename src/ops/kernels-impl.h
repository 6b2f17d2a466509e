/* Innermost loops, written once in plain C and compiled by dispatch.c once
 * per instruction set: the compiler vectorises them for the target the
 * enclosing "#pragma GCC target" names. SUFFIX names the variant.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define KCAT2(a, b) a##_##b
#define KCAT(a, b) KCAT2 (a, b)
#define K(name) KCAT (name, SUFFIX)

static void
K (fill) (float *restrict y, float v, int n)
{
  for (int i = 0; i < n; i++)
    y[i] = v;
}

static void
K (axpy) (float *restrict y, float a, const float *restrict x, int n)
{
  for (int i = 0; i < n; i++)
    y[i] += a * x[i];
}

static void
K (gather_stride2) (float *restrict y, const float *restrict x, int n)
{
  for (int i = 0; i < n; i++)
    y[i] = x[2 * i];
}

static void
K (act_row) (float *restrict y, int n, float bias, float slope, DdamfnAct act)
{
  switch (act) {
    case ACT_NONE:
      for (int i = 0; i < n; i++)
        y[i] += bias;
      break;
    case ACT_PRELU:
      for (int i = 0; i < n; i++) {
        float v = y[i] + bias;
        y[i] = v > 0.f ? v : slope * v;
      }
      break;
    case ACT_RELU:
      for (int i = 0; i < n; i++) {
        float v = y[i] + bias;
        y[i] = v > 0.f ? v : 0.f;
      }
      break;
    case ACT_HARDSWISH:
      for (int i = 0; i < n; i++) {
        float v = y[i] + bias;
        float r = v + 3.f;
        r = r < 0.f ? 0.f : (r > 6.f ? 6.f : r);
        y[i] = v * r * (1.f / 6.f);
      }
      break;
    case ACT_SIGMOID:
      for (int i = 0; i < n; i++)
        y[i] = 1.f / (1.f + expf (-(y[i] + bias)));
      break;
    case ACT_TANH:
      for (int i = 0; i < n; i++)
        y[i] = tanhf (y[i] + bias);
      break;
  }
}

static const DdamfnKernels K (kernels) = {
  G_STRINGIFY (SUFFIX), K (fill), K (axpy), K (gather_stride2), K (act_row)
};

#undef K
#undef KCAT
#undef KCAT2
