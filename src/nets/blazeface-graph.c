/* Reading the "graph" metadata of a converted BlazeFace model into
 * operators and tensors, each checked as it is read: known operator, inputs
 * written by earlier operators, output sizes that follow from kernel,
 * stride and padding (docs/face-detector.md).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "nets/blazeface-graph.h"
#include "ops/dispatch.h"

#include <string.h>

#define T blazeface_tensor
#define find_tensor blazeface_find_tensor

void
blazeface_tensor_free (gpointer p)
{
  Tensor *t = p;

  g_free (t->name);
  g_free (t);
}

Tensor *
blazeface_tensor (Builder * b, int i)
{
  return g_ptr_array_index (b->tensors, i);
}

int
blazeface_find_tensor (Builder * b, const char *name)
{
  for (guint i = 0; i < b->tensors->len; i++)
    if (strcmp (T (b, i)->name, name) == 0)
      return (int) i;
  return -1;
}

static int
add_tensor (Builder * b, const char *name, int c, int h, int w, int producer)
{
  Tensor *t = g_new0 (Tensor, 1);

  t->name = g_strdup (name);
  t->c = c;
  t->h = h;
  t->w = w;
  t->producer = producer;
  t->last_use = -1;
  t->alias = -1;
  t->slot = -1;
  g_ptr_array_add (b->tensors, t);
  return (int) b->tensors->len - 1;
}

/* ---- reading the graph ---------------------------------------------- */

static const char *
member_string (Builder * b, JsonObject * o, int k, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);

  if (n == NULL || json_node_get_value_type (n) != G_TYPE_STRING) {
    ddamfn_loader_fail (&b->ld, "%s: graph operator %d: \"%s\" is missing "
        "or not a string", b->ld.path, k, key);
    return NULL;
  }
  return json_node_get_string (n);
}

/* Integers of array member KEY (exactly N of them, each in LO … HI). */
static gboolean
member_ints (Builder * b, JsonObject * o, int k, const char *key, int n,
    int lo, int hi, int *out)
{
  JsonNode *node = json_object_get_member (o, key);
  JsonArray *a;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node)
      || json_array_get_length (a = json_node_get_array (node)) != (guint) n)
    goto bad;
  for (int i = 0; i < n; i++) {
    JsonNode *e = json_array_get_element (a, i);
    gint64 v;

    if (json_node_get_value_type (e) != G_TYPE_INT64)
      goto bad;
    v = json_node_get_int (e);
    if (v < lo || v > hi)
      goto bad;
    out[i] = (int) v;
  }
  return TRUE;
bad:
  ddamfn_loader_fail (&b->ld, "%s: graph operator %d: \"%s\" must be %d "
      "integers in %d … %d", b->ld.path, k, key, n, lo, hi);
  return FALSE;
}

/* Index of the tensor an operator reads: the input or an earlier output. */
static int
input_tensor (Builder * b, int k, const char *name)
{
  int i = name ? find_tensor (b, name) : -1;

  if (name && i < 0)
    ddamfn_loader_fail (&b->ld, "%s: graph operator %d reads '%s', which "
        "no earlier operator writes", b->ld.path, k, name);
  return i;
}

static gboolean
parse_act (Builder * b, JsonObject * o, int k, DdamfnAct * act)
{
  const char *a = json_object_has_member (o, "act")
      ? member_string (b, o, k, "act") : "none";

  if (a == NULL)
    return FALSE;
  if (strcmp (a, "none") == 0)
    *act = ACT_NONE;
  else if (strcmp (a, "relu") == 0)
    *act = ACT_RELU;
  else {
    ddamfn_loader_fail (&b->ld, "%s: graph operator %d: unknown activation "
        "'%s'", b->ld.path, k, a);
    return FALSE;
  }
  return TRUE;
}

/* Output size of a convolution; FALSE when the padding is not one that
 * gives OUT (or is larger than a kernel's overhang). */
static gboolean
conv_size_ok (int in, int k, int s, int before, int after, int out)
{
  return before < k && after < k && in + before + after >= k
      && (in + before + after - k) / s + 1 == out;
}

