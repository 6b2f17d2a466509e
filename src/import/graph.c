/* The graph IR (see graph.h): tensors by name, nodes checked and their
 * output shapes inferred as they are added.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/graph.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

static void
tensor_free (gpointer p)
{
  DdamfnGraphTensor *t = p;

  g_free (t->name);
  g_free (t->data);
  g_free (t);
}

DdamfnGraph *
ddamfn_graph_new (const char *path, const char *format)
{
  DdamfnGraph *g = g_new0 (DdamfnGraph, 1);

  g->path = g_strdup (path);
  g->format = format;
  g->tensors = g_ptr_array_new_with_free_func (tensor_free);
  g->nodes = g_array_new (FALSE, TRUE, sizeof (DdamfnGraphNode));
  g->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  g->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  g->input = -1;
  return g;
}

void
ddamfn_graph_free (DdamfnGraph * g)
{
  if (g == NULL)
    return;
  for (guint i = 0; i < g->nodes->len; i++) {
    DdamfnGraphNode *n = &g_array_index (g->nodes, DdamfnGraphNode, i);
    g_free (n->name);
    g_free (n->op_type);
  }
  g_array_free (g->nodes, TRUE);
  g_hash_table_unref (g->by_name);
  g_hash_table_unref (g->metadata);
  g_ptr_array_free (g->tensors, TRUE);
  g_free (g->path);
  g_free (g);
}

DdamfnGraphTensor *
ddamfn_graph_tensor (const DdamfnGraph * g, int i)
{
  return g_ptr_array_index (g->tensors, i);
}

const DdamfnGraphNode *
ddamfn_graph_node (const DdamfnGraph * g, int i)
{
  return &g_array_index (g->nodes, DdamfnGraphNode, i);
}

int
ddamfn_graph_find (const DdamfnGraph * g, const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (g->by_name, name)) - 1;
}

void
ddamfn_graph_unsupported (GError ** error, const char *path,
    const char *format, const char *op, const char *node, const char *why)
{
  g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
      "%s: %s operator '%s' (node '%s') is not supported%s%s", path, format,
      op, node, why ? ": " : "", why ? why : "");
}

static int
add_tensor (DdamfnGraph * g, const char *name, GError ** error)
{
  DdamfnGraphTensor *t;

  if (ddamfn_graph_find (g, name) >= 0) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: tensor '%s' is defined twice", g->path, name);
    return -1;
  }
  if (g->tensors->len >= DDAMFN_GRAPH_MAX_TENSORS) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: more than %d tensors", g->path, DDAMFN_GRAPH_MAX_TENSORS);
    return -1;
  }
  t = g_new0 (DdamfnGraphTensor, 1);
  t->name = g_strdup (name);
  t->producer = -1;
  g_ptr_array_add (g->tensors, t);
  g_hash_table_insert (g->by_name, t->name,
      GINT_TO_POINTER (g->tensors->len));
  return g->tensors->len - 1;
}

int
ddamfn_graph_add_const (DdamfnGraph * g, const char *name, float *data,
    gsize count, GError ** error)
{
  int i;

  for (gsize k = 0; k < count; k++)
    if (!isfinite (data[k])) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
          "%s: constant '%s' holds a non-finite value", g->path, name);
      g_free (data);
      return -1;
    }
  i = add_tensor (g, name, error);
  if (i < 0) {
    g_free (data);
    return -1;
  }
  ddamfn_graph_tensor (g, i)->data = data;
  ddamfn_graph_tensor (g, i)->count = count;
  return i;
}

static gboolean
shape_ok (int c, int h, int w)
{
  /* channels unbounded but by the total: a flattened plane is a vector */
  return c >= 1 && h >= 1 && w >= 1 && h <= DDAMFN_GRAPH_MAX_SIDE && w <= DDAMFN_GRAPH_MAX_SIDE
      && (guint64) c * h * w <= DDAMFN_GRAPH_MAX_PLANE_FLOATS;
}

