/* TensorFlow.js graph models: model.json (the graph's nodes and a manifest
 * of the weights) and its binary weight shards, read into the graph IR.
 *
 * The file is hostile until checked: the JSON's nesting, every count,
 * shape and byte range is bounded before anything is allocated; shard
 * names may only name files beside model.json. Weights come as float32,
 * int32 (axes, shapes), float16, or uint8 / uint16 quantized (value = q ·
 * scale + min); all become float32 constants. Each shard group is the
 * concatenation of its files, weights packed in manifest order.
 *
 * Layout: TensorFlow.js graphs are NHWC with HWIO filters; the importer
 * turns filters into the engine's [cout][cin][kh][kw], declares the input
 * as NHWC (the plan's first step reorders it) and maps axes (Mean over 1
 * and 2 is over H and W; Reshape to [-1, K] flattens in H, W, C order).
 * The node translation itself is in tfjs-ops.c.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/tfjs.h"
#include "json-bounded.h"

#include <glib/gstdio.h>
#include <string.h>

#define MAX_JSON_BYTES (64u << 20)
#define MAX_SHARD_BYTES (1024u << 20)
#define MAX_DIMS 8

gboolean
ddamfn_tfjs_fail (Tfjs * tj, const char *fmt, ...)
{
  va_list ap;
  char *why;

  if (tj->error)
    return FALSE;
  va_start (ap, fmt);
  why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  tj->error = g_error_new (DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
      "%s: TensorFlow.js model: %s", tj->g->path, why);
  g_free (why);
  return FALSE;
}

/* IEEE half to float. */
static float
half_to_float (guint16 h)
{
  const guint32 sign = (guint32) (h & 0x8000) << 16;
  guint32 exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
  float f;

  if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (man << 13);
  } else if (exp == 0) {
    if (man == 0) {
      bits = sign;
    } else {
      /* subnormal: normalise */
      int e = -1;
      do {
        e++;
        man <<= 1;
      } while (!(man & 0x400));
      bits = sign | ((guint32) (127 - 15 - e) << 23) | ((man & 0x3ff) << 13);
    }
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (man << 13);
  }
  memcpy (&f, &bits, sizeof f);
  return f;
}

typedef enum
{
  W_F32,
  W_I32,
  W_F16,
  W_U8,
  W_U16,
} WeightKind;

static const int weight_bytes[] = { 4, 4, 2, 1, 2 };

/* Shape and element count of a manifest entry's "shape". */
static gboolean
read_shape (Tfjs * tj, JsonObject * w, const char *name, gsize * count,
    int *ndim, gint64 * dims)
{
  JsonNode *sn = json_object_get_member (w, "shape");
  JsonArray *a;
  guint64 n = 1;

  if (sn == NULL || !JSON_NODE_HOLDS_ARRAY (sn))
    return ddamfn_tfjs_fail (tj, "weight '%s' has no shape", name);
  a = json_node_get_array (sn);
  if (json_array_get_length (a) > MAX_DIMS)
    return ddamfn_tfjs_fail (tj, "weight '%s' has more than %d dimensions",
        name, MAX_DIMS);
  for (guint i = 0; i < json_array_get_length (a); i++) {
    JsonNode *d = json_array_get_element (a, i);
    gint64 v;
    if (!JSON_NODE_HOLDS_VALUE (d)
        || json_node_get_value_type (d) != G_TYPE_INT64)
      return ddamfn_tfjs_fail (tj, "weight '%s': a dimension is not an "
          "integer", name);
    v = json_node_get_int (d);
    if (v < 0 || v > DDAMFN_GRAPH_MAX_CONST_FLOATS)
      return ddamfn_tfjs_fail (tj, "weight '%s': dimension %" G_GINT64_FORMAT
          " out of range", name, v);
    n *= (guint64) v;
    dims[i] = v;
    if (n > DDAMFN_GRAPH_MAX_CONST_FLOATS)
      return ddamfn_tfjs_fail (tj, "weight '%s' is too large", name);
  }
  *count = n;
  *ndim = json_array_get_length (a);
  return TRUE;
}

