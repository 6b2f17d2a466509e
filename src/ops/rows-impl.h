/* Row kernels for rows held in vectors of ROW_L floats, included by
 * kernels-impl.h once per vector length a variant uses (its own, and 8 for
 * AVX-512's narrow planes). A row of up to NC · ROW_L floats is NC vectors;
 * every function takes NC as a parameter that its callers pass as a
 * constant, so each (NC, fusion) pair compiles to its own straight code.
 *
 * Rows are loaded and stored as whole vectors, which run past the row into
 * the next one and past the last row of a plane by up to
 * DDAMFN_DW_MAX_WIDTH floats: callers give their buffers that slack
 * (DDAMFN_ROW_SLACK) and write planes in increasing address order, so
 * whatever a store spills is rewritten afterwards. No kernel reads what it
 * has just written with such a store: a load overlapping part of a recent
 * store stalls store forwarding.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define RV VCAT (DdamfnV, ROW_L)
#define RVI VCAT (RV, i)
#define RVU VCAT (RV, u)
#define RK(name) K (VCAT (name##_v, ROW_L))
/* Most vectors in a row: DDAMFN_DW_MAX_WIDTH floats. */
#define RMAX (DDAMFN_DW_MAX_WIDTH / ROW_L)

/* NC vectors from / to memory, one at a time: a single memcpy of the whole
 * array makes the compiler keep it on the stack. The loops are unrolled
 * by order: left as loops, GCC turns them into a block copy into a stack
 * array in 16-byte pieces, which the 32-byte loads of AVX2 then read back
 * through a store-forwarding stall (2.2 → 1.7 ms per face of depthwise
 * work with AVX2: bench-depthwise). */
static inline DDAMFN_INLINE void
RK (load) (RV * v, const float *src, int nc)
{
#pragma GCC unroll 32
  for (int c = 0; c < nc; c++)
    v[c] = *(const RVU *) (src + c * ROW_L);
}

static inline DDAMFN_INLINE void
RK (store) (float *dst, const RV * v, int nc)
{
#pragma GCC unroll 32
  for (int c = 0; c < nc; c++)
    *(RVU *) (dst + c * ROW_L) = v[c];
}

/* All ones in the first N lanes of the NC-vector row (built from a
 * constant: lane-by-lane stores would stall the vector load). */
static inline DDAMFN_INLINE void
RK (mask) (RVI * keep, int nc, int n)
{
  const RVI iota = VCAT (DDAMFN_IOTA, ROW_L);

#pragma GCC unroll 32
  for (int c = 0; c < nc; c++)
    keep[c] = iota + c * ROW_L < n;
}

/* act (t + bias) for PReLU or none, zeroed outside KEEP. */
static inline DDAMFN_INLINE RV
RK (pad_act) (RV t, RVI keep, float bias, float slope, gboolean prelu)
{
  t += bias;
  if (prelu) {
    RVI pos = t > 0.f;
    t = (RV) (((RVI) t & pos) | ((RVI) (slope * t) & ~pos));
  }
  return (RV) ((RVI) t & keep);
}

/* H rows of W ≤ NC · ROW_L floats from SRC (pitch W) into DST (pitch
 * PITCH) through pad_act. */
static inline DDAMFN_INLINE void
RK (pad_rows) (float *restrict dst, int pitch, const float *restrict src,
    int h, int w, float bias, float slope, gboolean prelu, int nc)
{
  RVI keep[RMAX];

  RK (mask) (keep, nc, w);
  for (int i = 0; i < h; i++) {
    RV v[RMAX];
    RK (load) (v, src + (gsize) i * w, nc);
    for (int c = 0; c < nc; c++)
      v[c] = RK (pad_act) (v[c], keep[c], bias, slope, prelu);
    RK (store) (dst + (gsize) i * pitch, v, nc);
  }
}

/* Even and odd lanes of vectors A, B, and of one vector V into two
 * half-vectors stored at EVEN and ODD. */
