/* The graph IR the importers (import/tfjs.c, import/onnx.c) write and
 * import/lower.c turns into a plan: named tensors — the network input,
 * activations with a per-face shape C × H × W (vectors are C × 1 × 1),
 * constants as float arrays in the engine's layout — and nodes in an order
 * where every input exists before it is read.
 *
 * Each node is checked and its output shape inferred when it is added, so
 * an importer reports a file's problem at the node that has it, and the
 * lowering meets only graphs whose shapes agree. The IR knows nothing of
 * file formats: an importer converts layouts (TensorFlow's HWIO filters,
 * NHWC axes, transposed matrices) as it adds nodes.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_IMPORT_GRAPH_H
#define DDAMFN_IMPORT_GRAPH_H

#include "ddamfn-private.h"
#include "ops/ops.h"

G_BEGIN_DECLS

/* Bounds every importer enforces, whatever the file says. */
#define DDAMFN_GRAPH_MAX_NODES 4096
#define DDAMFN_GRAPH_MAX_TENSORS 16384
#define DDAMFN_GRAPH_MAX_IN 16          /* inputs of one node (Concat) */
#define DDAMFN_GRAPH_MAX_OUTPUTS 16
#define DDAMFN_GRAPH_MAX_SIDE 4096      /* channels, rows, columns */
#define DDAMFN_GRAPH_MAX_KERNEL 64
#define DDAMFN_GRAPH_MAX_PLANE_FLOATS (64u << 20)      /* per face */
#define DDAMFN_GRAPH_MAX_CONST_FLOATS (256u << 20)

typedef enum
{
  /* in: x, weight [cout][cin/groups][kh][kw], bias [cout] or −1 */
  GRAPH_CONV,
  /* in: x (a vector), weight [cout][cin], bias [cout] or −1 */
  GRAPH_DENSE,
  /* in: x, scale, offset, mean, variance (each [c]); eps */
  GRAPH_BATCHNORM,
  /* y = act (x); in[1]: PReLU slope [c] or [1] */
  GRAPH_ACT,
  /* y = min (max (alpha · x + beta, lo), hi): Clip, HardSigmoid */
  GRAPH_CLAMP,
  /* y = a OP b, with broadcasting (see DdamfnBroadcast) */
  GRAPH_BINARY,
  /* window kh × kw, strides, pad (t, l, b, r), max or average */
  GRAPH_POOL,
  /* mean over the plane */
  GRAPH_GLOBAL_AVG,
  /* softmax over the channels of a vector */
  GRAPH_SOFTMAX,
  /* C × H × W to a vector of C·H·W, in C, H, W order or (hwc) H, W, C */
  GRAPH_FLATTEN,
  /* along the channels, or (rows) along H */
  GRAPH_CONCAT,
  /* channels c0 … c1 − 1, or (rows) rows c0 … c1 − 1 */
  GRAPH_SLICE,
  GRAPH_TRANSPOSE_HW,
  GRAPH_IDENTITY,
} DdamfnGraphOp;

typedef struct
{
  char *name;
  int c, h, w;                  /* activations (and the input) */
  float *data;                  /* constants: COUNT values; NULL else */
  gsize count;
  int ndim;                     /* constants: the file's shape, if known */
  gint64 dims[8];
  int producer;                 /* node index, −1 for input and constants */
} DdamfnGraphTensor;

typedef struct
{
  DdamfnGraphOp op;
  char *name;                   /* the node's name in the file */
  char *op_type;                /* its operator in the file */
  int in[DDAMFN_GRAPH_MAX_IN];
  int n_in;
  int out;
  /* CONV, POOL: window; CONV, DENSE: output channels */
  int kh, kw, sh, sw, pad[4];   /* pad: top, left, bottom, right */
  int groups, cout;
  float eps;                    /* BATCHNORM */
  DdamfnAct act;                /* ACT; CONV and DENSE: fused by the file */
  float alpha, beta, lo, hi;    /* CLAMP */
  DdamfnBinOp bop;              /* BINARY */
  gboolean max;                 /* POOL */
  int c0, c1;                   /* SLICE */
  gboolean rows;                /* CONCAT, SLICE: along H, not channels */
  gboolean hwc;                 /* FLATTEN */
} DdamfnGraphNode;

