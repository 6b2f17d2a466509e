/* The DDAMFN model: binds the tensors of a safetensors file to the layers of
 * the network (ddamfn-network.md), checking each shape against the
 * architecture, folds BatchNorm into the preceding convolutions and reads
 * the metadata (labels, AU thresholds, normalisation).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define BN_EPS 1e-5

static const char *const labels_affectnet7[] = {
  "Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Angry", NULL
};

static const char *const labels_affectnet8[] = {
  "Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Angry",
  "Contempt", NULL
};

static const char *const default_au_names[DDAMFN_N_AU] = {
  "AU1", "AU2", "AU4", "AU6", "AU7", "AU10", "AU12", "AU15", "AU23", "AU24",
  "AU25", "AU26"
};

/* Backbone stages of ddamfn-network.md: features.2 … features.7. */
typedef struct
{
  int index;                    /* features.<index> */
  int n;                        /* 0 = single MixDW, else residual stack */
  int cin, cout, g, stride;
  int n_splits;
  int kernels[DDAMFN_MAX_SPLITS];
  int splits[DDAMFN_MAX_SPLITS];
} StageSpec;

static const StageSpec stages[] = {
  {2, 0, 64, 64, 128, 2, 3, {3, 5, 7}, {64, 32, 32}},
  {3, 9, 64, 64, 128, 1, 2, {3, 5}, {96, 32}},
  {4, 0, 64, 128, 256, 2, 3, {3, 5, 7}, {128, 64, 64}},
  {5, 16, 128, 128, 256, 1, 2, {3, 5}, {192, 64}},
  {6, 0, 128, 256, 1024, 2, 4, {3, 5, 7, 9}, {256, 256, 256, 256}},
  {7, 6, 256, 256, 512, 1, 3, {3, 5, 7}, {172, 170, 170}},
};

/* Loading context: the first error sticks and later calls do nothing, so
 * the binding code below reads as a plain list of layers. */
typedef struct
{
  StFile *file;
  const char *path;
  GError *error;
} Loader;

static const StTensor *
loader_find (Loader * ld, const char *name)
{
  const StTensor *t = st_file_lookup (ld->file, name);
  if (t == NULL) {
    char *prefixed = g_strconcat ("module.", name, NULL);
    t = st_file_lookup (ld->file, prefixed);
    g_free (prefixed);
  }
  return t;
}

static gboolean
loader_has (Loader * ld, const char *name)
{
  return loader_find (ld, name) != NULL;
}

