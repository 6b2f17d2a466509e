/* The engine's own matrix product, C = A · B (+ β C), row-major, written
 * once with GCC's vector types and compiled by gemm.c once per instruction
 * set (SUFFIX, GEMM_VF floats per vector, a tile of GEMM_MR rows by
 * GEMM_NV vectors of columns).
 *
 * The shape of the engine's products: A is a layer's weights (M = output
 * channels, K = input channels or k·k·cin), B its activations (K rows of N
 * = faces × pixels, contiguous), so N is long and M, K are tens to a
 * thousand. The loops, outer to inner:
 *
 *   K in blocks of GEMM_KC      (a block of B rows and A columns; small,
 *                                for accuracy: see dispatch.h)
 *     M in blocks of GEMM_MC    (A's block packed: panels of MR rows,
 *                                column by column, zero-padded)
 *       N in strips of NR       (the strip of B, KC × NR, stays in L1
 *                                while every A panel passes over it)
 *         M in panels of MR     (the tile: MR × NR accumulators in
 *                                registers, one FMA per A element per
 *                                vector of B)
 *
 * B is read in place (its rows are contiguous). A last, narrow strip of
 * columns runs in tiles of fewer vectors; when it ends in a partial vector
 * it is copied, zero-padded, so that no tile reads past a row. Partial
 * tiles (the last rows, a partial vector) are computed into a tile buffer
 * and the valid part copied out.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define GEMM_NR (GEMM_NV * GEMM_VF)
#define GV VCAT (DdamfnV, GEMM_VF)
#define GVU VCAT (GV, u)

#ifndef DDAMFN_GEMM_COMMON
#define DDAMFN_GEMM_COMMON
/* Blocks: see DDAMFN_GEMM_KC and DDAMFN_GEMM_MC (dispatch.h). */
#define GEMM_KC DDAMFN_GEMM_KC
#define GEMM_MC DDAMFN_GEMM_MC
/* How a tile meets C: C = AB; C = β C + AB; C = C + AB. */
enum
{ GEMM_SET, GEMM_SCALE_ADD, GEMM_ADD };
#endif

G_STATIC_ASSERT (GEMM_MC * GEMM_KC + GEMM_KC * GEMM_NR <= DDAMFN_GEMM_WORK);
G_STATIC_ASSERT (GEMM_MC % GEMM_MR == 0);

/* One tile of MR rows by NV vectors (NV ≤ GEMM_NV, a constant wherever
 * this is inlined) over KC: C[i][j] (op) Σ_k A[i][k] · b[k·ldb + j], A[i][k]
 * at ap[i·ars + k·acs] (packed: 1, MR; in place: lda, 1). */
static inline DDAMFN_INLINE void
K (gemm_tile) (int kc, const float *restrict ap, const int ars, const int acs,
    const float *restrict b, int ldb, float *restrict c, int ldc, int mode,
    float beta, const int nv)
{
  GV acc[GEMM_MR][GEMM_NV];

#pragma GCC unroll 16
  for (int i = 0; i < GEMM_MR; i++)
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      acc[i][v] = (GV) { 0 };

  for (int k = 0; k < kc; k++) {
    GV bv[GEMM_NV];

#pragma GCC unroll 4
    for (int v = 0; v < nv; v++)
      bv[v] = *(const GVU *) (b + (gsize) k * ldb + v * GEMM_VF);
#pragma GCC unroll 16
    for (int i = 0; i < GEMM_MR; i++) {
      GV a = ap[(gsize) i * ars + k * acs] - (GV) { 0 };  /* a broadcast */
#pragma GCC unroll 4
      for (int v = 0; v < nv; v++)
        acc[i][v] += a * bv[v];
    }
  }

#pragma GCC unroll 16
  for (int i = 0; i < GEMM_MR; i++) {
#pragma GCC unroll 4
    for (int v = 0; v < nv; v++) {
      GVU *out = (GVU *) (c + (gsize) i * ldc + v * GEMM_VF);

      if (mode == GEMM_SET)
        *out = acc[i][v];
      else if (mode == GEMM_SCALE_ADD)
        *out = *out * beta + acc[i][v];
      else
        *out = *out + acc[i][v];
    }
  }
}

