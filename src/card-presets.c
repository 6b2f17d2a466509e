/* The presets of model cards: the facial-affect model families users have
 * (docs/model-cards.md says where each fact comes from), and the choice
 * of a preset from a graph file's shapes and name.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "card.h"
#include "ddamfn-private.h"

#include <string.h>

typedef struct
{
  const char *id;
  const char *name;
  const char *licence;
  const char *accuracy;
  int width, height;
  DdamfnColour colour;
  float range, mean[3], std[3];
  gboolean nhwc;
  DdamfnCrop crop;
  int n_outputs;                /* values of the (first) output */
  int n_labels;
  const char *const *labels;
  gboolean va;                  /* valence, arousal follow the logits */
  CardActivation act;
} Preset;

static const char *const fer2013_labels[] = {
  "Angry", "Disgust", "Fear", "Happy", "Sad", "Surprise", "Neutral"
};

static const char *const hse_labels[] = {
  "Anger", "Contempt", "Disgust", "Fear", "Happiness", "Neutral", "Sadness",
  "Surprise"
};

static const char *const ferplus_labels[] = {
  "Neutral", "Happiness", "Surprise", "Sadness", "Anger", "Disgust", "Fear",
  "Contempt"
};

#define IMAGENET_MEAN { 0.485f, 0.456f, 0.406f }
#define IMAGENET_STD { 0.229f, 0.224f, 0.225f }

static const Preset presets[] = {
  {"fer2013-mini-xception", "FER2013 mini-Xception", "MIT",
        "66 % on the FER2013 test set, as published", 64, 64,
        DDAMFN_COLOUR_GREY, 1.f, {0.5f}, {0.5f}, TRUE, DDAMFN_CROP_BOX, 7, 7,
      fer2013_labels, FALSE, CARD_ACT_NONE},
  {"enet_b0_8_va_mtl", "HSEmotion EfficientNet-B0 (8 expressions, valence, "
        "arousal)", NULL, "61.93 % on AffectNet-8, as published", 224, 224,
        DDAMFN_COLOUR_RGB, 1.f, IMAGENET_MEAN, IMAGENET_STD, FALSE,
        DDAMFN_CROP_BOX, 10, 8, hse_labels, TRUE, CARD_ACT_SOFTMAX},
  {"enet_b0_8_best_afew", "HSEmotion EfficientNet-B0 (8 expressions)", NULL,
        NULL, 224, 224, DDAMFN_COLOUR_RGB, 1.f, IMAGENET_MEAN, IMAGENET_STD,
        FALSE, DDAMFN_CROP_BOX, 8, 8, hse_labels, FALSE, CARD_ACT_SOFTMAX},
  {"enet_b2_8", "HSEmotion EfficientNet-B2 (8 expressions)", NULL,
        "63.03 % on AffectNet-8, as published", 260, 260, DDAMFN_COLOUR_RGB,
        1.f, IMAGENET_MEAN, IMAGENET_STD, FALSE, DDAMFN_CROP_BOX, 8, 8,
      hse_labels, FALSE, CARD_ACT_SOFTMAX},
  {"emotion-ferplus-8", "FER+ (ONNX model zoo emotion-ferplus-8)", "MIT",
        NULL, 64, 64, DDAMFN_COLOUR_GREY, 255.f, {0.f}, {1.f}, FALSE,
        DDAMFN_CROP_BOX, 8, 8, ferplus_labels, FALSE, CARD_ACT_SOFTMAX},
};

static const char *const preset_ids[] = {
  "ddamfn", "fer2013-mini-xception", "enet_b0_8_va_mtl",
  "enet_b0_8_best_afew", "enet_b2_8", "emotion-ferplus-8", NULL
};

const char *const *
ddamfn_card_list_presets (void)
{
  return preset_ids;
}

static void
fill_from (DdamfnCard * c, const Preset * p)
{
  DdamfnInputSpec *in = &c->input;

  ddamfn_card_clear (c);
  c->name = g_strdup (p->name);
  c->preset = g_strdup (p->id);
  c->licence = g_strdup (p->licence);
  c->accuracy = g_strdup (p->accuracy);
  in->width = p->width;
  in->height = p->height;
  in->colour = p->colour;
  /* ITU-R BT.601 luma, the weights of the grey conversions these models
   * were trained with */
  in->grey_weights[0] = 0.2989f;
  in->grey_weights[1] = 0.5870f;
  in->grey_weights[2] = 0.1140f;
  in->range = p->range;
  for (int k = 0; k < 3; k++) {
    in->mean[k] = p->colour == DDAMFN_COLOUR_GREY ? p->mean[0] : p->mean[k];
    in->std[k] = p->colour == DDAMFN_COLOUR_GREY ? p->std[0] : p->std[k];
  }
  in->nhwc = p->nhwc;
  in->crop = p->crop;
  in->box_scale = 1.f;
  c->has_expr = TRUE;
  c->expr.count = p->n_labels;
  c->expr.act = p->act;
  for (int i = 0; i < p->n_labels; i++)
    c->labels[i] = g_strdup (p->labels[i]);
  if (p->va) {
    c->has_va = TRUE;
    c->valence.index = p->n_labels;
    c->valence.count = 1;
    c->arousal.index = p->n_labels + 1;
    c->arousal.count = 1;
  }
}

