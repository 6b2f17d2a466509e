/* BlazeFace's plan, built from a model file written by models/tflite-convert
 * (docs/face-detector.md): the file's "graph" metadata lists the TFLite
 * operators (convolutions, depthwise convolutions, ReLU, residual adds with
 * zero-padded or max-pooled shortcuts, 2× upsampling), each naming its
 * input and output tensors, weights, strides and explicit paddings;
 * nets/blazeface-graph.c reads and checks it. Every weight is checked
 * against the shape its operator needs before the plan exists.
 *
 * Steps and fusions:
 *  - the first convolution reads the network input, as im2col + sgemm; its
 *    TFLite "same" padding (asymmetric) is the zero frame the input tensor
 *    carries (the detector writes the letterboxed image into its interior),
 *    so the step itself pads nothing;
 *  - 1 × 1 convolutions are sgemm with bias and activation;
 *  - depthwise convolutions run on the row kernels up to 64 columns, wider
 *    planes on the direct kernel;
 *  - a ReLU is fused into the convolution or add that produces its input
 *    when nothing else reads that input; other ReLUs are an add of nothing;
 *  - a channel padding read only by adds is not materialised: the add
 *    reads the unpadded shortcut and treats the missing channels as 0.
 * Tensors are given scratch slots by liveness; the output heads live to the
 * end, where the finisher gathers them into anchor order.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "nets/blazeface-graph.h"
#include "ops/dispatch.h"

#include <string.h>

#define T blazeface_tensor
#define find_tensor blazeface_find_tensor

/* ---- analysis: uses, fusions, storage --------------------------------- */

static int
root (Builder * b, int t)
{
  while (T (b, t)->alias >= 0)
    t = T (b, t)->alias;
  return t;
}

static Op *
O (Builder * b, int i)
{
  return &g_array_index (b->ops, Op, i);
}

/* Marks the heads, counts uses, folds ReLUs and channel paddings. */
static void
analyse (Builder * b, char **heads)
{
  for (int i = 0; heads[i] && !b->ld.error; i++) {
    int t = find_tensor (b, heads[i]);

    if (t < 0 || T (b, t)->producer < 0
        || O (b, T (b, t)->producer)->kind != OP_CONV)
      ddamfn_loader_fail (&b->ld, "%s: output head '%s' is not a "
          "convolution of the graph", b->ld.path, heads[i]);
    else
      T (b, t)->keep = TRUE;
  }
  for (guint k = 0; k < b->ops->len; k++)
    for (int i = 0; i < O (b, k)->n_in; i++)
      T (b, O (b, k)->in[i])->n_uses++;

  for (guint k = 0; k < b->ops->len && !b->ld.error; k++) {
    Op *op = O (b, k);
    Tensor *x = T (b, op->in[0]);

    if (op->kind == OP_RELU && x->producer >= 0 && x->n_uses == 1
        && !x->keep && O (b, x->producer)->act == ACT_NONE
        && (O (b, x->producer)->kind == OP_CONV
            || O (b, x->producer)->kind == OP_ADD)) {
      O (b, x->producer)->act = ACT_RELU;
      op->fused_away = TRUE;
      T (b, op->out)->alias = op->in[0];
    } else if (op->kind == OP_PAD_CHANNELS) {
      /* only adds may read it: they treat missing channels as zeros */
      for (guint j = k + 1; j < b->ops->len; j++) {
        Op *u = O (b, j);
        for (int i = 0; i < u->n_in; i++)
          if (u->in[i] == op->out && u->kind != OP_ADD)
            ddamfn_loader_fail (&b->ld, "%s: channel padding '%s' is read "
                "by an operator other than an add", b->ld.path,
                T (b, op->out)->name);
      }
      op->fused_away = TRUE;
      T (b, op->out)->alias = op->in[0];
    }
  }
  /* storage lives until its last reader (the heads to the end) */
  for (guint k = 0; k < b->ops->len; k++)
    for (int i = 0; i < O (b, k)->n_in; i++) {
      Tensor *r = T (b, root (b, O (b, k)->in[i]));
      r->last_use = MAX (r->last_use, (int) k);
    }
  for (guint i = 0; i < b->tensors->len; i++)
    if (T (b, i)->keep)
      T (b, root (b, i))->last_use = G_MAXINT;
}

/* ---- steps ------------------------------------------------------------ */

typedef struct
{
  DdamfnPlan *plan;
  int n_slots;
  gboolean busy[DDAMFN_PLAN_MAX_SLOTS];
} Slots;

