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
K (gather_stride2) (float *restrict y, const float *restrict x, int n)
{
  for (int i = 0; i < n; i++)
    y[i] = x[2 * i];
}

/* No restrict: act_row is act_copy in place. */
static void
K (act_copy) (float *y, const float *x, int n, float bias, float slope,
    DdamfnAct act)
{
  switch (act) {
    case ACT_NONE:
      for (int i = 0; i < n; i++)
        y[i] = x[i] + bias;
      break;
    case ACT_PRELU:
      for (int i = 0; i < n; i++) {
        float v = x[i] + bias;
        y[i] = v > 0.f ? v : slope * v;
      }
      break;
    case ACT_RELU:
      for (int i = 0; i < n; i++) {
        float v = x[i] + bias;
        y[i] = v > 0.f ? v : 0.f;
      }
      break;
    case ACT_HARDSWISH:
      for (int i = 0; i < n; i++) {
        float v = x[i] + bias;
        float r = v + 3.f;
        r = r < 0.f ? 0.f : (r > 6.f ? 6.f : r);
        y[i] = v * r * (1.f / 6.f);
      }
      break;
    case ACT_SIGMOID:
      for (int i = 0; i < n; i++)
        y[i] = 1.f / (1.f + expf (-(x[i] + bias)));
      break;
    case ACT_TANH:
      for (int i = 0; i < n; i++)
        y[i] = tanhf (x[i] + bias);
      break;
  }
}

/* Row kernels over planes narrower than DDAMFN_DW_MAX_WIDTH. A row of up
 * to NC·L floats is held in NC vectors of L lanes; BY_WIDTH picks the
 * smallest shape for the width. Whole-vector loads and stores may run past
 * the row into the next one (stores there are overwritten when that row is
 * written, in order); the row whose vectors would run past the plane is
 * moved through a small buffer instead, so nothing outside the plane is
 * touched. No kernel reads what it has just written with such a store: a
 * load overlapping part of a recent store stalls store forwarding. */
#ifndef DDAMFN_ROW_HELPERS
#define DDAMFN_ROW_HELPERS
#define BY_WIDTH(width, BODY)                                                \
  do {                                                                       \
    if ((width) <= 8)                                                        \
      BODY (8, 1, DdamfnV8, DdamfnV8i);                                      \
    else if ((width) <= 16)                                                  \
      BODY (16, 1, DdamfnV16, DdamfnV16i);                                   \
    else if ((width) <= 32)                                                  \
      BODY (16, 2, DdamfnV16, DdamfnV16i);                                   \
    else                                                                     \
      BODY (16, 4, DdamfnV16, DdamfnV16i);                                   \
  } while (0)

/* VEC (an array of vectors) = N floats at SRC, the rest zero unless WHOLE */
#define ROW_LOAD(vec, src, n, whole)                                         \
  do {                                                                       \
    if (whole) {                                                             \
      memcpy (vec, src, sizeof (vec));                                       \
    } else {                                                                 \
      float t_[sizeof (vec) / (sizeof (float))] = { 0 };                       \
      for (int q_ = 0; q_ < (n); q_++)                                       \
        t_[q_] = (src)[q_];                                                  \
      memcpy (vec, t_, sizeof (vec));                                        \
    }                                                                        \
  } while (0)

/* N floats of VEC to DST; all of VEC when WHOLE */
#define ROW_STORE(dst, vec, n, whole)                                        \
  do {                                                                       \
    if (whole) {                                                             \
      memcpy (dst, vec, sizeof (vec));                                       \
    } else {                                                                 \
      float t_[sizeof (vec) / (sizeof (float))];                               \
      memcpy (t_, vec, sizeof (vec));                                        \
      for (int q_ = 0; q_ < (n); q_++)                                       \
        (dst)[q_] = t_[q_];                                                  \
    }                                                                        \
  } while (0)

/* Lane mask: all ones in the first N lanes of the NC·L-lane row */
#define ROW_MASK(mask, L, NC, n)                                             \
  for (int c_ = 0; c_ < NC; c_++)                                            \
    for (int l_ = 0; l_ < L; l_++)                                           \
      mask[c_][l_] = c_ * L + l_ < (n) ? -1 : 0

#define PAD_ROWS(L, NC, VF, VI)                                              \
  do {                                                                       \
    VI keep[NC];                                                             \
    ROW_MASK (keep, L, NC, w);                                               \
    for (int i = 0; i < h; i++) {                                            \
      VF v[NC];                                                              \
      const gboolean whole = (gsize) i * w + NC * L <= (gsize) h * w;        \
      ROW_LOAD (v, src + (gsize) i * w, w, whole);                           \
      for (int c = 0; c < NC; c++) {                                         \
        VF t = v[c] + bias;                                                  \
        if (act == ACT_PRELU) {                                              \
          VI pos = t > 0.f;                                                  \
          t = (VF) (((VI) t & pos) | ((VI) (slope * t) & ~pos));             \
        }                                                                    \
        v[c] = (VF) ((VI) t & keep[c]);                                      \
      }                                                                      \
      memcpy (dst + (gsize) i * pitch, v, sizeof v);                         \
    }                                                                        \
  } while (0)

