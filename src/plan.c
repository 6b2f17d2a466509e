/* Layer plans: the list of steps a builder writes, the buffer planner that
 * sizes each scratch slot from the tensors the steps use, and the plan's
 * description for readers (ddamfn-infer --print-plan).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "plan.h"
#include "ops/dispatch.h"
#include "weight-store.h"

#include <string.h>

struct _DdamfnPlan
{
  char *network;
  gsize input_floats;
  gsize result_size;
  int n_slots;
  char *slot_names[DDAMFN_PLAN_MAX_SLOTS];
  gsize slot_floats[DDAMFN_PLAN_MAX_SLOTS];
  gsize kernel_scratch;
  GArray *steps;                /* DdamfnStep */
  GPtrArray *owned;
  DdamfnWeightStore *weights;
  DdamfnPlanFinish finish;
  gconstpointer finish_data;
};

DdamfnPlan *
ddamfn_plan_new (const char *network, gsize input_floats, gsize result_size)
{
  DdamfnPlan *plan = g_new0 (DdamfnPlan, 1);

  plan->network = g_strdup (network);
  plan->input_floats = input_floats;
  plan->result_size = result_size;
  plan->steps = g_array_new (FALSE, TRUE, sizeof (DdamfnStep));
  plan->owned = g_ptr_array_new_with_free_func (g_free);
  plan->weights = ddamfn_weight_store_new ();
  return plan;
}

void
ddamfn_plan_free (DdamfnPlan * plan)
{
  if (plan == NULL)
    return;
  for (guint i = 0; i < plan->steps->len; i++) {
    DdamfnStep *s = &g_array_index (plan->steps, DdamfnStep, i);
    g_free ((char *) s->name);
    g_free ((char *) s->fused);
  }
  g_array_free (plan->steps, TRUE);
  for (int i = 0; i < plan->n_slots; i++)
    g_free (plan->slot_names[i]);
  g_ptr_array_free (plan->owned, TRUE);
  ddamfn_weight_store_free (plan->weights);
  g_free (plan->network);
  g_free (plan);
}

int
ddamfn_plan_add_slot (DdamfnPlan * plan, const char *name)
{
  g_assert (plan->n_slots < DDAMFN_PLAN_MAX_SLOTS);
  plan->slot_names[plan->n_slots] = g_strdup (name);
  return plan->n_slots++;
}

DdamfnStep *
ddamfn_plan_add_step (DdamfnPlan * plan, const DdamfnStep * step)
{
  DdamfnStep copy = *step;

  copy.name = g_strdup (step->name);
  copy.fused = g_strdup (step->fused);
  g_array_append_val (plan->steps, copy);
  return &g_array_index (plan->steps, DdamfnStep, plan->steps->len - 1);
}

gpointer
ddamfn_plan_own (DdamfnPlan * plan, gpointer mem)
{
  if (mem != NULL)
    g_ptr_array_add (plan->owned, mem);
  return mem;
}

float *
ddamfn_plan_alloc_weights (DdamfnPlan * plan, gsize n)
{
  return ddamfn_weight_store_alloc (plan->weights, n);
}

gboolean
ddamfn_plan_share_weights (DdamfnPlan * plan, GError ** error)
{
  char *dir = ddamfn_weight_store_default_dir ();
  gboolean ok = ddamfn_weight_store_share (plan->weights, dir, error);

  g_free (dir);
  return ok;
}

const DdamfnWeightStore *
ddamfn_plan_get_weights (const DdamfnPlan * plan)
{
  return plan->weights;
}

void
ddamfn_plan_set_finish (DdamfnPlan * plan, DdamfnPlanFinish finish,
    gconstpointer data)
{
  plan->finish = finish;
  plan->finish_data = data;
}

static gsize
tensor_floats (const DdamfnTensor * t)
{
  return (gsize) (t->c0 + t->c) * t->h * t->w;
}

static gboolean
tensor_used (const DdamfnTensor * t)
{
  return t->c > 0;
}

/* The slot checks every kind shares: operands name declared slots, only
 * "in" (and a second input) may be the network input. */
