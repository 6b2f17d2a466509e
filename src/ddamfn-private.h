/* Internal structures of libddamfn: the parsed model file, the folded
 * layers the forward pass walks, and the kernel entry points.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_PRIVATE_H
#define DDAMFN_PRIVATE_H

#include "ddamfn/ddamfn.h"

G_BEGIN_DECLS

/* ---- safetensors.c: the container ---------------------------------- */

typedef enum
{
  ST_DTYPE_F32,
  ST_DTYPE_F16,
  ST_DTYPE_BF16,
  ST_DTYPE_F64,
  ST_DTYPE_I64,
  ST_DTYPE_I32,
  ST_DTYPE_I16,
  ST_DTYPE_I8,
  ST_DTYPE_U8,
  ST_DTYPE_BOOL,
} StDtype;

#define ST_MAX_DIMS 8

typedef struct
{
  char *name;
  StDtype dtype;
  int ndim;
  gint64 shape[ST_MAX_DIMS];
  gint64 numel;
  const guint8 *data;           /* inside the mapping; may be unaligned */
  gsize nbytes;
} StTensor;

typedef struct _StFile StFile;

StFile *st_file_open (const char *path, GError ** error);
void st_file_free (StFile * file);
const StTensor *st_file_lookup (const StFile * file, const char *name);
/* Metadata value of KEY, or NULL. */
const char *st_file_get_metadata (const StFile * file, const char *key);
/* Copies the metadata table (key → value strings) into a new hash table. */
GHashTable *st_file_dup_metadata (const StFile * file);
const char *st_dtype_name (StDtype dtype);

/* ---- model.c: folded layers ----------------------------------------- */

typedef enum
{
  ACT_NONE,
  ACT_PRELU,
  ACT_RELU,
  ACT_HARDSWISH,
  ACT_SIGMOID,
  ACT_TANH,
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

#define DDAMFN_MAX_SPLITS 4

typedef struct
{
  int cin, cout, groups_width, stride;
  gboolean residual;
  DdamfnConv expand;            /* 1×1 cin → g, PReLU */
  int n_splits;
  DdamfnConv dw[DDAMFN_MAX_SPLITS];     /* MDConv pieces, no bias applied */
  DdamfnGate ca;
  DdamfnConv project;           /* 1×1 g → cout, no activation; bias
                                 * folded away (stream-bias.c) */
  int h_in, w_in, h_out, w_out;
} DdamfnMixBlock;

typedef struct
{
  DdamfnConv linear_h;          /* depthwise (1,7) */
  DdamfnConv linear_w;          /* depthwise (7,1) */
  DdamfnGate gate;
} DdamfnHead;

typedef struct
{
  int in, out;
  float *weight;                /* [out][in] */
  float *bias;
} DdamfnDense;

#define DDAMFN_N_MIX_BLOCKS 34
#define DDAMFN_N_HEADS 2

struct _DdamfnModel
{
  gint ref_count;
  char *path;
  GHashTable *metadata;

  DdamfnConv conv0;             /* 3 → 64, 3×3 s2 */
  DdamfnConv conv1_dw;          /* 64 depthwise 3×3 */
  DdamfnMixBlock blocks[DDAMFN_N_MIX_BLOCKS];
  DdamfnConv conv_last;         /* 256 → 512 1×1 */
  DdamfnHead heads[DDAMFN_N_HEADS];
  DdamfnConv gdc;               /* 512 depthwise 7×7 → embedding */

  gboolean multitask;
  DdamfnDense fc;               /* single-task */
  DdamfnDense dense;            /* multitask trunk */
  gboolean has_va, has_expr, has_au;
  DdamfnDense va, emotions, actions;

  int n_expr;
  char *expr_labels[DDAMFN_MAX_EXPRESSIONS];
  char *au_names[DDAMFN_N_AU];
  float au_thresholds[DDAMFN_N_AU];
  float mean[3], std[3];
};

/* ---- stream-bias.c -------------------------------------------------- */

/* Folds every block's project bias into the convs that read the residual
 * stream (see stream-bias.c); afterwards project.bias is NULL and the
 * stream tensors the forward pass keeps are offset by those biases. */
void ddamfn_model_defer_stream_biases (DdamfnModel * m);

/* ---- ops/blas.c: OpenBLAS loaded at run time ------------------------- */

/* Loads OpenBLAS once per process; FALSE with ERROR set when it cannot. */
gboolean ddamfn_blas_init (GError ** error);
/* C[m][n] = A[m][k] · B[k][n] + beta · C, row-major, no transposes. With
 * BETA 0, C's old contents are ignored (OpenBLAS zeroes it first); with 1,
 * the product is added to them. */
void ddamfn_blas_sgemm (int m, int n, int k, const float *a, int lda,
    const float *b, int ldb, float beta, float *c, int ldc);
/* OpenBLAS's process-wide thread count. */
void ddamfn_blas_set_threads (int n);
/* OpenBLAS's name for the kernels in use, e.g. "SkylakeX". */
const char *ddamfn_blas_core (void);

/* ---- ops: kernels ---------------------------------------------------- */

/* Y[cout][cols] = act (W · X[cin][cols] + b) through sgemm. X and Y may not
 * alias. ldx/ldy are row strides in floats. */
void ddamfn_op_conv1x1 (const DdamfnConv * conv, const float *x, int ldx,
    float *y, int ldy, int cols);

/* The product of a 1×1 conv alone, no bias, no activation: Y[cout][cols]
 * = W · X, or with ACCUMULATE Y += W · X in place (sgemm with beta 1). The
 * caller applies the bias and activation where it next reads Y (see
 * DdamfnEpilogue), or has folded them elsewhere (stream-bias.c). */
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
 * with N planes of H×W; output planes OH×OW ≤ 64 wide. When BIAS is false
 * the conv's bias is not added (MDConv). When IN is not NULL, X is raw and
 * IN's bias and activation are applied to it first (channel c uses
 * in->bias[c]). When POOLED is not NULL it receives the CoordAtt mean
 * pooling of the output, laid out as for the CoordAtt ops below. X, Y and
 * POOLED need DDAMFN_ROW_SLACK floats of slack past their ends (that of Y
 * and POOLED is overwritten). */
void ddamfn_op_depthwise (const DdamfnConv * conv, const float *x, float *y,
    int channels, int n, int h, int w, int oh, int ow, gboolean bias,
    const DdamfnEpilogue * in, float *pooled);

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

/* ---- postprocess.c --------------------------------------------------- */

void ddamfn_softmax (const float *logits, int k, float *probs);
/* Runs the output heads on EMB [512][n] (HIDDEN: [512][n] scratch, OUT:
 * [16][n] scratch) and fills one result per face. */
void ddamfn_postprocess (const DdamfnModel * m, const float *emb,
    float *hidden, float *out, int n, DdamfnResult * results);
float ddamfn_sigmoid (float x);

G_END_DECLS

#endif /* DDAMFN_PRIVATE_H */
