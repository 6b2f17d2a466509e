/* Model cards as JSON (docs/model-cards.md): reading a card, strictly —
 * an unknown member, a wrong type or a value out of range is an error
 * naming the member — and writing the card in effect.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "card.h"
#include "json-bounded.h"

#include <float.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#define MAX_CARD_BYTES (64 * 1024)
#define MAX_NAME 256

void
ddamfn_card_clear (DdamfnCard * c)
{
  g_free (c->name);
  g_free (c->preset);
  g_free (c->licence);
  g_free (c->accuracy);
  g_free (c->expr.output);
  g_free (c->valence.output);
  g_free (c->arousal.output);
  g_free (c->au.output);
  for (int i = 0; i < DDAMFN_MAX_EXPRESSIONS; i++)
    g_free (c->labels[i]);
  for (int i = 0; i < DDAMFN_N_AU; i++)
    g_free (c->au_names[i]);
  memset (c, 0, sizeof *c);
}

static void
pick_copy (CardPick * dst, const CardPick * src)
{
  *dst = *src;
  dst->output = g_strdup (src->output);
}

void
ddamfn_card_copy (DdamfnCard * dst, const DdamfnCard * src)
{
  *dst = *src;
  dst->name = g_strdup (src->name);
  dst->preset = g_strdup (src->preset);
  dst->licence = g_strdup (src->licence);
  dst->accuracy = g_strdup (src->accuracy);
  pick_copy (&dst->expr, &src->expr);
  pick_copy (&dst->valence, &src->valence);
  pick_copy (&dst->arousal, &src->arousal);
  pick_copy (&dst->au, &src->au);
  for (int i = 0; i < DDAMFN_MAX_EXPRESSIONS; i++)
    dst->labels[i] = g_strdup (src->labels[i]);
  for (int i = 0; i < DDAMFN_N_AU; i++)
    dst->au_names[i] = g_strdup (src->au_names[i]);
}

/* ---- reading ---------------------------------------------------------- */

typedef struct
{
  const char *what;
  GError **error;
  gboolean failed;
} Reader;

static gboolean G_GNUC_PRINTF (3, 4)
fail (Reader * r, const char *member, const char *fmt, ...)
{
  va_list ap;
  char *why;

  if (r->failed)
    return FALSE;
  va_start (ap, fmt);
  why = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (r->error, DDAMFN_ERROR, DDAMFN_ERROR_METADATA,
      "%s: model card member \"%s\": %s", r->what, member, why);
  g_free (why);
  r->failed = TRUE;
  return FALSE;
}

/* Only the members ALLOWED (NULL-terminated) may appear in O. */
static gboolean
only_members (Reader * r, const char *where, JsonObject * o,
    const char *const *allowed)
{
  GList *names = json_object_get_members (o);
  gboolean ok = TRUE;

  for (GList * l = names; l && ok; l = l->next) {
    gboolean known = FALSE;
    for (int i = 0; allowed[i] && !known; i++)
      known = strcmp (l->data, allowed[i]) == 0;
    if (!known) {
      char *m = g_strdup_printf ("%s%s%s", where, *where ? "." : "",
          (const char *) l->data);
      ok = fail (r, m, "unknown member (a typo?)");
      g_free (m);
    }
  }
  g_list_free (names);
  return ok;
}

static gboolean
get_string (Reader * r, JsonObject * o, const char *key, const char *member,
    char **out)
{
  JsonNode *n = json_object_get_member (o, key);
  const char *s;

  if (n == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) !=
      G_TYPE_STRING)
    return fail (r, member, "expected a string");
  s = json_node_get_string (n);
  if (*s == '\0' || strlen (s) > MAX_NAME || !g_utf8_validate (s, -1, NULL))
    return fail (r, member, "expected a non-empty name of at most %d bytes",
        MAX_NAME);
  g_free (*out);
  *out = g_strdup (s);
  return TRUE;
}

