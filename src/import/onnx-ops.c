/* ONNX nodes into the graph IR (onnx.c reads the file). ONNX lists nodes
 * in dependency order, so they are translated as they come. Constants
 * (initializers, Constant nodes) enter the graph when a node reads them,
 * in the layout the IR wants (a Gemm's or MatMul's matrix as [out][in]);
 * integer tensors that only describe shapes (Shape, Gather, Unsqueeze,
 * Concat of them, Reshape's target) are evaluated here, with the batch
 * taken as 1. Activations are NCHW, or N × F after a flatten: the IR keeps
 * one face's C × H × W (F × 1 × 1).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define DDAMFN_ONNX_NODES
#include "import/onnx.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>


gboolean
ddamfn_onnx_fail (Reader * r, const char *fmt, ...)
{
  va_list ap;
  char *why;

  if (r->error)
    return FALSE;
  va_start (ap, fmt);
  why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  if (r->cur->op_type[0] == '\0')
    g_set_error (&r->error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT, "%s: ONNX "
        "graph: %s", r->m->path, why);
  else
    g_set_error (&r->error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT, "%s: ONNX "
        "node '%s' (%s): %s", r->m->path, r->cur->name, r->cur->op_type, why);
  g_free (why);
  return FALSE;
}

gboolean
ddamfn_onnx_unsupported (Reader * r, const char *why)
{
  if (r->error == NULL)
    ddamfn_graph_unsupported (&r->error, r->m->path, "ONNX",
        r->cur->op_type, r->cur->name, why);
  return FALSE;
}

/* ---- attributes ----------------------------------------------------------- */

gint64
ddamfn_onnx_attr_int (Reader * r, const char *name, gint64 dflt)
{
  const OnnxAttr *a = ddamfn_onnx_attr (r->cur, name);
  return a ? a->i : dflt;
}

float
ddamfn_onnx_attr_float (Reader * r, const char *name, float dflt)
{
  const OnnxAttr *a = ddamfn_onnx_attr (r->cur, name);
  return a ? a->f : dflt;
}

/* Integer list attribute NAME: how many (up to MAX) into OUT; −1 absent. */
int
ddamfn_onnx_attr_ints (Reader * r, const char *name, gint64 * out, int max)
{
  const OnnxAttr *a = ddamfn_onnx_attr (r->cur, name);

  if (a == NULL || a->ints == NULL)
    return -1;
  if ((int) a->ints->len > max)
    return max + 1;
  memcpy (out, a->ints->data, a->ints->len * sizeof (gint64));
  return (int) a->ints->len;
}

/* ---- tensors ----------------------------------------------------------- */

const char *
ddamfn_onnx_in_name (Reader * r, int i)
{
  return i < r->n_in ? r->cur->inputs[i] : "";
}

gboolean
ddamfn_onnx_has_in (Reader * r, int i)
{
  return in_name (r, i)[0] != '\0';
}

OnnxTensor *
ddamfn_onnx_const_of (Reader * r, int i)
{
  return has_in (r, i) ? g_hash_table_lookup (r->consts, in_name (r, i)) :
      NULL;
}

/* Input I as a tensor of the graph: an activation, or a constant added on
 * first use. −1 (error set) when nothing earlier defines it. */
int
ddamfn_onnx_operand (Reader * r, int i)
{
  const char *name = in_name (r, i);
  int t = ddamfn_graph_find (r->g, name);
  OnnxTensor *c;

  if (t >= 0 || r->error)
    return r->error ? -1 : t;
  c = g_hash_table_lookup (r->consts, name);
  if (c == NULL || c->f == NULL) {
    fail (r, "input '%s' is not produced by an earlier node", name);
    return -1;
  }
  t = ddamfn_graph_add_const (r->g, name, g_memdup2 (c->f, MAX (c->count,
              1) * sizeof (float)), c->count, &r->error);
  if (t >= 0) {
    DdamfnGraphTensor *gt = ddamfn_graph_tensor (r->g, t);
    gt->ndim = MIN (c->ndim, 8);
    memcpy (gt->dims, c->dims, gt->ndim * sizeof (gint64));
  }
  return t;
}

