/* Shared checks of the graph-model harnesses (harness-graph.c).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_HARNESS_GRAPH_H
#define DDAMFN_HARNESS_GRAPH_H

#include "import/graph.h"

void fuzz_graph_check_error (GError * e, const char *path);
void fuzz_graph_run_plan (const DdamfnPlan * plan,
    const DdamfnGraphOutputs * o);

void fuzz_graph_lower_and_run (DdamfnGraph * g, GError * e,
    const char *path);

#endif /* DDAMFN_HARNESS_GRAPH_H */
