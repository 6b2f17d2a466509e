/* Innermost loops, written once in plain C and compiled by dispatch.c once
 * per instruction set: the compiler vectorises them for the target the
 * enclosing "#pragma GCC target" names. SUFFIX names the variant. The row
 * kernels themselves are in rows-impl.h.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define KCAT2(a, b) a##_##b
#define KCAT(a, b) KCAT2 (a, b)
#define K(name) KCAT (name, SUFFIX)

#ifndef DDAMFN_KERNELS_COMMON
#define DDAMFN_KERNELS_COMMON
#define VCAT2(a, b) a##b
#define VCAT(a, b) VCAT2 (a, b)
/* The row kernels are written as functions of their row shape; forced
 * inline, each call with constant shape arguments becomes its own code. */
#define DDAMFN_INLINE __attribute__ ((always_inline))

#define DDAMFN_IOTA4 { 0, 1, 2, 3 }
#define DDAMFN_IOTA8 { 0, 1, 2, 3, 4, 5, 6, 7 }
#define DDAMFN_IOTA16 { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }

/* One plane's depthwise taps (dw_rows): output (oy, ox) = bias +
 * Σ_t wts[t] · p[oy·pitch + off[t] + ox] into y (oh × ow, row pitch ow);
 * with pooling, the row means to row_mean[oh] and column means to
 * col_mean[ow]. */
typedef struct
{
  float *y;
  int oh, ow;
  const float *p;
  int pitch;
  const int *off;
  const float *wts;
  int n_taps;
  int k;                        /* stride 1, K × K: the side, else 0 */
  float bias;
  float *row_mean, *col_mean;
  float inv_w, inv_h;
} DwRows;
#endif

/* This variant's own vector of DW_VEC_FLOATS floats. */
#define KV VCAT (DdamfnV, DW_VEC_FLOATS)
#define KVI VCAT (KV, i)

static inline DDAMFN_INLINE KV
K (select) (KVI m, KV a, KV b)
{
  return (KV) (((KVI) a & m) | ((KVI) b & ~m));
}

/* e^x lane by lane: x = k·ln 2 + r with k rounded to nearest and
 * |r| ≤ ln 2 / 2, e^r by a degree-6 Taylor polynomial (truncation under
 * 1.2e-7 relative), 2^k put into the exponent bits. x is clamped to
 * [-87, 88] (e^x is then below 1.7e-38 or above 1.6e38, and the sigmoid 0
 * or 1 to float precision either way). In vector types: the compiler does
 * not vectorise the float-to-int conversion of a scalar loop.
 * tests/unit/test-ops.c checks the sigmoid against double precision. */
static inline DDAMFN_INLINE KV
K (exp_vec) (KV x)
{
  const KV lo = (KV) { 0 } - 87.f, hi = (KV) { 0 } + 88.f;
  KV k, r, p;
  KVI bits;

  x = K (select) (x < lo, lo, x);
  x = K (select) (x > hi, hi, x);
  /* round to nearest by the 1.5·2^23 trick */
  k = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  r = x - k * 0.693359375f;     /* ln 2, high part (exact in float) */
  r = r + k * 2.12194440e-4f;   /* minus the low part */
  p = 1.f + r * (1.f + r * (1.f / 2 + r * (1.f / 6 + r * (1.f / 24
                  + r * (1.f / 120 + r * (1.f / 720))))));
  bits = (__builtin_convertvector (k, KVI) + 127) << 23;
  return p * (KV) bits;
}

/* The same e^x on one float, for the elements after the last whole
 * vector (a copy through a padded vector would call memcpy per row, which
 * costs more than these few on the short rows of a single face). */
static inline DDAMFN_INLINE float
K (exp_scalar) (float x)
{
  float k, r, p, scale;
  gint32 bits;

  x = x < -87.f ? -87.f : x;
  x = x > 88.f ? 88.f : x;
  k = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  r = x - k * 0.693359375f;
  r = r + k * 2.12194440e-4f;
  p = 1.f + r * (1.f + r * (1.f / 2 + r * (1.f / 6 + r * (1.f / 24
                  + r * (1.f / 120 + r * (1.f / 720))))));
  bits = ((gint32) k + 127) << 23;
  memcpy (&scale, &bits, sizeof scale);
  return p * scale;
}