static gboolean
number_of (JsonNode * n, double *v)
{
  GType t;

  if (!JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  t = json_node_get_value_type (n);
  if (t == G_TYPE_INT64)
    *v = (double) json_node_get_int (n);
  else if (t == G_TYPE_DOUBLE)
    *v = json_node_get_double (n);
  else
    return FALSE;
  return isfinite (*v) && fabs (*v) <= FLT_MAX;
}

static gboolean
get_number (Reader * r, JsonObject * o, const char *key, const char *member,
    double lo, double hi, double *out)
{
  JsonNode *n = json_object_get_member (o, key);
  double v;

  if (n == NULL)
    return TRUE;
  if (!number_of (n, &v) || v < lo || v > hi)
    return fail (r, member, "expected a number from %g to %g", lo, hi);
  *out = v;
  return TRUE;
}

static gboolean
get_int (Reader * r, JsonObject * o, const char *key, const char *member,
    int lo, int hi, int *out)
{
  double v = *out;

  if (!get_number (r, o, key, member, lo, hi, &v))
    return FALSE;
  if (v != floor (v))
    return fail (r, member, "expected a whole number");
  *out = (int) v;
  return TRUE;
}

/* An array of 1 … MAX numbers into OUT; *N gets the count. */
static gboolean
get_numbers (Reader * r, JsonObject * o, const char *key, const char *member,
    float *out, int max, int *n, double lo, double hi)
{
  JsonNode *node = json_object_get_member (o, key);
  JsonArray *a;
  guint len;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (r, member, "expected an array of numbers");
  a = json_node_get_array (node);
  len = json_array_get_length (a);
  if (len < 1 || len > (guint) max)
    return fail (r, member, "expected 1 to %d numbers, got %u", max, len);
  for (guint i = 0; i < len; i++) {
    double v;
    if (!number_of (json_array_get_element (a, i), &v) || v < lo || v > hi)
      return fail (r, member, "element %u: expected a number from %g to %g",
          i, lo, hi);
    out[i] = (float) v;
  }
  *n = (int) len;
  return TRUE;
}

static gboolean
get_names (Reader * r, JsonObject * o, const char *key, const char *member,
    char **out, int max, int *n)
{
  JsonNode *node = json_object_get_member (o, key);
  JsonArray *a;
  guint len;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (node))
    return fail (r, member, "expected an array of names");
  a = json_node_get_array (node);
  len = json_array_get_length (a);
  if (len < 1 || len > (guint) max)
    return fail (r, member, "expected 1 to %d names, got %u", max, len);
  for (guint i = 0; i < len; i++) {
    JsonNode *e = json_array_get_element (a, i);
    const char *s;
    if (!JSON_NODE_HOLDS_VALUE (e)
        || json_node_get_value_type (e) != G_TYPE_STRING)
      return fail (r, member, "element %u: expected a string", i);
    s = json_node_get_string (e);
    if (*s == '\0' || strlen (s) > MAX_NAME || !g_utf8_validate (s, -1, NULL))
      return fail (r, member, "element %u: expected a non-empty name", i);
  }
  for (int i = 0; i < max; i++)
    g_clear_pointer (&out[i], g_free);
  for (guint i = 0; i < len; i++)
    out[i] = g_strdup (json_node_get_string (json_array_get_element (a, i)));
  *n = (int) len;
  return TRUE;
}

/* KEY's value among NAMES (NULL-terminated): its index into *OUT. */
static gboolean
get_choice (Reader * r, JsonObject * o, const char *key, const char *member,
    const char *const *names, int *out)
{
  char *s = NULL;
  GString *list;

  if (!get_string (r, o, key, member, &s) || s == NULL)
    return !r->failed;
  for (int i = 0; names[i]; i++) {
    if (strcmp (s, names[i]) == 0) {
      *out = i;
      g_free (s);
      return TRUE;
    }
  }
  list = g_string_new (NULL);
  for (int i = 0; names[i]; i++)
    g_string_append_printf (list, "%s\"%s\"", i ? ", " : "", names[i]);
  fail (r, member, "\"%s\" is not one of %s", s, list->str);
  g_string_free (list, TRUE);
  g_free (s);
  return FALSE;
}

static const char *const colour_names[] = { "rgb", "bgr", "grey", NULL };
static const char *const layout_names[] = { "nchw", "nhwc", NULL };
static const char *const crop_names[] = { "box", "align", NULL };
static const char *const act_names[] =
    { "none", "softmax", "sigmoid", "tanh", NULL };

