/* DDAMFN's plan, built from the tensors of a model file (docs/network.md).
 *
 * Nothing here is a layer table: the backbone is read from the file in
 * order, features.0, features.1, …, each module's kind told by the tensors
 * it has (a ConvBlock, a MixDW block, a stack of residual MixDW blocks),
 * its widths and kernel sizes by their shapes; the attention heads are
 * counted the same way. What the file cannot say is the network's own rule
 * (docs/network.md): the first conv and every MixDW that is not residual
 * have stride 2, everything else stride 1, and kernels are padded to keep
 * the plane ("same"). Every shape is checked as it is bound, so a wrong
 * tensor is an error naming it.
 *
 * The plan fuses (each step records what it does beyond its name):
 *  - features.0's and every expand conv's bias and PReLU are applied by
 *    the depthwise step that reads their output, as it pads its input;
 *  - each MDConv piece pools its output for CoordAtt as it writes it;
 *  - the residual add is the project sgemm accumulating onto the stream in
 *    place, and the project biases are folded into the convs that read the
 *    stream (stream_absorb below), so no pass over the stream adds them.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "loader.h"
#include "ops/dispatch.h"

#include <string.h>

enum
{
  SLOT_ACT_A,                   /* the stream (ping) */
  SLOT_ACT_B,                   /* the stream (pong) */
  SLOT_EXPAND,                  /* expand output, im2col, gated tensor, A */
  SLOT_DW,                      /* MDConv output */
  SLOT_POOLED,                  /* CoordAtt pooled rows and columns */
  SLOT_MID,                     /* CoordAtt bottleneck */
  SLOT_GATES,                   /* CoordAtt sigmoid gates */
  SLOT_VEC_A,                   /* embedding */
  SLOT_VEC_B,                   /* multitask hidden layer */
  SLOT_OUT,                     /* head outputs, one after the other */
  N_SLOTS
};

static const char *const slot_names[N_SLOTS] = {
  "act_a", "act_b", "expand", "dw", "pooled", "mid", "gates", "vec_a",
  "vec_b", "out"
};

typedef struct
{
  DdamfnLoader ld;
  DdamfnPlan *plan;
  int c, h;                     /* the stream: channels, plane side */
  int cur, other;               /* slots of the stream and of its successor */
  /* Project biases deferred to the stream's readers: the stream holds
   * x − beta (width channels); width 0 while nothing is deferred. */
  double *beta;
  int width;
} Builder;

static DdamfnTensor
tensor (int slot, int c0, int c, int h, int w)
{
  return (DdamfnTensor) {
  .slot = slot,.c0 = c0,.c = c,.h = h,.w = w};
}

static DdamfnTensor
plane (int slot, int c, int h)
{
  return tensor (slot, 0, c, h, h);
}

/* Rows + columns of CoordAtt's pooled, bottleneck and gate tensors. */
static DdamfnTensor
rows_cols (int slot, int c0, int c, int h, int w)
{
  return tensor (slot, c0, c, h + w, 1);
}

/* Widest layer a file may declare: far beyond the network's own (1024),
 * small enough that no product of a few dims overflows. */
#define MAX_DIM 65536

/* The dims of tensor PREFIX + SUFFIX when it has NDIM of them, each in
 * 1 … MAX_DIM, else NULL (a missing tensor or a wrong rank is named by the
 * take that follows; an absurd dimension here). */
static const gint64 *
dims_of (Builder * b, const char *prefix, const char *suffix, int ndim)
{
  const StTensor *t = ddamfn_loader_find2 (&b->ld, prefix, suffix);

  if (t == NULL || t->ndim != ndim)
    return NULL;
  for (int i = 0; i < ndim; i++) {
    if (t->shape[i] < 1 || t->shape[i] > MAX_DIM) {
      ddamfn_loader_fail (&b->ld, "%s: tensor '%s%s' has a dimension of %"
          G_GINT64_FORMAT "; 1 … %d are supported", b->ld.path, prefix,
          suffix, t->shape[i], MAX_DIM);
      return NULL;
    }
  }
  return t->shape;
}