static int
slot_take (Builder * b, Slots * s)
{
  for (int i = 0; i < s->n_slots; i++)
    if (!s->busy[i]) {
      s->busy[i] = TRUE;
      return i;
    }
  if (s->n_slots == DDAMFN_PLAN_MAX_SLOTS) {
    ddamfn_loader_fail (&b->ld, "%s: the graph keeps more than %d tensors "
        "alive at once", b->ld.path, DDAMFN_PLAN_MAX_SLOTS);
    return -1;
  }
  {
    char name[16];
    g_snprintf (name, sizeof name, "t%d", s->n_slots);
    ddamfn_plan_add_slot (s->plan, name);
  }
  s->busy[s->n_slots] = TRUE;
  return s->n_slots++;
}

static DdamfnTensor
view (Builder * b, int t)
{
  const Tensor *x = T (b, t);

  return (DdamfnTensor) {
  .slot = T (b, root (b, t))->slot,.c0 = 0,.c = x->c,.h = x->h,.w = x->w};
}

/* The weights of a (depthwise) convolution op, checked against the shapes
 * it needs. */
static DdamfnConv *
load_conv (Builder * b, const Op * op, int cin, int cout)
{
  DdamfnConv *cv = ddamfn_loader_new_conv (&b->ld);
  const gboolean dw = op->kind == OP_DWCONV;
  const gint64 wdims[4] = { cout, dw ? 1 : cin, op->kh, op->kw };
  const gint64 bdims[1] = { cout };

  if (cv == NULL)
    return NULL;
  cv->cin = cin;
  cv->cout = cout;
  cv->kh = op->kh;
  cv->kw = op->kw;
  cv->stride = op->sh;
  cv->pad_h = op->pad[0];
  cv->pad_w = op->pad[1];
  cv->groups = dw ? cout : 1;
  cv->act = op->act;
  cv->weight = ddamfn_loader_take (&b->ld, op->weight, "", 4, wdims);
  cv->bias = ddamfn_loader_take (&b->ld, op->bias, "", 1, bdims);
  return b->ld.error ? NULL : cv;
}

static void
emit (Builder * b, const Op * op, int k, Slots * slots)
{
  DdamfnStep s = {.name = T (b, op->out)->name };
  const Tensor *x = T (b, op->in[0]), *y = T (b, op->out);

  s.in = view (b, op->in[0]);
  s.out = view (b, op->out);
  switch (op->kind) {
    case OP_CONV:
      s.conv = load_conv (b, op, x->c, y->c);
      s.apply_bias = TRUE;
      if (op->in[0] == b->input) {
        int cols;
        DdamfnConv *cv = (DdamfnConv *) s.conv;

        if (k != 0 || cv == NULL) {
          ddamfn_loader_fail (&b->ld, "%s: only the first operator may read "
              "the network input", b->ld.path);
          return;
        }
        /* the input tensor carries the padding: see the file comment */
        memcpy (b->pad, op->pad, sizeof b->pad);
        cv->pad_h = cv->pad_w = 0;
        s.kind = DDAMFN_STEP_CONV_IM2COL;
        s.in = (DdamfnTensor) {
        .slot = DDAMFN_PLAN_INPUT,.c = 3,.h = x->h + op->pad[0] + op->pad[2],
              .w = x->w + op->pad[1] + op->pad[3]};
        cols = slot_take (b, slots);
        s.aux = (DdamfnTensor) {
        .slot = cols,.c = 3 * op->kh * op->kw,.h = y->h,.w = y->w};
        ddamfn_plan_add_step (b->ld.plan, &s);
        if (cols >= 0)
          slots->busy[cols] = FALSE;
        return;
      }
      if (op->kh != 1 || op->kw != 1 || op->sh != 1) {
        ddamfn_loader_fail (&b->ld, "%s: convolution '%s' (%d×%d, stride "
            "%d) inside the network: only 1×1 stride-1 ones are supported",
            b->ld.path, s.name, op->kh, op->kw, op->sh);
        return;
      }
      s.kind = DDAMFN_STEP_CONV1X1;
      break;
    case OP_DWCONV:
      s.conv = load_conv (b, op, x->c, x->c);
      s.apply_bias = TRUE;
      s.kind = x->w <= DDAMFN_DW_MAX_WIDTH && y->w <= DDAMFN_DW_MAX_WIDTH
          && op->sh <= 2 && op->act == ACT_NONE
          ? DDAMFN_STEP_DEPTHWISE : DDAMFN_STEP_DEPTHWISE_WIDE;
      break;
    case OP_ADD:{
      /* "in" carries every channel; a padded shortcut is "aux" */
      int a = op->in[0], c = op->in[1];
      if (T (b, root (b, a))->c < y->c) {
        int t = a;
        a = c;
        c = t;
      }
      if (T (b, root (b, a))->c < y->c) {
        ddamfn_loader_fail (&b->ld, "%s: add '%s' of two padded tensors",
            b->ld.path, s.name);
        return;
      }
      s.kind = DDAMFN_STEP_ADD;
      s.in = view (b, root (b, a));
      s.aux = view (b, root (b, c));
      s.act = op->act;
      break;
    }
    case OP_RELU:                /* an add of nothing: no channels of aux */
      s.kind = DDAMFN_STEP_ADD;
      s.aux = s.in;
      s.aux.c = 0;
      s.act = ACT_RELU;
      break;
    case OP_MAXPOOL2:
      s.kind = DDAMFN_STEP_MAXPOOL2;
      break;
    case OP_UPSAMPLE2:
      s.kind = DDAMFN_STEP_UPSAMPLE2;
      s.half_pixel = op->half_pixel;
      break;
    case OP_PAD_CHANNELS:
      return;
  }
  if (!b->ld.error)
    ddamfn_plan_add_step (b->ld.plan, &s);
}