static gboolean
read_input (Reader * r, JsonObject * o, DdamfnInputSpec * in)
{
  static const char *const allowed[] = { "width", "height", "colour",
    "grey_weights", "range", "mean", "std", "layout", "crop", "box_scale",
    NULL
  };
  int colour = in->colour, layout = in->nhwc, crop = in->crop;
  int n_mean = 0, n_std = 0, n_w = 0;
  double range = in->range, scale = in->box_scale;
  float mean[3], std[3];

  if (!only_members (r, "input", o, allowed)
      || !get_int (r, o, "width", "input.width", 1, 512, &in->width)
      || !get_int (r, o, "height", "input.height", 1, 512, &in->height)
      || !get_choice (r, o, "colour", "input.colour", colour_names, &colour)
      || !get_numbers (r, o, "grey_weights", "input.grey_weights",
          in->grey_weights, 3, &n_w, -16, 16)
      || !get_number (r, o, "range", "input.range", 1e-3, 65535, &range)
      || !get_numbers (r, o, "mean", "input.mean", mean, 3, &n_mean, -1e6,
          1e6)
      || !get_numbers (r, o, "std", "input.std", std, 3, &n_std, 1e-6, 1e6)
      || !get_choice (r, o, "layout", "input.layout", layout_names, &layout)
      || !get_choice (r, o, "crop", "input.crop", crop_names, &crop)
      || !get_number (r, o, "box_scale", "input.box_scale", 0.1, 10, &scale))
    return FALSE;
  if (n_w != 0 && n_w != 3)
    return fail (r, "input.grey_weights", "expected 3 numbers (R, G, B)");
  in->colour = colour;
  in->nhwc = layout;
  in->crop = crop;
  in->range = (float) range;
  in->box_scale = (float) scale;
  /* One value stands for every channel. */
  for (int c = 0; c < 3; c++) {
    if (n_mean)
      in->mean[c] = mean[n_mean == 1 ? 0 : MIN (c, n_mean - 1)];
    if (n_std)
      in->std[c] = std[n_std == 1 ? 0 : MIN (c, n_std - 1)];
  }
  if ((n_mean != 0 && n_mean != 1 && n_mean != 3)
      || (n_std != 0 && n_std != 1 && n_std != 3))
    return fail (r, n_mean == 2 ? "input.mean" : "input.std",
        "expected 1 or 3 numbers");
  return TRUE;
}

static gboolean
read_pick (Reader * r, JsonObject * o, const char *where, CardPick * p,
    gboolean single)
{
  char member[64];
  int act = p->act;

  g_snprintf (member, sizeof member, "%s.output", where);
  if (!get_string (r, o, "output", member, &p->output))
    return FALSE;
  g_snprintf (member, sizeof member, "%s.index", where);
  if (!get_int (r, o, "index", member, 0, 1 << 24, &p->index))
    return FALSE;
  g_snprintf (member, sizeof member, "%s.activation", where);
  if (!get_choice (r, o, "activation", member, act_names, &act))
    return FALSE;
  if (single && act == CARD_ACT_SOFTMAX)
    return fail (r, member, "softmax needs several values");
  p->act = act;
  if (single)
    p->count = 1;
  return TRUE;
}

/* "expression", "valence", "arousal", "action_units": an object, or null
 * for a model without that head. */
static gboolean
read_head (Reader * r, JsonObject * root, const char *key, DdamfnCard * c)
{
  JsonNode *n = json_object_get_member (root, key);
  JsonObject *o;

  if (n == NULL)
    return TRUE;
  if (JSON_NODE_HOLDS_NULL (n)) {
    if (strcmp (key, "expression") == 0)
      c->has_expr = FALSE;
    else if (strcmp (key, "action_units") == 0)
      c->has_au = FALSE;
    else
      c->has_va = FALSE;
    return TRUE;
  }
  if (!JSON_NODE_HOLDS_OBJECT (n))
    return fail (r, key, "expected an object, or null for no such output");
  o = json_node_get_object (n);
  if (strcmp (key, "expression") == 0) {
    static const char *const allowed[] = { "output", "index", "labels",
      "activation", NULL
    };
    int n_labels = c->expr.count;
    if (!only_members (r, key, o, allowed)
        || !read_pick (r, o, key, &c->expr, FALSE)
        || !get_names (r, o, "labels", "expression.labels", c->labels,
            DDAMFN_MAX_EXPRESSIONS, &n_labels))
      return FALSE;
    if (n_labels < 2)
      return fail (r, "expression.labels", "expected at least two labels");
    c->expr.count = n_labels;
    c->has_expr = TRUE;
  } else if (strcmp (key, "action_units") == 0) {
    static const char *const allowed[] = { "output", "index", "names",
      "thresholds", "activation", NULL
    };
    int n_names = c->au.count, n_thr = 0;
    float thr[DDAMFN_N_AU];
    if (!only_members (r, key, o, allowed)
        || !read_pick (r, o, key, &c->au, FALSE)
        || !get_names (r, o, "names", "action_units.names", c->au_names,
            DDAMFN_N_AU, &n_names)
        || !get_numbers (r, o, "thresholds", "action_units.thresholds", thr,
            DDAMFN_N_AU, &n_thr, 0, 1))
      return FALSE;
    if (n_names < 1)
      return fail (r, "action_units.names", "expected the units' names");
    if (n_thr && n_thr != n_names)
      return fail (r, "action_units.thresholds", "%d thresholds for %d "
          "units", n_thr, n_names);
    for (int i = 0; i < n_names; i++)
      c->au_thresholds[i] = n_thr ? thr[i] : (c->au.count == n_names
          ? c->au_thresholds[i] : 0.5f);
    c->au.count = n_names;
    c->has_au = TRUE;
  } else {
    static const char *const allowed[] = { "output", "index", "activation",
      NULL
    };
    if (!only_members (r, key, o, allowed)
        || !read_pick (r, o, key, strcmp (key, "valence") == 0 ? &c->valence
            : &c->arousal, TRUE))
      return FALSE;
    c->has_va = TRUE;
  }
  return TRUE;
}

