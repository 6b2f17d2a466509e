/* The kernels of the engine: the layer types they take (convolutions with
 * BatchNorm folded in, attention gates, dense layers) and one entry point
 * per operation. Every network's plan is run with these; a new network adds
 * what it lacks here, with its test in tests/test-ops.c.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_OPS_H
#define DDAMFN_OPS_H

#include "ddamfn/ddamfn.h"

G_BEGIN_DECLS

typedef enum
{
  ACT_NONE,
  ACT_PRELU,
  ACT_RELU,
  ACT_HARDSWISH,
  ACT_SIGMOID,
  ACT_TANH,
  ACT_RELU6,                    /* min (max (x, 0), 6): ONNX Clip (0, 6) */
  ACT_SWISH,                    /* x · sigmoid (x): SiLU, graph Sigmoid + Mul */
} DdamfnAct;

/* A convolution with BatchNorm folded in: weight [cout][cin/groups][kh][kw],
 * bias [cout], optional per-channel PReLU slope. For a depthwise layer
 * groups == cin == cout. */
typedef struct
{
  int cin, cout, kh, kw, stride, pad_h, pad_w, groups;
  DdamfnAct act;
  float *weight;
  float *bias;
  float *slope;                 /* PReLU, NULL otherwise */
} DdamfnConv;

/* The attention gate shared by the backbone's CoordAtt and the heads:
 * conv1 (+bn1 folded, hardswish) → conv2 / conv3 (sigmoid). */
typedef struct
{
  int channels, mip;
  DdamfnConv conv1, conv2, conv3;
} DdamfnGate;

/* A fully connected layer: weight [out][in], bias [out]. */
typedef struct
{
  int in, out;
  float *weight;
  float *bias;
} DdamfnDense;

/* ---- ops/blas.c: BLIS or OpenBLAS ------------------------------------ */

/* C[m][n] = A[m][k] · B[k][n] + beta · C, row-major, no transposes. With
 * BETA 0, C's old contents are ignored (OpenBLAS zeroes it first); with 1,
 * the product is added to them. Safe to call from several threads at once
 * with the default BLIS and a threaded OpenBLAS; NOT with a serial
 * OpenBLAS (-Dblas=openblas-serial, or a system libopenblas.so.0 that
 * Debian's alternatives point at the serial variant). */
void ddamfn_blas_sgemm (int m, int n, int k, const float *a, int lda,
    const float *b, int ldb, float beta, float *c, int ldc);
/* Threads the BLAS gives one call: 1 with a serial build; with the system
 * OpenBLAS what the application set (never set here). */
int ddamfn_blas_threads (void);
/* Which BLAS and kernels run the products, e.g. "BLIS 1.1, serial,
 * haswell (AVX2, FMA) kernels" or "OpenBLAS, SkylakeX kernels". */
const char *ddamfn_blas_name (void);

/* ---- ops: kernels ---------------------------------------------------- */

/* Y[cout][cols] = act (W · X[cin][cols] + b) through sgemm. X and Y may not
 * alias. ldx/ldy are row strides in floats. */
void ddamfn_op_conv1x1 (const DdamfnConv * conv, const float *x, int ldx,
    float *y, int ldy, int cols);

/* The product of a 1×1 conv alone, no bias, no activation: Y[cout][cols]
 * = W · X, or with ACCUMULATE Y += W · X in place (sgemm with beta 1). The
 * caller applies the bias and activation where it next reads Y (see
 * DdamfnEpilogue), or has folded them elsewhere (the plan says which). */
void ddamfn_op_conv1x1_product (const DdamfnConv * conv, const float *x,
    float *y, int cols, gboolean accumulate);

/* y[n][o] = act (W · x + b) for a dense layer; x is [in][n] (column per
 * face), y is [out][n]. */
void ddamfn_op_dense (const DdamfnDense * dense, const float *x, float *y,
    int n, DdamfnAct act);

