/* From the graph IR to a plan (see graph.h): the generic path every
 * imported network takes.
 *
 *  1. Layers: each convolution and dense node gets its weights copied into
 *     memory the plan owns, in the layout the kernels take.
 *  2. Folding and fusion, in graph order: a BatchNorm whose input is a
 *     convolution's output read by nothing else is folded into that
 *     convolution's weights and bias; an activation (ReLU, ReLU6, PReLU,
 *     LeakyReLU as PReLU, sigmoid, tanh, hard-swish) whose input is read
 *     by nothing else becomes the epilogue of the step that produces it
 *     (convolution, dense layer, elementwise step), and so does a swish
 *     written as Mul (t, Sigmoid (t)) or a hard-swish written as
 *     Div (Mul (t, Clip (Add (t, 3), 0, 6)), 6); a per-channel constant
 *     added to a convolution or dense output becomes its bias. Identity,
 *     Dropout, a flatten of a vector and a channel slice cost nothing:
 *     their output is a view of their input.
 *  3. Kernels: 1 × 1 stride-1 convolutions are one sgemm over the batch;
 *     depthwise ones run on the direct depthwise kernel (any width and
 *     stride); every other convolution is im2col + sgemm; the rest map one
 *     to one onto elementwise, pooling, softmax and reorder steps.
 *  4. Buffers: every tensor that is not a view takes a scratch slot when
 *     it is produced and gives it back after its last reader; graph
 *     outputs keep theirs to the end, where the finisher reads them.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/graph.h"
#include "ops/dispatch.h"

#include <math.h>
#include <string.h>

typedef struct
{
  const DdamfnGraph *g;
  DdamfnPlan *plan;
  GError **error;
  /* per tensor */
  int *uses;
  gboolean *keep;
  int *root;                    /* the tensor whose storage it views */
  int *c0;                      /* its first channel in that storage */
  int *prod;                    /* node whose step writes it, or −1 */
  gboolean *sole;               /* read once, and so is all it views */
  int *last_use;                /* roots: the last node reading them */
  int *slot;                    /* roots: the slot, −1 before */
  /* per node */
  gboolean *fused;
  DdamfnConv **conv;
  DdamfnDense **dense;
  DdamfnAct *act;
  float **slope;
  GString **notes;              /* what each node's step also does */
  /* slots */
  gboolean busy[DDAMFN_PLAN_MAX_SLOTS];
} Lower;

#define GT(lw, i) ddamfn_graph_tensor ((lw)->g, (i))
#define GN(lw, i) ddamfn_graph_node ((lw)->g, (i))

static gboolean
fail_node (Lower * lw, int i, const char *why)
{
  const DdamfnGraphNode *n = GN (lw, i);

  if (*lw->error == NULL)
    ddamfn_graph_unsupported (lw->error, lw->g->path, lw->g->format,
        n->op_type, n->name, why);
  return FALSE;
}

static float *
own_copy (Lower * lw, const float *src, gsize count)
{
  float *p = ddamfn_plan_alloc_weights (lw->plan, MAX (count, 1));

  if (p == NULL)
    g_error ("out of memory allocating %" G_GSIZE_FORMAT " weights", count);

  if (src)
    memcpy (p, src, count * sizeof (float));
  return p;
}

/* A per-channel array of C values from constant T (1 or C values). */
static float *
own_per_channel (Lower * lw, int t, int c)
{
  const DdamfnGraphTensor *s = GT (lw, t);
  float *p = own_copy (lw, NULL, c);

  for (int i = 0; i < c; i++)
    p[i] = s->data[s->count == 1 ? 0 : i];
  return p;
}

/* ---- 1. layers ---------------------------------------------------------- */