/* Sum of the lanes of V8 / V16 vectors, by halving. */
#define HSUM8(v, out)                                                        \
  do {                                                                       \
    DdamfnV4 h4_ = __builtin_shufflevector (v, v, 0, 1, 2, 3)                \
        + __builtin_shufflevector (v, v, 4, 5, 6, 7);                        \
    h4_ += __builtin_shufflevector (h4_, h4_, 2, 3, 0, 1);                   \
    out = h4_[0] + h4_[1];                                                   \
  } while (0)
#define HSUM16(v, out)                                                       \
  do {                                                                       \
    DdamfnV8 h8_ = __builtin_shufflevector (v, v, 0, 1, 2, 3, 4, 5, 6, 7)    \
        + __builtin_shufflevector (v, v, 8, 9, 10, 11, 12, 13, 14, 15);      \
    HSUM8 (h8_, out);                                                        \
  } while (0)

/* R output rows at a time: R·NC independent accumulators keep the
 * multiply-add units busy (one accumulator would wait out each FMA's
 * latency). Rows of the last block past OH are computed from the slack and
 * dropped. */
#define DW_ROWS(L, NC, VF, VI)                                               \
  do {                                                                       \
    enum { R = NC == 1 ? 7 : 8 / NC };                                       \
    VF colacc[NC];                                                           \
    VI keep[NC];                                                             \
    ROW_MASK (keep, L, NC, ow);                                              \
    for (int c = 0; c < NC; c++)                                             \
      for (int l = 0; l < L; l++)                                            \
        colacc[c][l] = 0.f;                                                  \
    for (int oy0 = 0; oy0 < oh; oy0 += R) {                                  \
      const float *base = p + (gsize) oy0 * pitch;                           \
      VF acc[R][NC];                                                         \
      for (int r = 0; r < R; r++)                                            \
        for (int c = 0; c < NC; c++)                                         \
          for (int l = 0; l < L; l++)                                        \
            acc[r][c][l] = bias;                                             \
      for (int t = 0; t < n_taps; t++) {                                     \
        const float *q = base + off[t];                                      \
        const float wt = wts[t];                                             \
        for (int r = 0; r < R; r++)                                          \
          for (int c = 0; c < NC; c++) {                                     \
            VF v;                                                            \
            memcpy (&v, q + (gsize) r * pitch + c * L, sizeof v);            \
            acc[r][c] += wt * v;                                             \
          }                                                                  \
      }                                                                      \
      for (int r = 0; r < R && oy0 + r < oh; r++) {                          \
        const int oy = oy0 + r;                                              \
        ROW_STORE (y + (gsize) oy * ow, acc[r], ow,                          \
            (gsize) oy * ow + NC * L <= (gsize) oh * ow);                    \
        if (row_mean) {                                                      \
          VF s_ = (VF) ((VI) acc[r][0] & keep[0]);                           \
          float sum;                                                         \
          colacc[0] += acc[r][0];                                            \
          for (int c = 1; c < NC; c++) {                                     \
            colacc[c] += acc[r][c];                                          \
            s_ += (VF) ((VI) acc[r][c] & keep[c]);                           \
          }                                                                  \
          if (L == 8)                                                        \
            HSUM8 (s_, sum);                                                 \
          else                                                               \
            HSUM16 (s_, sum);                                                \
          row_mean[oy] = sum * inv_w;                                        \
        }                                                                    \
      }                                                                      \
    }                                                                        \
    if (row_mean) {                                                          \
      float t_[NC * L];                                                      \
      memcpy (t_, colacc, sizeof colacc);                                    \
      for (int x = 0; x < ow; x++)                                           \
        col_mean[x] = t_[x] * inv_h;                                         \
    }                                                                        \
  } while (0)

#define GATE_ROWS(L, NC, VF, VI)                                             \
  do {                                                                       \
    VF g[NC];                                                                \
    ROW_LOAD (g, gw, w, FALSE);                                              \
    for (int i = 0; i < h; i++) {                                            \
      const gboolean whole = (gsize) i * w + NC * L <= (gsize) h * w;        \
      VF v[NC];                                                              \
      ROW_LOAD (v, x + (gsize) i * w, w, whole);                             \
      for (int c = 0; c < NC; c++)                                           \
        v[c] *= gh[i] * g[c];                                                \
      ROW_STORE (y + (gsize) i * w, v, w, whole);                            \
    }                                                                        \
  } while (0)
#endif /* DDAMFN_ROW_HELPERS */

static void
K (pad_rows) (float *restrict dst, int pitch, const float *restrict src,
    int h, int w, float bias, float slope, DdamfnAct act)
{
  BY_WIDTH (w, PAD_ROWS);
}

static void
K (dw_rows) (float *restrict y, int oh, int ow, const float *restrict p,
    int pitch, const int *restrict off, const float *restrict wts,
    int n_taps, float bias, float *restrict row_mean,
    float *restrict col_mean)
{
  const float inv_w = 1.f / ow, inv_h = 1.f / oh;

  BY_WIDTH (ow, DW_ROWS);
}

static void
K (gate_plane) (float *restrict y, const float *restrict x, int h, int w,
    const float *restrict gh, const float *restrict gw)
{
  BY_WIDTH (w, GATE_ROWS);
}

static const DdamfnKernels K (kernels) = {
  G_STRINGIFY (SUFFIX), K (gather_stride2), K (act_copy), K (pad_rows),
  K (dw_rows), K (gate_plane)
};

#undef K
#undef KCAT
#undef KCAT2