static gboolean
kernel_ok (Builder * b, const char *name, gint64 k)
{
  if (k >= 1 && k <= DDAMFN_DW_MAX_KERNEL && k % 2 == 1)
    return TRUE;
  ddamfn_loader_fail (&b->ld, "%s: tensor '%s' has a %" G_GINT64_FORMAT
      "-wide kernel; odd sizes 1 … %d are supported", b->ld.path, name, k,
      DDAMFN_DW_MAX_KERNEL);
  return FALSE;
}

/* bias[o] += Σ_i weight[o][i] · beta[i]: reader E of x = s + beta computes
 * E·x + e = E·s + (e + E·beta). In double, as the sums are long. */
static void
stream_absorb (Builder * b, DdamfnConv * reader)
{
  if (b->width == 0 || reader->weight == NULL)
    return;
  g_assert (reader->cin == b->width && reader->kh * reader->kw == 1);
  for (int o = 0; o < reader->cout; o++) {
    const float *w = reader->weight + (gsize) o * reader->cin;
    double sum = reader->bias[o];
    for (int i = 0; i < reader->cin; i++)
      sum += (double) w[i] * b->beta[i];
    reader->bias[o] = (float) sum;
  }
}

/* Block output x' = (residual ? x : 0) + P·d + p: the stream keeps P·d
 * (+ x) and beta grows by p. */
static void
stream_defer (Builder * b, const DdamfnConv * project, gboolean residual)
{
  if (project->bias == NULL)
    return;
  if (!residual) {
    b->beta = g_renew (double, b->beta, project->cout);
    memset (b->beta, 0, sizeof (double) * project->cout);
    b->width = project->cout;
  }
  for (int c = 0; c < project->cout; c++)
    b->beta[c] += project->bias[c];
}

static DdamfnStep *
add (Builder * b, const DdamfnStep * s)
{
  return ddamfn_plan_add_step (b->plan, s);
}

/* features.0 (k×k conv from the input) and features.1 (depthwise). */
static void
build_stem (Builder * b)
{
  const gint64 *d0 = dims_of (b, "features.0", ".conv.weight", 4);
  const gint64 *d1;
  DdamfnConv *c0 = ddamfn_loader_new_conv (&b->ld);
  DdamfnConv *c1 = ddamfn_loader_new_conv (&b->ld);
  int cout, k, oh;

  cout = d0 ? (int) d0[0] : 1;
  k = d0 ? (int) d0[2] : 3;
  if (!kernel_ok (b, "features.0.conv.weight", k))
    return;
  ddamfn_loader_conv_block (&b->ld, "features.0", c0, 3, cout, k, k, 2,
      k / 2, 1, ACT_PRELU);
  oh = (DDAMFN_INPUT_SIZE + 2 * (k / 2) - k) / 2 + 1;
  add (b, &(DdamfnStep) {
      .kind = DDAMFN_STEP_CONV_IM2COL,.name = "features.0",
      .in = tensor (DDAMFN_PLAN_INPUT, 0, 3, DDAMFN_INPUT_SIZE,
          DDAMFN_INPUT_SIZE),
      .out = plane (SLOT_ACT_A, cout, oh),
      .aux = plane (SLOT_EXPAND, 3 * k * k, oh),.conv = c0,
      .fused = "bias and PReLU applied by features.1 as it reads"});

  d1 = dims_of (b, "features.1", ".conv.weight", 4);
  k = d1 ? (int) d1[2] : 3;
  if (!kernel_ok (b, "features.1.conv.weight", k))
    return;
  ddamfn_loader_conv_block (&b->ld, "features.1", c1, cout, cout, k, k, 1,
      k / 2, cout, ACT_PRELU);
  add (b, &(DdamfnStep) {
      .kind = DDAMFN_STEP_DEPTHWISE,.name = "features.1",
      .in = plane (SLOT_ACT_A, cout, oh),.out = plane (SLOT_ACT_B, cout, oh),
      .conv = c1,.apply_bias = TRUE,
      .prologue = {c0->bias, c0->slope, c0->act},
      .fused = "features.0's bias and PReLU on the way in"});
  b->c = cout;
  b->h = oh;
  b->cur = SLOT_ACT_B;
  b->other = SLOT_ACT_A;
}