static gboolean
check_operand (const DdamfnPlan * plan, const DdamfnStep * s,
    const DdamfnTensor * t, gboolean may_be_input, GError ** error)
{
  if (!tensor_used (t))
    return TRUE;
  if ((t->slot == DDAMFN_PLAN_INPUT && may_be_input)
      || (t->slot >= 0 && t->slot < plan->n_slots))
    return TRUE;
  g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
      "plan step '%s': operand in slot %d, which the plan does not have",
      s->name, t->slot);
  return FALSE;
}

static gboolean
step_error (const DdamfnStep * s, const char *what, GError ** error)
{
  g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
      "plan step '%s' (%s): %s", s->name, ddamfn_step_kind_name (s->kind),
      what);
  return FALSE;
}

/* An elementwise step whose operands' planes broadcast along H and W: the
 * output has the larger side of each, every operand side is it or 1. */
static gboolean
check_planes (const DdamfnStep * s, GError ** error)
{
  const DdamfnEltwise *e = s->eltwise;

  if (s->in.c != s->out.c || s->aux.c != s->out.c || e->ah != s->in.h
      || e->aw != s->in.w || e->bh != s->aux.h || e->bw != s->aux.w
      || s->out.h != MAX (e->ah, e->bh) || s->out.w != MAX (e->aw, e->bw)
      || (e->ah != s->out.h && e->ah != 1) || (e->bh != s->out.h && e->bh != 1)
      || (e->aw != s->out.w && e->aw != 1) || (e->bw != s->out.w && e->bw != 1)
      || e->op == BIN_AFFINE || e->op == BIN_NONE)
    return step_error (s, "operands whose planes do not broadcast", error);
  return TRUE;
}

/* What the kernels assert, checked once here so that no file can reach
 * an assertion: operand widths agree with the weights, planes fit the row
 * kernels. */