/* A new constant made by this node, under a name of its own. */
int
ddamfn_onnx_new_const (Reader * r, const char *what, float *data, gsize count)
{
  char *name;
  int t;

  /* after a failure (e.g. a non-finite weight) nothing more is added: the
   * first error stays the one reported */
  if (r->error) {
    g_free (data);
    return -1;
  }
  name = g_strdup_printf ("%s/%s.%d", r->cur->name, what, r->serial++);
  t = ddamfn_graph_add_const (r->g, name, data, count, &r->error);

  g_free (name);
  return t;
}

/* An integer tensor made while evaluating shapes, owned by R. */
OnnxTensor *
ddamfn_onnx_new_ints (Reader * r, const char *name, const gint64 * v, gsize n)
{
  OnnxTensor *t = g_new0 (OnnxTensor, 1);

  t->name = g_strdup (name);
  t->data_type = ONNX_INT64;
  t->ndim = 1;
  t->dims[0] = (gint64) n;
  t->count = n;
  t->i = g_memdup2 (v, MAX (n, 1) * sizeof (gint64));
  t->f = g_new (float, MAX (n, 1));
  for (gsize k = 0; k < n; k++)
    t->f[k] = (float) v[k];
  g_ptr_array_add (r->owned, t);
  g_hash_table_replace (r->consts, t->name, t);
  return t;
}

const DdamfnGraphTensor *
ddamfn_onnx_T (Reader * r, int t)
{
  return ddamfn_graph_tensor (r->g, t);
}

int
ddamfn_onnx_rank_of (Reader * r, const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (r->ranks, name));
}

/* Adds N (its inputs filled in) with the node's output OUT_I; RANK is the
 * ONNX rank of the result. */
gboolean
ddamfn_onnx_add (Reader * r, DdamfnGraphNode * n, int out_i, int rank)
{
  const char *out = r->cur->outputs[out_i];

  if (r->error)
    return FALSE;
  n->name = r->cur->name;
  n->op_type = r->cur->op_type;
  if (!ddamfn_graph_add_node (r->g, n, out, &r->error))
    return FALSE;
  g_hash_table_replace (r->ranks, g_strdup (out), GINT_TO_POINTER (rank));
  return TRUE;
}

DdamfnGraphNode
ddamfn_onnx_node_new (DdamfnGraphOp op)
{
  DdamfnGraphNode n = {.op = op,.sh = 1,.sw = 1,.kh = 1,.kw = 1,
    .groups = 1
  };
  return n;
}

/* A one-input node on input 0 (an activation). */
gboolean
ddamfn_onnx_unary (Reader * r, DdamfnGraphNode * n, int rank)
{
  if ((n->in[0] = operand (r, 0)) < 0)
    return FALSE;
  if (T (r, n->in[0])->data)
    return fail (r, "its input '%s' is a constant", in_name (r, 0));
  if (n->n_in < 1)
    n->n_in = 1;
  return add (r, n, 0, rank ? rank : rank_of (r, in_name (r, 0)));
}

/* ---- windows: Conv, pooling ---------------------------------------------- */

/* Strides, pads (auto_pad included) and, for pooling, ceil_mode of a
 * window node over X into N (kernel already in N). */