/* y[i] = sigmoid (x[i] + bias); Y may be X. */
static inline DDAMFN_INLINE void
K (sigmoid) (float *y, const float *x, int n, float bias)
{
  enum { L = DW_VEC_FLOATS };
  int i = 0;

  for (; i + L <= n; i += L) {
    KV v;
    memcpy (&v, x + i, sizeof v);
    v = 1.f / (1.f + K (exp_vec) (-(v + bias)));
    memcpy (y + i, &v, sizeof v);
  }
  for (; i < n; i++)
    y[i] = 1.f / (1.f + K (exp_scalar) (-(x[i] + bias)));
}

/* y[i] = v · sigmoid (v), v = x[i] + bias; Y may be X (each vector is
 * read before it is written). */
static inline DDAMFN_INLINE void
K (swish) (float *y, const float *x, int n, float bias)
{
  enum { L = DW_VEC_FLOATS };
  int i = 0;

  for (; i + L <= n; i += L) {
    KV v;
    memcpy (&v, x + i, sizeof v);
    v = v + bias;
    v = v / (1.f + K (exp_vec) (-v));
    memcpy (y + i, &v, sizeof v);
  }
  for (; i < n; i++) {
    const float v = x[i] + bias;
    y[i] = v / (1.f + K (exp_scalar) (-v));
  }
}

/* y[i] = act (x[i] + bias) for the piecewise-linear activations, written
 * in vectors: GCC 12 vectorised the scalar loops, GCC 14 turned their
 * selects into branches (a random sign per element: the first layers of
 * a plan ran 2 to 4 times slower). Each lane computes what the scalar
 * tail computes. */
static inline DDAMFN_INLINE void
K (act_linear) (float *y, const float *x, int n, float bias, float slope,
    DdamfnAct act)
{
  enum { L = DW_VEC_FLOATS };
  const KV zero = { 0 }, six = zero + 6.f;
  int i = 0;

  for (; i + L <= n; i += L) {
    KV v, r;
    memcpy (&v, x + i, sizeof v);
    v = v + bias;
    switch (act) {
      case ACT_PRELU:
        v = K (select) (v > zero, v, zero) + slope * K (select) (v < zero,
            v, zero);
        break;
      case ACT_RELU:
        v = K (select) (v > zero, v, zero);
        break;
      case ACT_RELU6:
        v = K (select) (v < zero, zero, v);
        v = K (select) (v > six, six, v);
        break;
      default:                 /* ACT_HARDSWISH */
        r = v + 3.f;
        r = K (select) (r < zero, zero, r);
        r = K (select) (r > six, six, r);
        v = v * r * (1.f / 6.f);
        break;
    }
    memcpy (y + i, &v, sizeof v);
  }
  for (; i < n; i++) {
    float v = x[i] + bias, r;
    switch (act) {
      case ACT_PRELU:
        v = (v > 0.f ? v : 0.f) + slope * (v < 0.f ? v : 0.f);
        break;
      case ACT_RELU:
        v = v > 0.f ? v : 0.f;
        break;
      case ACT_RELU6:
        v = v < 0.f ? 0.f : v;
        v = v > 6.f ? 6.f : v;
        break;
      default:
        r = v + 3.f;
        r = r < 0.f ? 0.f : r;
        r = r > 6.f ? 6.f : r;
        v = v * r * (1.f / 6.f);
        break;
    }
    y[i] = v;
  }
}

/* y[i] = act (x[i] + bias), PReLU with SLOPE. Inlined into act_copy
 * (distinct arrays) and act_inplace (Y = X): with a single pointer the
 * vectoriser needs no overlap check, which sends an in-place call through
 * its scalar fallback. */
