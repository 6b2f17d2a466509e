/* ONNX's shape and layout nodes into the graph IR: Constant, the integer
 * arithmetic exporters write for shapes (Shape, Gather, Cast, Unsqueeze,
 * Squeeze, Concat of integers: evaluated here, the batch taken as 1),
 * Flatten and Reshape to a vector, Concat, Split and Slice along the
 * channels or along H, the Transpose that swaps H and W, a Pad of nothing, Identity
 * and Dropout.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define DDAMFN_ONNX_NODES
#include "import/onnx.h"

#include <string.h>

#define MAX_INTS 64

/* Input I as a small integer tensor known now, or NULL. */
static const OnnxTensor *
ints_of (Reader * r, int i)
{
  const OnnxTensor *t = const_of (r, i);

  return t && t->i && t->count <= MAX_INTS ? t : NULL;
}

/* Whether input I is an activation (computed, not constant). */
static gboolean
is_activation (Reader * r, int i)
{
  int t = has_in (r, i) ? ddamfn_graph_find (r->g, in_name (r, i)) : -1;
  return t >= 0 && T (r, t)->data == NULL;
}

/* The activation's shape as ONNX sees it, batch 1: N, C, H, W or N, F. */
static int
activation_shape (Reader * r, int i, gint64 * dims)
{
  const DdamfnGraphTensor *t = T (r, operand (r, i));
  int rank = rank_of (r, in_name (r, i));

  dims[0] = 1;
  dims[1] = t->c;
  if (rank == 2)
    return 2;
  dims[2] = t->h;
  dims[3] = t->w;
  return 4;
}

static gboolean
constant (Reader * r)
{
  const OnnxAttr *a = ddamfn_onnx_attr (r->cur, "value");
  const char *out = r->cur->outputs[0];

  if (a && a->t) {
    g_hash_table_replace (r->consts, (gpointer) out, a->t);
    return TRUE;
  }
  if ((a = ddamfn_onnx_attr (r->cur, "value_ints")) && a->ints) {
    new_ints (r, out, (const gint64 *) a->ints->data, a->ints->len);
    return TRUE;
  }
  if ((a = ddamfn_onnx_attr (r->cur, "value_int"))) {
    new_ints (r, out, &a->i, 1)->ndim = 0;
    return TRUE;
  }
  if ((a = ddamfn_onnx_attr (r->cur, "value_float"))) {
    /* a float scalar: an integer tensor's float side carries it */
    OnnxTensor *t = new_ints (r, out, (gint64[]) { 0 }, 1);
    g_clear_pointer (&t->i, g_free);
    t->f[0] = a->f;
    t->ndim = 0;
    t->data_type = ONNX_FLOAT;
    return TRUE;
  }
  return unsupported (r, "this kind of Constant");
}

/* Shape, Gather, Cast, Unsqueeze, Squeeze, Concat over integers known
 * now: the result is known too. */
static gboolean
fold_ints (Reader * r, const char *op)
{
  gint64 v[MAX_INTS];
  gsize n = 0;

  if (strcmp (op, "Shape") == 0) {
    n = activation_shape (r, 0, v);
  } else if (strcmp (op, "Gather") == 0) {
    const OnnxTensor *d = ints_of (r, 0), *ix = ints_of (r, 1);
    if (d == NULL || ix == NULL || attr_int (r, "axis", 0) != 0)
      return unsupported (r, "a Gather other than of known integers");
    for (gsize k = 0; k < ix->count; k++) {
      gint64 j = ix->i[k] < 0 ? ix->i[k] + (gint64) d->count : ix->i[k];
      if (j < 0 || j >= (gint64) d->count)
        return fail (r, "index %" G_GINT64_FORMAT " out of range",
            ix->i[k]);
      v[n++] = d->i[j];
    }
  } else if (strcmp (op, "Concat") == 0) {
    for (int i = 0; i < r->n_in; i++) {
      const OnnxTensor *t = ints_of (r, i);
      if (t == NULL || n + t->count > MAX_INTS)
        return unsupported (r, "a Concat of constants other than shapes");
      memcpy (v + n, t->i, t->count * sizeof (gint64));
      n += t->count;
    }
  } else {                      /* Cast, Unsqueeze, Squeeze: same values */
    const OnnxTensor *t = ints_of (r, 0);
    if (t == NULL)
      return unsupported (r, "on constants other than shapes");
    n = t->count;
    memcpy (v, t->i, n * sizeof (gint64));
  }
  new_ints (r, r->cur->outputs[0], v, n);
  return TRUE;
}

