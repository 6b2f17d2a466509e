/* Fuzz harness of the TensorFlow.js importer and the lowering: one input
 * is a model.json and its weights,
 *
 *   bytes 0-3  length L of model.json (little-endian)
 *   bytes 4…   model.json (L bytes), then the weight bytes: every shard
 *              file the manifest names reads as these same bytes
 *
 * A graph that imports is lowered and run (harness-graph.c).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"
#include "harness-graph.h"

#include "import/graph.h"

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

int
fuzz_tfjs_one (const uint8_t * data, size_t size)
{
  GError *e = NULL;
  DdamfnGraph *g;
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
  fuzz_graph_lower_and_run (g, e, FUZZ_PATH);
  return 0;
}