/* First convolution of the backbone from an NCHW batch, as im2col + sgemm;
 * output is channel-major [cout][n][oh][ow]. COLS is scratch of
 * cin·kh·kw·n·oh·ow floats. Without EPILOGUE the bias and activation are
 * left to the reader (DdamfnEpilogue). */
void ddamfn_op_conv_im2col (const DdamfnConv * conv, const float *nchw,
    int n, int h, int w, float *cols, float *y, gboolean epilogue);

/* Floats of slack every activation buffer has past its end: the row
 * kernels of the depthwise conv and of CoordAtt read and write whole
 * vectors that may run that far past a plane (see ops/kernels-impl.h). */
#define DDAMFN_ROW_SLACK 64

/* A producer's per-channel bias and activation, applied by the consumer as
 * it reads the producer's raw output. */
typedef struct
{
  const float *bias;            /* may be NULL */
  const float *slope;           /* ACT_PRELU */
  DdamfnAct act;
} DdamfnEpilogue;

/* Depthwise convolution over channel-major planes: CHANNELS channels, each
 * with N planes of H×W; output planes OH×OW ≤ 64 wide. The input is
 * padded with conv->pad_h rows and conv->pad_w columns of zeros before it
 * and as many after it as OH×OW needs (symmetric padding, or TFLite's
 * asymmetric "same" padding of a stride-2 conv). When BIAS is false the
 * conv's bias is not added (MDConv). When IN is not NULL, X is raw and
 * IN's bias and activation are applied to it first (channel c uses
 * in->bias[c]). When POOLED is not NULL it receives the CoordAtt mean
 * pooling of the output, laid out as for the CoordAtt ops below. X, Y and
 * POOLED need DDAMFN_ROW_SLACK floats of slack past their ends (that of Y
 * and POOLED is overwritten). SCRATCH holds the padded plane: at least
 * ddamfn_op_depthwise_scratch() floats, 64-byte aligned. */
void ddamfn_op_depthwise (const DdamfnConv * conv, const float *x, float *y,
    int channels, int n, int h, int w, int oh, int ow, gboolean bias,
    const DdamfnEpilogue * in, float *pooled, float *scratch);

/* Floats of SCRATCH ddamfn_op_depthwise needs for these plane sizes. */
gsize ddamfn_op_depthwise_scratch (const DdamfnConv * conv, int h, int w,
    int oh, int ow);

/* A depthwise conv whose kernel covers the whole plane (no padding, one
 * output per plane) applied to the product A ⊙ B of two [c][n][kh·kw]
 * tensors: y[c][f] = bias[c] + Σ_i w[c][i] · a[c][f][i] · b[c][f][i]
 * (the heads' attention times the features, then the global 7×7 conv).
 * Y is [c][n]. */
void ddamfn_op_global_depthwise (const DdamfnConv * conv, const float *a,
    const float *b, float *y, int channels, int n);

/* Applies ACT in place to a row-major [rows][cols] block with a per-row bias
 * (may be NULL) and per-row PReLU slope (ACT_PRELU). */
void ddamfn_op_bias_act (float *y, int rows, int cols, int ld,
    const float *bias, const float *slope, DdamfnAct act);

/* CoordAtt pooling. x is [c][n][h][w]; the pooled buffer is
 * [c][n·h + n·w]: first every face's h values, then every face's w values.
 * The backbone's mean pooling is done by ddamfn_op_depthwise (POOLED). */

/* Learned variant (heads): depthwise (1,w) and (h,1) LinearBlocks. */
void ddamfn_op_coord_pool_linear (const DdamfnConv * lin_h,
    const DdamfnConv * lin_w, const float *x, float *pooled, int c, int n,
    int h, int w);

/* gates[c][n·h + n·w] = sigmoid (conv2/conv3 (hardswish (conv1 (pooled)))).
 * MID is scratch of mip × (n·h + n·w) floats. */