static char *
format_shape (const gint64 * shape, int ndim)
{
  GString *s = g_string_new ("[");
  for (int i = 0; i < ndim; i++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, i ? ", " : "",
        shape[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

/* Copies tensor NAME as float32 after checking it has exactly the NDIM
 * dimensions in DIMS. */
static float *
loader_take (Loader * ld, const char *name, int ndim, const gint64 * dims)
{
  const StTensor *t;
  float *out;

  if (ld->error)
    return NULL;
  t = loader_find (ld, name);
  if (t == NULL) {
    g_set_error (&ld->error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
        "%s: missing tensor '%s'", ld->path, name);
    return NULL;
  }
  if (t->dtype != ST_DTYPE_F32) {
    g_set_error (&ld->error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
        "%s: tensor '%s' has dtype %s, expected F32", ld->path, name,
        st_dtype_name (t->dtype));
    return NULL;
  }
  if (t->ndim != ndim || memcmp (t->shape, dims, ndim * sizeof (gint64))) {
    char *want = format_shape (dims, ndim);
    char *have = format_shape (t->shape, t->ndim);
    g_set_error (&ld->error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
        "%s: tensor '%s' has shape %s, expected %s", ld->path, name, have,
        want);
    g_free (want);
    g_free (have);
    return NULL;
  }
  out = g_try_malloc (t->nbytes ? t->nbytes : 1);
  if (out == NULL) {
    g_set_error (&ld->error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
        "%s: out of memory reading tensor '%s'", ld->path, name);
    return NULL;
  }
  /* The data section is only byte-aligned in general: copy, then check. */
  memcpy (out, t->data, t->nbytes);
  for (gint64 i = 0; i < t->numel; i++) {
    if (!isfinite (out[i])) {
      g_set_error (&ld->error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
          "%s: tensor '%s' holds a non-finite value at element %"
          G_GINT64_FORMAT, ld->path, name, i);
      g_free (out);
      return NULL;
    }
  }
  return out;
}

static float *
take1 (Loader * ld, const char *name, gint64 d0)
{
  gint64 d[1] = { d0 };
  return loader_take (ld, name, 1, d);
}

static float *
take4 (Loader * ld, const char *name, gint64 d0, gint64 d1, gint64 d2,
    gint64 d3)
{
  gint64 d[4] = { d0, d1, d2, d3 };
  return loader_take (ld, name, 4, d);
}

/* Folds BatchNorm "<prefix>" into conv->weight / conv->bias: the conv's own
 * bias (if any) is already in conv->bias. */
static void
fold_bn (Loader * ld, const char *prefix, DdamfnConv * conv)
{
  char *n;
  float *gamma, *beta, *mean, *var;
  int c = conv->cout;
  gsize per_out = (gsize) (conv->cin / conv->groups) * conv->kh * conv->kw;

  n = g_strconcat (prefix, ".weight", NULL);
  gamma = take1 (ld, n, c);
  g_free (n);
  n = g_strconcat (prefix, ".bias", NULL);
  beta = take1 (ld, n, c);
  g_free (n);
  n = g_strconcat (prefix, ".running_mean", NULL);
  mean = take1 (ld, n, c);
  g_free (n);
  n = g_strconcat (prefix, ".running_var", NULL);
  var = take1 (ld, n, c);
  g_free (n);

  if (!ld->error) {
    for (int o = 0; o < c; o++) {
      if (var[o] < 0) {
        g_set_error (&ld->error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
            "%s: tensor '%s.running_var' has a negative variance at "
            "element %d", ld->path, prefix, o);
        break;
      }
      double s = gamma[o] / sqrt ((double) var[o] + BN_EPS);
      for (gsize i = 0; i < per_out; i++)
        conv->weight[o * per_out + i] *= (float) s;
      conv->bias[o] = (float) ((conv->bias[o] - mean[o]) * s + beta[o]);
    }
  }
  g_free (gamma);
  g_free (beta);
  g_free (mean);
  g_free (var);
}

static void
conv_clear (DdamfnConv * conv)
{
  g_clear_pointer (&conv->weight, g_free);
  g_clear_pointer (&conv->bias, g_free);
  g_clear_pointer (&conv->slope, g_free);
}

/* ConvBlock (act = PReLU) or LinearBlock (act = NONE): "<prefix>.conv",
 * "<prefix>.bn" and, for ConvBlock, "<prefix>.prelu". */
static void
load_block (Loader * ld, const char *prefix, DdamfnConv * conv, int cin,
    int cout, int kh, int kw, int stride, int pad_h, int pad_w, int groups,
    DdamfnAct act)
{
  char *n;

  *conv = (DdamfnConv) {
  .cin = cin,.cout = cout,.kh = kh,.kw = kw,.stride = stride,.pad_h =
        pad_h,.pad_w = pad_w,.groups = groups,.act = act};
  n = g_strconcat (prefix, ".conv.weight", NULL);
  conv->weight = take4 (ld, n, cout, cin / groups, kh, kw);
  g_free (n);
  conv->bias = g_new0 (float, cout);
  n = g_strconcat (prefix, ".bn", NULL);
  fold_bn (ld, n, conv);
  g_free (n);
  if (act == ACT_PRELU) {
    n = g_strconcat (prefix, ".prelu.weight", NULL);
    conv->slope = take1 (ld, n, cout);
    g_free (n);
  }
}

/* A 1×1 convolution with bias ("<prefix>.weight", "<prefix>.bias"). */
static void
load_pointwise (Loader * ld, const char *prefix, DdamfnConv * conv, int cin,
    int cout, DdamfnAct act)
{
  char *n;

  *conv = (DdamfnConv) {
  .cin = cin,.cout = cout,.kh = 1,.kw = 1,.stride = 1,.groups = 1,.act = act};
  n = g_strconcat (prefix, ".weight", NULL);
  conv->weight = take4 (ld, n, cout, cin, 1, 1);
  g_free (n);
  n = g_strconcat (prefix, ".bias", NULL);
  conv->bias = take1 (ld, n, cout);
  g_free (n);
  if (conv->bias == NULL)
    conv->bias = g_new0 (float, cout);
}

/* The attention gate: conv1 + bn1 (folded) + hardswish, conv2/conv3 + sigmoid. */
static void
load_gate (Loader * ld, const char *prefix, DdamfnGate * gate, int c)
{
  char *n;

  gate->channels = c;
  gate->mip = MAX (8, c / 32);
  n = g_strconcat (prefix, ".conv1", NULL);
  load_pointwise (ld, n, &gate->conv1, c, gate->mip, ACT_HARDSWISH);
  g_free (n);
  n = g_strconcat (prefix, ".bn1", NULL);
  fold_bn (ld, n, &gate->conv1);
  g_free (n);
  n = g_strconcat (prefix, ".conv2", NULL);
  load_pointwise (ld, n, &gate->conv2, gate->mip, c, ACT_SIGMOID);
  g_free (n);
  n = g_strconcat (prefix, ".conv3", NULL);
  load_pointwise (ld, n, &gate->conv3, gate->mip, c, ACT_SIGMOID);
  g_free (n);
}

static void
gate_clear (DdamfnGate * gate)
{
  conv_clear (&gate->conv1);
  conv_clear (&gate->conv2);
  conv_clear (&gate->conv3);
}

static void
load_mix_block (Loader * ld, const char *prefix, DdamfnMixBlock * b,
    const StageSpec * s, int cin, int cout, gboolean residual, int h_in)
{
  char *n;
  int stride = residual ? 1 : s->stride;

  b->cin = cin;
  b->cout = cout;
  b->groups_width = s->g;
  b->stride = stride;
  b->residual = residual;
  b->h_in = b->w_in = h_in;
  b->h_out = b->w_out = (h_in - 1) / stride + 1;

  n = g_strconcat (prefix, ".conv", NULL);
  load_block (ld, n, &b->expand, cin, s->g, 1, 1, 1, 0, 0, 1, ACT_PRELU);
  g_free (n);

  /* MDConv: only the depthwise pieces are applied; conv_dw.bn and
   * conv_dw.prelu are stored in the checkpoints but not used. */
  b->n_splits = s->n_splits;
  for (int i = 0; i < s->n_splits; i++) {
    int k = s->kernels[i], c = s->splits[i];
    DdamfnConv *dw = &b->dw[i];
    *dw = (DdamfnConv) {
    .cin = c,.cout = c,.kh = k,.kw = k,.stride = stride,.pad_h = k / 2,.pad_w =
          k / 2,.groups = c,.act = ACT_NONE};
    n = g_strdup_printf ("%s.conv_dw.mixed_depthwise_conv.%d.weight", prefix,
        i);
    dw->weight = take4 (ld, n, c, 1, k, k);
    g_free (n);
  }

  n = g_strconcat (prefix, ".CA", NULL);
  load_gate (ld, n, &b->ca, s->g);
  g_free (n);

  n = g_strconcat (prefix, ".project", NULL);
  load_block (ld, n, &b->project, s->g, cout, 1, 1, 1, 0, 0, 1, ACT_NONE);
  g_free (n);
}

static void
load_dense (Loader * ld, const char *prefix, DdamfnDense * d, int in, int out)
{
  char *n;
  gint64 dims[2] = { out, in };

  d->in = in;
  d->out = out;
  n = g_strconcat (prefix, ".weight", NULL);
  d->weight = loader_take (ld, n, 2, dims);
  g_free (n);
  n = g_strconcat (prefix, ".bias", NULL);
  d->bias = take1 (ld, n, out);
  g_free (n);
}

static void
dense_clear (DdamfnDense * d)
{
  g_clear_pointer (&d->weight, g_free);
  g_clear_pointer (&d->bias, g_free);
}

/* Number of output rows of "<name>.weight" when it is a 2-D tensor with 512
 * columns, else -1 (then loader_take reports the exact problem). */
static int
head_rows (Loader * ld, const char *name)
{
  const StTensor *t = loader_find (ld, name);
  if (t == NULL || t->ndim != 2 || t->shape[0] < 1
      || t->shape[0] > DDAMFN_MAX_EXPRESSIONS)
    return -1;
  return (int) t->shape[0];
}

/* Sets the loader's error unless an earlier problem already did: the
 * first problem found is the one reported. */
static void G_GNUC_PRINTF (2, 3)
loader_fail (Loader * ld, const char *fmt, ...)
{
  va_list ap;

  if (ld->error)
    return;
  va_start (ap, fmt);
  ld->error = g_error_new_valist (DDAMFN_ERROR, DDAMFN_ERROR_TENSOR, fmt, ap);
  va_end (ap);
}

static void
load_heads (Loader * ld, DdamfnModel * m)
{
  m->multitask = loader_has (ld, "custom_classifier.dense.weight");
  if (!m->multitask) {
    if (!loader_has (ld, "fc.weight")) {
      loader_fail (ld, "%s: missing tensor 'fc.weight' (and no multitask "
          "'custom_classifier.dense.weight'): no output head", ld->path);
      return;
    }
    m->n_expr = head_rows (ld, "fc.weight");
    if (m->n_expr < 0) {
      loader_fail (ld, "%s: tensor 'fc.weight' must be [K, 512] with "
          "1 ≤ K ≤ %d",
          ld->path, DDAMFN_MAX_EXPRESSIONS);
      return;
    }
    m->has_expr = TRUE;
    load_dense (ld, "fc", &m->fc, 512, m->n_expr);
    return;
  }

  load_dense (ld, "custom_classifier.dense", &m->dense, 512, 512);
  m->has_va = loader_has (ld, "custom_classifier.val_arousal.weight");
  m->has_expr = loader_has (ld, "custom_classifier.emotions.weight");
  m->has_au = loader_has (ld, "custom_classifier.actions.weight");
  if (!m->has_va && !m->has_expr && !m->has_au) {
    loader_fail (ld, "%s: multitask model without any of the heads "
        "custom_classifier.val_arousal, .emotions, .actions", ld->path);
    return;
  }
  if (m->has_va)
    load_dense (ld, "custom_classifier.val_arousal", &m->va, 512, 2);
  if (m->has_expr) {
    m->n_expr = head_rows (ld, "custom_classifier.emotions.weight");
    if (m->n_expr < 0) {
      loader_fail (ld, "%s: tensor 'custom_classifier.emotions.weight' must be [K, 512] "
          "with 1 ≤ K ≤ %d", ld->path, DDAMFN_MAX_EXPRESSIONS);
      return;
    }
    load_dense (ld, "custom_classifier.emotions", &m->emotions, 512,
        m->n_expr);
  }
  if (m->has_au)
    load_dense (ld, "custom_classifier.actions", &m->actions, 512,
        DDAMFN_N_AU);
}

static void
load_network (Loader * ld, DdamfnModel * m)
{
  int h = 56, bi = 0;

  load_block (ld, "features.0", &m->conv0, 3, 64, 3, 3, 2, 1, 1, 1,
      ACT_PRELU);
  load_block (ld, "features.1", &m->conv1_dw, 64, 64, 3, 3, 1, 1, 1, 64,
      ACT_PRELU);

  for (guint s = 0; s < G_N_ELEMENTS (stages); s++) {
    const StageSpec *sp = &stages[s];
    if (sp->n == 0) {
      char *p = g_strdup_printf ("features.%d", sp->index);
      load_mix_block (ld, p, &m->blocks[bi], sp, sp->cin, sp->cout, FALSE, h);
      h = m->blocks[bi++].h_out;
      g_free (p);
    } else {
      for (int j = 0; j < sp->n; j++) {
        char *p = g_strdup_printf ("features.%d.model.%d", sp->index, j);
        load_mix_block (ld, p, &m->blocks[bi++], sp, sp->cin, sp->cout, TRUE,
            h);
        g_free (p);
      }
    }
  }
  g_assert (bi == DDAMFN_N_MIX_BLOCKS);

  load_block (ld, "features.8", &m->conv_last, 256, 512, 1, 1, 1, 0, 0, 1,
      ACT_PRELU);

  for (int i = 0; i < DDAMFN_N_HEADS; i++) {
    DdamfnHead *hd = &m->heads[i];
    char *p = g_strdup_printf ("cat_head%d.CoordAtt", i);
    char *n = g_strconcat (p, ".Linear_h", NULL);
    load_block (ld, n, &hd->linear_h, 512, 512, 1, 7, 1, 0, 0, 512, ACT_NONE);
    g_free (n);
    n = g_strconcat (p, ".Linear_w", NULL);
    load_block (ld, n, &hd->linear_w, 512, 512, 7, 1, 1, 0, 0, 512, ACT_NONE);
    g_free (n);
    load_gate (ld, p, &hd->gate, 512);
    g_free (p);
  }
  load_block (ld, "Linear", &m->gdc, 512, 512, 7, 7, 1, 0, 0, 512, ACT_NONE);
  load_heads (ld, m);
}

/* ---- metadata -------------------------------------------------------- */

static gboolean
parse_floats (const char *s, float *out, int n)
{
  char **parts = g_strsplit (s, ",", -1);
  gboolean ok = g_strv_length (parts) == (guint) n;

  for (int i = 0; ok && i < n; i++) {
    char *end;
    char *p = g_strstrip (parts[i]);
    double v = g_ascii_strtod (p, &end);
    /* Finite as a float, not only as a double: "1e39" would become inf. */
    ok = *p != '\0' && *end == '\0' && isfinite (v) && fabs (v) <= FLT_MAX;
    out[i] = ok ? (float) v : 0.f;
  }
  g_strfreev (parts);
  return ok;
}

static gboolean
parse_names (const char *s, char **out, int n)
{
  char **parts = g_strsplit (s, ",", -1);
  gboolean ok = g_strv_length (parts) == (guint) n;

  for (int i = 0; ok && i < n; i++) {
    char *p = g_strstrip (parts[i]);
    ok = *p != '\0' && g_utf8_validate (p, -1, NULL);
    if (ok)
      out[i] = g_strdup (p);
  }
  g_strfreev (parts);
  return ok;
}

/* Whether (pixel/255 − mean)/std stays well inside the float range for
 * every pixel value, however the preprocessing orders the arithmetic: a
 * std of 1e-40 or a mean of 1e38 passes the per-value checks but would
 * turn every face into infinities. Returns the key to blame, or NULL. */
static const char *
normalization_misfit (const float mean[3], const float std[3])
{
  const double limit = FLT_MAX / 4;

  for (int c = 0; c < 3; c++) {
    double lo = -(double) mean[c] / std[c];
    double hi = (1.0 - mean[c]) / std[c];
    if (!(1.0 / std[c] <= limit))
      return "std";
    if (!(fabs (lo) <= limit && fabs (hi) <= limit))
      return "mean";
  }
  return NULL;
}

static gboolean
metadata_error (GError ** error, const char *path, const char *key,
    const char *value, const char *want)
{
  g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_METADATA,
      "%s: metadata '%s' = \"%s\": %s", path, key, value, want);
  return FALSE;
}

static gboolean
load_metadata (DdamfnModel * m, GError ** error)
{
  GHashTable *md = m->metadata;
  const char *v;
  const char *path = m->path;
  const char *key;

  v = g_hash_table_lookup (md, "format_version");
  if (v && strcmp (v, "1") != 0)
    return metadata_error (error, path, "format_version", v,
        "this library reads format version 1");
  v = g_hash_table_lookup (md, "architecture");
  if (v && strcmp (v, "ddamfn") != 0)
    return metadata_error (error, path, "architecture", v,
        "expected \"ddamfn\"");
  v = g_hash_table_lookup (md, "input_size");
  if (v && strcmp (v, "112") != 0)
    return metadata_error (error, path, "input_size", v, "expected \"112\"");

  v = g_hash_table_lookup (md, "heads");
  if (v) {
    char **parts = g_strsplit (v, ",", -1);
    gboolean va = FALSE, expr = FALSE, au = FALSE, ok = TRUE;
    for (int i = 0; parts[i]; i++) {
      char *p = g_strstrip (parts[i]);
      if (strcmp (p, "va") == 0)
        va = TRUE;
      else if (strcmp (p, "expression") == 0)
        expr = TRUE;
      else if (strcmp (p, "au") == 0)
        au = TRUE;
      else
        ok = FALSE;
    }
    g_strfreev (parts);
    if (!ok)
      return metadata_error (error, path, "heads", v,
          "expected a comma list of expression, va, au");
    if (va != m->has_va || expr != m->has_expr || au != m->has_au)
      return metadata_error (error, path, "heads", v,
          "does not match the head tensors in the file");
  }

  if (m->has_expr) {
    v = g_hash_table_lookup (md, "expression_labels");
    if (v) {
      if (!parse_names (v, m->expr_labels, m->n_expr)) {
        char *want = g_strdup_printf ("expected %d non-empty labels (the "
            "expression head has %d classes)", m->n_expr, m->n_expr);
        metadata_error (error, path, "expression_labels", v, want);
        g_free (want);
        return FALSE;
      }
    } else {
      const char *const *preset = m->n_expr == 7 ? labels_affectnet7 :
          m->n_expr == 8 ? labels_affectnet8 : NULL;
      for (int i = 0; i < m->n_expr; i++)
        m->expr_labels[i] = preset ? g_strdup (preset[i]) :
            g_strdup_printf ("class%d", i);
    }
  }

  if (m->has_au) {
    v = g_hash_table_lookup (md, "au_names");
    if (v) {
      if (!parse_names (v, m->au_names, DDAMFN_N_AU))
        return metadata_error (error, path, "au_names", v,
            "expected 12 non-empty names");
    } else {
      for (int i = 0; i < DDAMFN_N_AU; i++)
        m->au_names[i] = g_strdup (default_au_names[i]);
    }
    for (int i = 0; i < DDAMFN_N_AU; i++)
      m->au_thresholds[i] = 0.5f;
    v = g_hash_table_lookup (md, "au_thresholds");
    if (v) {
      gboolean ok = parse_floats (v, m->au_thresholds, DDAMFN_N_AU);
      for (int i = 0; ok && i < DDAMFN_N_AU; i++)
        ok = m->au_thresholds[i] >= 0 && m->au_thresholds[i] <= 1;
      if (!ok)
        return metadata_error (error, path, "au_thresholds", v,
            "expected 12 comma-separated numbers in [0, 1]");
    }
  }

  m->mean[0] = 0.485f;
  m->mean[1] = 0.456f;
  m->mean[2] = 0.406f;
  m->std[0] = 0.229f;
  m->std[1] = 0.224f;
  m->std[2] = 0.225f;
  v = g_hash_table_lookup (md, "mean");
  if (v && !parse_floats (v, m->mean, 3))
    return metadata_error (error, path, "mean", v,
        "expected 3 comma-separated numbers");
  v = g_hash_table_lookup (md, "std");
  if (v && (!parse_floats (v, m->std, 3) || m->std[0] <= 0 || m->std[1] <= 0
          || m->std[2] <= 0))
    return metadata_error (error, path, "std", v,
        "expected 3 comma-separated numbers > 0");
  key = normalization_misfit (m->mean, m->std);
  if (key != NULL) {
    v = g_hash_table_lookup (md, key);
    return metadata_error (error, path, key, v ? v : "(default)",
        "together, mean and std take pixel values beyond the float range");
  }
  return TRUE;
}

/* ---- public API --------------------------------------------------------- */

static void
model_free (DdamfnModel * m)
{
  conv_clear (&m->conv0);
  conv_clear (&m->conv1_dw);
  for (int i = 0; i < DDAMFN_N_MIX_BLOCKS; i++) {
    DdamfnMixBlock *b = &m->blocks[i];
    conv_clear (&b->expand);
    for (int j = 0; j < DDAMFN_MAX_SPLITS; j++)
      conv_clear (&b->dw[j]);
    gate_clear (&b->ca);
    conv_clear (&b->project);
  }
  conv_clear (&m->conv_last);
  for (int i = 0; i < DDAMFN_N_HEADS; i++) {
    conv_clear (&m->heads[i].linear_h);
    conv_clear (&m->heads[i].linear_w);
    gate_clear (&m->heads[i].gate);
  }
  conv_clear (&m->gdc);
  dense_clear (&m->fc);
  dense_clear (&m->dense);
  dense_clear (&m->va);
  dense_clear (&m->emotions);
  dense_clear (&m->actions);
  for (int i = 0; i < DDAMFN_MAX_EXPRESSIONS; i++)
    g_free (m->expr_labels[i]);
  for (int i = 0; i < DDAMFN_N_AU; i++)
    g_free (m->au_names[i]);
  if (m->metadata)
    g_hash_table_unref (m->metadata);
  g_free (m->path);
  g_free (m);
}

DdamfnModel *
ddamfn_model_open (const char *path, GError ** error)
{
  Loader ld = { 0 };
  DdamfnModel *m;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  ld.file = st_file_open (path, error);
  if (ld.file == NULL)
    return NULL;
  ld.path = path;

  m = g_new0 (DdamfnModel, 1);
  m->ref_count = 1;
  m->path = g_strdup (path);
  m->metadata = st_file_dup_metadata (ld.file);

  load_network (&ld, m);
  /* Every weight is copied (folded) out of the mapping; the file is no
   * longer needed once the layers are built. */
  st_file_free (ld.file);
  if (ld.error) {
    g_propagate_error (error, ld.error);
    model_free (m);
    return NULL;
  }
  if (!load_metadata (m, error)) {
    model_free (m);
    return NULL;
  }
  ddamfn_model_defer_stream_biases (m);
  return m;
}

DdamfnModel *
ddamfn_model_ref (DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  g_atomic_int_inc (&model->ref_count);
  return model;
}

void
ddamfn_model_unref (DdamfnModel * model)
{
  if (model && g_atomic_int_dec_and_test (&model->ref_count))
    model_free (model);
}

int
ddamfn_model_get_n_expressions (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->has_expr ? model->n_expr : 0;
}

const char *
ddamfn_model_get_expression_label (const DdamfnModel * model, int index)
{
  g_return_val_if_fail (model != NULL, NULL);
  if (index < 0 || index >= ddamfn_model_get_n_expressions (model))
    return NULL;
  return model->expr_labels[index];
}

gboolean
ddamfn_model_has_va (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, FALSE);
  return model->has_va;
}

int
ddamfn_model_get_n_aus (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->has_au ? DDAMFN_N_AU : 0;
}

const char *
ddamfn_model_get_au_name (const DdamfnModel * model, int index)
{
  g_return_val_if_fail (model != NULL, NULL);
  if (index < 0 || index >= ddamfn_model_get_n_aus (model))
    return NULL;
  return model->au_names[index];
}

float
ddamfn_model_get_au_threshold (const DdamfnModel * model, int index)
{
  g_return_val_if_fail (model != NULL, -1.f);
  if (index < 0 || index >= ddamfn_model_get_n_aus (model))
    return -1.f;
  return model->au_thresholds[index];
}

void
ddamfn_model_get_normalization (const DdamfnModel * model, float mean[3],
    float std[3])
{
  g_return_if_fail (model != NULL);
  if (mean)
    memcpy (mean, model->mean, sizeof model->mean);
  if (std)
    memcpy (std, model->std, sizeof model->std);
}

const char *
ddamfn_model_get_metadata (const DdamfnModel * model, const char *key)
{
  g_return_val_if_fail (model != NULL && key != NULL, NULL);
  return g_hash_table_lookup (model->metadata, key);
}