/* DDAMFN's own card: what ddamfn_card_ddamfn fills for a file, before its
 * metadata is known (a card file that starts from "ddamfn"). */
static void
fill_ddamfn (DdamfnCard * c)
{
  static const float mean[3] = IMAGENET_MEAN, std[3] = IMAGENET_STD;

  ddamfn_card_clear (c);
  c->name = g_strdup ("DDAMFN");
  c->preset = g_strdup ("ddamfn");
  c->input.width = c->input.height = DDAMFN_INPUT_SIZE;
  c->input.colour = DDAMFN_COLOUR_RGB;
  c->input.range = 1.f;
  memcpy (c->input.mean, mean, sizeof mean);
  memcpy (c->input.std, std, sizeof std);
  c->input.crop = DDAMFN_CROP_ALIGN;
  c->input.box_scale = 1.f;
}

gboolean
ddamfn_card_preset (DdamfnCard * c, const char *name, GError ** error)
{
  char *list;

  if (strcmp (name, "ddamfn") == 0) {
    fill_ddamfn (c);
    return TRUE;
  }
  for (guint i = 0; i < G_N_ELEMENTS (presets); i++) {
    if (strcmp (presets[i].id, name) == 0) {
      fill_from (c, &presets[i]);
      return TRUE;
    }
  }
  list = g_strjoinv (", ", (char **) preset_ids);
  g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
      "unknown preset \"%s\" (presets: %s)", name, list);
  g_free (list);
  return FALSE;
}

static gboolean
fits (const Preset * p, const DdamfnCardShape * s)
{
  const int channels = p->colour == DDAMFN_COLOUR_GREY ? 1 : 3;

  return s->in_c == channels && s->in_h == p->height && s->in_w == p->width
      && s->in_nhwc == p->nhwc && s->first_output_floats == p->n_outputs;
}

const char *
ddamfn_card_preset_for (const DdamfnCardShape * s)
{
  const Preset *first = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (presets); i++) {
    if (!fits (&presets[i], s))
      continue;
    if (s->basename && strstr (s->basename, presets[i].id))
      return presets[i].id;
    if (first == NULL)
      first = &presets[i];
  }
  return first ? first->id : NULL;
}

void
ddamfn_card_generic (DdamfnCard * c, int width, int height, int channels,
    gboolean nhwc, int n_scores)
{
  ddamfn_card_clear (c);
  c->name = g_strdup ("generic graph model (no card)");
  c->input.width = width;
  c->input.height = height;
  c->input.colour = channels == 1 ? DDAMFN_COLOUR_GREY : DDAMFN_COLOUR_RGB;
  c->input.grey_weights[0] = 0.2989f;
  c->input.grey_weights[1] = 0.5870f;
  c->input.grey_weights[2] = 0.1140f;
  c->input.range = 1.f;
  for (int k = 0; k < 3; k++)
    c->input.std[k] = 1.f;
  c->input.nhwc = nhwc;
  c->input.crop = DDAMFN_CROP_BOX;
  c->input.box_scale = 1.f;
  c->has_expr = TRUE;
  c->expr.count = MIN (n_scores, DDAMFN_MAX_EXPRESSIONS);
  c->expr.act = CARD_ACT_SOFTMAX;
  for (int i = 0; i < c->expr.count; i++)
    c->labels[i] = g_strdup_printf ("class%d", i);
}

void
ddamfn_card_ddamfn (DdamfnCard * c, const DdamfnModel * m)
{
  fill_ddamfn (c);
  g_free (c->name);
  c->name = g_strdup (m->heads.multitask ? "DDAMFN (multitask)" :
      "DDAMFN");
  memcpy (c->input.mean, m->mean, sizeof m->mean);
  memcpy (c->input.std, m->std, sizeof m->std);
  c->has_expr = m->heads.has_expr;
  c->expr.count = m->heads.has_expr ? m->heads.n_expr : 0;
  c->expr.act = CARD_ACT_SOFTMAX;
  for (int i = 0; i < c->expr.count; i++)
    c->labels[i] = g_strdup (m->expr_labels[i]);
  c->has_va = m->heads.has_va;
  c->valence.count = c->arousal.count = m->heads.has_va ? 1 : 0;
  c->arousal.index = 1;
  c->has_au = m->heads.has_au;
  c->au.count = m->heads.has_au ? DDAMFN_N_AU : 0;
  c->au.act = CARD_ACT_SIGMOID;
  for (int i = 0; i < c->au.count; i++) {
    c->au_names[i] = g_strdup (m->au_names[i]);
    c->au_thresholds[i] = m->heads.au_thresholds[i];
  }
}