static gboolean
window (Reader * r, DdamfnGraphNode * n, const DdamfnGraphTensor * x)
{
  gint64 v[8];
  int side[2] = { x->h, x->w }, k[2] = { n->kh, n->kw }, s[2];
  const OnnxAttr *ap = ddamfn_onnx_attr (r->cur, "auto_pad");
  const char *auto_pad = ap && ap->s ? ap->s : "NOTSET";
  int cnt;

  cnt = attr_ints (r, "strides", v, 2);
  s[0] = cnt == 2 ? (int) CLAMP (v[0], 0, 1 << 20) : 1;
  s[1] = cnt == 2 ? (int) CLAMP (v[1], 0, 1 << 20) : 1;
  if (cnt >= 0 && cnt != 2)
    return unsupported (r, "only 2-D windows (strides of two values)");
  n->sh = s[0];
  n->sw = s[1];
  cnt = attr_ints (r, "dilations", v, 2);
  if (cnt >= 0 && (cnt != 2 || v[0] != 1 || v[1] != 1))
    return unsupported (r, "dilations other than 1");

  memset (n->pad, 0, sizeof (n->pad));
  if (strcmp (auto_pad, "SAME_UPPER") == 0
      || strcmp (auto_pad, "SAME_LOWER") == 0) {
    for (int d = 0; d < 2; d++) {
      int out = s[d] > 0 ? (side[d] + s[d] - 1) / s[d] : 0;
      int total = MAX ((out - 1) * s[d] + k[d] - side[d], 0);
      int small = total / 2, big = total - small;
      gboolean upper = auto_pad[5] == 'U';
      n->pad[d] = upper ? small : big;
      n->pad[d + 2] = upper ? big : small;
    }
  } else if (strcmp (auto_pad, "VALID") != 0) {
    if (strcmp (auto_pad, "NOTSET") != 0)
      return unsupported (r, "this auto_pad");
    cnt = attr_ints (r, "pads", v, 4);
    if (cnt >= 0 && cnt != 4)
      return unsupported (r, "only 2-D windows (pads of four values)");
    for (int i = 0; cnt == 4 && i < 4; i++) {
      if (v[i] < 0 || v[i] > DDAMFN_GRAPH_MAX_KERNEL)
        return fail (r, "padding %" G_GINT64_FORMAT " out of range", v[i]);
      n->pad[i] = (int) v[i];   /* ONNX: top, left, bottom, right */
    }
  }
  /* ceil_mode: more windows, the last one starting inside the input or
   * its leading padding; padding after the input makes room for it */
  if (n->op == GRAPH_POOL && attr_int (r, "ceil_mode", 0)) {
    for (int d = 0; d < 2 && s[d] > 0; d++) {
      int span = side[d] + n->pad[d] + n->pad[d + 2] - k[d];
      int out;

      if (span < 0)
        continue;
      out = (span + s[d] - 1) / s[d] + 1;
      if ((out - 1) * s[d] >= side[d] + n->pad[d])
        out--;
      n->pad[d + 2] += MAX ((out - 1) * s[d] + k[d] - side[d] - n->pad[d]
          - n->pad[d + 2], 0);
    }
  }
  return TRUE;
}

static gboolean
conv (Reader * r)
{
  DdamfnGraphNode n = node_new (GRAPH_CONV);
  OnnxTensor *w = const_of (r, 1);
  gint64 ks[2];

  if (r->n_in < 2 || (n.in[0] = operand (r, 0)) < 0)
    return fail (r, "no input or no weight");
  if (w == NULL || w->ndim != 4)
    return unsupported (r, "only 2-D convolutions with constant weights");
  if (attr_ints (r, "kernel_shape", ks, 2) == 2
      && (ks[0] != w->dims[2] || ks[1] != w->dims[3]))
    return fail (r, "kernel_shape does not match the weight's shape");
  if (w->dims[2] > DDAMFN_GRAPH_MAX_KERNEL
      || w->dims[3] > DDAMFN_GRAPH_MAX_KERNEL
      || w->dims[0] > DDAMFN_GRAPH_MAX_SIDE)
    return fail (r, "weight of shape out of range");
  n.kh = (int) w->dims[2];
  n.kw = (int) w->dims[3];
  n.cout = (int) w->dims[0];
  n.groups = (int) CLAMP (attr_int (r, "group", 1), 0, G_MAXINT);
  if (!window (r, &n, T (r, n.in[0])))
    return FALSE;
  n.in[1] = operand (r, 1);
  n.in[2] = has_in (r, 2) ? operand (r, 2) : -1;
  n.n_in = 3;
  return add (r, &n, 0, 4);
}