static inline DDAMFN_INLINE void
K (act_body) (float *y, const float *x, int n, float bias, float slope,
    DdamfnAct act)
{
  switch (act) {
    case ACT_NONE:
      for (int i = 0; i < n; i++)
        y[i] = x[i] + bias;
      break;
    case ACT_PRELU:
    case ACT_RELU:
    case ACT_HARDSWISH:
      K (act_linear) (y, x, n, bias, slope, act);
      break;
    case ACT_SIGMOID:
      K (sigmoid) (y, x, n, bias);
      break;
    case ACT_TANH:
      for (int i = 0; i < n; i++)
        y[i] = tanhf (x[i] + bias);
      break;
    case ACT_SWISH:
      K (swish) (y, x, n, bias);
      break;
    case ACT_RELU6:
      K (act_linear) (y, x, n, bias, slope, act);
      break;
  }
}

static void
K (act_copy) (float *restrict y, const float *restrict x, int n, float bias,
    float slope, DdamfnAct act)
{
  K (act_body) (y, x, n, bias, slope, act);
}

static void
K (act_inplace) (float *y, int n, float bias, float slope, DdamfnAct act)
{
  K (act_body) (y, y, n, bias, slope, act);
}

/* y[i] = a[i] OP b[i], or a[i] OP bs when B is NULL (graph models'
 * elementwise steps). Y may be A or B. */
static void
K (binary_row) (float *y, const float *a, const float *b, float bs, int n,
    DdamfnBinOp op)
{
#define BIN_LOOP(expr) do {                                                 \
    if (b)                                                                  \
      for (int i = 0; i < n; i++) { float u = a[i], v = b[i]; y[i] = (expr); } \
    else                                                                    \
      for (int i = 0; i < n; i++) { float u = a[i], v = bs; y[i] = (expr); } \
  } while (0)
  switch (op) {
    case BIN_NONE:
      if (y != a)
        memmove (y, a, sizeof (float) * n);
      break;
    case BIN_ADD:
      BIN_LOOP (u + v);
      break;
    case BIN_SUB:
      BIN_LOOP (u - v);
      break;
    case BIN_MUL:
      BIN_LOOP (u * v);
      break;
    case BIN_DIV:
      BIN_LOOP (u / v);
      break;
    case BIN_RSUB:
      BIN_LOOP (v - u);
      break;
    case BIN_MAX:
      BIN_LOOP (u != u || u >= v ? u : v);     /* NaN wins, as in ONNX */
      break;
    case BIN_MIN:
      BIN_LOOP (u != u || u <= v ? u : v);
      break;
    case BIN_RDIV:
      BIN_LOOP (v / u);
      break;
    case BIN_AFFINE:           /* per channel: the caller passes scale, shift */
      g_assert_not_reached ();
      break;
  }
#undef BIN_LOOP
}

/* y[i] = min (max (alpha · y[i] + beta, lo), hi) (Clip, HardSigmoid) and
 * y[i] = y[i] · scale + shift (a BatchNorm left alone) in one pass. */
static void
K (clamp_row) (float *y, int n, float scale, float shift, gboolean clamp,
    float alpha, float beta, float lo, float hi)
{
  enum { L = DW_VEC_FLOATS };
  const KV vlo = (KV) { 0 } + lo, vhi = (KV) { 0 } + hi;
  int i = 0;

  /* in vectors, as act_linear and for the same reason */
  for (; i + L <= n; i += L) {
    KV v;
    memcpy (&v, y + i, sizeof v);
    v = v * scale + shift;
    if (clamp) {
      v = alpha * v + beta;
      v = K (select) (v < vlo, vlo, v);
      v = K (select) (v > vhi, vhi, v);
    }
    memcpy (y + i, &v, sizeof v);
  }
  for (; i < n; i++) {
    float v = y[i] * scale + shift;
    if (clamp) {
      v = alpha * v + beta;
      v = v < lo ? lo : v;
      v = v > hi ? hi : v;
    }
    y[i] = v;
  }
}

/* The row kernels in this variant's own vector width DW_VEC_FLOATS (set by
 * dispatch.c; wider generic vectors would be lowered lane by lane) and,
 * with AVX-512, in 8-lane vectors for planes up to 8 wide. */
#define ROW_L DW_VEC_FLOATS
#include "ops/rows-impl.h"
#undef ROW_L
#if DW_VEC_FLOATS == 16
#define ROW_L 8
#include "ops/rows-impl.h"
#undef ROW_L
#endif