gboolean
ddamfn_graph_set_input (DdamfnGraph * g, const char *name, int c, int h,
    int w, gboolean nhwc, GError ** error)
{
  int i;

  if (!shape_ok (c, h, w)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: input '%s' has an unsupported shape (%d channels, %d × %d)",
        g->path, name, c, h, w);
    return FALSE;
  }
  i = add_tensor (g, name, error);
  if (i < 0)
    return FALSE;
  ddamfn_graph_tensor (g, i)->c = c;
  ddamfn_graph_tensor (g, i)->h = h;
  ddamfn_graph_tensor (g, i)->w = w;
  g->input = i;
  g->input_nhwc = nhwc;
  return TRUE;
}

gboolean
ddamfn_graph_add_output (DdamfnGraph * g, const char *name, GError ** error)
{
  int i = ddamfn_graph_find (g, name);

  if (i < 0 || ddamfn_graph_tensor (g, i)->data != NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: output '%s' is not a tensor the graph computes", g->path, name);
    return FALSE;
  }
  if (g->n_outputs >= DDAMFN_GRAPH_MAX_OUTPUTS) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: more than %d outputs", g->path, DDAMFN_GRAPH_MAX_OUTPUTS);
    return FALSE;
  }
  g->outputs[g->n_outputs++] = i;
  return TRUE;
}

/* ---- checks and shapes ------------------------------------------------- */

typedef struct
{
  const DdamfnGraph *g;
  const DdamfnGraphNode *n;
  GError **error;
} Check;

