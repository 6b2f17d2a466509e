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

#ifndef DDAMFN_EXP_APPROX
#define DDAMFN_EXP_APPROX
/* e^x for the sigmoid, in a form the vectoriser takes: x = k·ln 2 + r with
 * k rounded to nearest and |r| ≤ ln 2 / 2, e^r by a degree-6 Taylor
 * polynomial (truncation under 1.2e-7 relative), 2^k put into the exponent
 * bits. x is clamped to [-87, 88] (e^x is then below 1.7e-38 or above
 * 1.6e38, and the sigmoid 0 or 1 to float precision either way).
 * tests/test-ops.c checks the sigmoid against double precision. */
static inline float
ddamfn_exp_approx (float x)
{
  float k, r, p, scale;
  gint32 bits;

  /* two selects, not nested ones: those the vectoriser turns into
   * branches */
  x = x < -87.f ? -87.f : x;
  x = x > 88.f ? 88.f : x;
  /* round to nearest by the 1.5·2^23 trick (no call, vectorises) */
  k = (x * 1.44269504088896341f + 12582912.f) - 12582912.f;
  r = x - k * 0.693359375f;             /* ln 2, high part (exact in float) */
  r = r + k * 2.12194440e-4f;           /* minus the low part */
  p = 1.f + r * (1.f + r * (1.f / 2 + r * (1.f / 6 + r * (1.f / 24
                  + r * (1.f / 120 + r * (1.f / 720))))));
  bits = ((gint32) k + 127) << 23;
  memcpy (&scale, &bits, sizeof scale);
  return p * scale;
}
#endif

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
        r = r < 0.f ? 0.f : r;          /* unnested: see ddamfn_exp_approx */
        r = r > 6.f ? 6.f : r;
        y[i] = v * r * (1.f / 6.f);
      }
      break;
    case ACT_SIGMOID:
      for (int i = 0; i < n; i++)
        y[i] = 1.f / (1.f + ddamfn_exp_approx (-(x[i] + bias)));
      break;
    case ACT_TANH:
      for (int i = 0; i < n; i++)
        y[i] = tanhf (x[i] + bias);
      break;
  }
}

/* Row kernels over planes narrower than DDAMFN_DW_MAX_WIDTH. A row of up
 * to NC·L floats is held in NC vectors of L lanes; BY_WIDTH picks the
 * smallest shape for the width. Rows are loaded and stored as whole
 * vectors, which run past the row into the next one and past the last row
 * of a plane by up to DDAMFN_DW_MAX_WIDTH floats: callers give their
 * buffers that slack (DDAMFN_ROW_SLACK) and write planes in increasing
 * address order, so whatever a store spills is rewritten afterwards. No
 * kernel reads what it has just written with such a store: a load
 * overlapping part of a recent store stalls store forwarding. */
#ifndef DDAMFN_ROW_HELPERS
#define DDAMFN_ROW_HELPERS
/* An array of NC vectors from / to memory, one vector at a time: a single
 * memcpy of the whole array makes the compiler keep it on the stack. */
#define VECS_LOAD(vec, src, NC, L)                                           \
  for (int c_ = 0; c_ < NC; c_++)                                            \
    memcpy (&(vec)[c_], (src) + c_ * L, sizeof (vec)[0])
#define VECS_STORE(dst, vec, NC, L)                                          \
  for (int c_ = 0; c_ < NC; c_++)                                            \
    memcpy ((dst) + c_ * L, &(vec)[c_], sizeof (vec)[0])

/* Lane mask: all ones in the first N lanes of the NC·L-lane row (built
 * from a constant; lane-by-lane stores would stall the vector load). */
#define ROW_MASK(mask, L, NC, n)                                             \
  do {                                                                       \
    const DdamfnV##L##i iota_ = DDAMFN_IOTA##L;                              \
    for (int c_ = 0; c_ < NC; c_++)                                          \
      mask[c_] = iota_ + c_ * L < (n);                                       \
  } while (0)