static gboolean
check_step (const DdamfnStep * s, GError ** error)
{
  const DdamfnConv *cv = s->conv;

  switch (s->kind) {
    case DDAMFN_STEP_CONV_IM2COL:
      if (s->in.slot != DDAMFN_PLAN_INPUT || s->in.c != cv->cin
          || s->out.c != cv->cout || s->aux.c != cv->cin * cv->kh * cv->kw)
        return step_error (s, "operands do not match the weights", error);
      break;
    case DDAMFN_STEP_CONV1X1:
      if (s->in.c != cv->cin || s->out.c != cv->cout || cv->kh != 1
          || cv->kw != 1 || s->in.h * s->in.w != s->out.h * s->out.w
          || (s->accumulate && s->apply_bias))
        return step_error (s, "operands do not match the weights", error);
      break;
    case DDAMFN_STEP_DEPTHWISE:
      if (s->in.c != cv->cout || s->out.c != cv->cout
          || cv->groups != cv->cout || (cv->stride != 1 && cv->stride != 2))
        return step_error (s, "operands do not match the weights", error);
      if (s->in.w > DDAMFN_DW_MAX_WIDTH || s->out.w > DDAMFN_DW_MAX_WIDTH
          || cv->kh > DDAMFN_DW_MAX_KERNEL || cv->kw > DDAMFN_DW_MAX_KERNEL)
        return step_error (s, "plane or kernel wider than the depthwise "
            "kernels take", error);
      if ((s->prologue.act != ACT_NONE && s->prologue.act != ACT_PRELU)
          || (s->aux.c > 0 && cv->act != ACT_NONE))
        return step_error (s, "unsupported fusion", error);
      break;
    case DDAMFN_STEP_DEPTHWISE_WIDE:
      if (s->in.c != cv->cout || s->out.c != cv->cout
          || cv->groups != cv->cout || cv->kw > DDAMFN_DW_MAX_KERNEL
          || cv->kh > DDAMFN_DW_MAX_KERNEL || cv->stride < 1)
        return step_error (s, "operands do not match the weights", error);
      break;
    case DDAMFN_STEP_CONV_GENERAL:
      if (s->in.c != cv->cin || s->out.c != cv->cout || cv->groups != 1
          || s->aux.c != cv->cin * cv->kh * cv->kw || cv->stride < 1
          || s->aux.h != s->out.h || s->aux.w != s->out.w)
        return step_error (s, "operands do not match the weights", error);
      break;
    case DDAMFN_STEP_ELTWISE:
      if (s->eltwise->bcast == BCAST_PLANES)
        return check_planes (s, error);
      if (s->in.c != s->out.c || s->in.h * s->in.w != s->out.h * s->out.w
          || ((s->eltwise->bcast == BCAST_FULL && s->eltwise->op != BIN_NONE
                  && s->eltwise->op != BIN_AFFINE)
              && (s->aux.c != s->out.c || s->aux.h != s->out.h
                  || s->aux.w != s->out.w))
          || (s->eltwise->bcast == BCAST_CHANNEL_FACE
              && (s->aux.c != s->out.c || s->aux.h * s->aux.w != 1)))
        return step_error (s, "operands of different shapes", error);
      break;
    case DDAMFN_STEP_POOL:
      if (s->in.c != s->out.c || s->pool->kh < 1 || s->pool->kw < 1
          || s->pool->sh < 1 || s->pool->sw < 1)
        return step_error (s, "bad pooling window", error);
      break;
    case DDAMFN_STEP_SOFTMAX:
      if (s->in.c != s->out.c || s->in.h * s->in.w != 1
          || s->out.h * s->out.w != 1)
        return step_error (s, "softmax of a tensor that is not a vector",
            error);
      break;
    case DDAMFN_STEP_REORDER:
      if (s->reorder == REORDER_ROWS) {
        if (s->in.c != s->out.c || s->in.w != s->out.w || s->row_in < 0
            || s->row_out < 0 || s->row_in >= s->in.h
            || s->row_out >= s->out.h)
          return step_error (s, "rows outside the planes", error);
      } else if ((gsize) s->in.c * s->in.h * s->in.w
          != (gsize) s->out.c * s->out.h * s->out.w) {
        return step_error (s, "reorder changes the number of values", error);
      }
      break;
    case DDAMFN_STEP_UPSAMPLE2:
      if (s->out.c != s->in.c || s->out.h != 2 * s->in.h
          || s->out.w != 2 * s->in.w || s->in.w > DDAMFN_UPSAMPLE_MAX_WIDTH)
        return step_error (s, "output is not twice the input", error);
      break;
    case DDAMFN_STEP_COORD_APPLY:
    case DDAMFN_STEP_COORD_MAX:
      if (s->out.w > DDAMFN_DW_MAX_WIDTH)
        return step_error (s, "plane wider than the row kernels take", error);
      break;
    case DDAMFN_STEP_ADD:
      if (s->in.c != s->out.c || s->aux.c > s->out.c
          || s->in.h * s->in.w != s->out.h * s->out.w
          || s->aux.h * s->aux.w != s->out.h * s->out.w)
        return step_error (s, "operands of different shapes", error);
      break;
    case DDAMFN_STEP_MAXPOOL2:
      if (s->in.c != s->out.c || s->out.h != (s->in.h + 1) / 2
          || s->out.w != (s->in.w + 1) / 2)
        return step_error (s, "output is not the pooled input", error);
      break;
    default:
      break;
  }
  return TRUE;
}

gboolean
ddamfn_plan_finalize (DdamfnPlan * plan, GError ** error)
{
  memset (plan->slot_floats, 0, sizeof plan->slot_floats);
  for (guint i = 0; i < plan->steps->len; i++) {
    const DdamfnStep *s = &g_array_index (plan->steps, DdamfnStep, i);
    const DdamfnTensor *ops[4] = { &s->in, &s->out, &s->aux, &s->aux2 };

    for (int k = 0; k < 4; k++) {
      if (!check_operand (plan, s, ops[k], k == 0, error))
        return FALSE;
      if (tensor_used (ops[k]) && ops[k]->slot >= 0)
        plan->slot_floats[ops[k]->slot] =
            MAX (plan->slot_floats[ops[k]->slot], tensor_floats (ops[k]));
    }
    if (!check_step (s, error))
      return FALSE;
    if (s->kind == DDAMFN_STEP_DEPTHWISE)
      plan->kernel_scratch = MAX (plan->kernel_scratch,
          ddamfn_op_depthwise_scratch (s->conv, s->in.h, s->in.w, s->out.h,
              s->out.w));
  }
  if (plan->finish == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
        "plan of %s has no finishing step", plan->network);
    return FALSE;
  }
  return TRUE;
}

guint
ddamfn_plan_n_steps (const DdamfnPlan * plan)
{
  return plan->steps->len;
}

const DdamfnStep *
ddamfn_plan_step (const DdamfnPlan * plan, guint i)
{
  g_return_val_if_fail (i < plan->steps->len, NULL);
  return &g_array_index (plan->steps, DdamfnStep, i);
}