/* The MDConv pieces of block PREFIX: each a depthwise step with the expand
 * conv's bias and PReLU on the way in and CoordAtt pooling on the way out. */
static void
build_mdconv (Builder * b, const char *prefix, const DdamfnConv * expand,
    int stride, int oh)
{
  char *dw = g_strconcat (prefix, ".conv_dw.mixed_depthwise_conv.", NULL);
  int c0 = 0;

  for (int i = 0; !b->ld.error; i++) {
    char *piece = g_strdup_printf ("%s%d", dw, i);
    const StTensor *t = ddamfn_loader_find2 (&b->ld, piece, ".weight");
    DdamfnConv *cv;
    int c, k;

    if (t == NULL) {
      if (i == 0)
        ddamfn_loader_fail (&b->ld, "%s: missing tensor '%s.weight'",
            b->ld.path, piece);
      g_free (piece);
      break;
    }
    c = t->ndim == 4 ? (int) MIN (t->shape[0], G_MAXINT) : 0;
    k = t->ndim == 4 ? (int) MIN (t->shape[2], G_MAXINT) : 0;
    if (c < 1 || c0 + c > expand->cout) {
      ddamfn_loader_fail (&b->ld, "%s: tensor '%s.weight' must be [C, 1, k, k] "
          "with C at most the %d channels the expand conv leaves",
          b->ld.path, piece, expand->cout - c0);
    } else if (kernel_ok (b, t->name, k)) {
      cv = ddamfn_loader_new_conv (&b->ld);
      ddamfn_loader_depthwise (&b->ld, piece, cv, c, k, stride);
      add (b, &(DdamfnStep) {
          .kind = DDAMFN_STEP_DEPTHWISE,.name = piece,
          .in = tensor (SLOT_EXPAND, c0, c, b->h, b->h),
          .out = tensor (SLOT_DW, c0, c, oh, oh),
          .aux = rows_cols (SLOT_POOLED, c0, c, oh, oh),.conv = cv,
          .prologue = {expand->bias + c0, expand->slope + c0, expand->act},
          .fused = "expand's bias and PReLU in, CoordAtt mean pooling out"});
      c0 += c;
    }
    g_free (piece);
  }
  if (!b->ld.error && c0 != expand->cout)
    ddamfn_loader_fail (&b->ld, "%s: the MDConv pieces of '%s' cover %d "
        "channels, the expand conv gives %d", b->ld.path, prefix, c0,
        expand->cout);
  g_free (dw);
}