static gboolean
read_card (Reader * r, JsonObject * root, DdamfnCard * c)
{
  static const char *const allowed[] = { "name", "preset", "licence",
    "accuracy", "input", "expression", "valence", "arousal", "action_units",
    "schema", NULL
  };
  JsonNode *in;
  char *preset = NULL;
  int schema = 1;

  if (!only_members (r, "", root, allowed)
      || !get_int (r, root, "schema", "schema", 1, 1, &schema)
      || !get_string (r, root, "preset", "preset", &preset))
    return FALSE;
  /* A DDAMFN file's card starts from its own metadata, not the bare
   * preset. */
  if (preset && c->preset && strcmp (preset, "ddamfn") == 0
      && strcmp (c->preset, "ddamfn") == 0)
    g_clear_pointer (&preset, g_free);
  if (preset) {
    GError *err = NULL;
    if (!ddamfn_card_preset (c, preset, &err)) {
      fail (r, "preset", "%s", err->message);
      g_error_free (err);
      g_free (preset);
      return FALSE;
    }
    g_free (preset);
  }
  if (!get_string (r, root, "name", "name", &c->name)
      || !get_string (r, root, "licence", "licence", &c->licence)
      || !get_string (r, root, "accuracy", "accuracy", &c->accuracy))
    return FALSE;
  in = json_object_get_member (root, "input");
  if (in && !JSON_NODE_HOLDS_OBJECT (in))
    return fail (r, "input", "expected an object");
  if (in && !read_input (r, json_node_get_object (in), &c->input))
    return FALSE;
  if (!read_head (r, root, "expression", c)
      || !read_head (r, root, "valence", c)
      || !read_head (r, root, "arousal", c)
      || !read_head (r, root, "action_units", c))
    return FALSE;
  if (c->has_va && (c->valence.count != 1 || c->arousal.count != 1))
    return fail (r, c->valence.count ? "arousal" : "valence",
        "valence and arousal come together");
  if (c->name == NULL)
    return fail (r, "name", "missing: a card names its model");
  if (c->input.width == 0 || c->input.height == 0)
    return fail (r, "input", "missing width and height");
  if (!c->has_expr && !c->has_va && !c->has_au)
    return fail (r, "expression", "the card maps no output");
  return TRUE;
}

gboolean
ddamfn_card_parse (DdamfnCard * c, const char *what, const char *json,
    gsize len, GError ** error)
{
  Reader r = { what, error, FALSE };
  JsonNode *root;

  if (len > MAX_CARD_BYTES) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_METADATA,
        "%s: a model card of %" G_GSIZE_FORMAT " bytes (at most %d)", what,
        len, MAX_CARD_BYTES);
    return FALSE;
  }
  root = ddamfn_json_parse_bounded (what, json, len, error);
  if (root == NULL)
    return FALSE;
  /* A card that starts from nothing: what is not said is the identity
   * (values 0 … 1, mean 0, std 1), BT.601 grey, the box as it is. */
  if (c->name == NULL && c->input.width == 0) {
    c->input.range = 1.f;
    for (int k = 0; k < 3; k++)
      c->input.std[k] = 1.f;
    c->input.grey_weights[0] = 0.2989f;
    c->input.grey_weights[1] = 0.5870f;
    c->input.grey_weights[2] = 0.1140f;
    c->input.box_scale = 1.f;
  }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    fail (&r, "", "a model card is a JSON object");
  else
    read_card (&r, json_node_get_object (root), c);
  json_node_unref (root);
  return !r.failed;
}

