/* TensorFlow.js graph nodes into the graph IR (see tfjs.c for the file):
 * the nodes are put in dependency order first (iteratively: a hostile
 * chain must not exhaust the stack), then translated one by one. Fused
 * nodes (_FusedConv2D, FusedDepthwiseConv2dNative, _FusedMatMul) become
 * the plain operation plus a bias and an activation node, which the
 * lowering fuses back into one step.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/tfjs.h"

#include <stdlib.h>
#include <string.h>

#define attr_obj ddamfn_tfjs_attr_obj
#define attr_str ddamfn_tfjs_attr_str
#define attr_ints ddamfn_tfjs_attr_ints
#define attr_float ddamfn_tfjs_attr_float
#define attr_bool ddamfn_tfjs_attr_bool
#define attr_strs ddamfn_tfjs_attr_strs
#define json_int ddamfn_tfjs_json_int


typedef struct
{
  Tfjs *tj;
  GArray *nodes;                /* TNode */
  GHashTable *by_name;          /* name → index + 1 */
  int in[DDAMFN_GRAPH_MAX_IN];  /* the node being translated: its inputs */
  int n_in;
  const TNode *cur;
  int serial;
} Reader;

#define FAIL(r, ...) ddamfn_tfjs_fail ((r)->tj, __VA_ARGS__)

/* ---- building nodes ---------------------------------------------------- */

static DdamfnGraphNode
node_new (Reader * r, DdamfnGraphOp op)
{
  DdamfnGraphNode n = {.op = op,.name = (char *) r->cur->name,
    .op_type = (char *) r->cur->op,.sh = 1,.sw = 1,.kh = 1,.kw = 1,
    .groups = 1
  };
  return n;
}

/* Adds N with output OUT (the node's own name when NULL: its result);
 * the output's tensor index, or −1. */
static int
add (Reader * r, DdamfnGraphNode * n, const char *out)
{
  if (r->tj->error)
    return -1;
  if (!ddamfn_graph_add_node (r->tj->g, n, out ? out : r->cur->name,
          &r->tj->error))
    return -1;
  return ddamfn_graph_find (r->tj->g, out ? out : r->cur->name);
}

/* A name for an intermediate tensor of the current node. */
static char *
tmp_name (Reader * r, const char *what)
{
  return g_strdup_printf ("%s/%s.%d", r->cur->name, what, r->serial++);
}

static const DdamfnGraphTensor *
T (Reader * r, int i)
{
  return ddamfn_graph_tensor (r->tj->g, i);
}

static gboolean
want_inputs (Reader * r, int lo, int hi)
{
  if (r->n_in < lo || r->n_in > hi)
    return FAIL (r, "node '%s' (%s) has %d inputs, expected %d to %d",
        r->cur->name, r->cur->op, r->n_in, lo, hi);
  return TRUE;
}

static gboolean
want_const (Reader * r, int i)
{
  if (T (r, r->in[i])->data == NULL)
    return FAIL (r, "node '%s' (%s): input '%s' must be a constant",
        r->cur->name, r->cur->op, T (r, r->in[i])->name);
  return TRUE;
}

