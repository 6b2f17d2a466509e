/* A network as data: an ordered list of steps, each naming its kernel, its
 * weights, the tensors it reads and writes and the work it fuses, plus the
 * buffer planner that sizes every scratch slot from those tensors.
 *
 * A plan is built once, when a model is opened, by a network's builder
 * (src/nets/<network>.c); src/run.c walks it over a batch. Nothing outside
 * the builder knows the network's layers: the scratch size, the forward
 * pass, ddamfn-infer --print-plan and the benchmarks all read the plan.
 *
 * Layout of every activation tensor: channel-major, [channel][face][plane],
 * so a 1×1 convolution over a whole batch is one matrix product with the
 * faces as extra columns. A tensor is a view into a slot: channels c0 …
 * c0 + c − 1 of planes of PLANE floats, at slot + c0 · n · plane for a
 * batch of n faces. The network input (DDAMFN_PLAN_INPUT) is the caller's
 * face-major (NCHW) batch instead.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_PLAN_H
#define DDAMFN_PLAN_H

#include "ops/ops.h"
#include "weight-store.h"

G_BEGIN_DECLS

/* Scratch slots a plan may use, and the pseudo-slot of the input. */
#define DDAMFN_PLAN_MAX_SLOTS 16
#define DDAMFN_PLAN_INPUT (-1)

/* A view of C channels of H × W planes (W = 1 for pooled rows, gates and
 * vectors), starting at channel C0 of SLOT. */
typedef struct
{
  int slot;
  int c0;
  int c, h, w;
} DdamfnTensor;

/* What a step computes. Operands are in / out / aux / aux2 of DdamfnStep;
 * the comment says which each kind uses. */
typedef enum
{
  /* out = conv (in) through im2col + sgemm; in is the NCHW network input
   * (DDAMFN_PLAN_INPUT); aux receives the column matrix
   * [cin·kh·kw][n·oh·ow]. Bias and activation when apply_bias. */
  DDAMFN_STEP_CONV_IM2COL,
  /* out = W · in (1×1 conv as sgemm); out += W · in with accumulate
   * (residual add in place); bias and activation when apply_bias. */
  DDAMFN_STEP_CONV1X1,
  /* out = depthwise conv (prologue (in)); conv bias when apply_bias, conv
   * activation always; aux (optional, slot ≥ 0) receives CoordAtt's mean
   * pooling of out ([c][n·oh + n·ow]). Padding: conv->pad_h / pad_w
   * before, whatever out's size needs after (asymmetric "same" padding). */
  DDAMFN_STEP_DEPTHWISE,
  /* out (gates [c][n·h + n·w]) = sigmoid (conv2 | conv3 (hardswish (conv1
   * (in)))), in = pooled rows and columns, aux = bottleneck scratch
   * [mip][n·h + n·w]; h × w of the attended plane in plane_h, plane_w. */
  DDAMFN_STEP_COORD_GATES,
  /* out = in · gates (aux) row- and column-wise. */
  DDAMFN_STEP_COORD_APPLY,
  /* out (pooled [c][n·h + n·w]) = the heads' learned (1, w) and (h, 1)
   * depthwise pooling of in (conv = (1, w) kernel, conv2 = (h, 1)). */
  DDAMFN_STEP_COORD_POOL_LINEAR,
  /* out = max (out, gh · gw of gates in) over the plane (= when first). */
  DDAMFN_STEP_COORD_MAX,
  /* out [c][n] = bias + Σ w · in · aux over each whole plane (a depthwise
   * conv whose kernel covers the plane, on the product of two tensors). */
  DDAMFN_STEP_GLOBAL_DEPTHWISE,
  /* out [out][n] = act (W · in + b), in [in][n]. */
  DDAMFN_STEP_DENSE,
  /* out = act (in + aux), aux's channels beyond its own count read as 0
   * (a shortcut zero-padded to more channels). */
  DDAMFN_STEP_ADD,
  /* out = 2 × 2 max pooling, stride 2, of in (odd edges padded with −∞). */
  DDAMFN_STEP_MAXPOOL2,
  /* out = depthwise conv (in) for planes of any width, bias and the conv's
   * activation applied; padding as DEPTHWISE (BlazeFace full range). */
  DDAMFN_STEP_DEPTHWISE_WIDE,
  /* out = 2× bilinear upsampling of in (half_pixel: TFLite's half-pixel
   * centres). */
  DDAMFN_STEP_UPSAMPLE2,
  /* out = conv (in) of any kernel, stride and padding (groups 1) on a
   * channel-major in, as im2col + sgemm; aux receives the column matrix;
   * bias and activation when apply_bias (graph models). */
  DDAMFN_STEP_CONV_GENERAL,
  /* out = act (clamp (in OP aux)) as eltwise says (aux: the second tensor
   * of a full or per-channel-and-face broadcast, else unused). */
  DDAMFN_STEP_ELTWISE,
  /* out = max or average pooling of in as pool says. */
  DDAMFN_STEP_POOL,
  /* out [c][n] = softmax over the channels of in [c][n]. */
  DDAMFN_STEP_SOFTMAX,
  /* out = in moved as reorder says (the input's layout, flattening,
   * H ↔ W, a concatenation's copy). */
  DDAMFN_STEP_REORDER,
} DdamfnStepKind;