/* Slots by liveness, then the steps in graph order. */
static void
emit_all (Builder * b)
{
  Slots slots = {.plan = b->ld.plan };

  for (guint k = 0; k < b->ops->len && !b->ld.error; k++) {
    Op *op = O (b, k);
    Tensor *y = T (b, op->out);

    if (!op->fused_away) {
      y->slot = slot_take (b, &slots);
      if (y->slot < 0)
        return;
      emit (b, op, (int) k, &slots);
    }
    for (int i = 0; i < op->n_in; i++) {
      Tensor *r = T (b, root (b, op->in[i]));
      if (r->last_use == (int) k && r->slot >= 0)
        slots.busy[r->slot] = FALSE;
    }
    /* an output nobody reads */
    if (!op->fused_away && y->n_uses == 0 && !y->keep)
      slots.busy[y->slot] = FALSE;
  }
}

/* ---- the finisher ------------------------------------------------------ */

typedef struct
{
  int n_anchors, n_heads;
  struct
  {
    DdamfnTensor score, reg;
    int per_cell;
  } head[BLAZEFACE_MAX_GRIDS];
} Heads;

/* Each record: the score logits of every anchor, then its 16 regressors;
 * anchors run head by head, then row, column and anchor of the cell, as
 * the TFLite graph's reshapes and concatenation order them. */
static void
heads_finish (gconstpointer data, float *const *slots, int n, gpointer res)
{
  const Heads *hd = data;
  const gsize rec = (gsize) hd->n_anchors * (1 + BLAZEFACE_N_REGRESSORS);

  for (int f = 0; f < n; f++) {
    float *scores = (float *) res + f * rec;
    float *regs = scores + hd->n_anchors;
    int anchor = 0;

    for (int h = 0; h < hd->n_heads; h++) {
      const DdamfnTensor *st = &hd->head[h].score, *rt = &hd->head[h].reg;
      const gsize plane = (gsize) st->h * st->w;
      const float *sb = slots[st->slot] + (gsize) st->c0 * n * plane;
      const float *rb = slots[rt->slot] + (gsize) rt->c0 * n * plane;
      const int a_n = hd->head[h].per_cell;

      for (gsize p = 0; p < plane; p++)
        for (int a = 0; a < a_n; a++, anchor++) {
          scores[anchor] = sb[((gsize) a * n + f) * plane + p];
          for (int r = 0; r < BLAZEFACE_N_REGRESSORS; r++)
            regs[(gsize) anchor * BLAZEFACE_N_REGRESSORS + r] =
                rb[((gsize) (a * BLAZEFACE_N_REGRESSORS + r) * n + f)
                * plane + p];
        }
    }
  }
}