/* A[ic.., pc..] (mc × kc, row pitch lda) as panels of MR rows: panel p,
 * column k, row i at ap[p·MR·kc + k·MR + i]; rows past mc are zeros. */
static void
K (gemm_pack_a) (float *restrict ap, const float *restrict a, int lda,
    int mc, int kc)
{
  for (int p = 0; p < mc; p += GEMM_MR) {
    int rows = MIN (GEMM_MR, mc - p);
    float *dst = ap + (gsize) p * kc;

    for (int i = 0; i < rows; i++) {
      const float *src = a + (gsize) (p + i) * lda;
      for (int k = 0; k < kc; k++)
        dst[k * GEMM_MR + i] = src[k];
    }
    for (int i = rows; i < GEMM_MR; i++)
      for (int k = 0; k < kc; k++)
        dst[k * GEMM_MR + i] = 0.f;
  }
}

/* The tile of NV vectors at (rows, cols): in place when it is whole, else
 * computed into a tile buffer (B's strip then has pitch NV · VF) and its
 * rows × cols part applied. */
static inline DDAMFN_INLINE void
K (gemm_at) (int kc, const float *ap, const int ars, const int acs,
    const float *b, int ldb, float *c, int ldc, int rows, int cols, int mode,
    float beta, const int nv)
{
  float tile[GEMM_MR * GEMM_NR] __attribute__ ((aligned (64)));

  if (rows == GEMM_MR && cols == nv * GEMM_VF) {
    K (gemm_tile) (kc, ap, ars, acs, b, ldb, c, ldc, mode, beta, nv);
    return;
  }
  K (gemm_tile) (kc, ap, ars, acs, b, ldb, tile, GEMM_NR, GEMM_SET, 0.f, nv);
  for (int i = 0; i < rows; i++) {
    float *row = c + (gsize) i * ldc;
    const float *t = tile + i * GEMM_NR;

    for (int j = 0; j < cols; j++) {
      if (mode == GEMM_SET)
        row[j] = t[j];
      else if (mode == GEMM_SCALE_ADD)
        row[j] = row[j] * beta + t[j];
      else
        row[j] += t[j];
    }
  }
}

/* The tile at panel (rows, cols) of one width, A packed or in place. */
#define GEMM_AT(nv_) \
  do { \
    if (direct) \
      K (gemm_at) (kc, at, lda, 1, b, ldb, ct, ldc, rows, cols, mode, beta, \
          nv_); \
    else \
      K (gemm_at) (kc, at, 1, GEMM_MR, b, ldb, ct, ldc, rows, cols, mode, \
          beta, nv_); \
  } while (0)

/* One strip of columns: every panel of MR rows, from the packed A block
 * (AP), or, when DIRECT, from A itself (A, pitch LDA: whole panels; a last
 * partial one is packed into AP first). */
static void
K (gemm_strip) (int kc, int mc, float *ap, const float *a, int lda,
    gboolean direct, const float *b, int ldb, float *c, int ldc, int cols,
    int mode, float beta, int nv)
{
  for (int ir = 0; ir < mc; ir += GEMM_MR) {
    int rows = MIN (GEMM_MR, mc - ir);
    float *ct = c + (gsize) ir * ldc;
    const float *at = ap + (gsize) ir * kc;

    if (direct && rows == GEMM_MR) {
      at = a + (gsize) ir * lda;
    } else if (direct) {
      K (gemm_pack_a) (ap, a + (gsize) ir * lda, lda, rows, kc);
      at = ap;
      direct = FALSE;           /* the last panel */
    }
    /* one copy of the tile per width and A layout */
    if (nv == GEMM_NV)
      GEMM_AT (GEMM_NV);
#if GEMM_NV > 2
    else if (nv == 2)
      GEMM_AT (2);
#endif
    else
      GEMM_AT (1);
  }
}