#define RKV(name, l) K (VCAT (name##_v, l))

/* Vectors of L floats a row of WIDTH ≤ DDAMFN_DW_MAX_WIDTH needs: 1, 2,
 * 4, … */
static inline int
K (row_vectors) (int width, int l)
{
  int nc = 1;
  while (nc * l < width)
    nc *= 2;
  return nc;
}

/* BY_WIDTH (width, CALL) runs CALL (l, nc) for the row shape of WIDTH:
 * NC vectors of L floats, both constants, in this variant's own width
 * (and 8-lane vectors for narrow AVX-512 planes). */
#if DW_VEC_FLOATS == 16
#define BY_WIDTH(width, CALL) do {                                          \
    switch ((width) <= 8 ? 0 : K (row_vectors) ((width), 16)) {                \
      case 0: CALL (8, 1); break;                                          \
      case 1: CALL (16, 1); break;                                         \
      case 2: CALL (16, 2); break;                                         \
      default: CALL (16, 4); break;                                        \
    }                                                                      \
  } while (0)
#elif DW_VEC_FLOATS == 8
#define BY_WIDTH(width, CALL) do {                                          \
    switch (K (row_vectors) ((width), 8)) {                                    \
      case 1: CALL (8, 1); break;                                          \
      case 2: CALL (8, 2); break;                                          \
      case 4: CALL (8, 4); break;                                          \
      default: CALL (8, 8); break;                                         \
    }                                                                      \
  } while (0)
#elif DW_VEC_FLOATS == 4
#define BY_WIDTH(width, CALL) do {                                          \
    switch (K (row_vectors) ((width), 4)) {                                    \
      case 1: CALL (4, 1); break;                                          \
      case 2: CALL (4, 2); break;                                          \
      case 4: CALL (4, 4); break;                                          \
      case 8: CALL (4, 8); break;                                          \
      default: CALL (4, 16); break;                                        \
    }                                                                      \
  } while (0)
#else
#error "DW_VEC_FLOATS must be 4, 8 or 16"
#endif

static void
K (pad_rows) (float *restrict dst, int pitch, const float *restrict src,
    int h, int w, float bias, float slope, gboolean prelu)
{
#define PAD(l, nc) do {                                                     \
    if (prelu)                                                             \
      RKV (pad_rows, l) (dst, pitch, src, h, w, bias, slope, TRUE, nc);    \
    else                                                                   \
      RKV (pad_rows, l) (dst, pitch, src, h, w, bias, slope, FALSE, nc);   \
  } while (0)
  BY_WIDTH (w, PAD);
#undef PAD
}

static void
K (pad_rows_s2) (float *restrict phases, int qw, int qsize, int pad_h,
    int pad_w, const float *restrict src, int h, int w, float bias,
    float slope, gboolean prelu)
{
#define PAD(l, nc) do {                                                     \
    if (prelu)                                                             \
      RKV (pad_rows_s2, l) (phases, qw, qsize, pad_h, pad_w, src, h, w,    \
          bias, slope, TRUE, nc);                                          \
    else                                                                   \
      RKV (pad_rows_s2, l) (phases, qw, qsize, pad_h, pad_w, src, h, w,    \
          bias, slope, FALSE, nc);                                         \
  } while (0)
  BY_WIDTH (w, PAD);
#undef PAD
}

/* dw_taps_s1 for the stride-1 kernel sides whose column of weights fits in
 * registers beside the accumulators: every odd side up to
 * DDAMFN_DW_MAX_KERNEL with AVX-512's 32 registers, 3 and 5 with AVX2's 16
 * (with 7 and 9 it spills and is slower than dw_taps: bench-depthwise);
 * dw_taps for the rest, and for SSE2's 4-float rows. */