static Heads *
bind_heads (Builder * b, char **scores, char **regs)
{
  Heads *hd = g_new0 (Heads, 1);
  int total = 0;

  ddamfn_plan_own (b->ld.plan, hd);
  hd->n_anchors = b->info->n_anchors;
  hd->n_heads = b->info->n_grids;
  if ((int) g_strv_length (scores) != hd->n_heads
      || (int) g_strv_length (regs) != hd->n_heads) {
    ddamfn_loader_fail (&b->ld, "%s: %u score and %u regressor heads for "
        "%d anchor grids", b->ld.path, g_strv_length (scores),
        g_strv_length (regs), hd->n_heads);
    return NULL;
  }
  for (int h = 0; h < hd->n_heads; h++) {
    const BlazefaceGrid *g = &b->info->grids[h];
    const Tensor *st = T (b, find_tensor (b, scores[h]));
    const Tensor *rt = T (b, find_tensor (b, regs[h]));

    if (st->c != g->per_cell || st->h != g->cells || st->w != g->cells
        || rt->c != g->per_cell * BLAZEFACE_N_REGRESSORS
        || rt->h != g->cells || rt->w != g->cells) {
      ddamfn_loader_fail (&b->ld, "%s: heads '%s' %d×%d×%d and '%s' "
          "%d×%d×%d do not fit the anchor grid %d×%d×%d", b->ld.path,
          st->name, st->c, st->h, st->w, rt->name, rt->c, rt->h, rt->w,
          g->cells, g->cells, g->per_cell);
      return NULL;
    }
    hd->head[h].score = view (b, find_tensor (b, scores[h]));
    hd->head[h].reg = view (b, find_tensor (b, regs[h]));
    hd->head[h].per_cell = g->per_cell;
    total += g->cells * g->cells * g->per_cell;
  }
  if (total != hd->n_anchors) {
    ddamfn_loader_fail (&b->ld, "%s: the heads give %d anchors, the "
        "metadata says %d", b->ld.path, total, hd->n_anchors);
    return NULL;
  }
  return hd;
}

static const char *
required_metadata (Builder * b, const char *key)
{
  const char *v = st_file_get_metadata (b->ld.file, key);

  if (v == NULL || v[0] == '\0')
    ddamfn_loader_fail (&b->ld, "%s: metadata \"%s\" is missing", b->ld.path,
        key);
  return v;
}

DdamfnPlan *
blazeface_net_build (const StFile * file, const char *path,
    BlazefaceNetInfo * info, GError ** error)
{
  Builder b = {.ld = {.file = file,.path = path},.info = info };
  const char *graph, *input, *score_list, *reg_list;
  char **scores = NULL, **regs = NULL;
  char *all[2 * (BLAZEFACE_MAX_GRIDS + 1) + 1] = { NULL };
  Heads *hd = NULL;
  DdamfnPlan *plan = NULL;

  b.ops = g_array_new (FALSE, TRUE, sizeof (Op));
  b.tensors = g_ptr_array_new_with_free_func (blazeface_tensor_free);
  graph = required_metadata (&b, "graph");
  input = required_metadata (&b, "input_name");
  score_list = required_metadata (&b, "score_tensors");
  reg_list = required_metadata (&b, "regressor_tensors");
  if (!b.ld.error) {
    scores = g_strsplit (score_list, ",", BLAZEFACE_MAX_GRIDS + 1);
    regs = g_strsplit (reg_list, ",", BLAZEFACE_MAX_GRIDS + 1);
    {
      int j = 0;

      for (int i = 0; scores[i]; i++)
        all[j++] = scores[i];
      for (int i = 0; regs[i]; i++)
        all[j++] = regs[i];
      all[j] = NULL;
    }
    blazeface_parse_graph (&b, graph, input, info->size);
  }
  if (!b.ld.error)
    analyse (&b, all);
  if (!b.ld.error) {
    /* the input frame is the first convolution's padding */
    const Op *first = O (&b, 0);

    if (first->kind != OP_CONV || first->in[0] != b.input)
      ddamfn_loader_fail (&b.ld, "%s: the graph does not start with a "
          "convolution of the input", path);
    else {
      info->pad_top = first->pad[0];
      info->pad_left = first->pad[1];
      info->in_h = info->size + first->pad[0] + first->pad[2];
      info->in_w = info->size + first->pad[1] + first->pad[3];
    }
  }
  if (!b.ld.error) {
    plan = ddamfn_plan_new ("blazeface",
        (gsize) 3 * info->in_h * info->in_w,
        BLAZEFACE_RESULT_FLOATS (info) * sizeof (float));
    b.ld.plan = plan;
    emit_all (&b);
  }
  if (!b.ld.error)
    hd = bind_heads (&b, scores, regs);
  g_strfreev (scores);
  g_strfreev (regs);
  g_array_unref (b.ops);
  g_ptr_array_unref (b.tensors);
  g_clear_object (&b.parser);
  if (b.ld.error) {
    g_propagate_error (error, b.ld.error);
    ddamfn_plan_free (plan);
    return NULL;
  }
  ddamfn_plan_set_finish (plan, heads_finish, hd);
  if (!ddamfn_plan_finalize (plan, error)) {
    ddamfn_plan_free (plan);
    return NULL;
  }
  return plan;
}