/* One MixDW block: expand → MDConv → CoordAtt → project (+ stream). */
static void
build_mixdw (Builder * b, const char *prefix, gboolean residual)
{
  const gint64 *de = dims_of (b, prefix, ".conv.conv.weight", 4);
  const gint64 *dp = dims_of (b, prefix, ".project.conv.weight", 4);
  const int g = de ? (int) de[0] : 1, cout = dp ? (int) dp[0] : b->c;
  const int stride = residual ? 1 : 2, oh = (b->h - 1) / stride + 1;
  char *conv = g_strconcat (prefix, ".conv", NULL);
  char *ca = g_strconcat (prefix, ".CA", NULL);
  char *project = g_strconcat (prefix, ".project", NULL);
  DdamfnConv *ex = ddamfn_loader_new_conv (&b->ld);
  DdamfnConv *pr = ddamfn_loader_new_conv (&b->ld);
  DdamfnGate *gate = ddamfn_loader_new_gate (&b->ld);
  const int out_slot = residual ? b->cur : b->other;

  ddamfn_loader_conv_block (&b->ld, conv, ex, b->c, g, 1, 1, 1, 0, 1,
      ACT_PRELU);
  if (b->ld.error)
    goto out;
  stream_absorb (b, ex);
  add (b, &(DdamfnStep) {
      .kind = DDAMFN_STEP_CONV1X1,.name = conv,
      .in = plane (b->cur, b->c, b->h),.out = plane (SLOT_EXPAND, g, b->h),
      .conv = ex,.fused = "bias and PReLU applied by the MDConv pieces"});
  build_mdconv (b, prefix, ex, stride, oh);

  ddamfn_loader_gate (&b->ld, ca, gate, g, MAX (8, g / 32));
  add (b, &(DdamfnStep) {
      .kind = DDAMFN_STEP_COORD_GATES,.name = ca,
      .in = rows_cols (SLOT_POOLED, 0, g, oh, oh),
      .aux = rows_cols (SLOT_MID, 0, gate->mip, oh, oh),
      .out = rows_cols (SLOT_GATES, 0, g, oh, oh),.gate = gate,
      .plane_h = oh,.plane_w = oh});
  add (b, &(DdamfnStep) {
      .kind = DDAMFN_STEP_COORD_APPLY,.name = ca,
      .in = plane (SLOT_DW, g, oh),.aux = rows_cols (SLOT_GATES, 0, g, oh,
          oh),.out = plane (SLOT_EXPAND, g, oh)});

  ddamfn_loader_conv_block (&b->ld, project, pr, g, cout, 1, 1, 1, 0, 1,
      ACT_NONE);
  if (b->ld.error)
    goto out;
  if (residual && cout != b->c) {
    ddamfn_loader_fail (&b->ld, "%s: residual block '%s' maps %d channels "
        "to %d", b->ld.path, prefix, b->c, cout);
    goto out;
  }
  stream_defer (b, pr, residual);
  add (b, &(DdamfnStep) {
      .kind = DDAMFN_STEP_CONV1X1,.name = project,
      .in = plane (SLOT_EXPAND, g, oh),.out = plane (out_slot, cout, oh),
      .conv = pr,.accumulate = residual,
      .fused = residual ? "residual add in place; bias folded into the "
          "stream's readers" : "bias folded into the stream's readers"});
  if (!residual) {
    b->other = b->cur;
    b->cur = out_slot;
  }
  b->c = cout;
  b->h = oh;
out:
  g_free (conv);
  g_free (ca);
  g_free (project);
}

/* features.2 …: MixDW blocks and residual stacks up to the last ConvBlock,
 * which becomes the feature map F (returns its slot). */
static int
build_backbone (Builder * b)
{
  DdamfnConv *last = ddamfn_loader_new_conv (&b->ld);
  const gint64 *d;
  char *prefix;
  int i;

  for (i = 2; !b->ld.error; i++) {
    prefix = g_strdup_printf ("features.%d", i);
    if (ddamfn_loader_find2 (&b->ld, prefix, ".conv.conv.weight")) {
      build_mixdw (b, prefix, FALSE);
    } else if (ddamfn_loader_find2 (&b->ld, prefix,
            ".model.0.conv.conv.weight")) {
      for (int j = 0; !b->ld.error; j++) {
        char *block = g_strdup_printf ("%s.model.%d", prefix, j);
        gboolean present = ddamfn_loader_find2 (&b->ld, block,
            ".conv.conv.weight") != NULL;
        if (present)
          build_mixdw (b, block, TRUE);
        g_free (block);
        if (!present)
          break;
      }
    } else {
      break;                    /* the last ConvBlock, read below */
    }
    g_free (prefix);
  }
  if (b->ld.error)
    return -1;

  d = dims_of (b, prefix, ".conv.weight", 4);
  ddamfn_loader_conv_block (&b->ld, prefix, last, b->c, d ? (int) d[0] : 1,
      1, 1, 1, 0, 1, ACT_PRELU);
  if (!b->ld.error) {
    stream_absorb (b, last);
    add (b, &(DdamfnStep) {
        .kind = DDAMFN_STEP_CONV1X1,.name = prefix,
        .in = plane (b->cur, b->c, b->h),
        .out = plane (b->other, last->cout, b->h),.conv = last,
        .apply_bias = TRUE,
        .fused = "bias includes the project biases deferred by the stream"});
    b->c = last->cout;
  }
  g_free (prefix);
  return b->ld.error ? -1 : b->other;
}

/* cat_head<i>: A_i = gates of F's learned row / column pooling; A = max of
 * the A_i; then e = global 7×7 depthwise conv of A · F (the "Linear"
 * LinearBlock), into SLOT_VEC_A. */