#define DDAMFN_IOTA4 { 0, 1, 2, 3 }
#define DDAMFN_IOTA8 { 0, 1, 2, 3, 4, 5, 6, 7 }
#define DDAMFN_IOTA16 { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 }

/* T = act (T + bias) for ACT_NONE / ACT_PRELU, zeroed outside KEEP */
#define PAD_ACT(t, keep, VF, VI)                                             \
  do {                                                                       \
    t += bias;                                                               \
    if (act == ACT_PRELU) {                                                  \
      VI pos_ = t > 0.f;                                                     \
      t = (VF) (((VI) t & pos_) | ((VI) (slope * t) & ~pos_));               \
    }                                                                        \
    t = (VF) ((VI) t & (keep));                                              \
  } while (0)

#define PAD_ROWS(L, NC, VF, VI)                                              \
  do {                                                                       \
    VI keep[NC];                                                             \
    ROW_MASK (keep, L, NC, w);                                               \
    for (int i = 0; i < h; i++) {                                            \
      VF v[NC];                                                              \
      VECS_LOAD (v, src + (gsize) i * w, NC, L);                             \
      for (int c = 0; c < NC; c++)                                           \
        PAD_ACT (v[c], keep[c], VF, VI);                                     \
      VECS_STORE (dst + (gsize) i * pitch, v, NC, L);                        \
    }                                                                        \
  } while (0)

/* As PAD_ROWS, but each row is split into its even and odd columns as it
 * is stored, straight into the four stride-2 phase planes. */
#define EVENS16(a, b) __builtin_shufflevector (a, b, 0, 2, 4, 6, 8, 10, 12,  \
    14, 16, 18, 20, 22, 24, 26, 28, 30)
#define ODDS16(a, b) __builtin_shufflevector (a, b, 1, 3, 5, 7, 9, 11, 13,   \
    15, 17, 19, 21, 23, 25, 27, 29, 31)
/* The even and odd lanes of one vector V, stored at EVEN and ODD. */
#define S2_HALVES16(v, even, odd)                                            \
  do {                                                                       \
    DdamfnV8 e_ = __builtin_shufflevector (v, v, 0, 2, 4, 6, 8, 10, 12, 14); \
    DdamfnV8 o_ = __builtin_shufflevector (v, v, 1, 3, 5, 7, 9, 11, 13, 15); \
    memcpy (even, &e_, sizeof e_);                                           \
    memcpy (odd, &o_, sizeof o_);                                            \
  } while (0)
#define S2_HALVES8(v, even, odd)                                             \
  do {                                                                       \
    DdamfnV4 e_ = __builtin_shufflevector (v, v, 0, 2, 4, 6);                \
    DdamfnV4 o_ = __builtin_shufflevector (v, v, 1, 3, 5, 7);                \
    memcpy (even, &e_, sizeof e_);                                           \
    memcpy (odd, &o_, sizeof o_);                                            \
  } while (0)
#define S2_HALVES4(v, even, odd)                                             \
  do {                                                                       \
    float t_[4];                                                             \
    memcpy (t_, &(v), sizeof t_);                                            \
    even[0] = t_[0];                                                         \
    even[1] = t_[2];                                                         \
    odd[0] = t_[1];                                                          \
    odd[1] = t_[3];                                                          \
  } while (0)