static void
make_layers (Lower * lw, int i)
{
  const DdamfnGraphNode *n = GN (lw, i);
  const DdamfnGraphTensor *x = GT (lw, n->in[0]), *wt = GT (lw, n->in[1]);
  const gboolean has_bias = n->n_in > 2 && n->in[2] >= 0;
  const float *bias = has_bias ? GT (lw, n->in[2])->data : NULL;

  lw->act[i] = n->act;
  if (n->op == GRAPH_CONV) {
    DdamfnConv *cv = ddamfn_plan_own (lw->plan, g_new0 (DdamfnConv, 1));
    cv->cin = x->c;
    cv->cout = n->cout;
    cv->kh = n->kh;
    cv->kw = n->kw;
    cv->stride = n->sh;
    cv->pad_h = n->pad[0];
    cv->pad_w = n->pad[1];
    cv->groups = n->groups;
    cv->weight = own_copy (lw, wt->data, wt->count);
    cv->bias = own_copy (lw, bias, n->cout);
    lw->conv[i] = cv;
  } else if (n->op == GRAPH_DENSE) {
    DdamfnDense *d = ddamfn_plan_own (lw->plan, g_new0 (DdamfnDense, 1));
    d->in = x->c;
    d->out = n->cout;
    d->weight = own_copy (lw, wt->data, wt->count);
    d->bias = own_copy (lw, bias, n->cout);
    lw->dense[i] = d;
  }
}

/* ---- 2. folding and fusion ---------------------------------------------- */

static void
make_view (Lower * lw, int i, int in, int c0)
{
  const int out = GN (lw, i)->out;

  lw->fused[i] = TRUE;
  lw->root[out] = lw->root[in];
  lw->c0[out] = lw->c0[in] + c0;
}

/* Node I's output becomes its input's storage, written by the same step. */
static void
fuse_into_producer (Lower * lw, int i)
{
  const int in = GN (lw, i)->in[0], out = GN (lw, i)->out;

  make_view (lw, i, in, 0);
  lw->prod[out] = lw->prod[in];
  lw->sole[out] = lw->sole[in] && lw->uses[out] == 1 && !lw->keep[out];
}

/* Records on node P's step that node I was fused into it as WHAT. */
static void
note (Lower * lw, int p, int i, const char *what)
{
  if (lw->notes[p] == NULL)
    lw->notes[p] = g_string_new (NULL);
  g_string_append_printf (lw->notes[p], "%s%s '%s'", lw->notes[p]->len ?
      ", " : "", what, GN (lw, i)->name);
}

static void
fold_batchnorm (Lower * lw, int i, DdamfnConv * cv)
{
  const DdamfnGraphNode *n = GN (lw, i);
  const float *gamma = GT (lw, n->in[1])->data, *beta = GT (lw, n->in[2])->data;
  const float *mean = GT (lw, n->in[3])->data, *var = GT (lw, n->in[4])->data;
  const gsize per = (gsize) (cv->cin / cv->groups) * cv->kh * cv->kw;

  for (int o = 0; o < cv->cout; o++) {
    const double s = gamma[o] / sqrt ((double) var[o] + n->eps);
    for (gsize k = 0; k < per; k++)
      cv->weight[o * per + k] = (float) (cv->weight[o * per + k] * s);
    cv->bias[o] = (float) ((cv->bias[o] - mean[o]) * s + beta[o]);
  }
  fuse_into_producer (lw, i);
}

/* Whether activation ACT of node I can become the epilogue of node P. */
static gboolean
can_take_act (Lower * lw, int p, DdamfnAct act)
{
  const DdamfnGraphNode *pn = GN (lw, p);

  if (lw->act[p] != ACT_NONE)
    return FALSE;
  if (pn->op == GRAPH_CONV)
    return TRUE;
  if (pn->op == GRAPH_DENSE)
    return act != ACT_PRELU;
  return pn->op == GRAPH_BINARY || pn->op == GRAPH_CLAMP
      || pn->op == GRAPH_BATCHNORM;
}

/* Node I is Mul (t, sigmoid (t)) (either order) and t, read by nothing
 * else, comes from a step that can take an activation: both nodes become
 * that step's swish epilogue (SiLU, which exporters write as Sigmoid and
 * Mul). */