static void
build_attention (Builder * b, int f_slot)
{
  const int c = b->c, h = b->h;
  DdamfnConv *gdc = ddamfn_loader_new_conv (&b->ld);
  int i;

  for (i = 0; !b->ld.error; i++) {
    char *p = g_strdup_printf ("cat_head%d.CoordAtt", i);
    char *lh = g_strconcat (p, ".Linear_h", NULL);
    char *lw = g_strconcat (p, ".Linear_w", NULL);
    DdamfnConv *ch = ddamfn_loader_new_conv (&b->ld);
    DdamfnConv *cw = ddamfn_loader_new_conv (&b->ld);
    DdamfnGate *gate = ddamfn_loader_new_gate (&b->ld);
    gboolean present = i == 0
        || ddamfn_loader_find2 (&b->ld, lh, ".conv.weight") != NULL;

    if (present) {
      ddamfn_loader_conv_block (&b->ld, lh, ch, c, c, 1, h, 1, 0, c,
          ACT_NONE);
      ddamfn_loader_conv_block (&b->ld, lw, cw, c, c, h, 1, 1, 0, c,
          ACT_NONE);
      ddamfn_loader_gate (&b->ld, p, gate, c, MAX (8, c / 32));
      add (b, &(DdamfnStep) {
          .kind = DDAMFN_STEP_COORD_POOL_LINEAR,.name = p,
          .in = plane (f_slot, c, h),.out = rows_cols (SLOT_POOLED, 0, c, h,
              h),.conv = ch,.conv2 = cw});
      add (b, &(DdamfnStep) {
          .kind = DDAMFN_STEP_COORD_GATES,.name = p,
          .in = rows_cols (SLOT_POOLED, 0, c, h, h),
          .aux = rows_cols (SLOT_MID, 0, gate->mip, h, h),
          .out = rows_cols (SLOT_GATES, 0, c, h, h),.gate = gate,
          .plane_h = h,.plane_w = h});
      add (b, &(DdamfnStep) {
          .kind = DDAMFN_STEP_COORD_MAX,.name = p,
          .in = rows_cols (SLOT_GATES, 0, c, h, h),
          .out = plane (SLOT_EXPAND, c, h),.first = i == 0,
          .fused = i == 0 ? "A = gh · gw" : "A = max (A, gh · gw)"});
    }
    g_free (p);
    g_free (lh);
    g_free (lw);
    if (!present)
      break;
  }
  ddamfn_loader_conv_block (&b->ld, "Linear", gdc, c, c, h, h, 1, 0, c,
      ACT_NONE);
  add (b, &(DdamfnStep) {
      .kind = DDAMFN_STEP_GLOBAL_DEPTHWISE,.name = "Linear",
      .in = plane (SLOT_EXPAND, c, h),.aux = plane (f_slot, c, h),
      .out = plane (SLOT_VEC_A, c, 1),.conv = gdc,
      .fused = "of A · F: the attention product is not stored"});
}

static void
build_dense (Builder * b, const char *prefix, int in_slot, int in,
    int out_slot, int c0, int out, DdamfnAct act)
{
  DdamfnDense *d = ddamfn_loader_new_dense (&b->ld);

  ddamfn_loader_dense (&b->ld, prefix, d, in, out);
  add (b, &(DdamfnStep) {
      .kind = DDAMFN_STEP_DENSE,.name = prefix,
      .in = plane (in_slot, in, 1),.out = tensor (out_slot, c0, out, 1, 1),
      .dense = d,.act = act});
}

/* Rows of "<name>" when it is [K, in] with 1 ≤ K ≤ DDAMFN_MAX_EXPRESSIONS. */
static int
class_rows (Builder * b, const char *name, int in)
{
  const gint64 *d = dims_of (b, name, "", 2);

  if (d == NULL || d[1] != in || d[0] < 1 || d[0] > DDAMFN_MAX_EXPRESSIONS) {
    ddamfn_loader_fail (&b->ld, "%s: tensor '%s' must be [K, %d] with "
        "1 ≤ K ≤ %d", b->ld.path, name, in, DDAMFN_MAX_EXPRESSIONS);
    return -1;
  }
  return (int) d[0];
}

/* The output heads: single-task fc, or the multitask custom_classifier
 * with any of its three heads; outputs one after the other in SLOT_OUT. */