typedef struct
{
  char *path;
  const char *format;           /* "ONNX", "TensorFlow.js" */
  GPtrArray *tensors;           /* DdamfnGraphTensor * */
  GArray *nodes;                /* DdamfnGraphNode */
  GHashTable *by_name;          /* name → index + 1 */
  int input;
  gboolean input_nhwc;
  int outputs[DDAMFN_GRAPH_MAX_OUTPUTS];
  int n_outputs;
  GHashTable *metadata;         /* key → value the file stores (ONNX
                                 * metadata_props) */
} DdamfnGraph;

DdamfnGraph *ddamfn_graph_new (const char *path, const char *format);
void ddamfn_graph_free (DdamfnGraph * g);

DdamfnGraphTensor *ddamfn_graph_tensor (const DdamfnGraph * g, int i);
const DdamfnGraphNode *ddamfn_graph_node (const DdamfnGraph * g, int i);
/* Index of tensor NAME, or −1. */
int ddamfn_graph_find (const DdamfnGraph * g, const char *name);

/* Adds constant NAME of COUNT floats, taking DATA (g_free'd by the graph,
 * also on failure). Index, or −1 with ERROR set. */
int ddamfn_graph_add_const (DdamfnGraph * g, const char *name, float *data,
    gsize count, GError ** error);
/* Declares the network input: per-face C × H × W, given face-major in NCHW
 * or (NHWC) NHWC order. */
gboolean ddamfn_graph_set_input (DdamfnGraph * g, const char *name, int c,
    int h, int w, gboolean nhwc, GError ** error);
/* Checks NODE (name, op_type, inputs and parameters filled in; strings
 * copied) and adds it with its output OUT_NAME, whose shape it infers.
 * FALSE with ERROR naming the node and the problem. */
gboolean ddamfn_graph_add_node (DdamfnGraph * g, const DdamfnGraphNode * node,
    const char *out_name, GError ** error);
/* Marks tensor NAME as a graph output. */
gboolean ddamfn_graph_add_output (DdamfnGraph * g, const char *name,
    GError ** error);

/* The error every importer gives for an operator it cannot run. */
void ddamfn_graph_unsupported (GError ** error, const char *path,
    const char *format, const char *op, const char *node, const char *why);

/* ---- lower.c ------------------------------------------------------------ */

/* Where the plan leaves each graph output when it finishes: channel-major
 * [c][n][h][w] in slot, read by the finisher. */
struct _DdamfnGraphOutputs
{
  int n_outputs;
  char *names[DDAMFN_GRAPH_MAX_OUTPUTS];
  DdamfnTensor tensors[DDAMFN_GRAPH_MAX_OUTPUTS];
  gboolean softmaxed[DDAMFN_GRAPH_MAX_OUTPUTS]; /* ends in a softmax */
  gsize floats;                 /* per face, all outputs */
  int in_c, in_h, in_w;
  gboolean in_nhwc;
};

/* The plan of G: BatchNorm folded, bias and activations fused, tensors
 * given slots by liveness. The plan owns OUTPUTS' storage (*OUTPUTS set).
 * NULL with ERROR naming the node that cannot be lowered. */
DdamfnPlan *ddamfn_graph_lower (const DdamfnGraph * g,
    const DdamfnGraphOutputs ** outputs, GError ** error);

/* graph-outputs.c. Copies face F's outputs (all of them, in order) from
 * SLOTS (a chunk of N faces) to DST. */
void ddamfn_graph_outputs_copy (const DdamfnGraphOutputs * o,
    float *const *slots, int n, int f, float *dst);
/* The plan's finisher (DATA: the DdamfnGraphOutputs): the first output as
 * expression scores, softmaxed unless the graph ends in a softmax. */
void ddamfn_graph_finish (gconstpointer data, float *const *slots, int n,
    gpointer results);

/* ---- tfjs.c, onnx.c ------------------------------------------------------ */

DdamfnGraph *ddamfn_tfjs_import (const char *path, GError ** error);
/* The same from the bytes of model.json and a reader of its weight files
 * (the fuzz target feeds both from one buffer). */
typedef GBytes *(*DdamfnShardReader) (const char *name, gpointer data,
    GError ** error);
DdamfnGraph *ddamfn_tfjs_import_bytes (const char *path, const char *json,
    gsize json_len, DdamfnShardReader read_shard, gpointer data,
    GError ** error);

DdamfnGraph *ddamfn_onnx_import (const char *path, GError ** error);
/* The same from the file's bytes (the fuzz target). */
DdamfnGraph *ddamfn_onnx_import_bytes (const char *path, const guint8 * data,
    gsize len, GError ** error);

G_END_DECLS

#endif /* DDAMFN_IMPORT_GRAPH_H */