static gboolean
fuse_swish (Lower * lw, int i)
{
  const DdamfnGraphNode *n = GN (lw, i);
  int t, q, p;

  if (n->op != GRAPH_BINARY || n->bop != BIN_MUL || n->n_in != 2
      || n->in[0] < 0 || n->in[1] < 0)
    return FALSE;
  for (int k = 0; k < 2; k++) {
    const int s = n->in[k];
    t = n->in[1 - k];
    q = lw->prod[s];
    if (q < 0 || lw->fused[q] || GN (lw, q)->op != GRAPH_ACT
        || GN (lw, q)->act != ACT_SIGMOID || GN (lw, q)->in[0] != t)
      continue;
    p = lw->prod[t];
    if (p < 0 || lw->fused[p] || lw->uses[t] != 2 || lw->keep[t]
        || lw->uses[s] != 1 || lw->keep[s] || lw->c0[t] != 0
        || GT (lw, lw->root[t])->c != GT (lw, t)->c
        || GT (lw, s)->c != GT (lw, t)->c || GT (lw, s)->h != GT (lw, t)->h
        || GT (lw, s)->w != GT (lw, t)->w || !can_take_act (lw, p, ACT_SWISH))
      continue;
    note (lw, p, i, "swish fused:");
    lw->act[p] = ACT_SWISH;
    make_view (lw, q, t, 0);
    make_view (lw, i, t, 0);
    lw->prod[n->out] = p;
    lw->sole[n->out] = lw->uses[n->out] == 1 && !lw->keep[n->out];
    return TRUE;
  }
  return FALSE;
}

/* Whether tensor T is the constant V (one value). */
static gboolean
is_scalar (Lower * lw, int t, float v)
{
  const DdamfnGraphTensor *c = GT (lw, t);

  return c->data != NULL && c->count == 1 && c->data[0] == v;
}

/* The unfused graph node producing T when T is read by that node alone
 * (and is no graph output), else −1. */
static int
only_producer (Lower * lw, int t)
{
  const int q = GT (lw, t)->producer;

  return q >= 0 && !lw->fused[q] && lw->uses[t] == 1 && !lw->keep[t] ? q : -1;
}

/* Node I is Div (Mul (t, Clip (Add (t, 3), 0, 6)), 6) (operands of Mul
 * and Add in either order): hard-swish as exporters write PyTorch code
 * that spells it out (coordinate attention's x · relu6 (x + 3) / 6). When
 * t, read by nothing else, comes from a step that can take an activation,
 * the four nodes become its hard-swish epilogue. */
static gboolean
fuse_hardswish (Lower * lw, int i)
{
  const DdamfnGraphNode *n = GN (lw, i), *m, *cl, *ad;
  int mi, ci = -1, ai = -1, t = -1, p;

  if (n->op != GRAPH_BINARY || n->bop != BIN_DIV || n->n_in != 2
      || n->in[1] < 0 || !is_scalar (lw, n->in[1], 6.f)
      || (mi = only_producer (lw, n->in[0])) < 0)
    return FALSE;
  m = GN (lw, mi);
  if (m->op != GRAPH_BINARY || m->bop != BIN_MUL || m->n_in != 2)
    return FALSE;
  for (int k = 0; k < 2 && t < 0; k++) {
    if ((ci = only_producer (lw, m->in[k])) < 0)
      continue;
    cl = GN (lw, ci);
    if (cl->op != GRAPH_CLAMP || cl->alpha != 1.f || cl->beta != 0.f
        || cl->lo != 0.f || cl->hi != 6.f
        || (ai = only_producer (lw, cl->in[0])) < 0)
      continue;
    ad = GN (lw, ai);
    if (ad->op != GRAPH_BINARY || ad->bop != BIN_ADD || ad->n_in != 2)
      continue;
    for (int j = 0; j < 2; j++)
      if (ad->in[j] == m->in[1 - k] && is_scalar (lw, ad->in[1 - j], 3.f))
        t = m->in[1 - k];
  }
  if (t < 0)
    return FALSE;
  p = lw->prod[t];
  if (p < 0 || lw->fused[p] || lw->uses[t] != 2 || lw->keep[t]
      || lw->c0[t] != 0 || GT (lw, lw->root[t])->c != GT (lw, t)->c
      || !can_take_act (lw, p, ACT_HARDSWISH))
    return FALSE;
  note (lw, p, i, "hard-swish fused:");
  lw->act[p] = ACT_HARDSWISH;
  make_view (lw, ai, t, 0);
  make_view (lw, ci, t, 0);
  make_view (lw, mi, t, 0);
  make_view (lw, i, t, 0);
  lw->prod[n->out] = p;
  lw->sole[n->out] = lw->uses[n->out] == 1 && !lw->keep[n->out];
  return TRUE;
}

