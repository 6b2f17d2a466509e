/* Fuzz harness of the TensorFlow.js importer and the lowering: one input
 * is a model.json and its weights,
 *
 *   bytes 0-3  length L of model.json (little-endian)
 *   bytes 4…   model.json (L bytes), then the weight bytes: every shard
 *              file the manifest names reads as these same bytes
 *
 * A graph that imports is lowered; a plan that results runs one face of
 * zeros and one of ones. Checks: a refused input gets a DDAMFN_ERROR with
 * a message naming the file; a plan's outputs are as many as it says, and
 * finite for finite weights is not promised (a hostile file may hold
 * weights that overflow), so only their count is checked.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include "import/graph.h"
#include "run.h"

#include <string.h>

#define FUZZ_PATH "fuzz/model.json"

typedef struct
{
  const uint8_t *data;
  size_t size;
} Shards;

static GBytes *
read_shard (const char *name, gpointer data, GError ** error)
{
  const Shards *s = data;
  (void) name;
  (void) error;
  return g_bytes_new (s->data, s->size);
}

static void
check_error (GError * e)
{
  if (e == NULL)
    fuzz_fail ("refused without an error");
  if (e->domain != DDAMFN_ERROR || strstr (e->message, FUZZ_PATH) == NULL)
    fuzz_fail ("error without the domain or the file name: %s", e->message);
  g_error_free (e);
}

static void
run_plan (const DdamfnPlan * plan, const DdamfnGraphOutputs * o)
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

int
fuzz_tfjs_one (const uint8_t * data, size_t size)
{
  GError *e = NULL;
  DdamfnGraph *g;
  DdamfnPlan *plan;
  const DdamfnGraphOutputs *o = NULL;
  Shards shards;
  guint32 len;

  fuzz_init_once ();
  if (size < 4)
    return 0;
  memcpy (&len, data, 4);
  len = GUINT32_FROM_LE (len);
  if (len > size - 4)
    return 0;
  shards.data = data + 4 + len;
  shards.size = size - 4 - len;
  g = ddamfn_tfjs_import_bytes (FUZZ_PATH, (const char *) data + 4, len,
      read_shard, &shards, &e);
  if (g == NULL) {
    check_error (e);
    return 0;
  }
  plan = ddamfn_graph_lower (g, &o, &e);
  ddamfn_graph_free (g);
  if (plan == NULL) {
    check_error (e);
    return 0;
  }
  if (o == NULL || o->n_outputs < 1 || o->floats < 1)
    fuzz_fail ("a plan without outputs");
  run_plan (plan, o);
  ddamfn_plan_free (plan);
  return 0;
}
