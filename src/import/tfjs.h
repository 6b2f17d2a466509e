/* The TensorFlow.js importer's shared state: tfjs.c reads model.json's
 * weights manifest and shards, tfjs-ops.c turns its nodes into the graph
 * IR.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_IMPORT_TFJS_H
#define DDAMFN_IMPORT_TFJS_H

#include "import/graph.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdarg.h>

G_BEGIN_DECLS

typedef struct
{
  DdamfnGraph *g;
  DdamfnShardReader read_shard;
  gpointer shard_data;
  GError *error;                /* the first problem; later ones ignored */
  gsize total_floats;
} Tfjs;

/* Sets TJ's error (when none is set yet); returns FALSE. */
gboolean ddamfn_tfjs_fail (Tfjs * tj, const char *fmt, ...)
    G_GNUC_PRINTF (2, 3);

/* modelTopology.node of ROOT into TJ's graph, in dependency order, with
 * the outputs of ROOT's signature (or the nodes nothing reads). */
void ddamfn_tfjs_read_nodes (Tfjs * tj, JsonObject * root);

/* A node of modelTopology as read (strings owned by the JSON parser). */
typedef struct
{
  const char *name, *op;
  JsonArray *inputs;
  JsonObject *attr;
  int state;                    /* 0 new, 1 on the stack, 2 done */
} TNode;

/* ---- tfjs-attr.c: node attributes ---------------------------------------- */

/* Attribute KEY of N as an object, or NULL. */
JsonObject *ddamfn_tfjs_attr_obj (const TNode * n, const char *key);
/* A string attribute ("s", base64), decoded: a new string or NULL. */
char *ddamfn_tfjs_attr_str (const TNode * n, const char *key);
/* A list of integers ("list": {"i": [...]}): how many (−1 when absent or
 * malformed or more than MAX). */
int ddamfn_tfjs_attr_ints (const TNode * n, const char *key, gint64 * out,
    int max);
double ddamfn_tfjs_attr_float (const TNode * n, const char *key,
    double dflt);
gboolean ddamfn_tfjs_attr_bool (const TNode * n, const char *key);
/* A list of strings, decoded: a new NULL-terminated vector. */
char **ddamfn_tfjs_attr_strs (const TNode * n, const char *key);
/* An integer given as a JSON number or a decimal string. */
gboolean ddamfn_tfjs_json_int (JsonNode * v, gint64 * out);

G_END_DECLS

#endif /* DDAMFN_IMPORT_TFJS_H */