static void
fuse (Lower * lw, int i)
{
  const DdamfnGraphNode *n = GN (lw, i);
  const int in = n->in[0];
  const int p = lw->prod[in];
  const gboolean sole = p >= 0 && lw->sole[in] && !lw->fused[p];

  switch (n->op) {
    case GRAPH_BATCHNORM:
      if (sole && GN (lw, p)->op == GRAPH_CONV && lw->act[p] == ACT_NONE) {
        note (lw, p, i, "BatchNorm folded:");
        fold_batchnorm (lw, i, lw->conv[p]);
      }
      break;
    case GRAPH_ACT:
      if (sole && can_take_act (lw, p, n->act)) {
        note (lw, p, i, "activation fused:");
        lw->act[p] = n->act;
        if (n->act == ACT_PRELU)
          lw->slope[p] = own_per_channel (lw, n->in[1], GT (lw, in)->c);
        fuse_into_producer (lw, i);
      }
      break;
    case GRAPH_BINARY:{
      /* x + per-channel constant after a convolution or dense layer */
      const DdamfnGraphTensor *b = GT (lw, n->in[1]);
      if (fuse_swish (lw, i) || fuse_hardswish (lw, i))
        break;
      if (sole && n->bop == BIN_ADD && b->data && lw->act[p] == ACT_NONE
          && (GN (lw, p)->op == GRAPH_CONV || GN (lw, p)->op == GRAPH_DENSE)) {
        float *bias = lw->conv[p] ? lw->conv[p]->bias : lw->dense[p]->bias;
        for (int c = 0; c < GT (lw, in)->c; c++)
          bias[c] += b->data[b->count == 1 ? 0 : c];
        note (lw, p, i, "bias add fused:");
        fuse_into_producer (lw, i);
      }
      break;
    }
    case GRAPH_IDENTITY:
      fuse_into_producer (lw, i);
      break;
    case GRAPH_FLATTEN:
      if (GT (lw, in)->h * GT (lw, in)->w == 1)
        fuse_into_producer (lw, i);
      break;
    case GRAPH_SLICE:
      if (!n->rows)
        make_view (lw, i, in, n->c0);
      break;
    default:
      break;
  }
}

/* ---- 4. buffers ----------------------------------------------------------- */

static int
slot_take (Lower * lw, int node)
{
  for (int s = 0; s < DDAMFN_PLAN_MAX_SLOTS; s++)
    if (!lw->busy[s]) {
      lw->busy[s] = TRUE;
      while (ddamfn_plan_n_slots (lw->plan) <= s) {
        char name[16];
        g_snprintf (name, sizeof name, "s%d", ddamfn_plan_n_slots (lw->plan));
        ddamfn_plan_add_slot (lw->plan, name);
      }
      return s;
    }
  fail_node (lw, node, "more tensors alive at once than the engine has "
      "scratch slots (" G_STRINGIFY (DDAMFN_PLAN_MAX_SLOTS) ")");
  return -1;
}

/* Gives back the slots of roots no node from NODE on reads. */
static void
slots_release (Lower * lw, int node)
{
  for (guint t = 0; t < lw->g->tensors->len; t++)
    if (lw->root[t] == (int) t && lw->slot[t] >= 0 && lw->last_use[t] < node) {
      lw->busy[lw->slot[t]] = FALSE;
      lw->slot[t] = -1;
      lw->last_use[t] = G_MAXINT;       /* never again */
    }
}

static DdamfnTensor
view (Lower * lw, int t)
{
  const DdamfnGraphTensor *gt = GT (lw, t);
  DdamfnTensor v = {.slot = lw->slot[lw->root[t]],.c0 = lw->c0[t],
    .c = gt->c,.h = gt->h,.w = gt->w
  };
  return v;
}