/* Strides and SAME / VALID / EXPLICIT padding of a window node over X. */
static gboolean
window (Reader * r, DdamfnGraphNode * n, const DdamfnGraphTensor * x)
{
  gint64 st[4], ex[8];
  char *pad = attr_str (r->cur, "padding");
  char *fmt = attr_str (r->cur, "data_format");
  gint64 dil[4];
  int nd = attr_ints (r->cur, "dilations", dil, 4);
  gboolean ok = TRUE;

  if (fmt && strcmp (fmt, "NHWC") != 0)
    ok = FAIL (r, "node '%s' (%s): data_format %s (only NHWC)",
        r->cur->name, r->cur->op, fmt);
  else if (nd > 0 && (nd != 4 || dil[1] != 1 || dil[2] != 1))
    ok = FAIL (r, "node '%s' (%s): dilated windows are not supported",
        r->cur->name, r->cur->op);
  else if (attr_ints (r->cur, "strides", st, 4) != 4 || st[1] < 1
      || st[2] < 1 || st[1] > 64 || st[2] > 64)
    ok = FAIL (r, "node '%s' (%s): strides missing or out of range",
        r->cur->name, r->cur->op);
  if (ok) {
    n->sh = st[1];
    n->sw = st[2];
    if (pad && strcmp (pad, "SAME") == 0) {
      const int oh = (x->h + n->sh - 1) / n->sh, ow = (x->w + n->sw - 1) / n->sw;
      const int th = MAX ((oh - 1) * n->sh + n->kh - x->h, 0);
      const int tw = MAX ((ow - 1) * n->sw + n->kw - x->w, 0);
      n->pad[0] = th / 2;
      n->pad[2] = th - th / 2;
      n->pad[1] = tw / 2;
      n->pad[3] = tw - tw / 2;
    } else if (pad && strcmp (pad, "EXPLICIT") == 0) {
      if (attr_ints (r->cur, "explicit_paddings", ex, 8) != 8)
        ok = FAIL (r, "node '%s' (%s): explicit_paddings missing",
            r->cur->name, r->cur->op);
      for (int i = 0; ok && i < 4; i++) {
        if (ex[2 + i] < 0 || ex[2 + i] > DDAMFN_GRAPH_MAX_KERNEL)
          ok = FAIL (r, "node '%s' (%s): padding out of range",
              r->cur->name, r->cur->op);
      }
      if (ok) {
        n->pad[0] = ex[2];
        n->pad[2] = ex[3];
        n->pad[1] = ex[4];
        n->pad[3] = ex[5];
      }
    } else if (pad == NULL || strcmp (pad, "VALID") != 0) {
      ok = FAIL (r, "node '%s' (%s): padding %s is not supported",
          r->cur->name, r->cur->op, pad ? pad : "(none)");
    }
  }
  g_free (pad);
  g_free (fmt);
  return ok;
}

/* An activation node on tensor X named OUT (the node's own output when
 * NULL); ACT by TensorFlow's name. −1 when unknown (error set). */
static int
activation (Reader * r, const char *act, int x, int slope, const char *out)
{
  DdamfnGraphNode n = node_new (r, GRAPH_ACT);

  n.in[0] = x;
  n.n_in = 1;
  if (strcmp (act, "Relu") == 0)
    n.act = ACT_RELU;
  else if (strcmp (act, "Relu6") == 0)
    n.act = ACT_RELU6;
  else if (strcmp (act, "Sigmoid") == 0)
    n.act = ACT_SIGMOID;
  else if (strcmp (act, "Tanh") == 0)
    n.act = ACT_TANH;
  else if (strcmp (act, "Prelu") == 0 || strcmp (act, "LeakyRelu") == 0) {
    n.act = ACT_PRELU;
    if (slope < 0) {
      float *a = g_new (float, 1);
      char *name = tmp_name (r, "alpha");
      a[0] = attr_float (r->cur, strcmp (act, "Prelu") == 0 ? "alpha"
          : (attr_obj (r->cur, "leakyrelu_alpha") ? "leakyrelu_alpha"
              : "alpha"), 0.2);
      slope = ddamfn_graph_add_const (r->tj->g, name, a, 1, &r->tj->error);
      g_free (name);
      if (slope < 0)
        return -1;
    }
    n.in[1] = slope;
    n.n_in = 2;
  } else {
    ddamfn_graph_unsupported (&r->tj->error, r->tj->g->path,
        r->tj->g->format, act, r->cur->name, "activation");
    return -1;
  }
  return add (r, &n, out);
}

/* Applies the fused_ops after the main operation (whose result is tensor
 * Y, its bias argument at input 2 already taken): the activation, if any,
 * becomes its own node with the node's name. */
static gboolean
fused_tail (Reader * r, char **ops, int y, int first_arg)
{
  int n_ops = g_strv_length (ops);

  if (n_ops == 0 || strcmp (ops[0], "BiasAdd") != 0 || n_ops > 2)
    return FAIL (r, "node '%s' (%s): fused operations other than BiasAdd "
        "followed by one activation are not supported", r->cur->name,
        r->cur->op);
  if (n_ops == 1) {
    DdamfnGraphNode id = node_new (r, GRAPH_IDENTITY);
    id.in[0] = y;
    id.n_in = 1;
    return add (r, &id, NULL) >= 0;
  }
  return activation (r, ops[1], y, strcmp (ops[1], "Prelu") == 0
      && r->n_in > first_arg + 1 ? r->in[first_arg + 1] : -1, NULL) >= 0;
}