#define PAD_ROWS_S2(L, NC, VF, VI)                                           \
  do {                                                                       \
    VI keep[NC];                                                             \
    ROW_MASK (keep, L, NC, w);                                               \
    for (int i = 0; i < h; i++) {                                            \
      const int pi = i + pad_h;                                              \
      float *even = phases + ((pi & 1) * 2 + (pad_w & 1)) * qsize            \
          + (gsize) (pi >> 1) * qw + pad_w / 2;                              \
      float *odd = phases + ((pi & 1) * 2 + 1 - (pad_w & 1)) * qsize         \
          + (gsize) (pi >> 1) * qw + (pad_w + 1) / 2;                        \
      VF v[NC];                                                              \
      VECS_LOAD (v, src + (gsize) i * w, NC, L);                             \
      for (int c = 0; c < NC; c++)                                           \
        PAD_ACT (v[c], keep[c], VF, VI);                                     \
      if (NC == 1) {                                                         \
        S2_HALVES##L (v[0], even, odd);                                      \
      } else {                                                               \
        for (int c = 0; c + 1 < NC; c += 2) {                                \
          VF e_ = EVENS##L (v[c], v[c + 1]), o_ = ODDS##L (v[c], v[c + 1]);  \
          memcpy (even + c * L / 2, &e_, sizeof e_);                         \
          memcpy (odd + c * L / 2, &o_, sizeof o_);                          \
        }                                                                    \
      }                                                                      \
    }                                                                        \
  } while (0)

/* ROWSUM (S, OUT): OUT[r] = the sum of the lanes of S[r], for 8 vectors
 * S[0..7] at once into float OUT[8]: adding even and odd lanes of pairs of
 * vectors halves the lanes per row at each step, instead of a reduction
 * per row. */
#define EVENS4(a, b) __builtin_shufflevector (a, b, 0, 2, 4, 6)
#define ODDS4(a, b) __builtin_shufflevector (a, b, 1, 3, 5, 7)
#define EVENS8(a, b) __builtin_shufflevector (a, b, 0, 2, 4, 6, 8, 10, 12, 14)
#define ODDS8(a, b) __builtin_shufflevector (a, b, 1, 3, 5, 7, 9, 11, 13, 15)
#define PAIR_SUM(E, O, a, b) (E (a, b) + O (a, b))
#define ROWSUM4(s, out)                                                      \
  do {                                                                       \
    DdamfnV4 l1_[4], l2_[2];                                                 \
    for (int j_ = 0; j_ < 4; j_++)                                           \
      l1_[j_] = PAIR_SUM (EVENS4, ODDS4, s[2 * j_], s[2 * j_ + 1]);          \
    for (int j_ = 0; j_ < 2; j_++)                                           \
      l2_[j_] = PAIR_SUM (EVENS4, ODDS4, l1_[2 * j_], l1_[2 * j_ + 1]);      \
    memcpy (out, l2_, sizeof l2_);                                           \
  } while (0)
#define ROWSUM8(s, out)                                                      \
  do {                                                                       \
    DdamfnV8 l1_[4], l2_[2], l3_;                                            \
    for (int j_ = 0; j_ < 4; j_++)                                           \
      l1_[j_] = PAIR_SUM (EVENS8, ODDS8, s[2 * j_], s[2 * j_ + 1]);          \
    for (int j_ = 0; j_ < 2; j_++)                                           \
      l2_[j_] = PAIR_SUM (EVENS8, ODDS8, l1_[2 * j_], l1_[2 * j_ + 1]);      \
    l3_ = PAIR_SUM (EVENS8, ODDS8, l2_[0], l2_[1]);                          \
    memcpy (out, &l3_, sizeof l3_);                                          \
  } while (0)
#define ROWSUM16(s, out)                                                     \
  do {                                                                       \
    DdamfnV16 l1_[4], l2_[2], l3_, l4_;                                      \
    for (int j_ = 0; j_ < 4; j_++)                                           \
      l1_[j_] = PAIR_SUM (EVENS16, ODDS16, s[2 * j_], s[2 * j_ + 1]);        \
    for (int j_ = 0; j_ < 2; j_++)                                           \
      l2_[j_] = PAIR_SUM (EVENS16, ODDS16, l1_[2 * j_], l1_[2 * j_ + 1]);    \
    l3_ = PAIR_SUM (EVENS16, ODDS16, l2_[0], l2_[1]);                        \
    l4_ = PAIR_SUM (EVENS16, ODDS16, l3_, l3_);                              \
    memcpy (out, &l4_, 8 * sizeof (float));                                  \
  } while (0)