/* One operator of the graph into B->ops, with its output tensor. */
static void
parse_op (Builder * b, JsonObject * o, int k)
{
  const char *kind = member_string (b, o, k, "op");
  const char *out_name = member_string (b, o, k, "out");
  int shape[3];
  Op op = {.in = {-1, -1} };
  Tensor *x;

  if (kind == NULL || out_name == NULL
      || !member_ints (b, o, k, "shape", 3, 1, 65536, shape))
    return;
  if (find_tensor (b, out_name) >= 0) {
    ddamfn_loader_fail (&b->ld, "%s: graph operator %d writes '%s' a second "
        "time", b->ld.path, k, out_name);
    return;
  }
  if (strcmp (kind, "add") == 0) {
    JsonNode *n = json_object_get_member (o, "in");
    JsonArray *a;

    if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n)
        || json_array_get_length (a = json_node_get_array (n)) != 2
        || json_node_get_value_type (json_array_get_element (a, 0))
        != G_TYPE_STRING
        || json_node_get_value_type (json_array_get_element (a, 1))
        != G_TYPE_STRING) {
      ddamfn_loader_fail (&b->ld, "%s: graph operator %d: add needs two "
          "input names", b->ld.path, k);
      return;
    }
    op.kind = OP_ADD;
    op.n_in = 2;
    op.in[0] = input_tensor (b, k, json_array_get_string_element (a, 0));
    op.in[1] = input_tensor (b, k, json_array_get_string_element (a, 1));
    if (op.in[1] < 0 || !parse_act (b, o, k, &op.act))
      return;
  } else {
    op.n_in = 1;
    op.in[0] = input_tensor (b, k, member_string (b, o, k, "in"));
  }
  if (b->ld.error || op.in[0] < 0)
    return;
  x = T (b, op.in[0]);

  if (strcmp (kind, "conv") == 0 || strcmp (kind, "dwconv") == 0) {
    int kernel[2], stride[2];

    op.kind = kind[0] == 'c' ? OP_CONV : OP_DWCONV;
    op.weight = member_string (b, o, k, "weight");
    op.bias = member_string (b, o, k, "bias");
    if (op.weight == NULL || op.bias == NULL
        || !member_ints (b, o, k, "kernel", 2, 1, DDAMFN_DW_MAX_KERNEL,
            kernel)
        || !member_ints (b, o, k, "stride", 2, 1, 4, stride)
        || !member_ints (b, o, k, "pad", 4, 0, DDAMFN_DW_MAX_KERNEL - 1,
            op.pad) || !parse_act (b, o, k, &op.act))
      return;
    op.kh = kernel[0];
    op.kw = kernel[1];
    op.sh = stride[0];
    op.sw = stride[1];
    if (op.sh != op.sw
        || !conv_size_ok (x->h, op.kh, op.sh, op.pad[0], op.pad[2], shape[1])
        || !conv_size_ok (x->w, op.kw, op.sw, op.pad[1], op.pad[3], shape[2])
        || (op.kind == OP_DWCONV && shape[0] != x->c)) {
      ddamfn_loader_fail (&b->ld, "%s: graph operator %d ('%s'): a %d×%d "
          "convolution with stride %d×%d and padding %d,%d,%d,%d does not "
          "take %d×%d×%d to %d×%d×%d", b->ld.path, k, out_name, op.kh,
          op.kw, op.sh, op.sw, op.pad[0], op.pad[1], op.pad[2], op.pad[3],
          x->c, x->h, x->w, shape[0], shape[1], shape[2]);
      return;
    }
  } else if (strcmp (kind, "relu") == 0 || op.kind == OP_ADD) {
    if (strcmp (kind, "relu") == 0)
      op.kind = OP_RELU;
    if (shape[0] != x->c || shape[1] != x->h || shape[2] != x->w
        || (op.kind == OP_ADD && (T (b, op.in[1])->c != x->c
                || T (b, op.in[1])->h != x->h
                || T (b, op.in[1])->w != x->w))) {
      ddamfn_loader_fail (&b->ld, "%s: graph operator %d ('%s'): operand "
          "shapes differ", b->ld.path, k, out_name);
      return;
    }
  } else if (strcmp (kind, "maxpool2") == 0
      || strcmp (kind, "upsample2") == 0) {
    gboolean up = kind[0] == 'u';

    op.kind = up ? OP_UPSAMPLE2 : OP_MAXPOOL2;
    if (up) {
      JsonNode *n = json_object_get_member (o, "half_pixel_centers");
      op.half_pixel = n && JSON_NODE_HOLDS_VALUE (n)
          && json_node_get_value_type (n) == G_TYPE_BOOLEAN
          && json_node_get_boolean (n);
    }
    if (shape[0] != x->c
        || (up ? (shape[1] != 2 * x->h || shape[2] != 2 * x->w
                || x->w > DDAMFN_UPSAMPLE_MAX_WIDTH)
            : (shape[1] != (x->h + 1) / 2 || shape[2] != (x->w + 1) / 2))) {
      ddamfn_loader_fail (&b->ld, "%s: graph operator %d ('%s'): %s of "
          "%d×%d×%d cannot give %d×%d×%d", b->ld.path, k, out_name, kind,
          x->c, x->h, x->w, shape[0], shape[1], shape[2]);
      return;
    }
  } else if (strcmp (kind, "pad_channels") == 0) {
    op.kind = OP_PAD_CHANNELS;
    if (shape[0] < x->c || shape[1] != x->h || shape[2] != x->w) {
      ddamfn_loader_fail (&b->ld, "%s: graph operator %d ('%s'): padding "
          "%d channels to %d", b->ld.path, k, out_name, x->c, shape[0]);
      return;
    }
  } else {
    ddamfn_loader_fail (&b->ld, "%s: graph operator %d: unknown operator "
        "'%s'", b->ld.path, k, kind);
    return;
  }
  op.out = add_tensor (b, out_name, shape[0], shape[1], shape[2],
      (int) b->ops->len);
  g_array_append_val (b->ops, op);
}

void
blazeface_parse_graph (Builder * b, const char *text, const char *input_name, int size)
{
  JsonParser *parser = b->parser = json_parser_new ();
  GError *err = NULL;
  JsonNode *root;
  JsonArray *a;
  guint n;

  if (!json_parser_load_from_data (parser, text, -1, &err)) {
    ddamfn_loader_fail (&b->ld, "%s: metadata \"graph\" is not valid JSON: "
        "%s", b->ld.path, err->message);
    g_error_free (err);
    return;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root)
      || (n = json_array_get_length (a = json_node_get_array (root))) == 0
      || n > MAX_OPS) {
    ddamfn_loader_fail (&b->ld, "%s: metadata \"graph\" must be a list of "
        "1 … %d operators", b->ld.path, MAX_OPS);
    return;
  }
  b->input = add_tensor (b, input_name, 3, size, size, -1);
  for (guint k = 0; k < n && !b->ld.error; k++) {
    JsonNode *e = json_array_get_element (a, k);

    if (!JSON_NODE_HOLDS_OBJECT (e)) {
      ddamfn_loader_fail (&b->ld, "%s: graph operator %u is not an object",
          b->ld.path, k);
      break;
    }
    parse_op (b, json_node_get_object (e), (int) k);
  }
}