/* Conv2D, DepthwiseConv2dNative and their fused forms. */
static gboolean
conv (Reader * r, gboolean depthwise, gboolean fused)
{
  DdamfnGraphNode n = node_new (r, GRAPH_CONV);
  const DdamfnGraphTensor *x, *f;
  char **ops = fused ? attr_strs (r->cur, "fused_ops") : NULL;
  float *w;
  char *wname, *yname;
  int kh, kw, cin, cout, wi, y;
  gboolean ok;

  if (!want_inputs (r, 2, fused ? 4 : 2) || !want_const (r, 1)
      || (fused && (r->n_in < 3 || !want_const (r, 2)))) {
    g_strfreev (ops);
    return FALSE;
  }
  x = T (r, r->in[0]);
  f = T (r, r->in[1]);
  /* HWIO; depthwise H, W, C, multiplier */
  if (f->ndim != 4 || f->dims[2] != x->c || (depthwise && f->dims[3] != 1)
      || f->dims[0] < 1 || f->dims[1] < 1
      || f->dims[0] > DDAMFN_GRAPH_MAX_KERNEL
      || f->dims[1] > DDAMFN_GRAPH_MAX_KERNEL) {
    g_strfreev (ops);
    return FAIL (r, "node '%s' (%s): filter '%s' is not [kh, kw, %d, %s]",
        r->cur->name, r->cur->op, f->name, x->c, depthwise ? "1" : "cout");
  }
  kh = f->dims[0];
  kw = f->dims[1];
  cin = x->c;
  cout = depthwise ? cin : (int) f->dims[3];
  n.kh = kh;
  n.kw = kw;
  n.cout = cout;
  n.groups = depthwise ? cin : 1;
  if (!window (r, &n, x)) {
    g_strfreev (ops);
    return FALSE;
  }
  /* HWIO (depthwise: H, W, C, 1) → [cout][cin/groups][kh][kw] */
  w = g_new (float, f->count);
  for (int o = 0; o < cout; o++)
    for (int i = 0; i < (depthwise ? 1 : cin); i++)
      for (int k = 0; k < kh * kw; k++)
        w[((gsize) o * (depthwise ? 1 : cin) + i) * kh * kw + k] = depthwise
            ? f->data[(gsize) k * cin + o]
            : f->data[((gsize) k * cin + i) * cout + o];
  wname = tmp_name (r, "weight");
  wi = ddamfn_graph_add_const (r->tj->g, wname, w, f->count, &r->tj->error);
  g_free (wname);
  n.in[0] = r->in[0];
  n.in[1] = wi;
  n.in[2] = fused ? r->in[2] : -1;
  n.n_in = 3;
  if (!fused) {
    ok = wi >= 0 && add (r, &n, NULL) >= 0;
  } else {
    yname = tmp_name (r, "conv");
    y = wi >= 0 ? add (r, &n, yname) : -1;
    g_free (yname);
    ok = y >= 0 && fused_tail (r, ops, y, 2);
  }
  g_strfreev (ops);
  return ok;
}