/* R output rows at a time: R·NC independent accumulators keep the
 * multiply-add units busy (one accumulator would wait out each FMA's
 * latency). Rows of the last block past OH are computed from the slack and
 * dropped. R is chosen so that the accumulators fill 7 or 8 of the target's
 * vector registers (L is the target's own width): more would spill them to
 * the stack. At most 7, so that a 14-row plane is two blocks. */
#define DW_BLOCK_ROWS(NC) ((NC) == 1 ? 7 : (NC) <= 8 ? 8 / (NC) : 1)

#define DW_ROWS(L, NC, VF, VI)                                               \
  do {                                                                       \
    enum { R = DW_BLOCK_ROWS (NC) };                                         \
    VF colacc[NC];                                                           \
    VI keep[NC];                                                             \
    ROW_MASK (keep, L, NC, ow);                                              \
    for (int c = 0; c < NC; c++)                                             \
      colacc[c] = (VF) { 0 };                                                \
    for (int oy0 = 0; oy0 < oh; oy0 += R) {                                  \
      const float *base = p + (gsize) oy0 * pitch;                           \
      VF acc[R][NC];                                                         \
      for (int r = 0; r < R; r++)                                            \
        for (int c = 0; c < NC; c++)                                         \
          acc[r][c] = (VF) { 0 } + bias;                                     \
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
      for (int r = 0; r < R && oy0 + r < oh; r++)                            \
        VECS_STORE (y + (gsize) (oy0 + r) * ow, acc[r], NC, L);              \
      if (row_mean) {                                                        \
        VF s_[8];                                                            \
        float t_[8];                                                         \
        for (int r = 0; r < 8; r++) {                                        \
          s_[r] = (VF) { 0 };                                                \
          if (r < R && oy0 + r < oh)                                         \
            for (int c = 0; c < NC; c++) {                                   \
              colacc[c] += acc[r][c];                                        \
              s_[r] += (VF) ((VI) acc[r][c] & keep[c]);                      \
            }                                                                \
        }                                                                    \
        ROWSUM##L (s_, t_);                                                  \
        for (int r = 0; r < R && oy0 + r < oh; r++)                          \
          row_mean[oy0 + r] = t_[r] * inv_w;                                 \
      }                                                                      \
    }                                                                        \
    if (row_mean) {                                                          \
      for (int c = 0; c < NC; c++)                                           \
        colacc[c] *= inv_h;                                                  \
      VECS_STORE (col_mean, colacc, NC, L);                                  \
    }                                                                        \
  } while (0)

#define GATE_ROWS(L, NC, VF, VI)                                             \
  do {                                                                       \
    VF g[NC];                                                                \
    VECS_LOAD (g, gw, NC, L);                                                \
    for (int i = 0; i < h; i++) {                                            \
      VF v[NC];                                                              \
      VECS_LOAD (v, x + (gsize) i * w, NC, L);                               \
      for (int c = 0; c < NC; c++)                                           \
        v[c] *= gh[i] * g[c];                                                \
      VECS_STORE (y + (gsize) i * w, v, NC, L);                              \
    }                                                                        \
  } while (0)
#endif /* DDAMFN_ROW_HELPERS */

/* BY_WIDTH (width, BODY) expands BODY (L, NC, VF, VI) for the row shape of
 * WIDTH in this variant's own vector width DW_VEC_FLOATS (set by
 * dispatch.c): wider generic vectors would be lowered lane by lane. With
 * AVX-512, rows up to 8 wide take 8-lane vectors. */
#if DW_VEC_FLOATS == 16
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
#elif DW_VEC_FLOATS == 8
#define BY_WIDTH(width, BODY)                                                \
  do {                                                                       \
    if ((width) <= 8)                                                        \
      BODY (8, 1, DdamfnV8, DdamfnV8i);                                      \
    else if ((width) <= 16)                                                  \
      BODY (8, 2, DdamfnV8, DdamfnV8i);                                      \
    else if ((width) <= 32)                                                  \
      BODY (8, 4, DdamfnV8, DdamfnV8i);                                      \
    else                                                                     \
      BODY (8, 8, DdamfnV8, DdamfnV8i);                                      \
  } while (0)