static const char *
obj_str (JsonObject * o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static gboolean
obj_num (JsonObject * o, const char *key, double *v)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  if (json_node_get_value_type (n) == G_TYPE_DOUBLE)
    *v = json_node_get_double (n);
  else if (json_node_get_value_type (n) == G_TYPE_INT64)
    *v = (double) json_node_get_int (n);
  else
    return FALSE;
  return isfinite (*v);
}

/* How entry W is stored; SCALE and MIN for the quantized kinds. */
static gboolean
weight_kind (Tfjs * tj, JsonObject * w, const char *name, WeightKind * kind,
    double *scale, double *min)
{
  const char *dtype = obj_str (w, "dtype");
  JsonNode *qn = json_object_get_member (w, "quantization");

  if (dtype == NULL || (strcmp (dtype, "float32") && strcmp (dtype, "int32")))
    return ddamfn_tfjs_fail (tj, "weight '%s' has dtype %s (float32 and "
        "int32 are supported)", name, dtype ? dtype : "(none)");
  *kind = strcmp (dtype, "int32") == 0 ? W_I32 : W_F32;
  if (qn == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (qn))
    return ddamfn_tfjs_fail (tj, "weight '%s': bad quantization", name);
  dtype = obj_str (json_node_get_object (qn), "dtype");
  if (dtype && strcmp (dtype, "float16") == 0 && *kind == W_F32) {
    *kind = W_F16;
    return TRUE;
  }
  if (dtype && (strcmp (dtype, "uint8") == 0 || strcmp (dtype, "uint16") == 0)) {
    *kind = dtype[4] == '8' ? W_U8 : W_U16;
    if (!obj_num (json_node_get_object (qn), "scale", scale)
        || !obj_num (json_node_get_object (qn), "min", min))
      return ddamfn_tfjs_fail (tj, "weight '%s': quantization without a "
          "finite scale and min", name);
    return TRUE;
  }
  return ddamfn_tfjs_fail (tj, "weight '%s' is quantized as %s (float16, "
      "uint8 and uint16 are supported)", name, dtype ? dtype : "(none)");
}

static float *
decode (const guint8 *p, gsize count, WeightKind kind, double scale,
    double min)
{
  float *out = g_try_new (float, MAX (count, 1));

  if (out == NULL)
    return NULL;
  for (gsize i = 0; i < count; i++) {
    switch (kind) {
      case W_F32:
        memcpy (&out[i], p + 4 * i, 4);
        break;
      case W_I32:{
        gint32 v;
        memcpy (&v, p + 4 * i, 4);
        out[i] = (float) GINT32_FROM_LE (v);
        break;
      }
      case W_F16:{
        guint16 v;
        memcpy (&v, p + 2 * i, 2);
        out[i] = half_to_float (GUINT16_FROM_LE (v));
        break;
      }
      case W_U8:
        out[i] = (float) (p[i] * scale + min);
        break;
      case W_U16:{
        guint16 v;
        memcpy (&v, p + 2 * i, 2);
        out[i] = (float) (GUINT16_FROM_LE (v) * scale + min);
        break;
      }
    }
  }
  return out;
}

/* The bytes of one group: its shards one after the other. */
static GBytes *
read_group (Tfjs * tj, JsonArray * paths)
{
  GByteArray *all = g_byte_array_new ();

  for (guint i = 0; i < json_array_get_length (paths); i++) {
    JsonNode *pn = json_array_get_element (paths, i);
    const char *name = JSON_NODE_HOLDS_VALUE (pn)
        && json_node_get_value_type (pn) == G_TYPE_STRING
        ? json_node_get_string (pn) : NULL;
    GBytes *b;

    if (name == NULL || name[0] == '\0' || name[0] == '.'
        || strchr (name, '/') || strchr (name, '\\')) {
      ddamfn_tfjs_fail (tj, "weight shard name '%s' is not a file name "
          "beside model.json", name ? name : "(not a string)");
      break;
    }
    b = tj->read_shard (name, tj->shard_data, &tj->error);
    if (b == NULL) {
      if (tj->error == NULL)
        ddamfn_tfjs_fail (tj, "cannot read weight shard '%s'", name);
      else
        g_prefix_error (&tj->error, "%s: TensorFlow.js model: ",
            tj->g->path);
      break;
    }
    if (all->len + g_bytes_get_size (b) > MAX_SHARD_BYTES) {
      g_bytes_unref (b);
      ddamfn_tfjs_fail (tj, "weight shards larger than %u MiB",
          MAX_SHARD_BYTES >> 20);
      break;
    }
    g_byte_array_append (all, g_bytes_get_data (b, NULL),
        g_bytes_get_size (b));
    g_bytes_unref (b);
  }
  if (tj->error) {
    g_byte_array_unref (all);
    return NULL;
  }
  return g_byte_array_free_to_bytes (all);
}

