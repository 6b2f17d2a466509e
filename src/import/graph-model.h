/* Graph models (TensorFlow.js, ONNX) behind DdamfnModel (graph-model.c).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_IMPORT_GRAPH_MODEL_H
#define DDAMFN_IMPORT_GRAPH_MODEL_H

#include "import/graph.h"

G_BEGIN_DECLS

/* Whether PATH names a graph file by its suffix (.json, .onnx). */
gboolean ddamfn_graph_model_path (const char *path);
DdamfnModel *ddamfn_graph_model_open (const char *path, const char *card,
    const char *preset, GError ** error);
/* The graph's outputs (names, sizes), or NULL for a DDAMFN model. */
const DdamfnGraphOutputs *ddamfn_graph_model_outputs (const DdamfnModel *
    model);
/* Runs N inputs (face-major, the layout the graph's input declares) and
 * writes each face's outputs, all of them in order, OUTPUTS->floats per
 * face. */
gboolean ddamfn_graph_model_run (const DdamfnModel * model,
    const float *input, int n, float *outputs, GError ** error);

G_END_DECLS

#endif /* DDAMFN_IMPORT_GRAPH_MODEL_H */
