/* BlazeFace's plan builder (nets/blazeface.c) and what the detector needs
 * to know about the plan it built.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_NETS_BLAZEFACE_H
#define DDAMFN_NETS_BLAZEFACE_H

#include "ddamfn-private.h"
#include "detector-private.h"
#include "plan.h"

G_BEGIN_DECLS

typedef struct
{
  int size;                     /* side of the square input (128, 192) */
  /* The zero frame around the image in the plan's input tensor: rows
   * before and after, columns before and after (the first convolution's
   * "same" padding). The input is 3 × in_h × in_w, CHW. */
  int pad_top, pad_left, in_h, in_w;
  int n_anchors;
  int n_grids;
  BlazefaceGrid grids[BLAZEFACE_MAX_GRIDS];
} BlazefaceNetInfo;

/* Floats of one result record of the plan: n_anchors score logits, then
 * n_anchors × 16 regressors. */
#define BLAZEFACE_RESULT_FLOATS(info) \
  ((gsize) (info)->n_anchors * (1 + BLAZEFACE_N_REGRESSORS))

/* Builds the plan of FILE (PATH for messages): INFO must hold size,
 * n_anchors and the grids (from the metadata); the builder fills in the
 * input frame. NULL with ERROR set naming the problem. */
DdamfnPlan *blazeface_net_build (const StFile * file, const char *path,
    BlazefaceNetInfo * info, GError ** error);

G_END_DECLS

#endif /* DDAMFN_NETS_BLAZEFACE_H */