#undef GEMM_AT

/* N = 1 with B contiguous (a dense layer at batch 1): one dot product per
 * row of A, vectorised along K with four accumulators; the tiles would use
 * one lane of their vectors. */
static void
K (gemv) (int m, int k, const float *a, int lda, const float *b, float beta,
    float *c, int ldc)
{
  for (int i = 0; i < m; i++) {
    const float *row = a + (gsize) i * lda;
    GV acc[4] = { {0}, {0}, {0}, {0} };
    float sum = 0.f;
    int kk = 0;

    for (; kk + 4 * GEMM_VF <= k; kk += 4 * GEMM_VF)
#pragma GCC unroll 4
      for (int v = 0; v < 4; v++)
        acc[v] += *(const GVU *) (row + kk + v * GEMM_VF)
            * *(const GVU *) (b + kk + v * GEMM_VF);
    for (; kk + GEMM_VF <= k; kk += GEMM_VF)
      acc[0] += *(const GVU *) (row + kk) * *(const GVU *) (b + kk);
    acc[0] = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (int l = 0; l < GEMM_VF; l++)
      sum += acc[0][l];
    for (; kk < k; kk++)
      sum += row[kk] * b[kk];
    c[(gsize) i * ldc] = beta == 0.f ? sum : beta * c[(gsize) i * ldc] + sum;
  }
}

/* C (m × n, pitch ldc) = A (m × k, pitch lda) · B (k × n, pitch ldb)
 * + β C (β 0: C is not read). WORK: GEMM_MC × GEMM_KC + GEMM_KC × NR
 * floats, 64-byte aligned. */
static void
K (gemm) (int m, int n, int k, const float *a, int lda, const float *b,
    int ldb, float beta, float *c, int ldc, float *work)
{
  float *ap = work;
  float *bstrip = work + GEMM_MC * GEMM_KC;

  if (k == 0) {
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++)
        c[(gsize) i * ldc + j] = beta == 0.f ? 0.f :
            beta * c[(gsize) i * ldc + j];
    return;
  }
  if (n == 1 && ldb == 1) {
    K (gemv) (m, k, a, lda, b, beta, c, ldc);
    return;
  }
  for (int pc = 0; pc < k; pc += GEMM_KC) {
    int kc = MIN (GEMM_KC, k - pc);
    int mode = pc > 0 ? GEMM_ADD : beta == 0.f ? GEMM_SET : GEMM_SCALE_ADD;

    for (int ic = 0; ic < m; ic += GEMM_MC) {
      int mc = MIN (GEMM_MC, m - ic);

      /* A packed once for all the strips; with one or two strips the
       * packing would cost as much as the products (small N: a face's 7 × 7
       * plane), so they read A in place */
      const gboolean direct = n <= 2 * GEMM_NR;

      if (!direct)
        K (gemm_pack_a) (ap, a + (gsize) ic * lda + pc, lda, mc, kc);
      for (int jr = 0; jr < n; jr += GEMM_NR) {
        int cols = MIN (GEMM_NR, n - jr);
        /* a last, narrow strip runs in narrower tiles */
        int nv = (cols + GEMM_VF - 1) / GEMM_VF;
        const float *bs = b + (gsize) pc * ldb + jr;
        int bpitch = ldb;

        if (cols < nv * GEMM_VF) {
          /* a partial vector: the strip, zero-padded to whole vectors */
          int width = nv * GEMM_VF;

          for (int kk = 0; kk < kc; kk++) {
            memcpy (bstrip + kk * width, bs + (gsize) kk * ldb,
                cols * sizeof (float));
            memset (bstrip + kk * width + cols, 0,
                (width - cols) * sizeof (float));
          }
          bs = bstrip;
          bpitch = width;
        }
        K (gemm_strip) (kc, mc, ap, a + (gsize) ic * lda + pc, lda, direct,
            bs, bpitch, c + (gsize) ic * ldc + jr, ldc, cols, mode, beta, nv);
      }
    }
  }
}

#undef GEMM_NR
#undef GV
#undef GVU
