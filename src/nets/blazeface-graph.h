/* The converted BlazeFace graph as the plan builder reads it: operators
 * and tensors parsed and checked from the model's "graph" metadata
 * (nets/blazeface-graph.c), shared with the builder (nets/blazeface.c).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_NETS_BLAZEFACE_GRAPH_H
#define DDAMFN_NETS_BLAZEFACE_GRAPH_H

#include "nets/blazeface.h"
#include "loader.h"

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Most operators a graph may have (BlazeFace: 84 / 174). */
#define MAX_OPS 1024

typedef enum
{
  OP_CONV,
  OP_DWCONV,
  OP_RELU,
  OP_ADD,
  OP_MAXPOOL2,
  OP_PAD_CHANNELS,
  OP_UPSAMPLE2,
} OpKind;

typedef struct
{
  OpKind kind;
  int in[2], n_in, out;
  const char *weight, *bias;
  int kh, kw, sh, sw, pad[4];   /* pad: top, left, bottom, right */
  DdamfnAct act;
  gboolean half_pixel;
  gboolean fused_away;          /* a ReLU folded into its producer */
} Op;

typedef struct
{
  char *name;
  int c, h, w;
  int producer;                 /* op index, −1 for the network input */
  int n_uses, last_use;
  int alias;                    /* shares the storage of this tensor */
  int slot;
  gboolean keep;                /* an output head: alive to the end */
} Tensor;

typedef struct
{
  DdamfnLoader ld;
  GArray *ops;                  /* Op */
  GPtrArray *tensors;           /* Tensor * */
  int input;                    /* tensor index of the network input */
  int pad[4];                   /* the input's zero frame */
  BlazefaceNetInfo *info;
  JsonParser *parser;           /* owns the strings the ops point to */
} Builder;

Tensor *blazeface_tensor (Builder * b, int i);
/* Index of tensor NAME, or −1. */
int blazeface_find_tensor (Builder * b, const char *name);
/* Parses TEXT (the "graph" metadata) into B's ops and tensors, the input
 * INPUT_NAME being 3 × SIZE × SIZE; problems go to B->ld. */
void blazeface_parse_graph (Builder * b, const char *text,
    const char *input_name, int size);
void blazeface_tensor_free (gpointer p);

G_END_DECLS

#endif /* DDAMFN_NETS_BLAZEFACE_GRAPH_H */