static gboolean
bad (Check * k, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
bad (Check * k, const char *fmt, ...)
{
  va_list ap;
  char *why;

  va_start (ap, fmt);
  why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (k->error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
      "%s: %s node '%s' (%s): %s", k->g->path, k->g->format, k->n->name,
      k->n->op_type, why);
  g_free (why);
  return FALSE;
}

static const DdamfnGraphTensor *
in_t (Check * k, int i)
{
  return ddamfn_graph_tensor (k->g, k->n->in[i]);
}

/* Input I is a constant of COUNT floats (any count when COUNT is 0). */
static gboolean
want_const (Check * k, int i, gsize count, const char *what)
{
  const DdamfnGraphTensor *t;

  if (i >= k->n->n_in || k->n->in[i] < 0)
    return bad (k, "no %s", what);
  t = in_t (k, i);
  if (t->data == NULL)
    return bad (k, "%s '%s' is not a constant", what, t->name);
  if (count && t->count != count)
    return bad (k, "%s '%s' has %" G_GSIZE_FORMAT " values, expected %"
        G_GSIZE_FORMAT, what, t->name, t->count, count);
  return TRUE;
}

static gboolean
want_act (Check * k, int i)
{
  if (i >= k->n->n_in || k->n->in[i] < 0 || in_t (k, i)->data != NULL)
    return bad (k, "input %d is not a computed tensor", i);
  return TRUE;
}

/* Output side of a window over SIDE with padding A + B. */
static int
window_out (int side, int k, int s, int a, int b)
{
  int span = side + a + b - k;
  return span < 0 ? 0 : span / s + 1;
}

static gboolean
check_window (Check * k, const DdamfnGraphTensor * x, int *oh, int *ow)
{
  const DdamfnGraphNode *n = k->n;

  for (int i = 0; i < 4; i++)
    if (n->pad[i] < 0 || n->pad[i] > DDAMFN_GRAPH_MAX_KERNEL)
      return bad (k, "padding %d out of range", n->pad[i]);
  if (n->kh < 1 || n->kw < 1 || n->kh > DDAMFN_GRAPH_MAX_KERNEL
      || n->kw > DDAMFN_GRAPH_MAX_KERNEL || n->sh < 1 || n->sw < 1
      || n->sh > DDAMFN_GRAPH_MAX_KERNEL || n->sw > DDAMFN_GRAPH_MAX_KERNEL)
    return bad (k, "window %d × %d, strides %d × %d out of range", n->kh,
        n->kw, n->sh, n->sw);
  *oh = window_out (x->h, n->kh, n->sh, n->pad[0], n->pad[2]);
  *ow = window_out (x->w, n->kw, n->sw, n->pad[1], n->pad[3]);
  if (*oh < 1 || *ow < 1)
    return bad (k, "window larger than the padded %d × %d input", x->h, x->w);
  return TRUE;
}

static gboolean
infer_conv (Check * k, int *c, int *h, int *w)
{
  const DdamfnGraphNode *n = k->n;
  const DdamfnGraphTensor *x = in_t (k, 0);

  if (n->groups < 1 || x->c % n->groups || n->cout < 1
      || n->cout > DDAMFN_GRAPH_MAX_SIDE || n->cout % n->groups)
    return bad (k, "%d groups do not divide %d input and %d output "
        "channels", n->groups, x->c, n->cout);
  if (!want_const (k, 1, (gsize) n->cout * (x->c / n->groups) * n->kh
          * n->kw, "weight"))
    return FALSE;
  if (n->n_in > 2 && n->in[2] >= 0 && !want_const (k, 2, n->cout, "bias"))
    return FALSE;
  *c = n->cout;
  return check_window (k, x, h, w);
}

static gboolean
infer_binary (Check * k, int *c, int *h, int *w)
{
  const DdamfnGraphTensor *a = in_t (k, 0), *b = in_t (k, 1);
  const DdamfnGraphTensor *x = a->data ? b : a, *o = a->data ? a : b;

  if (x->data)
    return bad (k, "both operands are constants");
  *c = x->c;
  *h = x->h;
  *w = x->w;
  if (o->data) {
    if (o->count != 1 && o->count != (gsize) x->c)
      return bad (k, "constant '%s' of %" G_GSIZE_FORMAT " values does not "
          "broadcast to %d channels", o->name, o->count, x->c);
    return TRUE;
  }
  if (a->c == b->c && a->h == b->h && a->w == b->w)
    return TRUE;
  if (a->c == b->c && (a->h * a->w == 1 || b->h * b->w == 1)) {
    const DdamfnGraphTensor *big = a->h * a->w == 1 ? b : a;
    *h = big->h;
    *w = big->w;
    return TRUE;
  }
  /* planes along H and W: each side equal or 1 */
  if (a->c == b->c && (a->h == b->h || a->h == 1 || b->h == 1)
      && (a->w == b->w || a->w == 1 || b->w == 1)) {
    *h = MAX (a->h, b->h);
    *w = MAX (a->w, b->w);
    return TRUE;
  }
  return bad (k, "operands %d × %d × %d and %d × %d × %d do not broadcast",
      a->c, a->h, a->w, b->c, b->h, b->w);
}

/* Output shape of the node K checks; FALSE (error set) when its inputs and
 * parameters do not agree. */
static gboolean
infer (Check * k, int *c, int *h, int *w)
{
  const DdamfnGraphNode *n = k->n;
  const DdamfnGraphTensor *x;

  if (n->op != GRAPH_BINARY && !want_act (k, 0))
    return FALSE;
  if (n->op == GRAPH_BINARY && (n->n_in != 2 || n->in[0] < 0
          || n->in[1] < 0))
    return bad (k, "expected two inputs");
  x = in_t (k, 0);
  *c = x->c;
  *h = x->h;
  *w = x->w;
  switch (n->op) {
    case GRAPH_CONV:
      return infer_conv (k, c, h, w);
    case GRAPH_DENSE:
      if (x->h * x->w != 1)
        return bad (k, "input %d × %d × %d is not a vector", x->c, x->h,
            x->w);
      if (n->cout < 1 || n->cout > DDAMFN_GRAPH_MAX_SIDE * 64)
        return bad (k, "%d outputs", n->cout);
      if (!want_const (k, 1, (gsize) n->cout * x->c, "weight"))
        return FALSE;
      if (n->n_in > 2 && n->in[2] >= 0 && !want_const (k, 2, n->cout,
              "bias"))
        return FALSE;
      *c = n->cout;
      return TRUE;
    case GRAPH_BATCHNORM:
      for (int i = 1; i <= 4; i++)
        if (!want_const (k, i, x->c, "BatchNorm parameter"))
          return FALSE;
      if (!(n->eps >= 0.f) || !isfinite (n->eps))
        return bad (k, "epsilon %g", n->eps);
      return TRUE;
    case GRAPH_ACT:
      if (n->act == ACT_PRELU) {
        if (!want_const (k, 1, 0, "slope"))
          return FALSE;
        if (in_t (k, 1)->count != 1 && in_t (k, 1)->count != (gsize) x->c)
          return bad (k, "slope of %" G_GSIZE_FORMAT " values for %d "
              "channels", in_t (k, 1)->count, x->c);
      }
      return TRUE;
    case GRAPH_CLAMP:
      if (!isfinite (n->alpha) || !isfinite (n->beta) || isnan (n->lo)
          || isnan (n->hi) || n->lo > n->hi)
        return bad (k, "bounds %g … %g", n->lo, n->hi);
      return TRUE;
    case GRAPH_BINARY:
      return infer_binary (k, c, h, w);
    case GRAPH_POOL:
      return check_window (k, x, h, w);
    case GRAPH_GLOBAL_AVG:
      *h = *w = 1;
      return TRUE;
    case GRAPH_SOFTMAX:
      if (x->h * x->w != 1)
        return bad (k, "softmax over the channels of a %d × %d × %d tensor "
            "(only vectors)", x->c, x->h, x->w);
      return TRUE;
    case GRAPH_FLATTEN:
      *c = x->c * x->h * x->w;
      *h = *w = 1;
      return TRUE;
    case GRAPH_CONCAT:
      if (n->rows)
        *h = 0;
      else
        *c = 0;
      for (int i = 0; i < n->n_in; i++) {
        if (!want_act (k, i))
          return FALSE;
        if (n->rows ? in_t (k, i)->c != x->c || in_t (k, i)->w != x->w
            : in_t (k, i)->h != x->h || in_t (k, i)->w != x->w)
          return bad (k, n->rows ? "inputs of different channels or widths"
              : "inputs of different planes");
        if (n->rows)
          *h += in_t (k, i)->h;
        else
          *c += in_t (k, i)->c;
      }
      if (*h > DDAMFN_GRAPH_MAX_SIDE)
        return bad (k, "%d rows", *h);
      return TRUE;
    case GRAPH_SLICE:
      if (n->c0 < 0 || n->c1 > (n->rows ? x->h : x->c) || n->c0 >= n->c1)
        return bad (k, "%s %d … %d of %d", n->rows ? "rows" : "channels",
            n->c0, n->c1, n->rows ? x->h : x->c);
      if (n->rows)
        *h = n->c1 - n->c0;
      else
        *c = n->c1 - n->c0;
      return TRUE;
    case GRAPH_TRANSPOSE_HW:
      *h = x->w;
      *w = x->h;
      return TRUE;
    case GRAPH_IDENTITY:
      return TRUE;
  }
  return bad (k, "unknown node kind");
}

gboolean
ddamfn_graph_add_node (DdamfnGraph * g, const DdamfnGraphNode * node,
    const char *out_name, GError ** error)
{
  Check k = {.g = g,.n = node,.error = error };
  DdamfnGraphNode copy = *node;
  DdamfnGraphTensor *t;
  int c = 0, h = 0, w = 0, o;

  if (g->nodes->len >= DDAMFN_GRAPH_MAX_NODES) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: more than %d nodes", g->path, DDAMFN_GRAPH_MAX_NODES);
    return FALSE;
  }
  if (node->n_in < 1 || node->n_in > DDAMFN_GRAPH_MAX_IN)
    return bad (&k, "%d inputs", node->n_in);
  for (int i = 0; i < node->n_in; i++)
    if (node->in[i] >= (int) g->tensors->len)
      return bad (&k, "input %d does not exist", i);
  if (!infer (&k, &c, &h, &w))
    return FALSE;
  if (!shape_ok (c, h, w))
    return bad (&k, "output of %d channels, %d × %d, beyond the engine's "
        "bounds", c, h, w);
  o = add_tensor (g, out_name, error);
  if (o < 0)
    return FALSE;
  t = ddamfn_graph_tensor (g, o);
  t->c = c;
  t->h = h;
  t->w = w;
  t->producer = g->nodes->len;
  copy.out = o;
  copy.name = g_strdup (node->name);
  copy.op_type = g_strdup (node->op_type);
  g_array_append_val (g->nodes, copy);
  return TRUE;
}