/* MatMul and _FusedMatMul of a vector by a constant [K][M] matrix. */
static gboolean
matmul (Reader * r, gboolean fused)
{
  DdamfnGraphNode n = node_new (r, GRAPH_DENSE);
  const DdamfnGraphTensor *x, *m;
  char **ops;
  float *w;
  char *name;
  int wi, y, k, cout;
  const gboolean tb = attr_bool (r->cur, "transpose_b");
  gboolean ok;

  if (!want_inputs (r, 2, fused ? 4 : 2) || !want_const (r, 1)
      || (fused && (r->n_in < 3 || !want_const (r, 2))))
    return FALSE;
  if (attr_bool (r->cur, "transpose_a"))
    return FAIL (r, "node '%s' (%s): transpose_a is not supported",
        r->cur->name, r->cur->op);
  x = T (r, r->in[0]);
  m = T (r, r->in[1]);
  k = x->c * x->h * x->w;
  if (x->h * x->w != 1 || m->count % k)
    return FAIL (r, "node '%s' (%s): %" G_GSIZE_FORMAT " weights for an "
        "input of %d × %d × %d", r->cur->name, r->cur->op, m->count, x->c,
        x->h, x->w);
  cout = m->count / k;
  w = g_new (float, m->count);
  for (int o = 0; o < cout; o++)
    for (int i = 0; i < k; i++)
      w[(gsize) o * k + i] = tb ? m->data[(gsize) o * k + i]
          : m->data[(gsize) i * cout + o];
  name = tmp_name (r, "weight");
  wi = ddamfn_graph_add_const (r->tj->g, name, w, m->count, &r->tj->error);
  g_free (name);
  n.in[0] = r->in[0];
  n.in[1] = wi;
  n.in[2] = fused ? r->in[2] : -1;
  n.n_in = 3;
  n.cout = cout;
  if (!fused)
    return wi >= 0 && add (r, &n, NULL) >= 0;
  ops = attr_strs (r->cur, "fused_ops");
  name = tmp_name (r, "matmul");
  y = wi >= 0 ? add (r, &n, name) : -1;
  g_free (name);
  ok = y >= 0 && fused_tail (r, ops, y, 2);
  g_strfreev (ops);
  return ok;
}

static gboolean
pool (Reader * r, gboolean max)
{
  DdamfnGraphNode n = node_new (r, GRAPH_POOL);
  gint64 k[4];

  if (!want_inputs (r, 1, 1))
    return FALSE;
  if (attr_ints (r->cur, "ksize", k, 4) != 4 || k[1] < 1 || k[2] < 1
      || k[1] > DDAMFN_GRAPH_MAX_KERNEL || k[2] > DDAMFN_GRAPH_MAX_KERNEL
      || k[0] != 1 || k[3] != 1)
    return FAIL (r, "node '%s' (%s): ksize missing or out of range",
        r->cur->name, r->cur->op);
  n.kh = k[1];
  n.kw = k[2];
  n.max = max;
  n.in[0] = r->in[0];
  n.n_in = 1;
  return window (r, &n, T (r, r->in[0])) && add (r, &n, NULL) >= 0;
}

static gboolean
simple (Reader * r, DdamfnGraphOp op, int n_in)
{
  DdamfnGraphNode n = node_new (r, op);

  if (!want_inputs (r, n_in, n_in))
    return FALSE;
  memcpy (n.in, r->in, n_in * sizeof (int));
  n.n_in = n_in;
  return add (r, &n, NULL) >= 0;
}

static gboolean
binary (Reader * r, DdamfnBinOp op)
{
  DdamfnGraphNode n = node_new (r, GRAPH_BINARY);

  if (!want_inputs (r, 2, 2))
    return FALSE;
  n.in[0] = r->in[0];
  n.in[1] = r->in[1];
  n.n_in = 2;
  n.bop = op;
  return add (r, &n, NULL) >= 0;
}

/* Mean over H and W (axes 1 and 2 of NHWC). */
static gboolean
mean (Reader * r)
{
  const DdamfnGraphTensor *ax;

  if (!want_inputs (r, 2, 2) || !want_const (r, 1))
    return FALSE;
  ax = T (r, r->in[1]);
  if (ax->count != 2 || MIN (ax->data[0], ax->data[1]) != 1
      || MAX (ax->data[0], ax->data[1]) != 2)
    return FAIL (r, "node '%s' (Mean): only the mean over H and W (axes 1, "
        "2) is supported", r->cur->name);
  r->n_in = 1;
  return simple (r, GRAPH_GLOBAL_AVG, 1);
}

/* Reshape / Squeeze to a vector: free for a 1 × 1 plane, else a flatten in
 * NHWC order. */