static gboolean channel_axis (Reader * r, gint64 axis);

gboolean
ddamfn_onnx_fold_arith (Reader * r, const char *op, gboolean * handled)
{
  const OnnxTensor *a, *b;
  gint64 v[MAX_INTS];
  gsize n;

  *handled = FALSE;
  if (strcmp (op, "Add") != 0 && strcmp (op, "Sub") != 0
      && strcmp (op, "Mul") != 0 && strcmp (op, "Div") != 0)
    return TRUE;
  if (r->n_in != 2 || is_activation (r, 0) || is_activation (r, 1)
      || (a = ints_of (r, 0)) == NULL || (b = ints_of (r, 1)) == NULL)
    return TRUE;
  *handled = TRUE;
  n = MAX (a->count, b->count);
  if ((a->count != n && a->count != 1) || (b->count != n && b->count != 1)
      || n > MAX_INTS)
    return unsupported (r, "integer operands that do not broadcast");
  for (gsize k = 0; k < n; k++) {
    const gint64 x = a->i[a->count == 1 ? 0 : k];
    const gint64 y = b->i[b->count == 1 ? 0 : k];

    /* shapes are small: anything near the limits is a hostile file */
    if (ABS (x) > G_MAXINT32 || ABS (y) > G_MAXINT32)
      return fail (r, "integer operands out of range");
    if (op[0] == 'D' && y == 0)
      return fail (r, "an integer division by zero");
    v[k] = op[0] == 'A' ? x + y : op[0] == 'S' ? x - y : op[0] == 'M' ? x * y
        : x / y;
  }
  new_ints (r, r->cur->outputs[0], v, n);
  return TRUE;
}

/* Flatten, Reshape, Squeeze, Unsqueeze of an activation: only what keeps
 * a face's values in order and makes a vector (or a vector N × C × 1 × 1). */
static gboolean
reshape (Reader * r, const char *op)
{
  DdamfnGraphNode n = node_new (GRAPH_FLATTEN);
  int x = operand (r, 0);
  int rank = 2;

  if (x < 0)
    return FALSE;
  if (strcmp (op, "Flatten") == 0) {
    if (!channel_axis (r, attr_int (r, "axis", 1)))
      return unsupported (r, "a Flatten at another axis than 1");
  } else if (strcmp (op, "Reshape") == 0) {
    const OnnxTensor *s = ints_of (r, 1);
    gint64 size = (gint64) T (r, x)->c * T (r, x)->h * T (r, x)->w;
    gboolean to_vector = s && s->count == 2 && (s->i[0] == 1 || s->i[0] == 0
        || (s->i[0] == -1 && s->i[1] == size)) && (s->i[1] == -1
        || s->i[1] == size);
    gboolean to_plane = s && s->count == 4 && T (r, x)->h * T (r, x)->w == 1
        && (s->i[0] == 1 || s->i[0] == 0 || s->i[0] == -1)
        && (s->i[1] == size || s->i[1] == -1 || s->i[1] == 0)
        && s->i[2] == 1 && s->i[3] == 1;
    if (!to_vector && !to_plane)
      return unsupported (r, "only a reshape to N × (C·H·W), or of a vector "
          "to N × C × 1 × 1");
    rank = to_plane ? 4 : 2;
  } else if (T (r, x)->h * T (r, x)->w != 1) {
    return unsupported (r, "only on a vector (N × C × 1 × 1 or N × C)");
  } else {
    rank = strcmp (op, "Unsqueeze") == 0 ? 4 : 2;
  }
  n.in[0] = x;
  n.n_in = 1;
  if (T (r, x)->h * T (r, x)->w == 1)
    n.op = GRAPH_IDENTITY;
  return add (r, &n, 0, rank);
}