#if ROW_L == 16
static inline DDAMFN_INLINE RV
RK (evens) (RV a, RV b)
{
  return __builtin_shufflevector (a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18,
      20, 22, 24, 26, 28, 30);
}

static inline DDAMFN_INLINE RV
RK (odds) (RV a, RV b)
{
  return __builtin_shufflevector (a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19,
      21, 23, 25, 27, 29, 31);
}

static inline DDAMFN_INLINE void
RK (store_halves) (RV v, float *even, float *odd)
{
  DdamfnV8 e = __builtin_shufflevector (v, v, 0, 2, 4, 6, 8, 10, 12, 14);
  DdamfnV8 o = __builtin_shufflevector (v, v, 1, 3, 5, 7, 9, 11, 13, 15);
  memcpy (even, &e, sizeof e);
  memcpy (odd, &o, sizeof o);
}
#elif ROW_L == 8
static inline DDAMFN_INLINE RV
RK (evens) (RV a, RV b)
{
  return __builtin_shufflevector (a, b, 0, 2, 4, 6, 8, 10, 12, 14);
}

static inline DDAMFN_INLINE RV
RK (odds) (RV a, RV b)
{
  return __builtin_shufflevector (a, b, 1, 3, 5, 7, 9, 11, 13, 15);
}

static inline DDAMFN_INLINE void
RK (store_halves) (RV v, float *even, float *odd)
{
  DdamfnV4 e = __builtin_shufflevector (v, v, 0, 2, 4, 6);
  DdamfnV4 o = __builtin_shufflevector (v, v, 1, 3, 5, 7);
  memcpy (even, &e, sizeof e);
  memcpy (odd, &o, sizeof o);
}
#elif ROW_L == 4
static inline DDAMFN_INLINE RV
RK (evens) (RV a, RV b)
{
  return __builtin_shufflevector (a, b, 0, 2, 4, 6);
}

static inline DDAMFN_INLINE RV
RK (odds) (RV a, RV b)
{
  return __builtin_shufflevector (a, b, 1, 3, 5, 7);
}

static inline DDAMFN_INLINE void
RK (store_halves) (RV v, float *even, float *odd)
{
  float t[4];
  memcpy (t, &v, sizeof t);
  even[0] = t[0];
  even[1] = t[2];
  odd[0] = t[1];
  odd[1] = t[3];
}
#else
#error "ROW_L must be 4, 8 or 16"
#endif

/* As pad_rows, but each row is split into its even and odd columns as it
 * is stored, straight into the four stride-2 phase planes (phase (py, px)
 * at phases + (2·py + px)·QSIZE, row pitch QW; padded row i + pad_h,
 * column j + pad_w holds src[i][j]). */
static inline DDAMFN_INLINE void
RK (pad_rows_s2) (float *restrict phases, int qw, int qsize, int pad_h,
    int pad_w, const float *restrict src, int h, int w, float bias,
    float slope, gboolean prelu, int nc)
{
  RVI keep[RMAX];

  RK (mask) (keep, nc, w);
  for (int i = 0; i < h; i++) {
    const int pi = i + pad_h;
    float *even = phases + ((pi & 1) * 2 + (pad_w & 1)) * qsize
        + (gsize) (pi >> 1) * qw + pad_w / 2;
    float *odd = phases + ((pi & 1) * 2 + 1 - (pad_w & 1)) * qsize
        + (gsize) (pi >> 1) * qw + (pad_w + 1) / 2;
    RV v[RMAX];

    RK (load) (v, src + (gsize) i * w, nc);
    for (int c = 0; c < nc; c++)
      v[c] = RK (pad_act) (v[c], keep[c], bias, slope, prelu);
    if (nc == 1) {
      RK (store_halves) (v[0], even, odd);
    } else {
      for (int c = 0; c + 1 < nc; c += 2) {
        RV e = RK (evens) (v[c], v[c + 1]), o = RK (odds) (v[c], v[c + 1]);
        memcpy (even + c * ROW_L / 2, &e, sizeof e);
        memcpy (odd + c * ROW_L / 2, &o, sizeof o);
      }
    }
  }
}