#if DW_VEC_FLOATS == 16
#define ROWS_S1(l, nc, pool) do {                                           \
    switch (a->k) {                                                        \
      case 3: RKV (dw_rows, l) (a, nc, 3, pool); break;                 \
      case 5: RKV (dw_rows, l) (a, nc, 5, pool); break;                 \
      case 7: RKV (dw_rows, l) (a, nc, 7, pool); break;                 \
      case 9: RKV (dw_rows, l) (a, nc, 9, pool); break;                 \
      default: RKV (dw_rows, l) (a, nc, 0, pool); break;                   \
    }                                                                      \
  } while (0)
#elif DW_VEC_FLOATS == 8
#define ROWS_S1(l, nc, pool) do {                                           \
    switch (a->k) {                                                        \
      case 3: RKV (dw_rows, l) (a, nc, 3, pool); break;                 \
      case 5: RKV (dw_rows, l) (a, nc, 5, pool); break;                 \
      default: RKV (dw_rows, l) (a, nc, 0, pool); break;                   \
    }                                                                      \
  } while (0)
#else
#define ROWS_S1(l, nc, pool) RKV (dw_rows, l) (a, nc, 0, pool)
#endif
G_STATIC_ASSERT (DDAMFN_DW_MAX_KERNEL == 9);

static void
K (dw_rows) (const DwRows * a)
{
#define ROWS(l, nc) do {                                                    \
    if (a->row_mean)                                                       \
      ROWS_S1 (l, nc, TRUE);                                               \
    else                                                                   \
      ROWS_S1 (l, nc, FALSE);                                              \
  } while (0)
  BY_WIDTH (a->ow, ROWS);
#undef ROWS
}
#undef ROWS_S1

static void
K (gate_plane) (float *restrict y, const float *restrict x, int h, int w,
    const float *restrict gh, const float *restrict gw)
{
#define GATE(l, nc) RKV (gate_rows, l) (y, x, h, w, gh, gw, nc)
  BY_WIDTH (w, GATE);
#undef GATE
}

/* One channel of a depthwise conv over all its faces: each plane padded
 * (stride 1) or split into phases (stride 2), convolved, activated and
 * pooled, in one call (per-plane calls cost as much as a small plane). */
static void
K (dw_channel) (const DdamfnDwChannel * j)
{
  const gboolean prelu = j->in_act == ACT_PRELU;
  DwRows rows = {.oh = j->oh,.ow = j->ow,.p = j->scratch,
    .pitch = j->stride == 1 ? j->pitch : j->qw,.off = j->off,.wts = j->wts,
    .n_taps = j->n_taps,.bias = j->bias,.inv_w = j->inv_w,.inv_h = j->inv_h,
    .k = j->stride == 1 && j->kh == j->kw ? j->kh : 0
  };

  for (int f = 0; f < j->n; f++) {
    const float *src = j->x + (gsize) f * j->x_plane;

    rows.y = j->y + (gsize) f * j->y_plane;
    rows.row_mean = j->row_mean ? j->row_mean + (gsize) f * j->oh : NULL;
    rows.col_mean = j->col_mean ? j->col_mean + (gsize) f * j->ow : NULL;
    if (j->stride == 1)
      K (pad_rows) (j->scratch + j->pad_h * j->pitch + j->pad_w, j->pitch,
          src, j->h, j->w, j->in_bias, j->in_slope, prelu);
    else
      K (pad_rows_s2) (j->scratch, j->qw, j->qsize, j->pad_h, j->pad_w, src,
          j->h, j->w, j->in_bias, j->in_slope, prelu);
    K (dw_rows) (&rows);
    if (j->out_act != ACT_NONE)
      K (act_inplace) (rows.y, j->oh * j->ow, 0.f, j->out_slope, j->out_act);
  }
}

#include "ops/gemm-impl.h"

static const DdamfnKernels K (kernels) = {
  .name = G_STRINGIFY (SUFFIX),.act_copy = K (act_copy),
  .act_inplace = K (act_inplace),.dw_channel = K (dw_channel),
  .gate_plane = K (gate_plane),.binary_row = K (binary_row),
  .clamp_row = K (clamp_row),.gemm = K (gemm),.gemm_nr = GEMM_NV * GEMM_VF,
};

#undef RKV
#undef KVI
#undef KV
#undef BY_WIDTH
#undef K
#undef KCAT
#undef KCAT2
