/* ONNX files: the ModelProto read from its wire format (protobuf.c) into
 * the importer's structures (onnx.h), every count, length and shape
 * checked against the bytes that are there and the importer's bounds;
 * then onnx-ops.c builds the graph IR. Tensors stored outside the file
 * (external data) are refused: a model must be one file.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/onnx.h"
#include "import/protobuf.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>

typedef struct
{
  const char *path;
  GError **error;
  gsize total_floats;
} Ctx;

static gboolean
fail (Ctx * c, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
fail (Ctx * c, const char *fmt, ...)
{
  va_list ap;
  char *why;

  if (c->error && *c->error)
    return FALSE;
  va_start (ap, fmt);
  why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (c->error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT, "%s: %s",
      c->path, why);
  g_free (why);
  return FALSE;
}

#define MALFORMED(c, what) \
  fail ((c), "not a valid ONNX file (malformed %s)", (what))

void
ddamfn_onnx_tensor_free (OnnxTensor * t)
{
  if (t == NULL)
    return;
  g_free (t->name);
  g_free (t->f);
  g_free (t->i);
  g_free (t);
}

static void
attr_free (gpointer p)
{
  OnnxAttr *a = p;

  g_free (a->name);
  g_free (a->s);
  if (a->ints)
    g_array_unref (a->ints);
  if (a->floats)
    g_array_unref (a->floats);
  ddamfn_onnx_tensor_free (a->t);
  g_free (a);
}

static void
node_free (gpointer p)
{
  OnnxNode *n = p;

  g_free (n->name);
  g_free (n->op_type);
  g_free (n->domain);
  g_strfreev (n->inputs);
  g_strfreev (n->outputs);
  g_ptr_array_unref (n->attrs);
  g_free (n);
}

static void
value_free (gpointer p)
{
  OnnxValue *v = p;

  g_free (v->name);
  g_free (v);
}

void
ddamfn_onnx_model_free (OnnxModel * m)
{
  if (m == NULL)
    return;
  g_ptr_array_unref (m->nodes);
  g_ptr_array_unref (m->initializers);
  g_ptr_array_unref (m->inputs);
  g_ptr_array_unref (m->outputs);
  g_hash_table_unref (m->metadata);
  g_free (m);
}

const OnnxAttr *
ddamfn_onnx_attr (const OnnxNode * n, const char *name)
{
  for (guint i = 0; i < n->attrs->len; i++) {
    const OnnxAttr *a = g_ptr_array_index (n->attrs, i);
    if (strcmp (a->name, name) == 0)
      return a;
  }
  return NULL;
}

/* ---- tensors ------------------------------------------------------------- */

