/* What the graph-model harnesses (harness-tfjs.c, harness-onnx.c) share:
 * a refused input must carry a DDAMFN_ERROR whose message names the file;
 * a plan that results runs one face of zeros and one of ones, and its
 * outputs must be as many as it says (finite values are not promised: a
 * hostile file may hold weights that overflow).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"
#include "harness-graph.h"

#include "run.h"

#include <string.h>

void
fuzz_graph_check_error (GError * e, const char *path)
{
  if (e == NULL)
    fuzz_fail ("refused without an error");
  if (e->domain != DDAMFN_ERROR || strstr (e->message, path) == NULL)
    fuzz_fail ("error without the domain or the file name: %s", e->message);
  g_error_free (e);
}

void
fuzz_graph_run_plan (const DdamfnPlan * plan, const DdamfnGraphOutputs * o)
{
  const gsize in_floats = ddamfn_plan_input_floats (plan);
  DdamfnScratch s = { 0 };
  GError *e = NULL;
  float *in, *out;

  /* the harness runs at most 1 M input floats (64 MB of scratch) */
  if (in_floats > (1u << 20) || o->floats > (1u << 20))
    return;
  if (!ddamfn_scratch_reserve (&s, plan, 2, &e)) {
    g_error_free (e);
    return;
  }
  in = g_new0 (float, 2 * in_floats);
  for (gsize i = in_floats; i < 2 * in_floats; i++)
    in[i] = 1.f;
  out = g_new (float, o->floats);
  ddamfn_run_steps (plan, in, 2, s.slots, s.kernel);
  ddamfn_graph_outputs_copy (o, s.slots, 2, 1, out);
  g_free (in);
  g_free (out);
  ddamfn_scratch_release (&s);
}


/* What every graph harness does with an import's result G (or its error E,
 * when G is NULL): an error must name PATH; a graph is lowered, and a plan
 * that results must have outputs and runs. Frees G. */
void
fuzz_graph_lower_and_run (DdamfnGraph * g, GError * e, const char *path)
{
  DdamfnPlan *plan;
  const DdamfnGraphOutputs *o = NULL;

  if (g == NULL) {
    fuzz_graph_check_error (e, path);
    return;
  }
  plan = ddamfn_graph_lower (g, &o, &e);
  ddamfn_graph_free (g);
  if (plan == NULL) {
    fuzz_graph_check_error (e, path);
    return;
  }
  if (o == NULL || o->n_outputs < 1 || o->floats < 1)
    fuzz_fail ("a plan without outputs");
  fuzz_graph_run_plan (plan, o);
  ddamfn_plan_free (plan);
}