void ddamfn_op_coord_gates (const DdamfnGate * gate, const float *pooled,
    float *mid, float *gates, int n, int h, int w);

/* y[c][f][i][j] = x[c][f][i][j] · gh · gw, the gates of channel c and face
 * f for row i and column j; planes at most 64 wide. Y and X must not
 * overlap (a new tensor, not in place: see gate_plane); both and GATES
 * need DDAMFN_ROW_SLACK floats of slack. */
void ddamfn_op_coord_apply (float *y, const float *x, const float *gates,
    int c, int n, int h, int w);

/* att[c][n][i][j] = max (att, gh·gw) (or = gh·gw when FIRST). */
void ddamfn_op_coord_max_into (float *att, const float *gates, int c, int n,
    int h, int w, gboolean first);

/* y = act (a + b) over C channels of [n][plane]; b has CB ≤ C channels,
 * those beyond read as 0 (a shortcut zero-padded to more channels). Y may
 * be A. */
void ddamfn_op_add (float *y, const float *a, const float *b, int c, int cb,
    gsize n_plane, DdamfnAct act);

/* 2 × 2 max pooling with stride 2 over C·N planes of H × W into
 * ⌈H/2⌉ × ⌈W/2⌉ (a last odd row or column pools what it has). */
void ddamfn_op_maxpool2 (float *y, const float *x, int planes, int h, int w);

/* Depthwise convolution of planes of any width (ops/depthwise-wide.c):
 * CHANNELS channels of N planes H × W, channel-major, into OH × OW planes;
 * zero padding of conv->pad_h rows and conv->pad_w columns before the
 * plane and whatever OH × OW needs after it (TFLite's "same"); any
 * stride; conv bias always added, then conv->act (none, ReLU, PReLU). No
 * slack needed; X and Y must not overlap. */
void ddamfn_op_depthwise_wide (const DdamfnConv * conv, const float *x,
    float *y, int channels, int n, int h, int w, int oh, int ow);

/* Widest input plane ddamfn_op_upsample2 takes. */
#define DDAMFN_UPSAMPLE_MAX_WIDTH 1024

/* Y (PLANES planes 2H × 2W) = bilinear 2× upsampling of X (H × W planes),
 * with TFLite's half-pixel centres or without (ops/upsample.c); W ≤
 * DDAMFN_UPSAMPLE_MAX_WIDTH. */
void ddamfn_op_upsample2 (float *y, const float *x, int planes, int h,
    int w, gboolean half_pixel);

/* ---- ops/eltwise.c, ops/pool.c, ops/reorder.c: graph models ---------- */

/* The binary operation of an elementwise step: y = a OP b, or b OP a for
 * the reversed ones (a constant minus a tensor); AFFINE is a · scale +
 * shift with per-channel constants (a BatchNorm that could not be folded);
 * NONE copies a. */
typedef enum
{
  BIN_NONE,
  BIN_ADD,
  BIN_SUB,
  BIN_MUL,
  BIN_DIV,
  BIN_RSUB,
  BIN_RDIV,
  BIN_AFFINE,
  BIN_MAX,
  BIN_MIN,
} DdamfnBinOp;

/* How b reaches a's [c][n][plane]: the same shape; one value per channel
 * and face ([c][n], squeeze-excitation gates); a constant per channel; one
 * constant; planes of different shapes along H and W, each side of a or b
 * either the output's or 1 (ah × aw and bh × bw: coordinate attention's
 * x · a_h · a_w, a column times a row). */
typedef enum
{
  BCAST_FULL,
  BCAST_CHANNEL_FACE,
  BCAST_CHANNEL,
  BCAST_SCALAR,
  BCAST_PLANES,
} DdamfnBroadcast;

