/* The ONNX importer's shared state: onnx.c reads the ModelProto (wire
 * format through protobuf.c) into the structures below, onnx-ops.c turns
 * its nodes into the graph IR.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_IMPORT_ONNX_H
#define DDAMFN_IMPORT_ONNX_H

#include "import/graph.h"

G_BEGIN_DECLS

/* Bounds of the file's own structures, besides the graph's. */
#define ONNX_MAX_FILE_BYTES ((gsize) 2 << 30)
#define ONNX_MAX_NAME 4096
#define ONNX_MAX_DIMS 8
#define ONNX_MAX_ATTRS 64
#define ONNX_MAX_ATTR_INTS 1024

/* TensorProto.DataType values the importer reads. */
enum
{
  ONNX_FLOAT = 1, ONNX_UINT8 = 2, ONNX_INT8 = 3, ONNX_INT32 = 6,
  ONNX_INT64 = 7, ONNX_FLOAT16 = 10, ONNX_DOUBLE = 11,
};

/* An initializer or a Constant node's value: as floats (float, half,
 * double and small integer types) and, for integer types, as integers
 * (shapes, axes, indices). */
typedef struct
{
  char *name;
  int data_type;
  int ndim;
  gint64 dims[ONNX_MAX_DIMS];
  gsize count;
  float *f;                     /* COUNT floats, or NULL */
  gint64 *i;                    /* COUNT integers (integer types), or NULL */
} OnnxTensor;

/* AttributeProto.AttributeType values. */
enum
{
  ONNX_ATTR_FLOAT = 1, ONNX_ATTR_INT = 2, ONNX_ATTR_STRING = 3,
  ONNX_ATTR_TENSOR = 4, ONNX_ATTR_FLOATS = 6, ONNX_ATTR_INTS = 7,
};

typedef struct
{
  char *name;
  int type;
  float f;
  gint64 i;
  char *s;
  GArray *ints;                 /* gint64 */
  GArray *floats;               /* float */
  OnnxTensor *t;
} OnnxAttr;

typedef struct
{
  char *name, *op_type, *domain;
  char **inputs;                /* NULL-terminated; "" for a missing input */
  char **outputs;
  GPtrArray *attrs;             /* OnnxAttr * */
} OnnxNode;

/* A graph input or output as declared: its name and shape (−1 for a
 * symbolic or missing dimension). */
typedef struct
{
  char *name;
  int elem_type;
  int ndim;
  gint64 dims[ONNX_MAX_DIMS];
} OnnxValue;

typedef struct
{
  const char *path;
  gint64 opset;                 /* of the default domain */
  GPtrArray *nodes;             /* OnnxNode * */
  GPtrArray *initializers;      /* OnnxTensor * */
  GPtrArray *inputs, *outputs;  /* OnnxValue * */
  GHashTable *metadata;         /* metadata_props: key → value */
} OnnxModel;

/* Reads the ModelProto of DATA; NULL with ERROR naming the problem. */
OnnxModel *ddamfn_onnx_model_read (const char *path, const guint8 * data,
    gsize len, GError ** error);
void ddamfn_onnx_model_free (OnnxModel * m);
void ddamfn_onnx_tensor_free (OnnxTensor * t);

/* The node's attribute NAME, or NULL. */
const OnnxAttr *ddamfn_onnx_attr (const OnnxNode * n, const char *name);

/* ---- onnx-ops.c: the graph ---------------------------------------------------------- */

/* M's graph into the IR; NULL with ERROR naming the node. */
DdamfnGraph *ddamfn_onnx_build (const OnnxModel * m, GError ** error);


/* ---- onnx-ops.c, onnx-shape.c: translating nodes ------------------------ */

typedef struct
{
  const OnnxModel *m;
  DdamfnGraph *g;
  GError *error;
  GHashTable *consts;           /* name → OnnxTensor * (not owned) */
  GPtrArray *owned;             /* OnnxTensor * made here */
  GHashTable *ranks;            /* activation name → 2 or 4 */
  const OnnxNode *cur;
  int n_in;
  int serial;
} Reader;

gboolean ddamfn_onnx_fail (Reader * r, const char *fmt, ...)
    G_GNUC_PRINTF (2, 3);
gboolean ddamfn_onnx_unsupported (Reader * r, const char *why);
gint64 ddamfn_onnx_attr_int (Reader * r, const char *name, gint64 dflt);
float ddamfn_onnx_attr_float (Reader * r, const char *name, float dflt);
int ddamfn_onnx_attr_ints (Reader * r, const char *name, gint64 * out,
    int max);
const char *ddamfn_onnx_in_name (Reader * r, int i);
gboolean ddamfn_onnx_has_in (Reader * r, int i);
OnnxTensor *ddamfn_onnx_const_of (Reader * r, int i);
int ddamfn_onnx_operand (Reader * r, int i);
int ddamfn_onnx_new_const (Reader * r, const char *what, float *data,
    gsize count);
OnnxTensor *ddamfn_onnx_new_ints (Reader * r, const char *name,
    const gint64 * v, gsize n);
const DdamfnGraphTensor *ddamfn_onnx_T (Reader * r, int t);
int ddamfn_onnx_rank_of (Reader * r, const char *name);
gboolean ddamfn_onnx_add (Reader * r, DdamfnGraphNode * n, int out_i, int rank);
DdamfnGraphNode ddamfn_onnx_node_new (DdamfnGraphOp op);
gboolean ddamfn_onnx_unary (Reader * r, DdamfnGraphNode * n, int rank);

/* Short names inside onnx-ops.c and onnx-shape.c. */
#ifdef DDAMFN_ONNX_NODES
#define fail ddamfn_onnx_fail
#define unsupported ddamfn_onnx_unsupported
#define attr_int ddamfn_onnx_attr_int
#define attr_float ddamfn_onnx_attr_float
#define attr_ints ddamfn_onnx_attr_ints
#define in_name ddamfn_onnx_in_name
#define has_in ddamfn_onnx_has_in
#define const_of ddamfn_onnx_const_of
#define operand ddamfn_onnx_operand
#define new_const ddamfn_onnx_new_const
#define new_ints ddamfn_onnx_new_ints
#define T ddamfn_onnx_T
#define rank_of ddamfn_onnx_rank_of
#define add ddamfn_onnx_add
#define node_new ddamfn_onnx_node_new
#define unary ddamfn_onnx_unary
#endif

/* onnx-shape.c: the shape and layout nodes. *HANDLED says whether OP is
 * one of them; FALSE with R's error set when it cannot be translated. */
/* Add, Sub, Mul, Div of integers known now (slice bounds computed from
 * shapes): *HANDLED when both operands are such integers. */
gboolean ddamfn_onnx_fold_arith (Reader * r, const char *op,
    gboolean * handled);
gboolean ddamfn_onnx_shape_node (Reader * r, const char *op,
    gboolean * handled);

G_END_DECLS

#endif /* DDAMFN_IMPORT_ONNX_H */