/* ---- writing ---------------------------------------------------------- */

static void
add_floats (JsonBuilder * b, const char *key, const float *v, int n)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

static void
add_pick (JsonBuilder * b, const CardPick * p)
{
  if (p->output) {
    json_builder_set_member_name (b, "output");
    json_builder_add_string_value (b, p->output);
  }
  json_builder_set_member_name (b, "index");
  json_builder_add_int_value (b, p->index);
  json_builder_set_member_name (b, "activation");
  json_builder_add_string_value (b, act_names[p->act]);
}

static void
add_names (JsonBuilder * b, const char *key, char *const *names, int n)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (int i = 0; i < n; i++)
    json_builder_add_string_value (b, names[i]);
  json_builder_end_array (b);
}

static void
add_input (JsonBuilder * b, const DdamfnInputSpec * in)
{
  const int nc = in->colour == DDAMFN_COLOUR_GREY ? 1 : 3;

  json_builder_set_member_name (b, "input");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "width");
  json_builder_add_int_value (b, in->width);
  json_builder_set_member_name (b, "height");
  json_builder_add_int_value (b, in->height);
  json_builder_set_member_name (b, "colour");
  json_builder_add_string_value (b, colour_names[in->colour]);
  if (nc == 1)
    add_floats (b, "grey_weights", in->grey_weights, 3);
  json_builder_set_member_name (b, "range");
  json_builder_add_double_value (b, in->range);
  add_floats (b, "mean", in->mean, nc);
  add_floats (b, "std", in->std, nc);
  json_builder_set_member_name (b, "layout");
  json_builder_add_string_value (b, layout_names[in->nhwc ? 1 : 0]);
  json_builder_set_member_name (b, "crop");
  json_builder_add_string_value (b, crop_names[in->crop]);
  json_builder_set_member_name (b, "box_scale");
  json_builder_add_double_value (b, in->box_scale);
  json_builder_end_object (b);
}

static void
add_string (JsonBuilder * b, const char *key, const char *v)
{
  if (v == NULL)
    return;
  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, v);
}

char *
ddamfn_card_to_json (const DdamfnCard * c)
{
  JsonBuilder *b = json_builder_new ();
  JsonNode *root;
  char *s;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schema");
  json_builder_add_int_value (b, 1);
  add_string (b, "name", c->name);
  add_string (b, "preset", c->preset);
  add_string (b, "licence", c->licence);
  add_string (b, "accuracy", c->accuracy);
  add_input (b, &c->input);
  /* A head the model lacks is written as null, so that a card starting
   * from a preset that has it reads back the same. */
  json_builder_set_member_name (b, "expression");
  if (c->has_expr) {
    json_builder_begin_object (b);
    add_pick (b, &c->expr);
    add_names (b, "labels", c->labels, c->expr.count);
    json_builder_end_object (b);
  } else {
    json_builder_add_null_value (b);
  }
  if (!c->has_va) {
    json_builder_set_member_name (b, "valence");
    json_builder_add_null_value (b);
    json_builder_set_member_name (b, "arousal");
    json_builder_add_null_value (b);
  } else {
    json_builder_set_member_name (b, "valence");
    json_builder_begin_object (b);
    add_pick (b, &c->valence);
    json_builder_end_object (b);
    json_builder_set_member_name (b, "arousal");
    json_builder_begin_object (b);
    add_pick (b, &c->arousal);
    json_builder_end_object (b);
  }
  json_builder_set_member_name (b, "action_units");
  if (c->has_au) {
    json_builder_begin_object (b);
    add_pick (b, &c->au);
    add_names (b, "names", c->au_names, c->au.count);
    add_floats (b, "thresholds", c->au_thresholds, c->au.count);
    json_builder_end_object (b);
  } else {
    json_builder_add_null_value (b);
  }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  s = json_to_string (root, TRUE);
  json_node_unref (root);
  g_object_unref (b);
  return s;
}
