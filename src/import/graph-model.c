/* Graph models as DdamfnModel: ddamfn_model_open() hands a TensorFlow.js
 * model.json (or, with the ONNX importer, an .onnx file) here; the graph
 * is imported, lowered to a plan, and the model answers the public API
 * like a DDAMFN file: its first output gives the expression scores. The
 * raw outputs by name are for ddamfn-infer --print-outputs and the
 * parity tests (ddamfn_graph_model_run).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/graph-model.h"
#include "run.h"

#include <string.h>

gboolean
ddamfn_graph_model_path (const char *path)
{
  return g_str_has_suffix (path, ".json") || g_str_has_suffix (path, ".onnx");
}

DdamfnModel *
ddamfn_graph_model_open (const char *path, const char *card,
    const char *preset, GError ** error)
{
  DdamfnGraph *g = NULL;
  DdamfnModel *m;
  const DdamfnGraphOutputs *outs = NULL;
  DdamfnPlan *plan;
  GHashTable *metadata;

  if (g_str_has_suffix (path, ".json"))
    g = ddamfn_tfjs_import (path, error);
  else
    g = ddamfn_onnx_import (path, error);
  if (g == NULL)
    return NULL;
  plan = ddamfn_graph_lower (g, &outs, error);
  metadata = g_hash_table_ref (g->metadata);
  ddamfn_graph_free (g);
  if (plan == NULL) {
    g_hash_table_unref (metadata);
    return NULL;
  }

  m = g_new0 (DdamfnModel, 1);
  m->ref_count = 1;
  m->path = g_strdup (path);
  m->metadata = metadata;
  m->plan = plan;
  m->graph = outs;
  /* The card names the classes, the normalisation and which output is
   * what; without one the first output's values are numbered classes. */
  if (!ddamfn_model_bind_card (m, card, preset, error)) {
    ddamfn_model_free (m);
    return NULL;
  }
  return m;
}

const DdamfnGraphOutputs *
ddamfn_graph_model_outputs (const DdamfnModel * m)
{
  return m->graph;
}

gboolean
ddamfn_graph_model_run (const DdamfnModel * m, const float *input, int n,
    float *outputs, GError ** error)
{
  const DdamfnGraphOutputs *o = m->graph;
  const gsize in_floats = ddamfn_plan_input_floats (m->plan);
  DdamfnScratch s = { 0 };

  if (o == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s is not a graph model", m->path);
    return FALSE;
  }
  for (int first = 0; first < n; first += DDAMFN_RUN_CHUNK) {
    const int k = MIN (DDAMFN_RUN_CHUNK, n - first);
    if (!ddamfn_scratch_reserve (&s, m->plan, k, error)) {
      ddamfn_scratch_release (&s);
      return FALSE;
    }
    ddamfn_run_steps (m->plan, input + (gsize) first * in_floats, k,
        s.slots, s.kernel);
    for (int f = 0; f < k; f++)
      ddamfn_graph_outputs_copy (o, s.slots, k, f,
          outputs + (gsize) (first + f) * o->floats);
  }
  ddamfn_scratch_release (&s);
  return TRUE;
}

/* ---- public API --------------------------------------------------------- */

size_t
ddamfn_model_get_input_floats (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return ddamfn_plan_input_floats (model->plan);
}

int
ddamfn_model_get_n_outputs (const DdamfnModel * model)
{
  g_return_val_if_fail (model != NULL, 0);
  return model->graph ? model->graph->n_outputs : 0;
}

const char *
ddamfn_model_get_output_name (const DdamfnModel * model, int index)
{
  g_return_val_if_fail (model != NULL, NULL);
  if (index < 0 || index >= ddamfn_model_get_n_outputs (model))
    return NULL;
  return model->graph->names[index];
}

size_t
ddamfn_model_get_output_floats (const DdamfnModel * model, int index)
{
  const DdamfnTensor *t;

  g_return_val_if_fail (model != NULL, 0);
  if (model->graph && index == -1)
    return model->graph->floats;
  if (index < 0 || index >= ddamfn_model_get_n_outputs (model))
    return 0;
  t = &model->graph->tensors[index];
  return (size_t) t->c * t->h * t->w;
}

gboolean
ddamfn_model_run_outputs (const DdamfnModel * model, const float *input,
    int n, float *outputs, GError ** error)
{
  g_return_val_if_fail (model != NULL, FALSE);
  if (input == NULL || outputs == NULL || n < 1 || n > DDAMFN_RUN_MAX_BATCH) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "input and outputs must be set and the batch 1 to %d, got %d",
        DDAMFN_RUN_MAX_BATCH, n);
    return FALSE;
  }
  return ddamfn_graph_model_run (model, input, n, outputs, error);
}