/* OUT[r] = the sum of the lanes of S[r] for 8 vectors at once: adding even
 * and odd lanes of pairs of vectors halves the lanes per row at each step,
 * instead of a reduction per row. */
static inline DDAMFN_INLINE void
RK (rowsum8) (const RV * s, float *out)
{
  RV l1[4], l2[2];

  for (int j = 0; j < 4; j++)
    l1[j] = RK (evens) (s[2 * j], s[2 * j + 1])
        + RK (odds) (s[2 * j], s[2 * j + 1]);
  for (int j = 0; j < 2; j++)
    l2[j] = RK (evens) (l1[2 * j], l1[2 * j + 1])
        + RK (odds) (l1[2 * j], l1[2 * j + 1]);
#if ROW_L == 4
  memcpy (out, l2, sizeof l2);
#else
  {
    RV l3 = RK (evens) (l2[0], l2[1]) + RK (odds) (l2[0], l2[1]);
#if ROW_L == 8
    memcpy (out, &l3, sizeof l3);
#else
    RV l4 = RK (evens) (l3, l3) + RK (odds) (l3, l3);
    memcpy (out, &l4, 8 * sizeof (float));
#endif
  }
#endif
}

/* Output rows in blocks of dw_block_rows (nc): R·NC independent
 * accumulators keep the multiply-add units busy (one would wait out each
 * FMA's latency); R is chosen so that they fill 7 or 8 of the target's
 * vector registers (more would spill to the stack), at most
 * DDAMFN_DW_MAX_BLOCK_ROWS, so that a 14-row plane is two blocks. Rows of
 * the last block past OH are computed from the slack and dropped. */
static inline DDAMFN_INLINE int
RK (dw_block_rows) (int nc)
{
  G_STATIC_ASSERT (DDAMFN_DW_MAX_BLOCK_ROWS == 7);
  return nc == 1 ? 7 : nc <= 8 ? 8 / nc : 1;
}

/* Stores the R rows of ACC from output row OY0 and, with POOL, adds them
 * to the row means and to COLACC (column sums; lanes outside KEEP are
 * dropped from the row sums). */
static inline DDAMFN_INLINE void
RK (dw_block_out) (const DwRows * a, RV acc[][RMAX], int R, int oy0, int nc,
    gboolean pool, RV * colacc, const RVI * keep)
{
  for (int r = 0; r < R && oy0 + r < a->oh; r++)
    RK (store) (a->y + (gsize) (oy0 + r) * a->ow, acc[r], nc);
  if (pool) {
    /* unrolled by order too: as loops, S and COLACC live on the stack */
    RV s[8];
    float sums[8];
#pragma GCC unroll 8
    for (int r = 0; r < 8; r++) {
      s[r] = (RV) { 0 };
      if (r < R && oy0 + r < a->oh) {
#pragma GCC unroll 32
        for (int c = 0; c < nc; c++) {
          colacc[c] += acc[r][c];
          s[r] += (RV) ((RVI) acc[r][c] & keep[c]);
        }
      }
    }
    RK (rowsum8) (s, sums);
    for (int r = 0; r < R && oy0 + r < a->oh; r++)
      a->row_mean[oy0 + r] = sums[r] * a->inv_w;
  }
}

static inline DDAMFN_INLINE void
RK (dw_pool_begin) (const DwRows * a, int nc, RV * colacc, RVI * keep)
{
  RK (mask) (keep, nc, a->ow);
#pragma GCC unroll 32
  for (int c = 0; c < nc; c++)
    colacc[c] = (RV) { 0 };
}

static inline DDAMFN_INLINE void
RK (dw_pool_end) (const DwRows * a, int nc, RV * colacc)
{
#pragma GCC unroll 32
  for (int c = 0; c < nc; c++)
    colacc[c] *= a->inv_h;
  RK (store) (a->col_mean, colacc, nc);
}

