/* libddamfn — model cards: what a model needs (input size, colour, value
 * range, crop) and what it gives (which outputs are expression scores,
 * valence, arousal, action units). docs/model-cards.md has the schema.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_CARD_H
#define DDAMFN_CARD_H

#include <ddamfn/ddamfn.h>

G_BEGIN_DECLS

/**
 * DdamfnColour:
 * @DDAMFN_COLOUR_RGB: three channels, red first.
 * @DDAMFN_COLOUR_BGR: three channels, blue first.
 * @DDAMFN_COLOUR_GREY: one channel, a weighted sum of R, G and B.
 *
 * The colour of a model's input.
 */
typedef enum
{
  DDAMFN_COLOUR_RGB,
  DDAMFN_COLOUR_BGR,
  DDAMFN_COLOUR_GREY,
} DdamfnColour;

/**
 * DdamfnCrop:
 * @DDAMFN_CROP_BOX: the face box, enlarged by the box scale, resized to
 *   the input.
 * @DDAMFN_CROP_ALIGN: five-landmark alignment onto the DDAMFN++ templates
 *   (scaled to the input size) when the face has landmarks, else the box.
 *
 * How a face is cut from the frame.
 */
typedef enum
{
  DDAMFN_CROP_BOX,
  DDAMFN_CROP_ALIGN,
} DdamfnCrop;

/**
 * DdamfnInputSpec:
 * @width: input width in pixels.
 * @height: input height in pixels.
 * @colour: channel order, or grey.
 * @grey_weights: R, G, B weights of the grey value (@colour grey).
 * @range: pixels are scaled to 0 … @range (1 or 255) before @mean and @std.
 * @mean: per-channel mean (in the channel order of @colour; grey: [0]).
 * @std: per-channel standard deviation.
 * @nhwc: the tensor is N × H × W × C (TensorFlow), else N × C × H × W.
 * @crop: how faces are cut.
 * @box_scale: the box is enlarged by this factor about its centre.
 *
 * What a model's input tensor holds: value = (pixel · @range / 255 −
 * @mean) / @std, the pixel bilinearly sampled from the crop.
 */
typedef struct
{
  int width;
  int height;
  DdamfnColour colour;
  float grey_weights[3];
  float range;
  float mean[3];
  float std[3];
  gboolean nhwc;
  DdamfnCrop crop;
  float box_scale;
} DdamfnInputSpec;

/**
 * ddamfn_model_open_with_card:
 * @path: the model file (.safetensors, .onnx, TensorFlow.js model.json).
 * @card: (nullable): a card file (JSON) that describes the model, or %NULL.
 * @preset: (nullable): a preset name (ddamfn_card_list_presets()), or %NULL.
 * @error: return location for a #GError, or %NULL.
 *
 * Opens a model with its card. Without @card and @preset the card is the
 * one stored in the file (ONNX metadata_props or safetensors metadata, key
 * `gst-ddamfn.card`), else a sidecar `NAME.card.json` beside it, else a
 * preset chosen from the file's input and output shapes and its name,
 * else (graph files only) a generic card with numbered classes. A card or
 * preset that does not fit the file (input size or channels, an output it
 * names, the number of labels) is an error that names the mismatch.
 *
 * Returns: (transfer full) (nullable): the model, or %NULL with @error set.
 */
DDAMFN_API DdamfnModel *ddamfn_model_open_with_card (const char *path,
    const char *card, const char *preset, GError **error);

/**
 * ddamfn_model_get_input_spec:
 * @model: a #DdamfnModel.
 *
 * Returns: (transfer none): what the model's input holds, from its card.
 */
DDAMFN_API const DdamfnInputSpec *ddamfn_model_get_input_spec (const DdamfnModel *model);

/**
 * ddamfn_model_get_card_name:
 * @model: a #DdamfnModel.
 *
 * Returns: (transfer none): the model's family and where its card came
 *   from, e.g. "FER2013 mini-Xception (preset fer2013-mini-xception, from
 *   the file's shapes)".
 */
DDAMFN_API const char *ddamfn_model_get_card_name (const DdamfnModel *model);

/**
 * ddamfn_model_get_card_json:
 * @model: a #DdamfnModel.
 *
 * Returns: (transfer full): the card in effect, as a JSON object in the
 *   schema of docs/model-cards.md (g_free() it).
 */
DDAMFN_API char *ddamfn_model_get_card_json (const DdamfnModel *model);

/**
 * ddamfn_card_list_presets:
 *
 * Returns: (transfer none) (array zero-terminated=1): the preset names.
 */
DDAMFN_API const char *const *ddamfn_card_list_presets (void);

/**
 * ddamfn_model_prepare_box:
 * @model: a #DdamfnModel.
 * @image: the frame.
 * @box: the face box in frame pixels.
 * @scale: enlarge the box by this factor about its centre; 0 takes the
 *   card's box scale.
 * @out: (out caller-allocates): ddamfn_model_get_input_floats() floats.
 * @error: return location for a #GError, or %NULL.
 *
 * Cuts one face as the model's card says: the box resized to the input
 * size (bilinear at pixel centres, black outside the frame), converted to
 * the card's colour, value range and layout.
 *
 * Returns: %TRUE on success; %FALSE with @error set.
 */
DDAMFN_API gboolean ddamfn_model_prepare_box (const DdamfnModel *model,
    const DdamfnImage *image, const DdamfnBox *box, float scale, float *out,
    GError **error);

/**
 * ddamfn_model_prepare_landmarks:
 * @model: a #DdamfnModel.
 * @image: the frame.
 * @landmarks: (array fixed-size=10): five landmarks as for
 *   ddamfn_preprocess_landmarks().
 * @out: (out caller-allocates): ddamfn_model_get_input_floats() floats.
 * @template_index: (out) (optional): the template chosen.
 * @error: return location for a #GError, or %NULL.
 *
 * Aligns one face onto the DDAMFN++ templates scaled to the card's input
 * size, converted as ddamfn_model_prepare_box() does. Callers use it when
 * the card's crop is %DDAMFN_CROP_ALIGN.
 *
 * Returns: %TRUE on success; %FALSE with @error set.
 */
DDAMFN_API gboolean ddamfn_model_prepare_landmarks (const DdamfnModel *model,
    const DdamfnImage *image, const float landmarks[2 * DDAMFN_N_LANDMARKS],
    float *out, int *template_index, GError **error);

G_END_DECLS

#endif /* DDAMFN_CARD_H */