int
ddamfn_plan_n_slots (const DdamfnPlan * plan)
{
  return plan->n_slots;
}

gsize
ddamfn_plan_slot_floats (const DdamfnPlan * plan, int i)
{
  g_return_val_if_fail (i >= 0 && i < plan->n_slots, 0);
  return plan->slot_floats[i];
}

gsize
ddamfn_plan_kernel_scratch_floats (const DdamfnPlan * plan)
{
  return plan->kernel_scratch;
}

gsize
ddamfn_plan_input_floats (const DdamfnPlan * plan)
{
  return plan->input_floats;
}

gsize
ddamfn_plan_result_size (const DdamfnPlan * plan)
{
  return plan->result_size;
}

void
ddamfn_plan_finish (const DdamfnPlan * plan, float *const *slots, int n,
    gpointer results)
{
  plan->finish (plan->finish_data, slots, n, results);
}

double
ddamfn_step_flops (const DdamfnStep * s)
{
  const double out_plane = (double) s->out.h * s->out.w;
  const DdamfnConv *cv = s->conv;

  switch (s->kind) {
    case DDAMFN_STEP_CONV_IM2COL:
    case DDAMFN_STEP_CONV1X1:
    case DDAMFN_STEP_DEPTHWISE:
    case DDAMFN_STEP_DEPTHWISE_WIDE:
    case DDAMFN_STEP_CONV_GENERAL:
      return 2.0 * cv->cout * (cv->cin / cv->groups) * cv->kh * cv->kw
          * out_plane;
    case DDAMFN_STEP_COORD_GATES:{
      const DdamfnGate *g = s->gate;
      const double hw = s->in.h;        /* pooled: h + w rows per face */
      return 2.0 * g->mip * g->channels * hw + 2.0 * g->channels * g->mip * hw;
    }
    case DDAMFN_STEP_COORD_POOL_LINEAR:{
      /* a (1, w) kernel for each of h rows, an (h, 1) one for each of w
       * columns */
      const DdamfnConv *lh = s->conv, *lw = s->conv2;
      return 2.0 * lh->cout * lh->kw * lw->kh + 2.0 * lw->cout * lw->kh
          * lh->kw;
    }
    case DDAMFN_STEP_GLOBAL_DEPTHWISE:
      return 2.0 * cv->cout * cv->kh * cv->kw;
    case DDAMFN_STEP_DENSE:
      return 2.0 * s->dense->in * s->dense->out;
    case DDAMFN_STEP_COORD_APPLY:
    case DDAMFN_STEP_COORD_MAX:
    case DDAMFN_STEP_ADD:
    case DDAMFN_STEP_MAXPOOL2:
    case DDAMFN_STEP_UPSAMPLE2:
    case DDAMFN_STEP_ELTWISE:
    case DDAMFN_STEP_POOL:
    case DDAMFN_STEP_SOFTMAX:
    case DDAMFN_STEP_REORDER:
      return 0.0;
  }
  return 0.0;
}

double
ddamfn_plan_flops (const DdamfnPlan * plan)
{
  double total = 0;
  for (guint i = 0; i < plan->steps->len; i++)
    total += ddamfn_step_flops (&g_array_index (plan->steps, DdamfnStep, i));
  return total;
}

const char *
ddamfn_step_kind_name (DdamfnStepKind kind)
{
  switch (kind) {
    case DDAMFN_STEP_CONV_IM2COL:
      return "conv-im2col";
    case DDAMFN_STEP_CONV1X1:
      return "conv1x1";
    case DDAMFN_STEP_DEPTHWISE:
      return "depthwise";
    case DDAMFN_STEP_COORD_GATES:
      return "coord-gates";
    case DDAMFN_STEP_COORD_APPLY:
      return "coord-apply";
    case DDAMFN_STEP_COORD_POOL_LINEAR:
      return "coord-pool";
    case DDAMFN_STEP_COORD_MAX:
      return "coord-max";
    case DDAMFN_STEP_GLOBAL_DEPTHWISE:
      return "global-dw";
    case DDAMFN_STEP_DENSE:
      return "dense";
    case DDAMFN_STEP_ADD:
      return "add";
    case DDAMFN_STEP_MAXPOOL2:
      return "maxpool2";
    case DDAMFN_STEP_DEPTHWISE_WIDE:
      return "depthwise-wide";
    case DDAMFN_STEP_UPSAMPLE2:
      return "upsample2";
    case DDAMFN_STEP_CONV_GENERAL:
      return "conv-general";
    case DDAMFN_STEP_ELTWISE:
      return "eltwise";
    case DDAMFN_STEP_POOL:
      return "pool";
    case DDAMFN_STEP_SOFTMAX:
      return "softmax";
    case DDAMFN_STEP_REORDER:
      return "reorder";
  }
  return "?";
}

