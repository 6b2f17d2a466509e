/* Attributes of TensorFlow.js graph nodes: TensorFlow's AttrValue as JSON
 * ("s" base64 strings, "i" integers as numbers or decimal strings, "f",
 * "b", "list"), read defensively: anything malformed reads as absent.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/tfjs.h"

#include <string.h>

#define MAX_LIST 16

/* ---- attributes -------------------------------------------------------- */

JsonObject *
ddamfn_tfjs_attr_obj (const TNode * n, const char *key)
{
  JsonNode *a = n->attr ? json_object_get_member (n->attr, key) : NULL;

  return a && JSON_NODE_HOLDS_OBJECT (a) ? json_node_get_object (a) : NULL;
}

/* The decoded bytes of a base64 string attribute, as a new string. */
static char *
decode_s (JsonNode * s)
{
  gsize len;
  guchar *raw;
  char *out;

  if (s == NULL || !JSON_NODE_HOLDS_VALUE (s)
      || json_node_get_value_type (s) != G_TYPE_STRING
      || strlen (json_node_get_string (s)) > 256)
    return NULL;
  raw = g_base64_decode (json_node_get_string (s), &len);
  out = g_strndup ((const char *) raw, len);
  g_free (raw);
  return out;
}

char *
ddamfn_tfjs_attr_str (const TNode * n, const char *key)
{
  JsonObject *a = ddamfn_tfjs_attr_obj (n, key);

  return a ? decode_s (json_object_get_member (a, "s")) : NULL;
}

gboolean
ddamfn_tfjs_json_int (JsonNode * v, gint64 * out)
{
  if (v == NULL || !JSON_NODE_HOLDS_VALUE (v))
    return FALSE;
  if (json_node_get_value_type (v) == G_TYPE_INT64) {
    *out = json_node_get_int (v);
    return TRUE;
  }
  if (json_node_get_value_type (v) == G_TYPE_STRING) {
    char *end;
    const char *s = json_node_get_string (v);
    *out = g_ascii_strtoll (s, &end, 10);
    return *s && *end == '\0' && *out > -(1 << 30) && *out < (1 << 30);
  }
  return FALSE;
}

/* List attribute KEY's "i" values: how many (−1 when absent or bad). */
int
ddamfn_tfjs_attr_ints (const TNode * n, const char *key, gint64 * out, int max)
{
  JsonObject *a = ddamfn_tfjs_attr_obj (n, key), *l;
  JsonNode *ln, *in;
  JsonArray *arr;

  if (a == NULL || (ln = json_object_get_member (a, "list")) == NULL
      || !JSON_NODE_HOLDS_OBJECT (ln))
    return -1;
  l = json_node_get_object (ln);
  in = json_object_get_member (l, "i");
  if (in == NULL)
    return 0;
  if (!JSON_NODE_HOLDS_ARRAY (in))
    return -1;
  arr = json_node_get_array (in);
  if ((int) json_array_get_length (arr) > max)
    return -1;
  for (guint i = 0; i < json_array_get_length (arr); i++)
    if (!ddamfn_tfjs_json_int (json_array_get_element (arr, i), &out[i]))
      return -1;
  return json_array_get_length (arr);
}

double
ddamfn_tfjs_attr_float (const TNode * n, const char *key, double dflt)
{
  JsonObject *a = ddamfn_tfjs_attr_obj (n, key);
  JsonNode *f = a ? json_object_get_member (a, "f") : NULL;

  if (f && JSON_NODE_HOLDS_VALUE (f)) {
    if (json_node_get_value_type (f) == G_TYPE_DOUBLE)
      return json_node_get_double (f);
    if (json_node_get_value_type (f) == G_TYPE_INT64)
      return (double) json_node_get_int (f);
  }
  return dflt;
}

gboolean
ddamfn_tfjs_attr_bool (const TNode * n, const char *key)
{
  JsonObject *a = ddamfn_tfjs_attr_obj (n, key);
  JsonNode *b = a ? json_object_get_member (a, "b") : NULL;

  return b && JSON_NODE_HOLDS_VALUE (b)
      && json_node_get_value_type (b) == G_TYPE_BOOLEAN
      && json_node_get_boolean (b);
}

/* fused_ops: the list of base64 strings, as new strings (NULL-ended). */
char **
ddamfn_tfjs_attr_strs (const TNode * n, const char *key)
{
  JsonObject *a = ddamfn_tfjs_attr_obj (n, key);
  JsonNode *ln = a ? json_object_get_member (a, "list") : NULL;
  JsonNode *sn;
  JsonArray *arr;
  GPtrArray *out = g_ptr_array_new ();

  if (ln && JSON_NODE_HOLDS_OBJECT (ln)
      && (sn = json_object_get_member (json_node_get_object (ln), "s"))
      && JSON_NODE_HOLDS_ARRAY (sn)) {
    arr = json_node_get_array (sn);
    for (guint i = 0; i < json_array_get_length (arr) && i < MAX_LIST; i++) {
      char *s = decode_s (json_array_get_element (arr, i));
      if (s)
        g_ptr_array_add (out, s);
    }
  }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