/* ---- 3. steps --------------------------------------------------------------- */

static void
add_step (Lower * lw, int i, DdamfnStep * s)
{
  s->name = GN (lw, i)->name;
  s->fused = lw->notes[i] ? lw->notes[i]->str : NULL;
  ddamfn_plan_add_step (lw->plan, s);
}

static gboolean
emit_conv (Lower * lw, int i)
{
  const DdamfnGraphNode *n = GN (lw, i);
  DdamfnConv *cv = lw->conv[i];
  DdamfnStep s = {.in = view (lw, n->in[0]),.out = view (lw, n->out),
    .conv = cv,.apply_bias = TRUE
  };

  cv->act = lw->act[i];
  cv->slope = lw->slope[i];
  if (n->sh != n->sw)
    return fail_node (lw, i, "different strides along H and W");
  if (cv->groups == 1 && cv->kh == 1 && cv->kw == 1 && cv->stride == 1
      && !n->pad[0] && !n->pad[1] && !n->pad[2] && !n->pad[3]) {
    s.kind = DDAMFN_STEP_CONV1X1;
  } else if (cv->groups == 1) {
    int tmp = slot_take (lw, i);
    if (tmp < 0)
      return FALSE;
    s.kind = DDAMFN_STEP_CONV_GENERAL;
    s.aux = (DdamfnTensor) {.slot = tmp,.c = cv->cin * cv->kh * cv->kw,
      .h = s.out.h,.w = s.out.w
    };
    lw->busy[tmp] = FALSE;      /* scratch of this step only */
  } else if (cv->groups == cv->cin && cv->cin == cv->cout) {
    if (cv->kh > DDAMFN_DW_MAX_KERNEL || cv->kw > DDAMFN_DW_MAX_KERNEL)
      return fail_node (lw, i, "depthwise kernel larger than 9 × 9");
    /* planes the row kernels take (stride 1 or 2) run on them: a block of
     * output rows in registers over every tap; wider planes and other
     * strides on the direct kernel */
    s.kind = (cv->stride == 1 || cv->stride == 2)
        && s.in.w <= DDAMFN_DW_MAX_WIDTH && s.out.w <= DDAMFN_DW_MAX_WIDTH ?
        DDAMFN_STEP_DEPTHWISE : DDAMFN_STEP_DEPTHWISE_WIDE;
  } else {
    return fail_node (lw, i, "grouped convolution that is not depthwise");
  }
  add_step (lw, i, &s);
  return TRUE;
}

static DdamfnEltwise *
new_eltwise (Lower * lw, int i)
{
  DdamfnEltwise *e = ddamfn_plan_own (lw->plan, g_new0 (DdamfnEltwise, 1));

  e->act = lw->act[i];
  e->slope = lw->slope[i];
  return e;
}

/* y = a OP b with the activation a later node gave it. */
static gboolean
emit_binary (Lower * lw, int i)
{
  const DdamfnGraphNode *n = GN (lw, i);
  int a = n->in[0], b = n->in[1];
  DdamfnBinOp op = n->bop;
  DdamfnEltwise *e = new_eltwise (lw, i);
  DdamfnStep s = {.kind = DDAMFN_STEP_ELTWISE,.eltwise = e };
  const DdamfnGraphTensor *ta = GT (lw, a), *tb = GT (lw, b);
  const gboolean swap = ta->data != NULL
      || (tb->data == NULL && ta->h * ta->w < tb->h * tb->w);

  if (swap) {
    int t = a;
    a = b;
    b = t;
    op = op == BIN_SUB ? BIN_RSUB : op == BIN_DIV ? BIN_RDIV : op;
  }
  ta = GT (lw, a);
  tb = GT (lw, b);
  e->op = op;
  if (tb->data) {
    e->bcast = tb->count == 1 ? BCAST_SCALAR : BCAST_CHANNEL;
    e->b_const = own_copy (lw, tb->data, tb->count);
  } else {
    e->bcast = tb->h == ta->h && tb->w == ta->w ? BCAST_FULL
        : tb->h * tb->w == 1 ? BCAST_CHANNEL_FACE : BCAST_PLANES;
    e->ah = ta->h;
    e->aw = ta->w;
    e->bh = tb->h;
    e->bw = tb->w;
    s.aux = view (lw, b);
  }
  s.in = view (lw, a);
  s.out = view (lw, n->out);
  add_step (lw, i, &s);
  return TRUE;
}

