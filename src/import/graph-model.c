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
ddamfn_graph_model_open (const char *path, GError ** error)
{
  DdamfnGraph *g = NULL;
  DdamfnModel *m;
  const DdamfnGraphOutputs *outs = NULL;
  DdamfnPlan *plan;

  if (g_str_has_suffix (path, ".json"))
    g = ddamfn_tfjs_import (path, error);
  else
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: ONNX files are not supported yet", path);
  if (g == NULL)
    return NULL;
  plan = ddamfn_graph_lower (g, &outs, error);
  ddamfn_graph_free (g);
  if (plan == NULL)
    return NULL;

  m = g_new0 (DdamfnModel, 1);
  m->ref_count = 1;
  m->path = g_strdup (path);
  m->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  m->plan = plan;
  m->graph = outs;
  m->heads.has_expr = TRUE;
  m->heads.n_expr = MIN (outs->tensors[0].c * outs->tensors[0].h
      * outs->tensors[0].w, DDAMFN_MAX_EXPRESSIONS);
  if (!ddamfn_model_read_metadata (m, error)) {
    ddamfn_model_unref (m);
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
