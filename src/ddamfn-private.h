/* Internal structures of libddamfn: the model container (safetensors) and
 * the DDAMFN model with its plan.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_PRIVATE_H
#define DDAMFN_PRIVATE_H

#include "ddamfn/ddamfn.h"
#include "ddamfn/ddamfn-detector.h"
#include "plan.h"
#include "card.h"

G_BEGIN_DECLS

/* ---- safetensors.c: the container ---------------------------------- */

typedef enum
{
  ST_DTYPE_F32,
  ST_DTYPE_F16,
  ST_DTYPE_BF16,
  ST_DTYPE_F64,
  ST_DTYPE_I64,
  ST_DTYPE_I32,
  ST_DTYPE_I16,
  ST_DTYPE_I8,
  ST_DTYPE_U8,
  ST_DTYPE_BOOL,
} StDtype;

#define ST_MAX_DIMS 8

typedef struct
{
  char *name;
  StDtype dtype;
  int ndim;
  gint64 shape[ST_MAX_DIMS];
  gint64 numel;
  const guint8 *data;           /* inside the mapping; may be unaligned */
  gsize nbytes;
} StTensor;

typedef struct _StFile StFile;

StFile *st_file_open (const char *path, GError ** error);
void st_file_free (StFile * file);
const StTensor *st_file_lookup (const StFile * file, const char *name);
/* Metadata value of KEY, or NULL. */
const char *st_file_get_metadata (const StFile * file, const char *key);
/* Copies the metadata table (key → value strings) into a new hash table. */
GHashTable *st_file_dup_metadata (const StFile * file);
const char *st_dtype_name (StDtype dtype);

/* ---- model.c, nets/ddamfn.c ------------------------------------------ */

/* What DDAMFN's output heads give and where the plan leaves them: the
 * outputs lie one after the other in slot out_slot ([k][n] each). */
typedef struct
{
  gboolean multitask, has_va, has_expr, has_au;
  int n_expr;
  int out_slot, expr_c0, au_c0;  /* valence, arousal at channels 0, 1 */
  float au_thresholds[DDAMFN_N_AU];
} DdamfnHeads;

/* Where a graph model's plan leaves its outputs (import/graph.h). */
typedef struct _DdamfnGraphOutputs DdamfnGraphOutputs;

struct _DdamfnModel
{
  gint ref_count;
  char *path;
  GHashTable *metadata;
  DdamfnPlan *plan;
  DdamfnHeads heads;
  char *expr_labels[DDAMFN_MAX_EXPRESSIONS];
  char *au_names[DDAMFN_N_AU];
  int n_au;
  float mean[3], std[3];
  /* graph models (import/): where the outputs are, NULL for DDAMFN */
  const DdamfnGraphOutputs *graph;
  DdamfnCard card;              /* what the model needs and gives */
  char *card_name;              /* its family and where the card came from */
};

/* card-model.c: finds M's card (CARD a card file, PRESET a preset name,
 * else the file's own, a sidecar, a preset chosen from the shapes) and
 * checks it against M; FALSE with ERROR naming the mismatch. For a graph
 * model it fills the heads, labels and normalisation and sets the plan's
 * finisher. */
gboolean ddamfn_model_bind_card (DdamfnModel * m, const char *card,
    const char *preset, GError ** error);

/* model.c: frees M (ref count aside). */
void ddamfn_model_free (DdamfnModel * m);

/* DDAMFN's plan from the tensors of FILE; fills HEADS, which the plan's
 * finisher reads (HEADS must outlive the plan). NULL with ERROR set naming
 * the tensor at fault. */
DdamfnPlan *ddamfn_net_build (const StFile * file, const char *path,
    DdamfnHeads * heads, GError ** error);

/* Reads M's metadata table into its labels, AU names and thresholds and
 * normalisation (after the plan has set M's heads); FALSE with ERROR set
 * naming the key at fault. */
gboolean ddamfn_model_read_metadata (DdamfnModel * m, GError ** error);

/* The model's plan (owned by the model). */
const DdamfnPlan *ddamfn_model_get_plan (const DdamfnModel * model);

/* The face detector model's plan (owned by the model; detector.c). */
const DdamfnPlan *ddamfn_detector_model_get_plan (const DdamfnDetectorModel *
    model);

/* ---- postprocess.c --------------------------------------------------- */

void ddamfn_softmax (const float *logits, int k, float *probs);
/* The plan's finisher: DdamfnResult per face from the head outputs
 * (HEADS is the DdamfnHeads of the model). */
void ddamfn_heads_finish (gconstpointer heads, float *const *slots, int n,
    gpointer results);

G_END_DECLS

#endif /* DDAMFN_PRIVATE_H */