static gboolean
read_group_weights (Tfjs * tj, JsonObject * grp)
{
  JsonNode *pn = json_object_get_member (grp, "paths");
  JsonNode *wn = json_object_get_member (grp, "weights");
  JsonArray *ws;
  GBytes *bytes;
  const guint8 *data;
  gsize size, off = 0;

  if (pn == NULL || !JSON_NODE_HOLDS_ARRAY (pn) || wn == NULL
      || !JSON_NODE_HOLDS_ARRAY (wn))
    return ddamfn_tfjs_fail (tj, "a weightsManifest group lacks paths or "
        "weights");
  bytes = read_group (tj, json_node_get_array (pn));
  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &size);
  ws = json_node_get_array (wn);
  for (guint i = 0; i < json_array_get_length (ws) && !tj->error; i++) {
    JsonNode *en = json_array_get_element (ws, i);
    JsonObject *w = JSON_NODE_HOLDS_OBJECT (en) ? json_node_get_object (en)
        : NULL;
    const char *name = w ? obj_str (w, "name") : NULL;
    WeightKind kind = W_F32;
    double scale = 1, min = 0;
    gsize count = 0, nbytes;
    float *vals;
    gint64 dims[MAX_DIMS];
    int ndim = 0, t;

    if (name == NULL) {
      ddamfn_tfjs_fail (tj, "weight %u of a group has no name", i);
      break;
    }
    if (!read_shape (tj, w, name, &count, &ndim, dims)
        || !weight_kind (tj, w, name, &kind, &scale, &min))
      break;
    nbytes = count * weight_bytes[kind];
    if (nbytes > size - off) {
      ddamfn_tfjs_fail (tj, "weight '%s' (%" G_GSIZE_FORMAT " bytes at "
          "%" G_GSIZE_FORMAT ") lies past the end of its shards (%"
          G_GSIZE_FORMAT " bytes)", name, nbytes, off, size);
      break;
    }
    vals = decode (data + off, count, kind, scale, min);
    if (vals == NULL) {
      ddamfn_tfjs_fail (tj, "out of memory for weight '%s'", name);
      break;
    }
    off += nbytes;
    t = ddamfn_graph_add_const (tj->g, name, vals, count, &tj->error);
    if (t < 0)
      break;
    ddamfn_graph_tensor (tj->g, t)->ndim = ndim;
    memcpy (ddamfn_graph_tensor (tj->g, t)->dims, dims, ndim * sizeof (gint64));
    tj->total_floats += count;
    if (tj->total_floats > DDAMFN_GRAPH_MAX_CONST_FLOATS)
      ddamfn_tfjs_fail (tj, "more than %u weights in all",
          DDAMFN_GRAPH_MAX_CONST_FLOATS);
  }
  g_bytes_unref (bytes);
  return tj->error == NULL;
}

static gboolean
read_weights (Tfjs * tj, JsonObject * root)
{
  JsonNode *mn = json_object_get_member (root, "weightsManifest");
  JsonArray *groups;

  if (mn == NULL || !JSON_NODE_HOLDS_ARRAY (mn))
    return ddamfn_tfjs_fail (tj, "no weightsManifest");
  groups = json_node_get_array (mn);
  for (guint i = 0; i < json_array_get_length (groups); i++) {
    JsonNode *gn = json_array_get_element (groups, i);
    if (!JSON_NODE_HOLDS_OBJECT (gn))
      return ddamfn_tfjs_fail (tj, "weightsManifest group %u is not an "
          "object", i);
    if (!read_group_weights (tj, json_node_get_object (gn)))
      return FALSE;
  }
  return TRUE;
}