#elif DW_VEC_FLOATS == 4
#define BY_WIDTH(width, BODY)                                                \
  do {                                                                       \
    if ((width) <= 4)                                                        \
      BODY (4, 1, DdamfnV4, DdamfnV4i);                                      \
    else if ((width) <= 8)                                                   \
      BODY (4, 2, DdamfnV4, DdamfnV4i);                                      \
    else if ((width) <= 16)                                                  \
      BODY (4, 4, DdamfnV4, DdamfnV4i);                                      \
    else if ((width) <= 32)                                                  \
      BODY (4, 8, DdamfnV4, DdamfnV4i);                                      \
    else                                                                     \
      BODY (4, 16, DdamfnV4, DdamfnV4i);                                     \
  } while (0)
#else
#error "DW_VEC_FLOATS must be 4, 8 or 16"
#endif

static inline void
K (pad_rows) (float *restrict dst, int pitch, const float *restrict src,
    int h, int w, float bias, float slope, DdamfnAct act)
{
  BY_WIDTH (w, PAD_ROWS);
}

static inline void
K (pad_rows_s2) (float *restrict phases, int qw, int qsize, int pad_h,
    int pad_w, const float *restrict src, int h, int w, float bias,
    float slope, DdamfnAct act)
{
  BY_WIDTH (w, PAD_ROWS_S2);
}

static inline void
K (dw_rows) (float *restrict y, int oh, int ow, const float *restrict p,
    int pitch, const int *restrict off, const float *restrict wts,
    int n_taps, float bias, float *restrict row_mean,
    float *restrict col_mean, float inv_w, float inv_h)
{
  BY_WIDTH (ow, DW_ROWS);
}

/* One channel of a depthwise conv over all its faces: each plane padded
 * (stride 1) or split into phases (stride 2), convolved, activated and
 * pooled, in one call (per-plane calls cost as much as a small plane). */
static void
K (dw_channel) (const DdamfnDwChannel * j)
{
  for (int f = 0; f < j->n; f++) {
    const float *src = j->x + (gsize) f * j->x_plane;
    float *dst = j->y + (gsize) f * j->y_plane;
    float *row_mean = j->row_mean ? j->row_mean + (gsize) f * j->oh : NULL;
    float *col_mean = j->col_mean ? j->col_mean + (gsize) f * j->ow : NULL;

    if (j->stride == 1) {
      K (pad_rows) (j->scratch + j->pad_h * j->pitch + j->pad_w, j->pitch,
          src, j->h, j->w, j->in_bias, j->in_slope, j->in_act);
      K (dw_rows) (dst, j->oh, j->ow, j->scratch, j->pitch, j->off, j->wts,
          j->n_taps, j->bias, row_mean, col_mean, j->inv_w, j->inv_h);
    } else {
      K (pad_rows_s2) (j->scratch, j->qw, j->qsize, j->pad_h, j->pad_w, src,
          j->h, j->w, j->in_bias, j->in_slope, j->in_act);
      K (dw_rows) (dst, j->oh, j->ow, j->scratch, j->qw, j->off, j->wts,
          j->n_taps, j->bias, row_mean, col_mean, j->inv_w, j->inv_h);
    }
    if (j->out_act != ACT_NONE)
      K (act_copy) (dst, dst, j->oh * j->ow, 0.f, j->out_slope, j->out_act);
  }
}

static void
K (gate_plane) (float *restrict y, const float *restrict x, int h, int w,
    const float *restrict gh, const float *restrict gw)
{
  BY_WIDTH (w, GATE_ROWS);
}

static const DdamfnKernels K (kernels) = {
  G_STRINGIFY (SUFFIX), K (act_copy), K (dw_channel), K (gate_plane)
};

#undef BY_WIDTH
#undef K
#undef KCAT
#undef KCAT2