static gboolean
pool (Reader * r, gboolean max)
{
  DdamfnGraphNode n = node_new (GRAPH_POOL);
  gint64 ks[2];

  if (attr_ints (r, "kernel_shape", ks, 2) != 2 || ks[0] < 1 || ks[1] < 1
      || ks[0] > DDAMFN_GRAPH_MAX_KERNEL || ks[1] > DDAMFN_GRAPH_MAX_KERNEL)
    return unsupported (r, "only 2-D windows up to 64 × 64");
  if (r->cur->outputs[0] && r->cur->outputs[1] && r->cur->outputs[1][0])
    return unsupported (r, "the indices output");
  if (!max && attr_int (r, "count_include_pad", 0)) {
    gint64 p[4];
    if (attr_ints (r, "pads", p, 4) == 4 && (p[0] || p[1] || p[2] || p[3]))
      return unsupported (r, "count_include_pad with padding");
  }
  n.kh = (int) ks[0];
  n.kw = (int) ks[1];
  n.max = max;
  if ((n.in[0] = operand (r, 0)) < 0 || !window (r, &n, T (r, n.in[0])))
    return FALSE;
  n.n_in = 1;
  return add (r, &n, 0, 4);
}

/* ---- element-wise ---------------------------------------------------------- */

/* Whether constant C broadcasts to an activation of RANK (2 or 4) with CH
 * channels as one value or one value per channel, by NumPy's rules (the
 * constant's axes meet the activation's last ones). */
static gboolean
broadcasts (const OnnxTensor * c, int rank, int ch)
{
  gboolean per_channel = FALSE;

  if (c->ndim > rank)
    return FALSE;
  for (int i = 0; i < c->ndim; i++) {
    int axis = rank - c->ndim + i;

    if (axis == 1 && c->dims[i] == ch)
      per_channel = TRUE;
    else if (c->dims[i] != 1)
      return FALSE;
  }
  return c->count == 1 || per_channel;
}

static gboolean
binary (Reader * r, DdamfnBinOp op)
{
  DdamfnGraphNode n = node_new (GRAPH_BINARY);
  int act = -1;

  if (r->n_in != 2)
    return fail (r, "%d inputs, expected 2", r->n_in);
  for (int i = 0; i < 2; i++) {
    OnnxTensor *c = ddamfn_graph_find (r->g, in_name (r, i)) < 0 ?
        const_of (r, i) : NULL;

    if (c == NULL)
      act = i;
  }
  if (act < 0)
    return unsupported (r, "both operands are constants");
  for (int i = 0; i < 2; i++) {
    OnnxTensor *c = i == act ? NULL : const_of (r, i);
    if ((n.in[i] = operand (r, i)) < 0)
      return FALSE;
    if (c && T (r, n.in[i])->data != NULL
        && !broadcasts (c, MAX (rank_of (r, in_name (r, act)), 2),
            T (r, n.in[act])->c))
      return unsupported (r, "a constant operand that is neither one value "
          "nor one per channel");
  }
  n.n_in = 2;
  n.bop = op;
  return add (r, &n, 0, MAX (rank_of (r, in_name (r, 0)), rank_of (r,
              in_name (r, 1))));
}

static gboolean
activation (Reader * r, DdamfnAct act)
{
  DdamfnGraphNode n = node_new (GRAPH_ACT);

  n.act = act;
  if (act == ACT_PRELU) {
    if (strcmp (r->cur->op_type, "LeakyRelu") == 0) {
      float *a = g_new (float, 1);
      a[0] = attr_float (r, "alpha", 0.01f);
      n.in[1] = new_const (r, "alpha", a, 1);
    } else {
      OnnxTensor *s = const_of (r, 1);
      int x = operand (r, 0);

      if (x < 0)
        return FALSE;
      if (s == NULL || !broadcasts (s, MAX (rank_of (r, in_name (r, 0)), 2),
              T (r, x)->c))
        return unsupported (r, "a slope that is not constant per channel");
      n.in[1] = operand (r, 1);
    }
    if (n.in[1] < 0)
      return FALSE;
    n.n_in = 2;
  }
  return unary (r, &n, 0);
}

static gboolean
clamp (Reader * r, float alpha, float beta, float lo, float hi)
{
  DdamfnGraphNode n = node_new (GRAPH_CLAMP);

  n.alpha = alpha;
  n.beta = beta;
  n.lo = lo;
  n.hi = hi;
  return unary (r, &n, 0);
}

