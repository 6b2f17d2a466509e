/* Fuzz harness of the ONNX importer (protobuf.c, onnx.c, onnx-ops.c,
 * onnx-shape.c) and the lowering: one input is the bytes of an .onnx
 * file. A graph that imports is lowered and run (harness-graph.c).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"
#include "harness-graph.h"

#define FUZZ_PATH "fuzz/model.onnx"

int
fuzz_onnx_one (const uint8_t * data, size_t size)
{
  GError *e = NULL;
  DdamfnGraph *g;

  fuzz_init_once ();
  g = ddamfn_onnx_import_bytes (FUZZ_PATH, data, size, &e);
  fuzz_graph_lower_and_run (g, e, FUZZ_PATH);
  return 0;
}
