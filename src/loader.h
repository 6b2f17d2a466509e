/* Binding the tensors of a model file to the layer types of src/ops: each
 * tensor is looked up (bare or under "module."), checked for dtype, shape
 * and finite values, copied out of the mapping and handed to the plan that
 * will own it; BatchNorm is folded into the preceding convolution. The
 * first problem sticks and later calls do nothing, so a builder reads as a
 * plain list of layers and reports the first error found.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_LOADER_H
#define DDAMFN_LOADER_H

#include "ddamfn-private.h"
#include "plan.h"

G_BEGIN_DECLS

typedef struct
{
  const StFile *file;
  const char *path;
  DdamfnPlan *plan;             /* owns whatever the loader allocates */
  GError *error;
} DdamfnLoader;

/* Tensor NAME, or NULL. */
const StTensor *ddamfn_loader_find (DdamfnLoader * ld, const char *name);
/* Tensor PREFIX + SUFFIX, or NULL. */
const StTensor *ddamfn_loader_find2 (DdamfnLoader * ld, const char *prefix,
    const char *suffix);
void ddamfn_loader_fail (DdamfnLoader * ld, const char *fmt, ...)
    G_GNUC_PRINTF (2, 3);

/* Tensor PREFIX + SUFFIX as float32, exactly NDIM dims equal to DIMS. */
float *ddamfn_loader_take (DdamfnLoader * ld, const char *prefix,
    const char *suffix, int ndim, const gint64 * dims);

/* A zeroed layer the plan owns. */
DdamfnConv *ddamfn_loader_new_conv (DdamfnLoader * ld);
DdamfnGate *ddamfn_loader_new_gate (DdamfnLoader * ld);
DdamfnDense *ddamfn_loader_new_dense (DdamfnLoader * ld);

/* ConvBlock (ACT_PRELU) or LinearBlock (ACT_NONE): "<prefix>.conv.weight"
 * [cout][cin/groups][kh][kw], "<prefix>.bn.*" folded in and, for PReLU,
 * "<prefix>.prelu.weight". */
void ddamfn_loader_conv_block (DdamfnLoader * ld, const char *prefix,
    DdamfnConv * conv, int cin, int cout, int kh, int kw, int stride,
    int pad, int groups, DdamfnAct act);
/* Depthwise weights "<prefix>.weight" [c][1][k][k] alone: no bias, no BN. */
void ddamfn_loader_depthwise (DdamfnLoader * ld, const char *prefix,
    DdamfnConv * conv, int c, int k, int stride);
/* Coordinate-attention gate "<prefix>.conv1 / bn1 / conv2 / conv3" over C
 * channels with a MIP-wide bottleneck. */
void ddamfn_loader_gate (DdamfnLoader * ld, const char *prefix,
    DdamfnGate * gate, int c, int mip);
/* "<prefix>.weight" [out][in], "<prefix>.bias" [out]. */
void ddamfn_loader_dense (DdamfnLoader * ld, const char *prefix,
    DdamfnDense * dense, int in, int out);

G_END_DECLS

#endif /* DDAMFN_LOADER_H */
