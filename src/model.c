/* The DDAMFN model: opens a safetensors file, has nets/ddamfn.c build the
 * network's plan from its tensors and metadata.c read the metadata; the
 * public accessors.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"
#include "import/graph-model.h"

#include <math.h>
#include <string.h>

/* ---- public API --------------------------------------------------------- */

void
ddamfn_model_free (DdamfnModel * m)
{
  ddamfn_plan_free (m->plan);
  for (int i = 0; i < DDAMFN_MAX_EXPRESSIONS; i++)
    g_free (m->expr_labels[i]);
  for (int i = 0; i < DDAMFN_N_AU; i++)
    g_free (m->au_names[i]);
  if (m->metadata)
    g_hash_table_unref (m->metadata);
  ddamfn_card_clear (&m->card);
  g_free (m->card_name);
  g_free (m->path);
  g_free (m);
}

DdamfnModel *
ddamfn_model_open (const char *path, GError ** error)
{
  return ddamfn_model_open_with_card (path, NULL, NULL, error);
}

static DdamfnModel *
open_ddamfn (const char *path, const char *card, const char *preset,
    GError ** error)
{
  StFile *file;
  DdamfnModel *m;

  file = st_file_open (path, error);
  if (file == NULL)
    return NULL;

  m = g_new0 (DdamfnModel, 1);
  m->ref_count = 1;
  m->path = g_strdup (path);
  m->metadata = st_file_dup_metadata (file);
  m->plan = ddamfn_net_build (file, path, &m->heads, error);
  /* Every weight is copied (folded) out of the mapping: the file is no
   * longer needed once the plan is built. */
  st_file_free (file);
  if (m->plan == NULL || !ddamfn_model_read_metadata (m, error)
      || !ddamfn_model_bind_card (m, card, preset, error)) {
    ddamfn_model_free (m);
    return NULL;
  }
  return m;
}

DdamfnModel *
ddamfn_model_open_with_card (const char *path, const char *card,
    const char *preset, GError ** error)
{
  DdamfnModel *m;

  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (ddamfn_graph_model_path (path))
    m = ddamfn_graph_model_open (path, card, preset, error);
  else
    m = open_ddamfn (path, card, preset, error);
  /* Built and checked: the folded weights go to the shared cache file
   * (read-only from here on). */
  if (m != NULL && !ddamfn_plan_share_weights (m->plan, error)) {
    ddamfn_model_free (m);
    return NULL;
  }
  return m;
}

char *
ddamfn_model_describe_plan (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return ddamfn_plan_describe (model->plan);
}

const char *
ddamfn_model_get_shared_weights (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, NULL);
  return ddamfn_weight_store_shared_path (ddamfn_plan_get_weights
      (model->plan));
}

const DdamfnPlan *
ddamfn_model_get_plan (const DdamfnModel * model)
{
  return model->plan;
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
    ddamfn_model_free (model);
}

int
ddamfn_model_get_n_expressions (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->heads.has_expr ? model->heads.n_expr : 0;
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
  return model->heads.has_va;
}

int
ddamfn_model_get_n_aus (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->heads.has_au ? model->n_au : 0;
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
  return model->heads.au_thresholds[index];
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