static gboolean
clip (Reader * r)
{
  float lim[2] = { -INFINITY, INFINITY };

  if (r->m->opset < 11) {
    lim[0] = attr_float (r, "min", -INFINITY);
    lim[1] = attr_float (r, "max", INFINITY);
  }
  for (int i = 1; i <= 2; i++) {
    OnnxTensor *c;
    if (!has_in (r, i))
      continue;
    c = const_of (r, i);
    if (c == NULL || c->count != 1 || c->f == NULL)
      return unsupported (r, "limits that are not constants");
    lim[i - 1] = c->f[0];
  }
  r->n_in = 1;
  return clamp (r, 1.f, 0.f, lim[0], lim[1]);
}


/* ---- normalisation, pooling over the plane, dense layers, softmax ----- */

static gboolean
batchnorm (Reader * r)
{
  DdamfnGraphNode n = node_new (GRAPH_BATCHNORM);

  if (r->n_in != 5)
    return fail (r, "%d inputs, expected 5", r->n_in);
  for (int i = 1; i < 5; i++)
    if ((n.in[i] = operand (r, i)) < 0)
      return FALSE;
  n.n_in = 5;
  n.eps = attr_float (r, "epsilon", 1e-5f);
  return unary (r, &n, 0);
}

/* ReduceMean over W or over H alone, keeping the axis: an average pool
 * whose window is a row or a column. */
static gboolean
line_mean (Reader * r, gint64 axis)
{
  DdamfnGraphNode n = node_new (GRAPH_POOL);
  int x = operand (r, 0);

  if (x < 0)
    return FALSE;
  if (!attr_int (r, "keepdims", 1))
    return unsupported (r, "a mean over H or W alone that drops the axis");
  n.kh = axis == 2 ? T (r, x)->h : 1;
  n.kw = axis == 3 ? T (r, x)->w : 1;
  n.sh = n.sw = 1;
  r->n_in = 1;
  return unary (r, &n, 4);
}

/* GlobalAveragePool, and ReduceMean over H and W (or over one of them). */
static gboolean
plane_mean (Reader * r)
{
  DdamfnGraphNode n = node_new (GRAPH_GLOBAL_AVG);
  int rank = 4;

  if (strcmp (r->cur->op_type, "ReduceMean") == 0) {
    gint64 ax[4] = { 0 };
    int cnt = attr_ints (r, "axes", ax, 4);
    OnnxTensor *axes = const_of (r, 1);

    if (cnt < 0 && axes && axes->i && axes->count <= 4) {
      cnt = (int) axes->count;
      memcpy (ax, axes->i, cnt * sizeof (gint64));
    }
    for (int i = 0; i < cnt && i < 4; i++)
      if (ax[i] < 0)
        ax[i] += 4;
    if (rank_of (r, in_name (r, 0)) == 4 && cnt == 1
        && (ax[0] == 2 || ax[0] == 3))
      return line_mean (r, ax[0]);
    if (rank_of (r, in_name (r, 0)) != 4 || cnt != 2
        || MIN (ax[0], ax[1]) != 2 || MAX (ax[0], ax[1]) != 3)
      return unsupported (r, "only the mean over H, W or both (axes 2, 3)");
    if (!attr_int (r, "keepdims", 1))
      rank = 2;
    r->n_in = 1;
  }
  return unary (r, &n, rank);
}