/* The channel axis of input 0 given as AXIS (negative from the end). */
static gboolean
channel_axis (Reader * r, gint64 axis)
{
  int rank = MAX (rank_of (r, in_name (r, 0)), 2);
  return axis == 1 || axis + rank == 1;
}

/* The H axis of a 4-D input 0 given as AXIS. */
static gboolean
row_axis (Reader * r, gint64 axis)
{
  return rank_of (r, in_name (r, 0)) == 4 && (axis == 2 || axis == -2);
}

static gboolean
concat (Reader * r)
{
  DdamfnGraphNode n = node_new (GRAPH_CONCAT);
  const gint64 axis = attr_int (r, "axis", 1);

  if (r->n_in < 1 || r->n_in > DDAMFN_GRAPH_MAX_IN)
    return fail (r, "%d inputs", r->n_in);
  n.rows = row_axis (r, axis);
  if (!n.rows && !channel_axis (r, axis))
    return unsupported (r, "only concatenation along the channels or H");
  for (int i = 0; i < r->n_in; i++)
    if ((n.in[i] = operand (r, i)) < 0)
      return FALSE;
  n.n_in = r->n_in;
  return add (r, &n, 0, rank_of (r, in_name (r, 0)));
}

/* Channels (or ROWS) C0 … C1 − 1 of input 0 as output OUT_I. */
static gboolean
slice_to (Reader * r, int x, int c0, int c1, gboolean rows, int out_i)
{
  DdamfnGraphNode n = node_new (GRAPH_SLICE);

  n.in[0] = x;
  n.n_in = 1;
  n.c0 = c0;
  n.c1 = c1;
  n.rows = rows;
  return add (r, &n, out_i, rank_of (r, in_name (r, 0)));
}

static gboolean
split (Reader * r)
{
  int x = operand (r, 0), n_out = (int) g_strv_length (r->cur->outputs);
  gint64 sizes[DDAMFN_GRAPH_MAX_OUTPUTS];
  int c0 = 0, ch;
  const OnnxTensor *s = ints_of (r, 1);
  const gint64 axis = attr_int (r, "axis", 0);
  const gboolean rows = row_axis (r, axis);

  if (x < 0)
    return FALSE;
  ch = rows ? T (r, x)->h : T (r, x)->c;
  if (!rows && !channel_axis (r, axis))
    return unsupported (r, "only a split along the channels or H");
  if (n_out < 1 || n_out > DDAMFN_GRAPH_MAX_OUTPUTS)
    return fail (r, "%d outputs", n_out);
  if (s) {
    if ((int) s->count != n_out)
      return fail (r, "%d sizes for %d outputs", (int) s->count, n_out);
    memcpy (sizes, s->i, n_out * sizeof (gint64));
  } else if (attr_ints (r, "split", sizes, DDAMFN_GRAPH_MAX_OUTPUTS) < 0) {
    for (int i = 0; i < n_out; i++)     /* equal parts, the last smaller */
      sizes[i] = MIN ((ch + n_out - 1) / n_out, ch - i * ((ch + n_out - 1)
              / n_out));
  } else if (attr_ints (r, "split", sizes, DDAMFN_GRAPH_MAX_OUTPUTS) !=
      n_out) {
    return fail (r, "the split sizes do not match its %d outputs", n_out);
  }
  for (int i = 0; i < n_out; i++) {
    if (sizes[i] < 0 || sizes[i] > ch - c0)
      return fail (r, "split sizes that exceed its %d %s", ch,
          rows ? "rows" : "channels");
    if (r->cur->outputs[i][0] && !slice_to (r, x, c0, c0 + (int) sizes[i],
            rows, i))
      return FALSE;
    c0 += (int) sizes[i];
  }
  return c0 == ch ? TRUE : fail (r, "split sizes that do not add up to its "
      "%d %s", ch, rows ? "rows" : "channels");
}