/* The taps of a block of R output rows from BASE into ACC: any taps
 * (OFF, the stride-2 phase offsets among them), each an input row vector
 * load per output row and tap. */
static inline DDAMFN_INLINE void
RK (dw_taps) (const DwRows * a, const float *base, RV acc[][RMAX], int R,
    int nc)
{
  const int pitch = a->pitch, n_taps = a->n_taps;
  const int *restrict off = a->off;
  const float *restrict wts = a->wts;

  for (int t = 0; t < n_taps; t++) {
    const float *q = base + off[t];
    const float wt = wts[t];
    for (int r = 0; r < R; r++)
      for (int c = 0; c < nc; c++) {
        RV v;
        memcpy (&v, q + (gsize) r * pitch + c * ROW_L, sizeof v);
        acc[r][c] += wt * v;
      }
  }
}

/* The same for a stride-1 K × K kernel (K a constant): each input row
 * vector is loaded once per kernel column and added into every output row
 * of the block that uses it (K of them), instead of once per tap and
 * output row. Whole unrolling keeps ACC in registers. */
static inline DDAMFN_INLINE void
RK (dw_taps_s1) (const DwRows * a, const float *base, RV acc[][RMAX], int R,
    int nc, int k)
{
  const int pitch = a->pitch;
  const float *restrict wts = a->wts;

  for (int kx = 0; kx < k; kx++) {
#pragma GCC unroll 16
    for (int q = 0; q < R + k - 1; q++)
#pragma GCC unroll 16
      for (int c = 0; c < nc; c++) {
        RV v;
        memcpy (&v, base + (gsize) q * pitch + kx + c * ROW_L, sizeof v);
#pragma GCC unroll 16
        for (int ky = 0; ky < k; ky++)
          if (q - ky >= 0 && q - ky < R)
            acc[q - ky][c] += wts[ky * k + kx] * v;
      }
  }
}

/* The depthwise conv of a plane (see DwRows), NC vectors per row, with
 * the taps of dw_taps (K = 0) or of dw_taps_s1 (a stride-1 K × K kernel);
 * with POOL also the row and column means. */
static inline DDAMFN_INLINE void
RK (dw_rows) (const DwRows * a, int nc, int k, gboolean pool)
{
  const int R = RK (dw_block_rows) (nc);
  RV colacc[RMAX];
  RVI keep[RMAX];

  if (pool)
    RK (dw_pool_begin) (a, nc, colacc, keep);
  for (int oy0 = 0; oy0 < a->oh; oy0 += R) {
    const float *base = a->p + (gsize) oy0 * a->pitch;
    RV acc[DDAMFN_DW_MAX_BLOCK_ROWS][RMAX];

#pragma GCC unroll 8
    for (int r = 0; r < R; r++)
#pragma GCC unroll 32
      for (int c = 0; c < nc; c++)
        acc[r][c] = (RV) { 0 } + a->bias;
    if (k == 0)
      RK (dw_taps) (a, base, acc, R, nc);
    else
      RK (dw_taps_s1) (a, base, acc, R, nc, k);
    RK (dw_block_out) (a, acc, R, oy0, nc, pool, colacc, keep);
  }
  if (pool)
    RK (dw_pool_end) (a, nc, colacc);
}

/* y[i][j] = x[i][j] · gh[i] · gw[j] over H rows of W ≤ NC · ROW_L. */
static inline DDAMFN_INLINE void
RK (gate_rows) (float *restrict y, const float *restrict x, int h, int w,
    const float *restrict gh, const float *restrict gw, int nc)
{
  RV g[RMAX];

  RK (load) (g, gw, nc);
  for (int i = 0; i < h; i++) {
    RV v[RMAX];
    RK (load) (v, x + (gsize) i * w, nc);
    for (int c = 0; c < nc; c++)
      v[c] *= gh[i] * g[c];
    RK (store) (y + (gsize) i * w, v, nc);
  }
}

#undef RMAX
#undef RK
#undef RVU
#undef RVI
#undef RV