/* y = act (clamp (a OP b)), every part optional. */
typedef struct
{
  DdamfnBinOp op;
  DdamfnBroadcast bcast;
  const float *b_const;         /* BCAST_CHANNEL [c], BCAST_SCALAR [1] */
  const float *scale, *shift;   /* BIN_AFFINE, [c] each */
  gboolean clamp;               /* y = min (max (alpha · y + beta, lo), hi) */
  float alpha, beta, lo, hi;
  DdamfnAct act;
  const float *slope;           /* ACT_PRELU: [c] */
  int ah, aw, bh, bw;           /* BCAST_PLANES: the operands' planes */
} DdamfnEltwise;

/* Y = E over C channels of N planes of PLANE floats, channel-major; B is
 * the second tensor for BCAST_FULL ([c][n][plane]), BCAST_CHANNEL_FACE
 * ([c][n]) and BCAST_PLANES ([c][n][bh × bw]; A is [c][n][ah × aw] and
 * PLANE max (ah, bh) × max (aw, bw)), else unused. Y may be A, except
 * with BCAST_PLANES. */
void ddamfn_op_eltwise (const DdamfnEltwise * e, float *y, const float *a,
    const float *b, int c, int n, gsize plane);

/* Max or average pooling of PLANES planes H × W into OH × OW: window
 * KH × KW, strides SH, SW, PAD_T rows and PAD_L columns of padding before
 * the plane (after it: whatever OH × OW needs). Padding never wins a max
 * and is not counted in an average (TensorFlow's SAME, ONNX's
 * count_include_pad = 0); a window with nothing inside gives 0. */
typedef struct
{
  gboolean max;
  int kh, kw, sh, sw, pad_t, pad_l;
} DdamfnPool;

void ddamfn_op_pool (const DdamfnPool * pool, float *y, const float *x,
    int planes, int h, int w, int oh, int ow);

/* y[c][f] = softmax over c of x[c][f], for each of N faces. Y may be X. */
void ddamfn_op_softmax_channels (float *y, const float *x, int c, int n);

/* How a reorder step moves floats (ops/reorder.c). */
typedef enum
{
  /* face-major NCHW input [n][c][plane] to channel-major [c][n][plane] */
  REORDER_FROM_NCHW,
  /* face-major NHWC input [n][plane][c] to channel-major */
  REORDER_FROM_NHWC,
  /* [c][n][plane] to vectors [c·plane][n], index c·plane + p */
  REORDER_FLATTEN_CHW,
  /* [c][n][plane] to vectors [plane·c][n], index p·c + ch (NHWC order) */
  REORDER_FLATTEN_HWC,
  /* h × w planes to w × h planes */
  REORDER_TRANSPOSE_HW,
  /* a plain copy (a concatenation's part) */
  REORDER_COPY,
  /* rows of planes: a slice along H, or a part of a concatenation along H
   * (ddamfn_op_copy_rows) */
  REORDER_ROWS,
} DdamfnReorder;

/* Y = X moved as HOW says, for C channels of N planes H × W. */
void ddamfn_op_reorder (DdamfnReorder how, float *y, const float *x, int c,
    int n, int h, int w);
/* Copies ROWS rows of W floats of each of PLANES planes: from rows ROW_X …
 * of X's planes of XH rows to rows ROW_Y … of Y's planes of YH rows. */
void ddamfn_op_copy_rows (float *y, const float *x, int planes, int w,
    int xh, int row_x, int yh, int row_y, int rows);

/* A convolution of any kernel, stride and padding (groups 1) on a
 * channel-major [cin][n][h][w] tensor as im2col + sgemm into
 * [cout][n][oh][ow]; padding: conv->pad_h / pad_w before, whatever
 * OH × OW needs after. COLS is scratch of cin·kh·kw·n·oh·ow floats. Bias
 * and activation applied when EPILOGUE. */
void ddamfn_op_conv_im2col_cm (const DdamfnConv * conv, const float *x,
    int n, int h, int w, int oh, int ow, float *cols, float *y,
    gboolean epilogue);

G_END_DECLS

#endif /* DDAMFN_OPS_H */