/* BatchNorm left alone, activation alone, Clip / HardSigmoid. */
static gboolean
emit_unary (Lower * lw, int i)
{
  const DdamfnGraphNode *n = GN (lw, i);
  const int c = GT (lw, n->in[0])->c;
  DdamfnEltwise *e = new_eltwise (lw, i);
  DdamfnStep s = {.kind = DDAMFN_STEP_ELTWISE,.eltwise = e,
    .in = view (lw, n->in[0]),.out = view (lw, n->out)
  };

  e->bcast = BCAST_FULL;
  if (n->op == GRAPH_BATCHNORM) {
    const float *gamma = GT (lw, n->in[1])->data;
    const float *beta = GT (lw, n->in[2])->data;
    const float *mean = GT (lw, n->in[3])->data;
    const float *var = GT (lw, n->in[4])->data;
    float *scale = own_copy (lw, NULL, c), *shift = own_copy (lw, NULL, c);
    for (int k = 0; k < c; k++) {
      const double sc = gamma[k] / sqrt ((double) var[k] + n->eps);
      scale[k] = (float) sc;
      shift[k] = (float) (beta[k] - mean[k] * sc);
    }
    e->op = BIN_AFFINE;
    e->scale = scale;
    e->shift = shift;
  } else if (n->op == GRAPH_CLAMP) {
    e->clamp = TRUE;
    e->alpha = n->alpha;
    e->beta = n->beta;
    e->lo = n->lo;
    e->hi = n->hi;
  } else {                      /* GRAPH_ACT */
    e->act = n->act;
    if (n->act == ACT_PRELU)
      e->slope = own_per_channel (lw, n->in[1], c);
  }
  add_step (lw, i, &s);
  return TRUE;
}

static void
emit_reorder (Lower * lw, int i, DdamfnTensor in, DdamfnTensor out,
    DdamfnReorder how)
{
  DdamfnStep s = {.kind = DDAMFN_STEP_REORDER,.in = in,.out = out,
    .reorder = how
  };
  add_step (lw, i, &s);
}

static gboolean
emit (Lower * lw, int i)
{
  const DdamfnGraphNode *n = GN (lw, i);
  const DdamfnGraphTensor *x = GT (lw, n->in[0]);
  DdamfnStep s = {.in = view (lw, n->in[0]),.out = view (lw, n->out) };

  switch (n->op) {
    case GRAPH_CONV:
      return emit_conv (lw, i);
    case GRAPH_DENSE:
      s.kind = DDAMFN_STEP_DENSE;
      s.dense = lw->dense[i];
      s.act = lw->act[i];
      add_step (lw, i, &s);
      return TRUE;
    case GRAPH_BINARY:
      return emit_binary (lw, i);
    case GRAPH_BATCHNORM:
    case GRAPH_ACT:
    case GRAPH_CLAMP:
      return emit_unary (lw, i);
    case GRAPH_POOL:
    case GRAPH_GLOBAL_AVG:{
      DdamfnPool *p = ddamfn_plan_own (lw->plan, g_new0 (DdamfnPool, 1));
      p->max = n->op == GRAPH_POOL && n->max;
      p->kh = n->op == GRAPH_POOL ? n->kh : x->h;
      p->kw = n->op == GRAPH_POOL ? n->kw : x->w;
      p->sh = n->op == GRAPH_POOL ? n->sh : 1;
      p->sw = n->op == GRAPH_POOL ? n->sw : 1;
      p->pad_t = n->op == GRAPH_POOL ? n->pad[0] : 0;
      p->pad_l = n->op == GRAPH_POOL ? n->pad[1] : 0;
      s.kind = DDAMFN_STEP_POOL;
      s.pool = p;
      add_step (lw, i, &s);
      return TRUE;
    }
    case GRAPH_SOFTMAX:
      s.kind = DDAMFN_STEP_SOFTMAX;
      add_step (lw, i, &s);
      return TRUE;
    case GRAPH_FLATTEN:
      emit_reorder (lw, i, s.in, s.out, n->hwc ? REORDER_FLATTEN_HWC
          : REORDER_FLATTEN_CHW);
      return TRUE;
    case GRAPH_TRANSPOSE_HW:
      emit_reorder (lw, i, s.in, s.out, REORDER_TRANSPOSE_HW);
      return TRUE;
    case GRAPH_CONCAT:{
      int c0 = s.out.c0;
      for (int k = 0; n->rows && k < n->n_in; k++) {
        DdamfnStep r = {.kind = DDAMFN_STEP_REORDER,.reorder = REORDER_ROWS,
          .in = view (lw, n->in[k]),.out = s.out,.row_out = c0
        };
        c0 += r.in.h;
        add_step (lw, i, &r);
      }
      for (int k = 0; !n->rows && k < n->n_in; k++) {
        DdamfnTensor in = view (lw, n->in[k]), out = s.out;
        out.c0 = c0;
        out.c = in.c;
        c0 += in.c;
        emit_reorder (lw, i, in, out, REORDER_COPY);
      }
      return TRUE;
    }
    case GRAPH_SLICE:
      if (n->rows) {
        s.kind = DDAMFN_STEP_REORDER;
        s.reorder = REORDER_ROWS;
        s.row_in = n->c0;
        add_step (lw, i, &s);
      }
      break;
    case GRAPH_IDENTITY:
      break;
  }
  return TRUE;
}