static gboolean
to_vector (Reader * r)
{
  const DdamfnGraphTensor *x = T (r, r->in[0]);
  DdamfnGraphNode n = node_new (r, GRAPH_FLATTEN);

  if (strcmp (r->cur->op, "Reshape") == 0) {
    const DdamfnGraphTensor *s;
    if (!want_inputs (r, 2, 2) || !want_const (r, 1))
      return FALSE;
    s = T (r, r->in[1]);
    if (s->count != 2 || (s->data[0] != -1 && s->data[0] != 1)
        || s->data[1] != (float) x->c * x->h * x->w)
      return FAIL (r, "node '%s' (Reshape): only a reshape to [-1, %d] "
          "(flattening) is supported", r->cur->name, x->c * x->h * x->w);
  } else if (x->h * x->w != 1) {
    return FAIL (r, "node '%s' (%s) of a %d × %d plane", r->cur->name,
        r->cur->op, x->h, x->w);
  }
  n.in[0] = r->in[0];
  n.n_in = 1;
  n.hwc = TRUE;
  return add (r, &n, NULL) >= 0;
}

static gboolean
concat (Reader * r)
{
  DdamfnGraphNode n = node_new (r, GRAPH_CONCAT);
  const DdamfnGraphTensor *ax;

  if (!want_inputs (r, 2, DDAMFN_GRAPH_MAX_IN) || !want_const (r,
          r->n_in - 1))
    return FALSE;
  ax = T (r, r->in[r->n_in - 1]);
  if (ax->count != 1 || (ax->data[0] != 3 && ax->data[0] != -1))
    return FAIL (r, "node '%s' (%s): only concatenation along the "
        "channels (axis 3) is supported", r->cur->name, r->cur->op);
  n.n_in = r->n_in - 1;
  memcpy (n.in, r->in, n.n_in * sizeof (int));
  return add (r, &n, NULL) >= 0;
}

static gboolean
placeholder (Reader * r)
{
  JsonObject *a = attr_obj (r->cur, "shape");
  JsonNode *sn = a ? json_object_get_member (a, "shape") : NULL;
  JsonNode *dn = sn && JSON_NODE_HOLDS_OBJECT (sn)
      ? json_object_get_member (json_node_get_object (sn), "dim") : NULL;
  gint64 d[4];
  guint nd;

  if (r->tj->g->input >= 0)
    return FAIL (r, "more than one input (Placeholder '%s')", r->cur->name);
  if (dn == NULL || !JSON_NODE_HOLDS_ARRAY (dn)
      || (nd = json_array_get_length (json_node_get_array (dn))) < 2
      || nd > 4 || nd == 3)
    return FAIL (r, "input '%s' has no [N, H, W, C] or [N, K] shape",
        r->cur->name);
  for (guint i = 0; i < nd; i++) {
    JsonNode *e = json_array_get_element (json_node_get_array (dn), i);
    JsonNode *size = JSON_NODE_HOLDS_OBJECT (e)
        ? json_object_get_member (json_node_get_object (e), "size") : NULL;
    if (!json_int (size, &d[i]))
      d[i] = -1;                /* TensorFlow.js leaves out a size of -1 */
    if (i > 0 && (d[i] < 1 || d[i] > DDAMFN_GRAPH_MAX_SIDE))
      return FAIL (r, "input '%s': dimension %u is %" G_GINT64_FORMAT
          " (only the batch may be unknown)", r->cur->name, i, d[i]);
  }
  if (nd == 2)
    return ddamfn_graph_set_input (r->tj->g, r->cur->name, d[1], 1, 1, TRUE,
        &r->tj->error);
  return ddamfn_graph_set_input (r->tj->g, r->cur->name, d[3], d[1], d[2],
      TRUE, &r->tj->error);
}