/* Gemm (A · B' + C) and MatMul (A · B) with a constant B: a dense layer. */
static gboolean
dense (Reader * r, gboolean gemm)
{
  DdamfnGraphNode n = node_new (GRAPH_DENSE);
  OnnxTensor *b = const_of (r, 1), *c = gemm ? const_of (r, 2) : NULL;
  gboolean trans_b = gemm && attr_int (r, "transB", 0);
  float alpha = gemm ? attr_float (r, "alpha", 1.f) : 1.f;
  float beta = gemm ? attr_float (r, "beta", 1.f) : 1.f;
  int x, out, in;
  float *w;

  if ((x = operand (r, 0)) < 0)
    return FALSE;
  if (b == NULL || b->ndim != 2 || b->f == NULL)
    return unsupported (r, "only a product with a constant matrix");
  if (gemm && attr_int (r, "transA", 0))
    return unsupported (r, "transA");
  if (T (r, x)->h * T (r, x)->w != 1)
    return fail (r, "its input '%s' is %d × %d × %d, not a vector (a "
        "Flatten is missing)", in_name (r, 0), T (r, x)->c, T (r, x)->h,
        T (r, x)->w);
  out = (int) b->dims[trans_b ? 0 : 1];
  in = (int) b->dims[trans_b ? 1 : 0];
  if (in != T (r, x)->c || out < 1 || out > DDAMFN_GRAPH_MAX_SIDE)
    return fail (r, "a %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT " matrix "
        "for %d inputs", b->dims[0], b->dims[1], T (r, x)->c);
  /* the IR's weight is [out][in] */
  w = g_new (float, (gsize) out * in);
  for (int o = 0; o < out; o++)
    for (int i = 0; i < in; i++)
      w[(gsize) o * in + i] = alpha * (trans_b ? b->f[(gsize) o * in + i] :
          b->f[(gsize) i * out + o]);
  n.in[0] = x;
  n.in[1] = new_const (r, "weight", w, (gsize) out * in);
  n.in[2] = -1;
  n.cout = out;
  if (gemm && has_in (r, 2)) {
    float *bias;

    if (c == NULL || c->f == NULL || (c->count != 1 && c->count != (gsize)
            out))
      return unsupported (r, "a C that is not a constant per output");
    bias = g_new (float, out);
    for (int o = 0; o < out; o++)
      bias[o] = beta * c->f[c->count == 1 ? 0 : o];
    n.in[2] = new_const (r, "bias", bias, out);
  }
  n.n_in = 3;
  if (n.in[1] < 0 || (gemm && has_in (r, 2) && n.in[2] < 0))
    return FALSE;
  return add (r, &n, 0, 2);
}

static gboolean
softmax (Reader * r)
{
  DdamfnGraphNode n = node_new (GRAPH_SOFTMAX);
  int rank = rank_of (r, in_name (r, 0));
  gint64 axis = attr_int (r, "axis", r->m->opset < 13 ? 1 : -1);

  if (axis < 0)
    axis += MAX (rank, 2);
  /* over the channels of a vector: axis 1 of N × F (or of N × C × 1 × 1;
   * the IR checks that the plane is 1 × 1) */
  if (axis != 1)
    return unsupported (r, "only a softmax over the channels of a vector");
  return unary (r, &n, 0);
}

/* ---- the graph ------------------------------------------------------------ */

static gboolean
translate (Reader * r)
{
  const char *op = r->cur->op_type;
  gboolean handled = FALSE;

  if (r->cur->domain && r->cur->domain[0]
      && strcmp (r->cur->domain, "ai.onnx") != 0)
    return unsupported (r, "an operator of another domain");
  if (r->cur->outputs[0] == NULL)
    return fail (r, "no output");
  if (!ddamfn_onnx_fold_arith (r, op, &handled))
    return FALSE;
  if (handled)
    return TRUE;
  if (strcmp (op, "Conv") == 0)
    return conv (r);
  if (strcmp (op, "MaxPool") == 0 || strcmp (op, "AveragePool") == 0)
    return pool (r, op[0] == 'M');
  if (strcmp (op, "BatchNormalization") == 0)
    return batchnorm (r);
  if (strcmp (op, "Relu") == 0)
    return activation (r, ACT_RELU);
  if (strcmp (op, "Sigmoid") == 0)
    return activation (r, ACT_SIGMOID);
  if (strcmp (op, "Tanh") == 0)
    return activation (r, ACT_TANH);
  if (strcmp (op, "HardSwish") == 0)
    return activation (r, ACT_HARDSWISH);
  if (strcmp (op, "PRelu") == 0 || strcmp (op, "LeakyRelu") == 0)
    return activation (r, ACT_PRELU);
  if (strcmp (op, "HardSigmoid") == 0)
    return clamp (r, attr_float (r, "alpha", 0.2f), attr_float (r, "beta",
            0.5f), 0.f, 1.f);
  if (strcmp (op, "Clip") == 0)
    return clip (r);
  if (strcmp (op, "Add") == 0)
    return binary (r, BIN_ADD);
  if (strcmp (op, "Sub") == 0)
    return binary (r, BIN_SUB);
  if (strcmp (op, "Mul") == 0)
    return binary (r, BIN_MUL);
  if (strcmp (op, "Div") == 0)
    return binary (r, BIN_DIV);
  if (strcmp (op, "Max") == 0 || strcmp (op, "Min") == 0)
    return binary (r, op[1] == 'a' ? BIN_MAX : BIN_MIN);
  if (strcmp (op, "GlobalAveragePool") == 0 || strcmp (op, "ReduceMean") == 0)
    return plane_mean (r);
  if (strcmp (op, "Gemm") == 0 || strcmp (op, "MatMul") == 0)
    return dense (r, op[0] == 'G');
  if (strcmp (op, "Softmax") == 0)
    return softmax (r);
  if (!ddamfn_onnx_shape_node (r, op, &handled))
    return FALSE;
  return handled ? TRUE : unsupported (r, NULL);
}