static DdamfnGraphOutputs *
make_outputs (Lower * lw)
{
  const DdamfnGraph *g = lw->g;
  DdamfnGraphOutputs *o = ddamfn_plan_own (lw->plan,
      g_new0 (DdamfnGraphOutputs, 1));
  const DdamfnGraphTensor *in = GT (lw, g->input);

  o->n_outputs = g->n_outputs;
  for (int k = 0; k < g->n_outputs; k++) {
    const int t = g->outputs[k];
    const int p = lw->prod[t];
    o->names[k] = ddamfn_plan_own (lw->plan, g_strdup (GT (lw, t)->name));
    o->tensors[k] = view (lw, t);
    o->softmaxed[k] = p >= 0 && GN (lw, p)->op == GRAPH_SOFTMAX;
    o->floats += (gsize) GT (lw, t)->c * GT (lw, t)->h * GT (lw, t)->w;
  }
  o->in_c = in->c;
  o->in_h = in->h;
  o->in_w = in->w;
  o->in_nhwc = g->input_nhwc;
  return o;
}

/* ---- the whole pass ------------------------------------------------------- */

static void
analyse (Lower * lw)
{
  const DdamfnGraph *g = lw->g;

  for (guint i = 0; i < g->nodes->len; i++)
    for (int k = 0; k < GN (lw, i)->n_in; k++)
      if (GN (lw, i)->in[k] >= 0)
        lw->uses[GN (lw, i)->in[k]]++;
  for (int k = 0; k < g->n_outputs; k++)
    lw->keep[g->outputs[k]] = TRUE;
  for (guint t = 0; t < g->tensors->len; t++) {
    lw->root[t] = t;
    lw->prod[t] = GT (lw, t)->producer;
    lw->sole[t] = lw->uses[t] == 1 && !lw->keep[t];
    lw->slot[t] = -1;
  }
  for (guint i = 0; i < g->nodes->len; i++) {
    const DdamfnGraphNode *n = GN (lw, i);
    if (n->op == GRAPH_CONV || n->op == GRAPH_DENSE)
      make_layers (lw, i);
  }
  for (guint i = 0; i < g->nodes->len; i++)
    fuse (lw, i);
  /* storage lives until its last reader; the outputs to the end */
  for (guint t = 0; t < g->tensors->len; t++)
    lw->last_use[t] = -1;
  for (guint i = 0; i < g->nodes->len; i++)
    for (int k = 0; k < GN (lw, i)->n_in; k++) {
      const int t = GN (lw, i)->in[k];
      if (t >= 0)
        lw->last_use[lw->root[t]] = MAX (lw->last_use[lw->root[t]], (int) i);
    }
  for (int k = 0; k < g->n_outputs; k++)
    lw->last_use[lw->root[g->outputs[k]]] = G_MAXINT - 1;
}