/* How many step kinds there are (arrays indexed by kind). */
#define DDAMFN_STEP_N_KINDS (DDAMFN_STEP_REORDER + 1)

typedef struct
{
  DdamfnStepKind kind;
  const char *name;             /* the layer's tensor prefix */
  DdamfnTensor in, out, aux, aux2;
  const DdamfnConv *conv;
  const DdamfnConv *conv2;      /* COORD_POOL_LINEAR: the (h, 1) pooling */
  const DdamfnGate *gate;
  const DdamfnDense *dense;
  const DdamfnEltwise *eltwise; /* ELTWISE */
  const DdamfnPool *pool;       /* POOL */
  DdamfnReorder reorder;        /* REORDER */
  int row_in, row_out;          /* REORDER_ROWS: first row read, written */
  /* DEPTHWISE: the producer's bias and activation, applied as in is read */
  DdamfnEpilogue prologue;
  gboolean apply_bias;          /* CONV_*, DEPTHWISE: own bias and act */
  gboolean accumulate;          /* CONV1X1 */
  gboolean first;               /* COORD_MAX */
  gboolean half_pixel;          /* UPSAMPLE2 */
  int plane_h, plane_w;         /* COORD_GATES: the attended plane */
  DdamfnAct act;                /* DENSE, ADD */
  const char *fused;            /* what else this step does, for reading */
} DdamfnStep;

typedef struct _DdamfnPlan DdamfnPlan;

/* Fills RESULTS (n records of result_size bytes) from the plan's output
 * tensors, SLOTS being the batch's scratch slots (channel-major, n faces). */
typedef void (*DdamfnPlanFinish) (gconstpointer data, float *const *slots,
    int n, gpointer results);

DdamfnPlan *ddamfn_plan_new (const char *network, gsize input_floats,
    gsize result_size);
void ddamfn_plan_free (DdamfnPlan * plan);

/* Declares scratch slot NAME and returns its index. */
int ddamfn_plan_add_slot (DdamfnPlan * plan, const char *name);
/* Appends a copy of STEP; the plan owns NAME and FUSED (g_strdup'ed). */
DdamfnStep *ddamfn_plan_add_step (DdamfnPlan * plan, const DdamfnStep * step);
/* Memory the plan frees with itself (weights, builder data). */
gpointer ddamfn_plan_own (DdamfnPlan * plan, gpointer mem);
/* N zeroed floats of weights, 64-byte aligned, freed with the plan; NULL
 * when memory runs out. Read-only once the plan's weights are shared. */
float *ddamfn_plan_alloc_weights (DdamfnPlan * plan, gsize n);
/* Offers the finished plan's weights for sharing across processes through
 * the cache directory DDAMFN_WEIGHTS_CACHE chooses (weight-store.h). */
gboolean ddamfn_plan_share_weights (DdamfnPlan * plan, GError ** error);
const DdamfnWeightStore *ddamfn_plan_get_weights (const DdamfnPlan * plan);
void ddamfn_plan_set_finish (DdamfnPlan * plan, DdamfnPlanFinish finish,
    gconstpointer data);
/* Sizes the slots from the steps' tensors; FALSE with ERROR set when a
 * step's operands do not agree with its weights. */
gboolean ddamfn_plan_finalize (DdamfnPlan * plan, GError ** error);

guint ddamfn_plan_n_steps (const DdamfnPlan * plan);
const DdamfnStep *ddamfn_plan_step (const DdamfnPlan * plan, guint i);
int ddamfn_plan_n_slots (const DdamfnPlan * plan);
/* Floats per face of slot I (without DDAMFN_ROW_SLACK). */
gsize ddamfn_plan_slot_floats (const DdamfnPlan * plan, int i);
/* Floats of kernel scratch one worker needs (the depthwise steps' padded
 * planes), whatever the batch size. */
gsize ddamfn_plan_kernel_scratch_floats (const DdamfnPlan * plan);
gsize ddamfn_plan_input_floats (const DdamfnPlan * plan);
gsize ddamfn_plan_result_size (const DdamfnPlan * plan);
void ddamfn_plan_finish (const DdamfnPlan * plan, float *const *slots, int n,
    gpointer results);

/* Output plane of STEP: out.h × out.w. FLOPs per face (2 per multiply-add)
 * of the matrix products and convolutions, elementwise work not counted. */
double ddamfn_step_flops (const DdamfnStep * step);
double ddamfn_plan_flops (const DdamfnPlan * plan);
const char *ddamfn_step_kind_name (DdamfnStepKind kind);
/* One line per step (shapes, fused work, FLOPs), then the slots and the
 * total: a new string. */
gchar *ddamfn_plan_describe (const DdamfnPlan * plan);

G_END_DECLS

#endif /* DDAMFN_PLAN_H */