static gboolean
translate (Reader * r)
{
  const char *op = r->cur->op;

  if (strcmp (op, "Const") == 0) {
    if (ddamfn_graph_find (r->tj->g, r->cur->name) < 0)
      return FAIL (r, "constant '%s' is not in the weights manifest",
          r->cur->name);
    return TRUE;
  }
  if (strcmp (op, "Placeholder") == 0)
    return placeholder (r);
  if (strcmp (op, "NoOp") == 0)
    return TRUE;
  if (strcmp (op, "_FusedConv2D") == 0)
    return conv (r, FALSE, TRUE);
  if (strcmp (op, "Conv2D") == 0)
    return conv (r, FALSE, FALSE);
  if (strcmp (op, "DepthwiseConv2dNative") == 0)
    return conv (r, TRUE, FALSE);
  if (strcmp (op, "FusedDepthwiseConv2dNative") == 0)
    return conv (r, TRUE, TRUE);
  if (strcmp (op, "MatMul") == 0)
    return matmul (r, FALSE);
  if (strcmp (op, "_FusedMatMul") == 0)
    return matmul (r, TRUE);
  if (strcmp (op, "MaxPool") == 0 || strcmp (op, "AvgPool") == 0)
    return pool (r, op[0] == 'M');
  if (strcmp (op, "AddV2") == 0 || strcmp (op, "Add") == 0
      || strcmp (op, "BiasAdd") == 0)
    return binary (r, BIN_ADD);
  if (strcmp (op, "Sub") == 0)
    return binary (r, BIN_SUB);
  if (strcmp (op, "Mul") == 0)
    return binary (r, BIN_MUL);
  if (strcmp (op, "RealDiv") == 0 || strcmp (op, "Div") == 0)
    return binary (r, BIN_DIV);
  if (strcmp (op, "Relu") == 0 || strcmp (op, "Relu6") == 0
      || strcmp (op, "Sigmoid") == 0 || strcmp (op, "Tanh") == 0
      || strcmp (op, "LeakyRelu") == 0 || strcmp (op, "Prelu") == 0)
    return want_inputs (r, 1, op[0] == 'P' ? 2 : 1)
        && activation (r, op, r->in[0], r->n_in > 1 ? r->in[1] : -1,
        NULL) >= 0;
  if (strcmp (op, "Mean") == 0)
    return mean (r);
  if (strcmp (op, "FusedBatchNorm") == 0
      || strcmp (op, "FusedBatchNormV3") == 0) {
    DdamfnGraphNode n = node_new (r, GRAPH_BATCHNORM);
    if (!want_inputs (r, 5, 5))
      return FALSE;
    memcpy (n.in, r->in, 5 * sizeof (int));
    n.n_in = 5;
    n.eps = attr_float (r->cur, "epsilon", 1e-3);
    return add (r, &n, NULL) >= 0;
  }
  if (strcmp (op, "Softmax") == 0)
    return simple (r, GRAPH_SOFTMAX, 1);
  if (strcmp (op, "Identity") == 0 || strcmp (op, "StopGradient") == 0)
    return simple (r, GRAPH_IDENTITY, 1);
  if (strcmp (op, "Reshape") == 0 || strcmp (op, "Squeeze") == 0)
    return to_vector (r);
  if (strcmp (op, "ConcatV2") == 0 || strcmp (op, "Concat") == 0)
    return concat (r);
  ddamfn_graph_unsupported (&r->tj->error, r->tj->g->path, r->tj->g->format,
      op, r->cur->name, NULL);
  return FALSE;
}

/* ---- order and outputs ------------------------------------------------- */

static const char *
obj_name (JsonObject * o)
{
  JsonNode *n = json_object_get_member (o, "name");

  return n && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_STRING
      ? json_node_get_string (n) : NULL;
}

/* Input I of node N as a node name (into BUF): NULL for a control input
 * ("^name"); ":0" dropped, another output index refused. */
static const char *
input_name (Reader * r, const TNode * n, guint i, char *buf, gsize size)
{
  JsonNode *e = json_array_get_element (n->inputs, i);
  const char *s, *colon;

  if (!JSON_NODE_HOLDS_VALUE (e)
      || json_node_get_value_type (e) != G_TYPE_STRING) {
    FAIL (r, "node '%s': an input is not a string", n->name);
    return NULL;
  }
  s = json_node_get_string (e);
  if (s[0] == '^')
    return NULL;
  colon = strrchr (s, ':');
  if (colon && strcmp (colon, ":0") != 0) {
    FAIL (r, "node '%s' reads output '%s' (only the first output of a node "
        "is supported)", n->name, s);
    return NULL;
  }
  g_strlcpy (buf, s, MIN (size, colon ? (gsize) (colon - s) + 1 : size));
  return buf;
}