/* The one input the graph computes from (not an initializer). */
static gboolean
set_input (Reader * r)
{
  const OnnxValue *in = NULL;

  for (guint i = 0; i < r->m->inputs->len; i++) {
    const OnnxValue *v = g_ptr_array_index (r->m->inputs, i);
    if (g_hash_table_contains (r->consts, v->name))
      continue;
    if (in)
      return fail (r, "more than one input ('%s', '%s')", in->name, v->name);
    in = v;
  }
  if (in == NULL)
    return fail (r, "no input");
  if (in->ndim != 4 && in->ndim != 2)
    return fail (r, "input '%s' is not N × C × H × W or N × F", in->name);
  for (int i = 1; i < in->ndim; i++)
    if (in->dims[i] < 1 || in->dims[i] > DDAMFN_GRAPH_MAX_SIDE)
      return fail (r, "input '%s': dimension %d is %" G_GINT64_FORMAT
          " (only the batch may be unknown)", in->name, i, in->dims[i]);
  g_hash_table_replace (r->ranks, g_strdup (in->name),
      GINT_TO_POINTER (in->ndim));
  if (in->ndim == 2)
    return ddamfn_graph_set_input (r->g, in->name, in->dims[1], 1, 1, FALSE,
        &r->error);
  return ddamfn_graph_set_input (r->g, in->name, in->dims[1], in->dims[2],
      in->dims[3], FALSE, &r->error);
}

DdamfnGraph *
ddamfn_onnx_build (const OnnxModel * m, GError ** error)
{
  Reader r = { 0 };
  OnnxNode none = {.name = (char *) "(graph)",.op_type = (char *) "" };

  r.m = m;
  r.g = ddamfn_graph_new (m->path, "ONNX");
  r.consts = g_hash_table_new (g_str_hash, g_str_equal);
  r.owned = g_ptr_array_new_with_free_func ((GDestroyNotify)
      ddamfn_onnx_tensor_free);
  r.ranks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  r.cur = &none;
  for (guint i = 0; i < m->initializers->len; i++) {
    OnnxTensor *t = g_ptr_array_index (m->initializers, i);
    g_hash_table_replace (r.consts, t->name, t);
  }
  if (m->metadata) {
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init (&it, m->metadata);
    while (g_hash_table_iter_next (&it, &k, &v))
      g_hash_table_replace (r.g->metadata, g_strdup (k), g_strdup (v));
  }
  if (set_input (&r)) {
    for (guint i = 0; i < m->nodes->len && r.error == NULL; i++) {
      r.cur = g_ptr_array_index (m->nodes, i);
      r.n_in = (int) g_strv_length (r.cur->inputs);
      translate (&r);
    }
    r.cur = &none;
    for (guint i = 0; i < m->outputs->len && r.error == NULL; i++) {
      const OnnxValue *v = g_ptr_array_index (m->outputs, i);
      if (ddamfn_graph_find (r.g, v->name) < 0)
        fail (&r, "graph output '%s' is not computed by any node", v->name);
      else
        ddamfn_graph_add_output (r.g, v->name, &r.error);
    }
    if (r.error == NULL && m->outputs->len == 0)
      fail (&r, "no output");
  }
  g_hash_table_unref (r.consts);
  g_ptr_array_unref (r.owned);
  g_hash_table_unref (r.ranks);
  if (r.error) {
    g_propagate_error (error, r.error);
    ddamfn_graph_free (r.g);
    return NULL;
  }
  return r.g;
}
