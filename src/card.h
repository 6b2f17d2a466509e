/* Model cards inside the library: the parsed card (card.c reads the JSON
 * and checks it against the model; card-presets.c holds the presets and
 * chooses one from a file's shapes and name).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_CARD_PRIVATE_H
#define DDAMFN_CARD_PRIVATE_H

#include "ddamfn/ddamfn.h"

G_BEGIN_DECLS

typedef enum
{
  CARD_ACT_NONE,
  CARD_ACT_SOFTMAX,
  CARD_ACT_SIGMOID,
  CARD_ACT_TANH,
} CardActivation;

/* COUNT values of output OUTPUT (its name; NULL: the first output) from
 * value INDEX on, flattened in the output's own order. */
typedef struct
{
  char *output;
  int index;
  int count;
  CardActivation act;
} CardPick;

typedef struct
{
  char *name;                   /* family, "FER2013 mini-Xception" */
  char *preset;                 /* preset it started from, or NULL */
  char *licence;                /* of the weights, or NULL */
  char *accuracy;               /* as published, or NULL */
  DdamfnInputSpec input;
  gboolean has_expr, has_va, has_au;
  CardPick expr, valence, arousal, au;
  char *labels[DDAMFN_MAX_EXPRESSIONS];
  char *au_names[DDAMFN_N_AU];
  float au_thresholds[DDAMFN_N_AU];
} DdamfnCard;

void ddamfn_card_clear (DdamfnCard * card);
void ddamfn_card_copy (DdamfnCard * dst, const DdamfnCard * src);

/* Fills CARD from the JSON text (WHAT names it in errors): a "preset"
 * member starts from that preset, the other members override it. */
gboolean ddamfn_card_parse (DdamfnCard * card, const char *what,
    const char *json, gsize len, GError ** error);
/* The card as JSON (g_free). */
char *ddamfn_card_to_json (const DdamfnCard * card);

/* card-presets.c ------------------------------------------------------- */

/* Fills CARD with preset NAME; FALSE with ERROR listing the presets. */
gboolean ddamfn_card_preset (DdamfnCard * card, const char *name,
    GError ** error);

/* What a graph file declares, for choosing a preset. */
typedef struct
{
  const char *basename;
  int in_c, in_h, in_w;
  gboolean in_nhwc;
  int n_outputs;
  int first_output_floats;
} DdamfnCardShape;

/* The preset that fits SHAPE (its name decides between presets of one
 * shape), or NULL. */
const char *ddamfn_card_preset_for (const DdamfnCardShape * shape);

/* The card of a generic graph model: box crop, RGB on 0 … 1, the first
 * output as expression scores named class0 … */
void ddamfn_card_generic (DdamfnCard * card, int width, int height,
    int channels, gboolean nhwc, int n_scores);

/* The card of a DDAMFN file, from what its plan and metadata found. */
void ddamfn_card_ddamfn (DdamfnCard * card, const DdamfnModel * m);

G_END_DECLS

#endif /* DDAMFN_CARD_PRIVATE_H */