static int
node_index (Reader * r, const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (r->by_name, name)) - 1;
}

/* Translates node START after every node it reads, with an explicit stack. */
static void
visit (Reader * r, int start)
{
  GArray *stack = g_array_new (FALSE, FALSE, sizeof (int));
  char buf[512];

  g_array_append_val (stack, start);
  while (stack->len > 0 && !r->tj->error) {
    const int k = g_array_index (stack, int, stack->len - 1);
    TNode *n = &g_array_index (r->nodes, TNode, k);
    gboolean pushed = FALSE;

    if (n->state == 2) {
      g_array_set_size (stack, stack->len - 1);
      continue;
    }
    n->state = 1;
    for (guint i = 0; n->inputs && i < json_array_get_length (n->inputs)
        && !r->tj->error; i++) {
      const char *in = input_name (r, n, i, buf, sizeof buf);
      int j = in ? node_index (r, in) : -1;
      if (in && j < 0)
        FAIL (r, "node '%s' reads '%s', which no node defines", n->name, in);
      else if (j >= 0 && g_array_index (r->nodes, TNode, j).state == 1
          && j != k)
        FAIL (r, "the graph has a cycle through node '%s'", n->name);
      else if (j >= 0 && g_array_index (r->nodes, TNode, j).state == 0) {
        g_array_append_val (stack, j);
        pushed = TRUE;
        break;
      }
    }
    if (pushed || r->tj->error)
      continue;
    /* every input done: translate */
    r->cur = n;
    r->n_in = 0;
    for (guint i = 0; n->inputs && i < json_array_get_length (n->inputs)
        && !r->tj->error; i++) {
      const char *in = input_name (r, n, i, buf, sizeof buf);
      int t;
      if (in == NULL)
        continue;
      t = ddamfn_graph_find (r->tj->g, in);
      if (t < 0)
        FAIL (r, "node '%s' reads '%s', which has no value", n->name, in);
      else if (r->n_in >= DDAMFN_GRAPH_MAX_IN)
        FAIL (r, "node '%s' has more than %d inputs", n->name,
            DDAMFN_GRAPH_MAX_IN);
      else
        r->in[r->n_in++] = t;
    }
    if (!r->tj->error)
      translate (r);
    n->state = 2;
    g_array_set_size (stack, stack->len - 1);
  }
  g_array_free (stack, TRUE);
}

static gboolean
read_node_list (Reader * r, JsonObject * root)
{
  JsonNode *tn = json_object_get_member (root, "modelTopology");
  JsonNode *nn = tn && JSON_NODE_HOLDS_OBJECT (tn)
      ? json_object_get_member (json_node_get_object (tn), "node") : NULL;
  JsonArray *arr;

  if (nn == NULL || !JSON_NODE_HOLDS_ARRAY (nn))
    return FAIL (r, "no modelTopology.node list");
  arr = json_node_get_array (nn);
  if (json_array_get_length (arr) > DDAMFN_GRAPH_MAX_NODES)
    return FAIL (r, "more than %d nodes", DDAMFN_GRAPH_MAX_NODES);
  for (guint i = 0; i < json_array_get_length (arr); i++) {
    JsonNode *e = json_array_get_element (arr, i);
    JsonObject *o = JSON_NODE_HOLDS_OBJECT (e) ? json_node_get_object (e)
        : NULL;
    JsonNode *in = o ? json_object_get_member (o, "input") : NULL;
    JsonNode *at = o ? json_object_get_member (o, "attr") : NULL;
    JsonNode *nm = o ? json_object_get_member (o, "name") : NULL;
    JsonNode *op = o ? json_object_get_member (o, "op") : NULL;
    TNode t = { 0 };

    if (nm == NULL || op == NULL || !JSON_NODE_HOLDS_VALUE (nm)
        || !JSON_NODE_HOLDS_VALUE (op)
        || json_node_get_value_type (nm) != G_TYPE_STRING
        || json_node_get_value_type (op) != G_TYPE_STRING
        || (in && !JSON_NODE_HOLDS_ARRAY (in))
        || (at && !JSON_NODE_HOLDS_OBJECT (at)))
      return FAIL (r, "node %u lacks a name or an op, or has malformed "
          "inputs or attributes", i);
    t.name = json_node_get_string (nm);
    t.op = json_node_get_string (op);
    t.inputs = in ? json_node_get_array (in) : NULL;
    t.attr = at ? json_node_get_object (at) : NULL;
    if (strlen (t.name) >= 400)
      return FAIL (r, "node %u has a name longer than 400 bytes", i);
    if (node_index (r, t.name) >= 0)
      return FAIL (r, "two nodes are named '%s'", t.name);
    g_array_append_val (r->nodes, t);
    g_hash_table_insert (r->by_name, (gpointer) t.name,
        GINT_TO_POINTER (r->nodes->len));
  }
  return TRUE;
}