static gboolean
emit_all (Lower * lw)
{
  const DdamfnGraph *g = lw->g;
  const DdamfnGraphTensor *in = GT (lw, g->input);
  DdamfnTensor src = {.slot = DDAMFN_PLAN_INPUT,.c = in->c,.h = in->h,
    .w = in->w
  };
  DdamfnStep s = {.kind = DDAMFN_STEP_REORDER,.name = "input",.in = src,
    .reorder = g->input_nhwc ? REORDER_FROM_NHWC : REORDER_FROM_NCHW
  };

  lw->slot[g->input] = slot_take (lw, 0);
  if (lw->slot[g->input] < 0)
    return FALSE;
  s.out = view (lw, g->input);
  ddamfn_plan_add_step (lw->plan, &s);
  for (guint i = 0; i < g->nodes->len; i++) {
    const int out = GN (lw, i)->out;
    if (lw->fused[i])
      continue;
    slots_release (lw, i);
    if (lw->root[out] == out) {
      lw->slot[out] = slot_take (lw, i);
      if (lw->slot[out] < 0)
        return FALSE;
    }
    if (!emit (lw, i))
      return FALSE;
  }
  return TRUE;
}

DdamfnPlan *
ddamfn_graph_lower (const DdamfnGraph * g,
    const DdamfnGraphOutputs ** outputs, GError ** error)
{
  const guint nt = g->tensors->len, nn = g->nodes->len;
  GError *local = NULL;
  Lower lw = {.g = g,.error = &local };
  DdamfnPlan *plan = NULL;
  const DdamfnGraphTensor *in;
  gboolean ok;

  if (g->input < 0 || g->n_outputs == 0 || nn == 0) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: the %s graph has no input, no output or no node", g->path,
        g->format);
    return NULL;
  }
  in = GT (&lw, g->input);
  lw.plan = ddamfn_plan_new (g->format,
      (gsize) in->c * in->h * in->w, sizeof (DdamfnResult));
  lw.uses = g_new0 (int, nt);
  lw.keep = g_new0 (gboolean, nt);
  lw.root = g_new0 (int, nt);
  lw.c0 = g_new0 (int, nt);
  lw.prod = g_new0 (int, nt);
  lw.sole = g_new0 (gboolean, nt);
  lw.last_use = g_new0 (int, nt);
  lw.slot = g_new0 (int, nt);
  lw.fused = g_new0 (gboolean, nn);
  lw.conv = g_new0 (DdamfnConv *, nn);
  lw.dense = g_new0 (DdamfnDense *, nn);
  lw.act = g_new0 (DdamfnAct, nn);
  lw.slope = g_new0 (float *, nn);
  lw.notes = g_new0 (GString *, nn);

  analyse (&lw);
  ok = emit_all (&lw);
  if (ok) {
    const DdamfnGraphOutputs *o = make_outputs (&lw);
    ddamfn_plan_set_finish (lw.plan, ddamfn_graph_finish, o);
    ok = ddamfn_plan_finalize (lw.plan, &local);
    *outputs = o;
  }
  if (ok) {
    plan = lw.plan;
  } else {
    ddamfn_plan_free (lw.plan);
    g_propagate_error (error, local);
  }
  g_free (lw.uses);
  g_free (lw.keep);
  g_free (lw.root);
  g_free (lw.c0);
  g_free (lw.prod);
  g_free (lw.sole);
  g_free (lw.last_use);
  g_free (lw.slot);
  g_free (lw.fused);
  g_free (lw.conv);
  g_free (lw.dense);
  g_free (lw.act);
  g_free (lw.slope);
  for (guint i = 0; i < nn; i++)
    if (lw.notes[i])
      g_string_free (lw.notes[i], TRUE);
  g_free (lw.notes);
  return plan;
}
