/* Runtime CPU dispatch of the innermost loops. One source
 * (kernels-impl.h) is compiled for a portable baseline, for AVX2+FMA and for
 * AVX-512; the best one the CPU supports is chosen once, on first use.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_DISPATCH_H
#define DDAMFN_DISPATCH_H

#include "ops/ops.h"

/* Vector extension types for the kernels; each variant uses those of its
 * own register width (kernels-impl.h). */
typedef float DdamfnV4 __attribute__ ((vector_size (16)));
typedef float DdamfnV8 __attribute__ ((vector_size (32)));
typedef float DdamfnV16 __attribute__ ((vector_size (64)));
typedef int DdamfnV4i __attribute__ ((vector_size (16)));
typedef int DdamfnV8i __attribute__ ((vector_size (32)));
typedef int DdamfnV16i __attribute__ ((vector_size (64)));
/* The same as they are read from and written to memory: any float
 * alignment, aliasing floats. An assignment through one is a single
 * vector load or store; a memcpy of a vector that the compiler has put on
 * the stack may become 16-byte pieces. */
typedef float DdamfnV4u __attribute__ ((vector_size (16), aligned (4),
        may_alias));
typedef float DdamfnV8u __attribute__ ((vector_size (32), aligned (4),
        may_alias));
typedef float DdamfnV16u __attribute__ ((vector_size (64), aligned (4),
        may_alias));

/* Widest row the row kernels handle; they read and write whole rows of
 * vectors, up to this many floats past a plane (DDAMFN_ROW_SLACK). */
#define DDAMFN_DW_MAX_WIDTH DDAMFN_ROW_SLACK
/* Largest depthwise kernel side (MDConv's 9 × 9) and its taps. */
#define DDAMFN_DW_MAX_KERNEL 9
#define DDAMFN_DW_MAX_TAPS (DDAMFN_DW_MAX_KERNEL * DDAMFN_DW_MAX_KERNEL)
/* Output rows dw_rows computes at once, at most (DW_BLOCK_ROWS). */
#define DDAMFN_DW_MAX_BLOCK_ROWS 7
/* Floats dw_rows may read past the furthest tap of the last output row of
 * a plane of row pitch PITCH: the rows of a last, partial block and whole
 * vectors past the last one. */
#define DDAMFN_DW_SLACK(pitch) \
  (DDAMFN_DW_MAX_BLOCK_ROWS * (pitch) + DDAMFN_DW_MAX_WIDTH)

/* The widest row is a whole number of the widest vectors (16 floats). */
G_STATIC_ASSERT (DDAMFN_DW_MAX_WIDTH % 16 == 0);

/* One channel of a depthwise convolution over N faces (dw_channel). Plane
 * f of the channel is read at x + f·x_plane (h × w) and written at
 * y + f·y_plane (oh × ow, both ≤ DDAMFN_DW_MAX_WIDTH wide). Each input
 * plane first goes through in_act (x + in_bias) (ACT_NONE or ACT_PRELU)
 * into SCRATCH: for stride 1 a zero-bordered plane of row pitch PITCH; for
 * stride 2 its four (row parity, column parity) phase planes, phase
 * (py, px) at scratch + (2·py + px)·QSIZE with row pitch QW (padded row
 * i + pad_h, column j + pad_w holds x[i][j]). SCRATCH must be zero outside
 * those interiors, with DDAMFN_DW_SLACK (row pitch) floats to spare.
 * Output (oy, ox) = bias + Σ_t wts[t] · scratch[oy·row pitch + off[t] +
 * ox], then out_act with out_slope. When ROW_MEAN is not NULL, face f's
 * row and column means (CoordAtt pooling) go to row_mean + f·oh and
 * col_mean + f·ow; INV_W = 1 / ow, INV_H = 1 / oh. Rows are read and
 * written in whole vectors (see kernels-impl.h): X, Y and the pooling
 * destinations need DDAMFN_ROW_SLACK floats of slack. */