/* The signature's outputs ("name": "Identity:0"), else every node nothing
 * reads (constants and no-ops aside), in file order. */
static void
collect_outputs (Reader * r, JsonObject * root, GPtrArray * out)
{
  JsonNode *sg = json_object_get_member (root, "signature");
  JsonNode *on = sg && JSON_NODE_HOLDS_OBJECT (sg)
      ? json_object_get_member (json_node_get_object (sg), "outputs") : NULL;
  GHashTable *read = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  char buf[512];

  if (on && JSON_NODE_HOLDS_OBJECT (on)) {
    GList *members = json_object_get_members (json_node_get_object (on));
    for (GList * l = members; l; l = l->next) {
      JsonNode *m = json_object_get_member (json_node_get_object (on),
          l->data);
      const char *name = m && JSON_NODE_HOLDS_OBJECT (m)
          ? obj_name (json_node_get_object (m)) : NULL;
      if (name)
        g_ptr_array_add (out, g_strndup (name, strcspn (name, ":")));
    }
    g_list_free (members);
  }
  if (out->len == 0) {
    for (guint k = 0; k < r->nodes->len; k++) {
      TNode *n = &g_array_index (r->nodes, TNode, k);
      for (guint i = 0; n->inputs && i < json_array_get_length (n->inputs);
          i++) {
        const char *in = input_name (r, n, i, buf, sizeof buf);
        if (in)
          g_hash_table_add (read, g_strdup (in));
      }
    }
    for (guint k = 0; k < r->nodes->len; k++) {
      TNode *n = &g_array_index (r->nodes, TNode, k);
      if (!g_hash_table_contains (read, n->name) && strcmp (n->op, "Const")
          && strcmp (n->op, "NoOp") && strcmp (n->op, "Placeholder"))
        g_ptr_array_add (out, g_strdup (n->name));
    }
  }
  g_hash_table_destroy (read);
}

void
ddamfn_tfjs_read_nodes (Tfjs * tj, JsonObject * root)
{
  Reader r = {.tj = tj };
  GPtrArray *outs = g_ptr_array_new_with_free_func (g_free);

  r.nodes = g_array_new (FALSE, TRUE, sizeof (TNode));
  r.by_name = g_hash_table_new (g_str_hash, g_str_equal);
  if (read_node_list (&r, root)) {
    collect_outputs (&r, root, outs);
    if (outs->len == 0 && !tj->error)
      FAIL (&r, "the graph has no output");
    for (guint i = 0; i < outs->len && !tj->error; i++) {
      int k = node_index (&r, outs->pdata[i]);
      if (k < 0)
        FAIL (&r, "output '%s' is not a node", (char *) outs->pdata[i]);
      else
        visit (&r, k);
    }
    if (!tj->error && tj->g->input < 0)
      FAIL (&r, "the outputs do not depend on an input (Placeholder)");
    for (guint i = 0; i < outs->len && !tj->error; i++)
      ddamfn_graph_add_output (tj->g, outs->pdata[i], &tj->error);
  }
  g_ptr_array_free (outs, TRUE);
  g_hash_table_destroy (r.by_name);
  g_array_free (r.nodes, TRUE);
}