static float
half_to_float (guint16 h)
{
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;

  if (exp == 0)
    v = ldexpf ((float) mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = ldexpf ((float) (mant | 0x400), exp - 25);
  return sign ? -v : v;
}

static int
elem_size (int type)
{
  switch (type) {
    case ONNX_FLOAT:
    case ONNX_INT32:
      return 4;
    case ONNX_UINT8:
    case ONNX_INT8:
      return 1;
    case ONNX_INT64:
    case ONNX_DOUBLE:
      return 8;
    case ONNX_FLOAT16:
      return 2;
    default:
      return 0;
  }
}

static gboolean
is_integer (int type)
{
  return type == ONNX_UINT8 || type == ONNX_INT8 || type == ONNX_INT32
      || type == ONNX_INT64;
}

/* Element I of little-endian raw data of TYPE, as a double. */
static double
raw_value (const guint8 * p, int type, gsize i)
{
  switch (type) {
    case ONNX_FLOAT:{
      guint32 u;
      float f;
      memcpy (&u, p + 4 * i, 4);
      u = GUINT32_FROM_LE (u);
      memcpy (&f, &u, 4);
      return f;
    }
    case ONNX_DOUBLE:{
      guint64 u;
      double d;
      memcpy (&u, p + 8 * i, 8);
      u = GUINT64_FROM_LE (u);
      memcpy (&d, &u, 8);
      return d;
    }
    case ONNX_FLOAT16:{
      guint16 u;
      memcpy (&u, p + 2 * i, 2);
      return half_to_float (GUINT16_FROM_LE (u));
    }
    case ONNX_INT32:{
      guint32 u;
      memcpy (&u, p + 4 * i, 4);
      return (gint32) GUINT32_FROM_LE (u);
    }
    case ONNX_INT64:{
      guint64 u;
      memcpy (&u, p + 8 * i, 8);
      return (double) (gint64) GUINT64_FROM_LE (u);
    }
    case ONNX_INT8:
      return (gint8) p[i];
    default:
      return p[i];
  }
}

/* A double as a float; beyond float's range, infinity (a plain cast of
 * such a value is undefined behaviour: a hostile file may hold 1e300). */
static float
to_float (double v)
{
  if (v > G_MAXFLOAT)
    return INFINITY;
  if (v < -G_MAXFLOAT)
    return -INFINITY;
  return (float) v;
}

/* The typed fields of a TensorProto, gathered while reading it. */
typedef struct
{
  const guint8 *raw;
  gsize raw_len;
  gboolean has_raw;
  GArray *floats;               /* float_data, double_data: double */
  GArray *ints;                 /* int32_data, int64_data: gint64 */
  gboolean external;
} TensorData;

static gboolean
read_fixed (Ctx * c, const PbField * f, int width, GArray * out)
{
  if (f->wire == (width == 4 ? PB_FIXED32 : PB_FIXED64)) {
    double v = width == 4 ? pb_float (f) : pb_double (f);
    g_array_append_val (out, v);
    return TRUE;
  }
  if (f->wire != PB_LEN || f->len % width)
    return MALFORMED (c, "packed tensor data");
  if (out->len + f->len / width > DDAMFN_GRAPH_MAX_CONST_FLOATS)
    return fail (c, "a tensor of more than %u values",
        DDAMFN_GRAPH_MAX_CONST_FLOATS);
  for (gsize i = 0; i < f->len / width; i++) {
    double v = raw_value (f->data, width == 4 ? ONNX_FLOAT : ONNX_DOUBLE, i);
    g_array_append_val (out, v);
  }
  return TRUE;
}

/* Converts the gathered data of T (type and dims set) to its values. */
static gboolean
tensor_values (Ctx * c, OnnxTensor * t, const TensorData * d)
{
  int size = elem_size (t->data_type);
  gsize n = t->count;

  if (d->external)
    return fail (c, "tensor '%s' keeps its data in an external file; save "
        "the model as one file (onnx.save with save_as_external_data="
        "False)", t->name);
  if (size == 0)
    return fail (c, "tensor '%s' has data type %d; float, float16, double "
        "and integer tensors are read", t->name, t->data_type);
  if (c->total_floats + n > DDAMFN_GRAPH_MAX_CONST_FLOATS)
    return fail (c, "more than %u constant values in all",
        DDAMFN_GRAPH_MAX_CONST_FLOATS);
  c->total_floats += n;
  t->f = g_new (float, MAX (n, 1));
  if (is_integer (t->data_type))
    t->i = g_new (gint64, MAX (n, 1));

  if (d->has_raw) {
    if (d->raw_len != n * (gsize) size)
      return fail (c, "tensor '%s' has %" G_GSIZE_FORMAT " bytes of data "
          "for %" G_GSIZE_FORMAT " values of %d bytes", t->name, d->raw_len,
          n, size);
    for (gsize i = 0; i < n; i++) {
      double v = raw_value (d->raw, t->data_type, i);
      t->f[i] = to_float (v);
      /* 8- and 32-bit integers are exact in a double */
      if (t->i && t->data_type != ONNX_INT64)
        t->i[i] = (gint64) v;
    }
    if (t->data_type == ONNX_INT64)     /* exact, not through a double */
      for (gsize i = 0; i < n; i++) {
        guint64 u;
        memcpy (&u, d->raw + 8 * i, 8);
        t->i[i] = (gint64) GUINT64_FROM_LE (u);
      }
    return TRUE;
  }
  if (t->data_type == ONNX_FLOAT || t->data_type == ONNX_DOUBLE) {
    if (d->floats->len != n)
      return fail (c, "tensor '%s' has %u values for its %" G_GSIZE_FORMAT,
          t->name, d->floats->len, n);
    for (gsize i = 0; i < n; i++)
      t->f[i] = to_float (g_array_index (d->floats, double, i));
    return TRUE;
  }
  if (d->ints->len != n)
    return fail (c, "tensor '%s' has %u values for its %" G_GSIZE_FORMAT,
        t->name, d->ints->len, n);
  for (gsize i = 0; i < n; i++) {
    gint64 v = g_array_index (d->ints, gint64, i);
    /* int32_data holds FLOAT16 as its bits */
    t->f[i] = t->data_type == ONNX_FLOAT16 ? half_to_float ((guint16) v) :
        (float) v;
    if (t->i)
      t->i[i] = v;
  }
  return TRUE;
}

static OnnxTensor *
read_tensor (Ctx * c, const PbField * field)
{
  OnnxTensor *t = g_new0 (OnnxTensor, 1);
  TensorData d = { 0 };
  PbReader r;
  PbField f;
  int res;
  GArray *dims = g_array_new (FALSE, FALSE, sizeof (gint64));

  d.floats = g_array_new (FALSE, FALSE, sizeof (double));
  d.ints = g_array_new (FALSE, FALSE, sizeof (gint64));
  t->data_type = ONNX_FLOAT;
  pb_sub (field, &r);
  while ((res = pb_next (&r, &f)) > 0) {
    gboolean ok = TRUE;

    switch (f.number) {
      case 1:
        ok = pb_append_ints (&f, dims, ONNX_MAX_DIMS);
        break;
      case 2:
        t->data_type = (int) pb_int (&f);
        break;
      case 4:
        ok = read_fixed (c, &f, 4, d.floats);
        break;
      case 10:
        ok = read_fixed (c, &f, 8, d.floats);
        break;
      case 5:
      case 7:
        ok = pb_append_ints (&f, d.ints, DDAMFN_GRAPH_MAX_CONST_FLOATS);
        break;
      case 8:
        g_free (t->name);
        ok = (t->name = pb_string (&f, ONNX_MAX_NAME)) != NULL;
        break;
      case 9:
        d.raw = f.data;
        d.raw_len = f.len;
        d.has_raw = f.wire == PB_LEN;
        ok = d.has_raw;
        break;
      case 13:
        d.external = TRUE;
        break;
      case 14:
        d.external |= pb_int (&f) == 1;
        break;
      default:
        break;
    }
    if (!ok) {
      res = -1;
      break;
    }
  }
  if (t->name == NULL)
    t->name = g_strdup ("");
  if (res < 0) {
    MALFORMED (c, "tensor");
    goto bad;
  }
  t->ndim = (int) dims->len;
  t->count = 1;
  for (int i = 0; i < t->ndim; i++) {
    t->dims[i] = g_array_index (dims, gint64, i);
    if (t->dims[i] < 0 || t->dims[i] > DDAMFN_GRAPH_MAX_CONST_FLOATS
        || (t->dims[i] && t->count > DDAMFN_GRAPH_MAX_CONST_FLOATS
            / (gsize) t->dims[i])) {
      fail (c, "tensor '%s' has a dimension out of range", t->name);
      goto bad;
    }
    t->count *= (gsize) t->dims[i];
  }
  if (!tensor_values (c, t, &d))
    goto bad;
  g_array_unref (dims);
  g_array_unref (d.floats);
  g_array_unref (d.ints);
  return t;
bad:
  g_array_unref (dims);
  g_array_unref (d.floats);
  g_array_unref (d.ints);
  ddamfn_onnx_tensor_free (t);
  return NULL;
}

/* ---- nodes, values, graph ------------------------------------------------- */

static OnnxAttr *
read_attr (Ctx * c, const PbField * field)
{
  OnnxAttr *a = g_new0 (OnnxAttr, 1);
  PbReader r;
  PbField f;
  int res;

  pb_sub (field, &r);
  while ((res = pb_next (&r, &f)) > 0) {
    gboolean ok = TRUE;

    switch (f.number) {
      case 1:
        g_free (a->name);
        ok = (a->name = pb_string (&f, ONNX_MAX_NAME)) != NULL;
        break;
      case 20:
        a->type = (int) pb_int (&f);
        break;
      case 2:
        ok = f.wire == PB_FIXED32;
        a->f = pb_float (&f);
        break;
      case 3:
        a->i = pb_int (&f);
        break;
      case 4:
        g_free (a->s);
        ok = (a->s = pb_string (&f, ONNX_MAX_NAME)) != NULL;
        break;
      case 5:
        ddamfn_onnx_tensor_free (a->t);
        ok = (a->t = read_tensor (c, &f)) != NULL;
        break;
      case 7:{
        GArray *d = g_array_new (FALSE, FALSE, sizeof (double));

        if (a->floats == NULL)
          a->floats = g_array_new (FALSE, FALSE, sizeof (float));
        ok = read_fixed (c, &f, 4, d)
            && a->floats->len + d->len <= ONNX_MAX_ATTR_INTS;
        for (guint i = 0; ok && i < d->len; i++) {
          float v = (float) g_array_index (d, double, i);
          g_array_append_val (a->floats, v);
        }
        g_array_unref (d);
        break;
      }
      case 8:
        if (a->ints == NULL)
          a->ints = g_array_new (FALSE, FALSE, sizeof (gint64));
        ok = pb_append_ints (&f, a->ints, ONNX_MAX_ATTR_INTS);
        break;
      default:
        break;
    }
    if (!ok) {
      res = -1;
      break;
    }
  }
  if (res < 0 || a->name == NULL) {
    attr_free (a);
    MALFORMED (c, "node attribute");
    return NULL;
  }
  return a;
}

static gboolean
add_string (Ctx * c, const PbField * f, GPtrArray * list, const char *what)
{
  char *s = pb_string (f, ONNX_MAX_NAME);

  if (s == NULL || list->len >= DDAMFN_GRAPH_MAX_TENSORS)
    return MALFORMED (c, what);
  g_ptr_array_add (list, s);
  return TRUE;
}

static OnnxNode *
read_node (Ctx * c, const PbField * field)
{
  OnnxNode *n = g_new0 (OnnxNode, 1);
  GPtrArray *ins = g_ptr_array_new (), *outs = g_ptr_array_new ();
  PbReader r;
  PbField f;
  int res;
  gboolean ok = TRUE;

  n->attrs = g_ptr_array_new_with_free_func (attr_free);
  pb_sub (field, &r);
  while (ok && (res = pb_next (&r, &f)) > 0) {
    switch (f.number) {
      case 1:
        ok = add_string (c, &f, ins, "node input");
        break;
      case 2:
        ok = add_string (c, &f, outs, "node output");
        break;
      case 3:
        g_free (n->name);
        ok = (n->name = pb_string (&f, ONNX_MAX_NAME)) != NULL;
        break;
      case 4:
        g_free (n->op_type);
        ok = (n->op_type = pb_string (&f, ONNX_MAX_NAME)) != NULL;
        break;
      case 7:
        g_free (n->domain);
        ok = (n->domain = pb_string (&f, ONNX_MAX_NAME)) != NULL;
        break;
      case 5:{
        OnnxAttr *a = n->attrs->len < ONNX_MAX_ATTRS ? read_attr (c, &f) :
            NULL;
        ok = a != NULL;
        if (a)
          g_ptr_array_add (n->attrs, a);
        break;
      }
      default:
        break;
    }
  }
  g_ptr_array_add (ins, NULL);
  g_ptr_array_add (outs, NULL);
  n->inputs = (char **) g_ptr_array_free (ins, FALSE);
  n->outputs = (char **) g_ptr_array_free (outs, FALSE);
  if (!ok || res < 0 || n->op_type == NULL) {
    node_free (n);
    MALFORMED (c, "node");
    return NULL;
  }
  if (n->name == NULL || n->name[0] == '\0') {
    g_free (n->name);
    n->name = g_strdup (n->outputs[0] ? n->outputs[0] : n->op_type);
  }
  return n;
}

/* ValueInfoProto: name, and the shape of its tensor type. */
static OnnxValue *
read_value (Ctx * c, const PbField * field)
{
  OnnxValue *v = g_new0 (OnnxValue, 1);
  PbReader r, tr, tt, sh, dm;
  PbField f, g, h, k, l;

  pb_sub (field, &r);
  while (pb_next (&r, &f) > 0) {
    if (f.number == 1 && v->name == NULL)
      v->name = pb_string (&f, ONNX_MAX_NAME);
    if (f.number != 2 || f.wire != PB_LEN)
      continue;
    pb_sub (&f, &tr);
    while (pb_next (&tr, &g) > 0) {
      if (g.number != 1 || g.wire != PB_LEN)
        continue;
      pb_sub (&g, &tt);
      while (pb_next (&tt, &h) > 0) {
        if (h.number == 1)
          v->elem_type = (int) pb_int (&h);
        if (h.number != 2 || h.wire != PB_LEN)
          continue;
        pb_sub (&h, &sh);
        while (pb_next (&sh, &k) > 0) {
          if (k.number != 1 || k.wire != PB_LEN)
            continue;
          if (v->ndim >= ONNX_MAX_DIMS) {
            value_free (v);
            fail (c, "a value of more than %d dimensions", ONNX_MAX_DIMS);
            return NULL;
          }
          v->dims[v->ndim] = -1;
          pb_sub (&k, &dm);
          while (pb_next (&dm, &l) > 0)
            if (l.number == 1 && l.wire == PB_VARINT)
              v->dims[v->ndim] = pb_int (&l);
          v->ndim++;
        }
      }
    }
  }
  if (v->name == NULL) {
    value_free (v);
    MALFORMED (c, "graph input or output");
    return NULL;
  }
  return v;
}

static gboolean
read_graph (Ctx * c, const PbField * field, OnnxModel * m)
{
  PbReader r;
  PbField f;
  int res;

  pb_sub (field, &r);
  while ((res = pb_next (&r, &f)) > 0) {
    gpointer item = NULL;
    GPtrArray *to = NULL;

    if (f.wire != PB_LEN)
      continue;
    switch (f.number) {
      case 1:
        if (m->nodes->len >= DDAMFN_GRAPH_MAX_NODES)
          return fail (c, "more than %d nodes", DDAMFN_GRAPH_MAX_NODES);
        item = read_node (c, &f);
        to = m->nodes;
        break;
      case 5:
        if (m->initializers->len >= DDAMFN_GRAPH_MAX_TENSORS)
          return fail (c, "more than %d initializers",
              DDAMFN_GRAPH_MAX_TENSORS);
        item = read_tensor (c, &f);
        to = m->initializers;
        break;
      case 11:
      case 12:
        to = f.number == 11 ? m->inputs : m->outputs;
        if (to->len >= DDAMFN_GRAPH_MAX_TENSORS)
          return MALFORMED (c, "graph inputs");
        item = read_value (c, &f);
        break;
      case 15:
        return fail (c, "sparse initializers are not supported");
      default:
        continue;
    }
    if (item == NULL)
      return FALSE;
    g_ptr_array_add (to, item);
  }
  return res == 0 ? TRUE : MALFORMED (c, "graph");
}

static void
read_opset (const PbField * field, OnnxModel * m)
{
  PbReader r;
  PbField f;
  char *domain = NULL;
  gint64 version = 0;

  pb_sub (field, &r);
  while (pb_next (&r, &f) > 0) {
    if (f.number == 1 && domain == NULL)
      domain = pb_string (&f, ONNX_MAX_NAME);
    else if (f.number == 2)
      version = pb_int (&f);
  }
  if (domain == NULL || domain[0] == '\0' || strcmp (domain, "ai.onnx") == 0)
    m->opset = version;
  g_free (domain);
}

static void
read_metadata (const PbField * field, OnnxModel * m)
{
  PbReader r;
  PbField f;
  char *key = NULL, *value = NULL;

  pb_sub (field, &r);
  while (pb_next (&r, &f) > 0) {
    if (f.number == 1 && key == NULL)
      key = pb_string (&f, ONNX_MAX_NAME);
    else if (f.number == 2 && value == NULL)
      value = pb_string (&f, 1 << 20);
  }
  if (key && value && g_hash_table_size (m->metadata) < 1024)
    g_hash_table_replace (m->metadata, key, value);
  else {
    g_free (key);
    g_free (value);
  }
}

OnnxModel *
ddamfn_onnx_model_read (const char *path, const guint8 * data, gsize len,
    GError ** error)
{
  Ctx c = { path, error, 0 };
  OnnxModel *m = g_new0 (OnnxModel, 1);
  PbReader r;
  PbField f;
  int res, graphs = 0;

  m->path = path;
  m->opset = -1;
  m->nodes = g_ptr_array_new_with_free_func (node_free);
  m->initializers = g_ptr_array_new_with_free_func ((GDestroyNotify)
      ddamfn_onnx_tensor_free);
  m->inputs = g_ptr_array_new_with_free_func (value_free);
  m->outputs = g_ptr_array_new_with_free_func (value_free);
  m->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  pb_reader_init (&r, data, len);
  while ((res = pb_next (&r, &f)) > 0) {
    if (f.number == 7 && f.wire == PB_LEN) {
      if (graphs++ || !read_graph (&c, &f, m))
        goto bad;
    } else if (f.number == 8 && f.wire == PB_LEN) {
      read_opset (&f, m);
    } else if (f.number == 14 && f.wire == PB_LEN) {
      read_metadata (&f, m);
    }
  }
  if (res < 0) {
    fail (&c, "not an ONNX file (its bytes are not a protocol buffer "
        "message)");
    goto bad;
  }
  if (graphs != 1) {
    fail (&c, "not a valid ONNX file (%s)", graphs ? "more than one graph" :
        "no graph");
    goto bad;
  }
  if (m->opset < 7 || m->opset > 22) {
    fail (&c, "operator set %" G_GINT64_FORMAT " (versions 7 to 22 are "
        "read)", m->opset);
    goto bad;
  }
  return m;
bad:
  if (error && *error == NULL)
    fail (&c, "not a valid ONNX file");
  ddamfn_onnx_model_free (m);
  return NULL;
}

/* ---- the importer --------------------------------------------------------- */

DdamfnGraph *
ddamfn_onnx_import_bytes (const char *path, const guint8 * data, gsize len,
    GError ** error)
{
  OnnxModel *m = ddamfn_onnx_model_read (path, data, len, error);
  DdamfnGraph *g;

  if (m == NULL)
    return NULL;
  g = ddamfn_onnx_build (m, error);
  ddamfn_onnx_model_free (m);
  return g;
}

DdamfnGraph *
ddamfn_onnx_import (const char *path, GError ** error)
{
  GError *err = NULL;
  GMappedFile *file = g_mapped_file_new (path, FALSE, &err);
  DdamfnGraph *g;
  gsize len;

  if (file == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO, "%s", err->message);
    g_error_free (err);
    return NULL;
  }
  len = g_mapped_file_get_length (file);
  if (len > ONNX_MAX_FILE_BYTES) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT, "%s: %"
        G_GSIZE_FORMAT " bytes, more than an ONNX file may have (2 GiB)",
        path, len);
    g_mapped_file_unref (file);
    return NULL;
  }
  g = ddamfn_onnx_import_bytes (path, (const guint8 *)
      g_mapped_file_get_contents (file), len, error);
  g_mapped_file_unref (file);
  return g;
}
