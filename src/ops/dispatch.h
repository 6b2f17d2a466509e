/* Runtime CPU dispatch of the innermost loops. One source
 * (kernels-impl.h) is compiled for a portable baseline, for AVX2+FMA and for
 * AVX-512; the best one the CPU supports is chosen once, at load time.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_DISPATCH_H
#define DDAMFN_DISPATCH_H

#include "ddamfn-private.h"

/* Vector extension types for the kernels; each variant uses those of its
 * own register width (kernels-impl.h). */
typedef float DdamfnV4 __attribute__ ((vector_size (16)));
typedef float DdamfnV8 __attribute__ ((vector_size (32)));
typedef float DdamfnV16 __attribute__ ((vector_size (64)));
typedef int DdamfnV4i __attribute__ ((vector_size (16)));
typedef int DdamfnV8i __attribute__ ((vector_size (32)));
typedef int DdamfnV16i __attribute__ ((vector_size (64)));

/* Widest row the row kernels handle; they read and write whole rows of
 * vectors, up to this many floats past a plane (DDAMFN_ROW_SLACK). */
#define DDAMFN_DW_MAX_WIDTH DDAMFN_ROW_SLACK
/* Floats dw_rows may read past the furthest tap of the last output row of
 * a plane of row pitch PITCH (it computes up to 7 rows at once). */
#define DDAMFN_DW_SLACK(pitch) (7 * (pitch) + DDAMFN_DW_MAX_WIDTH)

/* Where dw_rows puts the CoordAtt pooling of a plane: the means of each
 * output row (row_mean[oy]) and column (col_mean[ox]); INV_W = 1 / ow,
 * INV_H = 1 / oh. */
typedef struct
{
  float *row_mean, *col_mean;
  float inv_w, inv_h;
} DdamfnPoolOut;

typedef struct
{
  const char *name;
  /* y[i] = act (x[i] + bias), PReLU with SLOPE; Y may be X */
  void (*act_copy) (float *y, const float *x, int n, float bias, float slope,
      DdamfnAct act);
  /* Zero-bordered copy of an h × w plane (SRC read in whole rows),
   * w ≤ DDAMFN_DW_MAX_WIDTH: row i
   * of DST (pitch PITCH ≥ w) = act (src row i + bias) (ACT_NONE or
   * ACT_PRELU), followed by zeros up to as many as DDAMFN_DW_MAX_WIDTH floats
   * from the row's start (the right border, the next row's left border and
   * what the next row then overwrites). DST must have that room after its
   * last row. */
  void (*pad_rows) (float *dst, int pitch, const float *src, int h, int w,
      float bias, float slope, DdamfnAct act);
  /* pad_rows for a stride-2 conv, written straight into the four phase
   * planes of the zero-bordered plane (phase (py, px) holds padded rows
   * py, py + 2, … and columns px, px + 2, …; it starts at
   * phases + (2·py + px)·QSIZE, row pitch QW): src row i, column j goes to
   * padded row i + PAD_H, column j + PAD_W. Spills zeros past each phase
   * row as pad_rows does. */
  void (*pad_rows_s2) (float *phases, int qw, int qsize, int pad_h,
      int pad_w, const float *src, int h, int w, float bias, float slope,
      DdamfnAct act);
  /* One depthwise plane from a zero-bordered input P of row pitch PITCH:
   * y[oy][ox] = bias + Σ_t wts[t] · p[oy·pitch + off[t] + ox] for oy < oh,
   * ox < ow ≤ DDAMFN_DW_MAX_WIDTH, stored in whole rows. P must be
   * readable DDAMFN_DW_SLACK (pitch)
   * floats past the furthest tap of the last row. When POOL is not NULL,
   * also the means of the output along each axis (CoordAtt pooling);
   * col_mean is stored in whole vectors too. */
  void (*dw_rows) (float *y, int oh, int ow, const float *p, int pitch,
      const int *off, const float *wts, int n_taps, float bias,
      const DdamfnPoolOut * pool);
  /* y[i][j] = x[i][j] · gh[i] · gw[j] over an h × w plane,
   * w ≤ DDAMFN_DW_MAX_WIDTH, in whole rows (also of GW); Y and X must not
   * overlap */
  void (*gate_plane) (float *y, const float *x, int h, int w,
      const float *gh, const float *gw);
} DdamfnKernels;

/* The kernels in use. */
extern const DdamfnKernels *ddamfn_kernels;

/* The variant named NAME ("generic", "avx2", "avx512"), or NULL when it is
 * unknown or this CPU cannot run it. */
const DdamfnKernels *ddamfn_kernels_lookup (const char *name);

/* Switches to variant NAME; FALSE (and nothing changes) when unavailable.
 * For tests and benchmarks; not thread-safe against running sessions. */
gboolean ddamfn_kernels_use (const char *name);

#endif /* DDAMFN_DISPATCH_H */
