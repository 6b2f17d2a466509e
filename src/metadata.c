/* The metadata of a DDAMFN model file (models/FORMAT.md): format and
 * architecture checks, the heads it declares against the tensors found,
 * expression labels, AU names and thresholds, input normalisation.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <float.h>
#include <math.h>
#include <string.h>

static const char *const labels_affectnet7[] = {
  "Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Angry", NULL
};

static const char *const labels_affectnet8[] = {
  "Neutral", "Happy", "Sad", "Surprise", "Fear", "Disgust", "Angry",
  "Contempt", NULL
};

static const char *const labels_abaw[] = {
  "Neutral", "Anger", "Disgust", "Fear", "Happiness", "Sadness", "Surprise",
  "Other", NULL
};

/* Labels of a file without "expression_labels" (docs/network.md, Labels):
 * a released single-task layout with 7 or 8 classes has AffectNet's, the
 * multitask layout with 8 the ABAW ones; anything else is numbered. */
static const char *const *
default_labels (const DdamfnHeads * hd)
{
  if (hd->multitask)
    return hd->n_expr == 8 ? labels_abaw : NULL;
  return hd->n_expr == 7 ? labels_affectnet7 : hd->n_expr == 8
      ? labels_affectnet8 : NULL;
}

static const char *const default_au_names[DDAMFN_N_AU] = {
  "AU1", "AU2", "AU4", "AU6", "AU7", "AU10", "AU12", "AU15", "AU23", "AU24",
  "AU25", "AU26"
};

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

gboolean
ddamfn_model_read_metadata (DdamfnModel * m, GError ** error)
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
    if (va != m->heads.has_va || expr != m->heads.has_expr || au != m->heads.has_au)
      return metadata_error (error, path, "heads", v,
          "does not match the head tensors in the file");
  }

  if (m->heads.has_expr) {
    v = g_hash_table_lookup (md, "expression_labels");
    if (v) {
      if (!parse_names (v, m->expr_labels, m->heads.n_expr)) {
        char *want = g_strdup_printf ("expected %d non-empty labels (the "
            "expression head has %d classes)", m->heads.n_expr, m->heads.n_expr);
        metadata_error (error, path, "expression_labels", v, want);
        g_free (want);
        return FALSE;
      }
    } else {
      const char *const *preset = default_labels (&m->heads);
      for (int i = 0; i < m->heads.n_expr; i++)
        m->expr_labels[i] = preset ? g_strdup (preset[i]) :
            g_strdup_printf ("class%d", i);
    }
  }

  if (m->heads.has_au) {
    m->n_au = DDAMFN_N_AU;
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
      m->heads.au_thresholds[i] = 0.5f;
    v = g_hash_table_lookup (md, "au_thresholds");
    if (v) {
      gboolean ok = parse_floats (v, m->heads.au_thresholds, DDAMFN_N_AU);
      for (int i = 0; ok && i < DDAMFN_N_AU; i++)
        ok = m->heads.au_thresholds[i] >= 0 && m->heads.au_thresholds[i] <= 1;
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