static void
append_tensor (GString * out, const DdamfnPlan * plan, const DdamfnTensor * t)
{
  const char *slot = t->slot == DDAMFN_PLAN_INPUT ? "input"
      : plan->slot_names[t->slot];

  g_string_append_printf (out, "%s", slot);
  if (t->c0 > 0)
    g_string_append_printf (out, "+%d", t->c0);
  g_string_append_printf (out, "[%d×%d×%d]", t->c, t->h, t->w);
}

static const char *
act_name (DdamfnAct act)
{
  static const char *const names[] = { "none", "prelu", "relu", "hardswish",
    "sigmoid", "tanh", "relu6", "swish"
  };
  return names[act];
}

static void
describe_weights (GString * out, const DdamfnWeightStore * w)
{
  const char *path = ddamfn_weight_store_shared_path (w);
  const char *why = ddamfn_weight_store_private_reason (w);

  g_string_append_printf (out, "weights: %.2f MiB",
      ddamfn_weight_store_bytes (w) / 1048576.0);
  if (path)
    g_string_append_printf (out, ", shared from %s", path);
  else if (why)
    g_string_append_printf (out, ", private: %s", why);
  g_string_append_c (out, '\n');
}

gchar *
ddamfn_plan_describe (const DdamfnPlan * plan)
{
  GString *out = g_string_new (NULL);

  g_string_append_printf (out, "plan of %s: %u steps\n", plan->network,
      plan->steps->len);
  for (guint i = 0; i < plan->steps->len; i++) {
    const DdamfnStep *s = &g_array_index (plan->steps, DdamfnStep, i);

    g_string_append_printf (out, "%3u %-12s %-40s ", i,
        ddamfn_step_kind_name (s->kind), s->name);
    append_tensor (out, plan, &s->in);
    g_string_append (out, " -> ");
    append_tensor (out, plan, &s->out);
    if (s->conv && s->kind != DDAMFN_STEP_COORD_POOL_LINEAR)
      g_string_append_printf (out, " k%d×%d s%d", s->conv->kh, s->conv->kw,
          s->conv->stride);
    if (s->apply_bias && s->conv)
      g_string_append_printf (out, " +bias %s", act_name (s->conv->act));
    if (s->kind == DDAMFN_STEP_DENSE || s->kind == DDAMFN_STEP_ADD)
      g_string_append_printf (out, " %s", act_name (s->act));
    if (s->kind == DDAMFN_STEP_ELTWISE && s->eltwise->act != ACT_NONE)
      g_string_append_printf (out, " %s", act_name (s->eltwise->act));
    if (s->kind == DDAMFN_STEP_POOL)
      g_string_append_printf (out, " %s k%d×%d s%d×%d",
          s->pool->max ? "max" : "avg", s->pool->kh, s->pool->kw,
          s->pool->sh, s->pool->sw);
    if (s->prologue.act != ACT_NONE || s->prologue.bias)
      g_string_append_printf (out, " in: bias %s", act_name (s->prologue.act));
    if (s->accumulate)
      g_string_append (out, " accumulate");
    if (s->fused && *s->fused)
      g_string_append_printf (out, " | %s", s->fused);
    g_string_append_printf (out, " | %.0f FLOPs\n", ddamfn_step_flops (s));
  }
  g_string_append (out, "slots (floats per face):");
  for (int i = 0; i < plan->n_slots; i++)
    g_string_append_printf (out, " %s %" G_GSIZE_FORMAT, plan->slot_names[i],
        plan->slot_floats[i]);
  g_string_append_printf (out, "\ntotal FLOPs per face: %.0f\n",
      ddamfn_plan_flops (plan));
  describe_weights (out, plan->weights);
  return g_string_free (out, FALSE);
}