static gboolean
slice (Reader * r)
{
  const OnnxTensor *st = ints_of (r, 1), *en = ints_of (r, 2);
  const OnnxTensor *ax = ints_of (r, 3), *sp = ints_of (r, 4);
  gint64 s0, e0;
  int x = operand (r, 0), ch;
  gboolean rows;

  if (x < 0)
    return FALSE;
  if (r->m->opset < 10)
    return unsupported (r, "a Slice of operator set 9 or older");
  if (st == NULL || en == NULL || st->count != 1 || en->count != 1
      || !has_in (r, 3) || ax == NULL || ax->count != 1
      || !(channel_axis (r, ax->i[0]) || row_axis (r, ax->i[0]))
      || (has_in (r, 4) && (sp == NULL || sp->count != 1 || sp->i[0] != 1)))
    return unsupported (r, "only a slice of the channels or of H with "
        "step 1");
  rows = row_axis (r, ax->i[0]);
  ch = rows ? T (r, x)->h : T (r, x)->c;
  s0 = st->i[0] < 0 ? st->i[0] + ch : st->i[0];
  e0 = en->i[0] < 0 ? en->i[0] + ch : en->i[0];
  s0 = CLAMP (s0, 0, ch);
  e0 = CLAMP (e0, s0, ch);
  if (e0 <= s0)
    return fail (r, "an empty slice");
  return slice_to (r, x, (int) s0, (int) e0, rows, 0);
}

static gboolean
transpose (Reader * r)
{
  DdamfnGraphNode n = node_new (GRAPH_TRANSPOSE_HW);
  gint64 p[4];

  if (attr_ints (r, "perm", p, 4) != 4 || p[0] != 0 || p[1] != 1 || p[2] != 3
      || p[3] != 2)
    return unsupported (r, "only the transpose that swaps H and W (perm 0, "
        "1, 3, 2)");
  return unary (r, &n, 4);
}

/* Pad that pads nothing (PyTorch writes one before an average pool). */
static gboolean
pad (Reader * r)
{
  DdamfnGraphNode n = node_new (GRAPH_IDENTITY);
  const OnnxAttr *mode = ddamfn_onnx_attr (r->cur, "mode");
  const OnnxTensor *p = ints_of (r, 1);
  gint64 v[MAX_INTS];
  int cnt = p ? (int) p->count : attr_ints (r, "pads", v, MAX_INTS);

  if (p)
    memcpy (v, p->i, p->count * sizeof (gint64));
  if (mode && mode->s && strcmp (mode->s, "constant") != 0)
    return unsupported (r, "only constant padding");
  for (int i = 0; i < cnt; i++)
    if (v[i] != 0)
      return unsupported (r, "padding other than none (a Conv or pool "
          "pads by itself)");
  if (cnt < 0)
    return fail (r, "no pads");
  r->n_in = 1;
  return unary (r, &n, 0);
}

gboolean
ddamfn_onnx_shape_node (Reader * r, const char *op, gboolean * handled)
{
  static const char *const ints_ops[] = { "Shape", "Gather", "Cast",
    "Unsqueeze", "Squeeze", "Concat"
  };

  *handled = TRUE;
  if (strcmp (op, "Constant") == 0)
    return constant (r);
  for (guint i = 0; i < G_N_ELEMENTS (ints_ops); i++)
    if (strcmp (op, ints_ops[i]) == 0 && (strcmp (op, "Shape") == 0
            ? is_activation (r, 0) : !is_activation (r, 0)))
      return fold_ints (r, op);
  if (strcmp (op, "Flatten") == 0 || strcmp (op, "Reshape") == 0
      || strcmp (op, "Squeeze") == 0 || strcmp (op, "Unsqueeze") == 0)
    return reshape (r, op);
  if (strcmp (op, "Concat") == 0)
    return concat (r);
  if (strcmp (op, "Split") == 0)
    return split (r);
  if (strcmp (op, "Slice") == 0)
    return slice (r);
  if (strcmp (op, "Transpose") == 0)
    return transpose (r);
  if (strcmp (op, "Pad") == 0)
    return pad (r);
  if (strcmp (op, "Identity") == 0 || strcmp (op, "Dropout") == 0) {
    DdamfnGraphNode n = node_new (GRAPH_IDENTITY);
    OnnxTensor *c = is_activation (r, 0) ? NULL : const_of (r, 0);

    /* exporters share a constant between layers through Identity */
    if (c != NULL) {
      g_hash_table_replace (r->consts, r->cur->outputs[0], c);
      return TRUE;
    }
    r->n_in = 1;
    return unary (r, &n, 0);
  }
  *handled = FALSE;
  return TRUE;
}