typedef struct
{
  int n, h, w, oh, ow, stride, pad_h, pad_w;
  int pitch, qw, qsize;
  float *scratch;
  const int *off;
  int n_taps, kh, kw;
  const float *wts;
  float bias;
  const float *x;
  gsize x_plane;
  float *y;
  gsize y_plane;
  float in_bias, in_slope;
  DdamfnAct in_act;
  float out_slope;
  DdamfnAct out_act;
  float *row_mean, *col_mean;
  float inv_w, inv_h;
} DdamfnDwChannel;

typedef struct
{
  const char *name;
  /* y[i] = act (x[i] + bias), PReLU with SLOPE; Y and X do not overlap */
  void (*act_copy) (float *y, const float *x, int n, float bias, float slope,
      DdamfnAct act);
  /* y[i] = act (y[i] + bias) */
  void (*act_inplace) (float *y, int n, float bias, float slope,
      DdamfnAct act);
  /* One depthwise channel over its faces: see DdamfnDwChannel */
  void (*dw_channel) (const DdamfnDwChannel * job);
  /* y[i][j] = x[i][j] · gh[i] · gw[j] over an h × w plane,
   * w ≤ DDAMFN_DW_MAX_WIDTH, in whole rows (also of GW); Y and X must not
   * overlap */
  void (*gate_plane) (float *y, const float *x, int h, int w,
      const float *gh, const float *gw);
  /* y[i] = a[i] OP b[i] (or OP bs when B is NULL); Y may be A or B */
  void (*binary_row) (float *y, const float *a, const float *b, float bs,
      int n, DdamfnBinOp op);
  /* y[i] = y[i] · scale + shift, then with CLAMP min (max (alpha · y +
   * beta, lo), hi) */
  void (*clamp_row) (float *y, int n, float scale, float shift,
      gboolean clamp, float alpha, float beta, float lo, float hi);
  /* C (m × n, row pitch ldc) = A (m × k) · B (k × n) + β C, row-major
   * (β 0: C is not read); WORK holds DDAMFN_GEMM_WORK floats, 64-byte
   * aligned (gemm-impl.h) */
  void (*gemm) (int m, int n, int k, const float *a, int lda,
      const float *b, int ldb, float beta, float *c, int ldc, float *work);
  int gemm_nr;                  /* columns per tile */
} DdamfnKernels;

/* The GEMM's blocks (gemm-impl.h): K in blocks of DDAMFN_GEMM_KC (a
 * tile sums that many products in registers before it adds them to C:
 * with 256, ResNet-18's 3 × 3 convs (K up to 4608) erred 2.5 times as
 * much as PyTorch's float32 against float64, with 64 1.7 times, at the
 * same speed; tests/import/onnx_parity.py), M in blocks of DDAMFN_GEMM_MC
 * rows (the packed block of A, MC × KC floats, stays in L1). */
#define DDAMFN_GEMM_KC 64
#define DDAMFN_GEMM_MC 192
/* Floats of the work buffer of DdamfnKernels.gemm: the packed block of A
 * and a strip of B (KC × the widest tile, 48). */
#define DDAMFN_GEMM_WORK (DDAMFN_GEMM_MC * DDAMFN_GEMM_KC + DDAMFN_GEMM_KC * 48)

/* The kernels in use: on the first call, the variant DDAMFN_CPU names
 * (generic, avx2, avx512) when this CPU runs it, else the widest it runs. */
const DdamfnKernels *ddamfn_kernels_get (void);

/* The variant named NAME ("generic", "avx2", "avx512"), or NULL when it is
 * unknown or this CPU cannot run it. */
const DdamfnKernels *ddamfn_kernels_lookup (const char *name);

/* Switches to variant NAME; FALSE (and nothing changes) when unavailable.
 * For tests and benchmarks; not thread-safe against running sessions. */
gboolean ddamfn_kernels_use (const char *name);

#endif /* DDAMFN_DISPATCH_H */