DdamfnGraph *
ddamfn_tfjs_import_bytes (const char *path, const char *json, gsize len,
    DdamfnShardReader read_shard, gpointer data, GError ** error)
{
  Tfjs tj = {.read_shard = read_shard,.shard_data = data };
  JsonParser *parser = NULL;
  JsonNode *rn;
  const char *format;

  tj.g = ddamfn_graph_new (path, "TensorFlow.js");
  if (len > MAX_JSON_BYTES || len > G_MAXSSIZE)
    ddamfn_tfjs_fail (&tj, "model.json larger than %u MiB",
        MAX_JSON_BYTES >> 20);
  else if (!ddamfn_json_depth_ok (json, len))
    ddamfn_tfjs_fail (&tj, "JSON nested deeper than %d levels",
        DDAMFN_JSON_MAX_DEPTH);
  if (tj.error == NULL) {
    GError *jerr = NULL;
    /* not json_parser_new_immutable (): json-glib 1.10 aborts in
     * json_parser_get_root () on an immutable parser given several
     * top-level values ("[][]") */
    parser = json_parser_new ();
    if (!json_parser_load_from_data (parser, json, (gssize) len, &jerr)) {
      ddamfn_tfjs_fail (&tj, "not JSON: %s", jerr->message);
      g_error_free (jerr);
    }
  }
  if (tj.error == NULL) {
    rn = json_parser_get_root (parser);
    if (rn == NULL || !JSON_NODE_HOLDS_OBJECT (rn))
      ddamfn_tfjs_fail (&tj, "the JSON is not an object");
    else if ((format = obj_str (json_node_get_object (rn), "format")) != NULL
        && strcmp (format, "graph-model") != 0)
      ddamfn_tfjs_fail (&tj, "format '%s' (only graph-model is supported; "
          "layers-model files must be converted to a graph model)", format);
    else if (read_weights (&tj, json_node_get_object (rn)))
      ddamfn_tfjs_read_nodes (&tj, json_node_get_object (rn));
  }
  if (parser)
    g_object_unref (parser);
  if (tj.error) {
    g_propagate_error (error, tj.error);
    ddamfn_graph_free (tj.g);
    return NULL;
  }
  return tj.g;
}

typedef struct
{
  char *dir;
} DirReader;

static GBytes *
read_beside (const char *name, gpointer data, GError ** error)
{
  const DirReader *d = data;
  char *p = g_build_filename (d->dir, name, NULL);
  char *contents = NULL;
  gsize len = 0;
  GError *e = NULL;
  GStatBuf st;

  /* not read at all when larger than any shard may be */
  if (g_stat (p, &st) == 0 && st.st_size > (goffset) MAX_SHARD_BYTES) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "weight shard '%s' is larger than %u MiB", name,
        MAX_SHARD_BYTES >> 20);
    g_free (p);
    return NULL;
  }

  if (!g_file_get_contents (p, &contents, &len, &e)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO,
        "cannot read weight shard: %s", e->message);
    g_error_free (e);
    g_free (p);
    return NULL;
  }
  g_free (p);
  return g_bytes_new_take (contents, len);
}

DdamfnGraph *
ddamfn_tfjs_import (const char *path, GError ** error)
{
  char *json = NULL;
  gsize len = 0;
  GError *e = NULL;
  DirReader d;
  DdamfnGraph *g;

  if (!g_file_get_contents (path, &json, &len, &e)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO, "%s", e->message);
    g_error_free (e);
    return NULL;
  }
  d.dir = g_path_get_dirname (path);
  g = ddamfn_tfjs_import_bytes (path, json, len, read_beside, &d, error);
  g_free (d.dir);
  g_free (json);
  return g;
}