static void
build_heads (Builder * b, DdamfnHeads * hd)
{
  const int c = b->c;
  const char *cc = "custom_classifier";

  memset (hd, 0, sizeof *hd);
  hd->out_slot = SLOT_OUT;
  hd->multitask = ddamfn_loader_find2 (&b->ld, cc, ".dense.weight") != NULL;
  if (!hd->multitask) {
    if (ddamfn_loader_find (&b->ld, "fc.weight") == NULL) {
      ddamfn_loader_fail (&b->ld, "%s: missing tensor 'fc.weight' (and no "
          "multitask 'custom_classifier.dense.weight'): no output head",
          b->ld.path);
      return;
    }
    hd->has_expr = TRUE;
    hd->n_expr = class_rows (b, "fc.weight", c);
    if (hd->n_expr > 0)
      build_dense (b, "fc", SLOT_VEC_A, c, SLOT_OUT, 0, hd->n_expr, ACT_NONE);
    return;
  }
  hd->has_va = ddamfn_loader_find2 (&b->ld, cc, ".val_arousal.weight") != NULL;
  hd->has_expr = ddamfn_loader_find2 (&b->ld, cc, ".emotions.weight") != NULL;
  hd->has_au = ddamfn_loader_find2 (&b->ld, cc, ".actions.weight") != NULL;
  if (!hd->has_va && !hd->has_expr && !hd->has_au) {
    ddamfn_loader_fail (&b->ld, "%s: multitask model without any of the "
        "heads custom_classifier.val_arousal, .emotions, .actions",
        b->ld.path);
    return;
  }
  build_dense (b, "custom_classifier.dense", SLOT_VEC_A, c, SLOT_VEC_B, 0,
      c, ACT_RELU);
  if (hd->has_va)
    build_dense (b, "custom_classifier.val_arousal", SLOT_VEC_B, c, SLOT_OUT,
        0, 2, ACT_TANH);
  hd->expr_c0 = hd->has_va ? 2 : 0;
  if (hd->has_expr) {
    hd->n_expr = class_rows (b, "custom_classifier.emotions.weight", c);
    if (hd->n_expr < 0)
      return;
    build_dense (b, "custom_classifier.emotions", SLOT_VEC_B, c, SLOT_OUT,
        hd->expr_c0, hd->n_expr, ACT_NONE);
  }
  hd->au_c0 = hd->expr_c0 + hd->n_expr;
  if (hd->has_au)
    build_dense (b, "custom_classifier.actions", SLOT_VEC_B, c, SLOT_OUT,
        hd->au_c0, DDAMFN_N_AU, ACT_SIGMOID);
}

DdamfnPlan *
ddamfn_net_build (const StFile * file, const char *path, DdamfnHeads * heads,
    GError ** error)
{
  Builder b = {.ld = {.file = file,.path = path } };
  int f_slot;

  b.plan = ddamfn_plan_new ("ddamfn", DDAMFN_INPUT_FLOATS,
      sizeof (DdamfnResult));
  b.ld.plan = b.plan;
  /* b.plan + the slot enum: declared in order, so index == enum value */
  for (int i = 0; i < N_SLOTS; i++)
    ddamfn_plan_add_slot (b.plan, slot_names[i]);

  build_stem (&b);
  f_slot = b.ld.error ? -1 : build_backbone (&b);
  if (!b.ld.error && b.h > DDAMFN_DW_MAX_WIDTH)
    ddamfn_loader_fail (&b.ld, "%s: the feature map is %d×%d, wider than "
        "the %d the attention heads take", path, b.h, b.h,
        DDAMFN_DW_MAX_WIDTH);
  if (!b.ld.error)
    build_attention (&b, f_slot);
  if (!b.ld.error)
    build_heads (&b, heads);
  g_free (b.beta);
  ddamfn_plan_set_finish (b.plan, ddamfn_heads_finish, heads);
  if (b.ld.error) {
    g_propagate_error (error, b.ld.error);
    ddamfn_plan_free (b.plan);
    return NULL;
  }
  if (!ddamfn_plan_finalize (b.plan, error)) {
    ddamfn_plan_free (b.plan);
    return NULL;
  }
  return b.plan;
}
