/* ddamfnfilter's properties as the class declares them: names, blurbs,
 * ranges, defaults and when they may change (see gstddamfnfilter.c for
 * what they do).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstddamfnfilterprops.h"

#include <gst/gst.h>

void
gst_ddamfn_filter_install_properties (GObjectClass * gobject_class)
{
  /**
   * GstDdamfnFilter:model:
   *
   * The model: a DDAMFN .safetensors file (ddamfn-convert), an ONNX file
   * or a TensorFlow.js model.json, read on READY to PAUSED: a missing or
   * invalid file, or a card that does not fit it, fails that change with
   * an error naming the problem. Unset: $DDAMFN_MODEL, else the installed
   * default (DDAMFN++ AffectNet-8 when it was installed, else the FER2013
   * mini-Xception). Nothing stays mapped: replacing the file while playing
   * changes nothing until the next READY→PAUSED. Elements of one process
   * that name the same unchanged files share one loaded copy.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Model file: DDAMFN .safetensors, .onnx or TensorFlow.js "
          "model.json; loaded when going to PAUSED. Unset: $DDAMFN_MODEL, "
          "else the installed default model", DEFAULT_MODEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstDdamfnFilter:card:
   *
   * A model card (JSON, docs/model-cards.md) that says what the model
   * needs and gives, instead of the card the file brings, a NAME.card.json
   * beside it or the preset its shapes choose.
   */
  g_object_class_install_property (gobject_class, PROP_CARD,
      g_param_spec_string ("card", "Model card",
          "Model card file (JSON) describing the model's input and outputs; "
          "unset: the file's own card, NAME.card.json beside it, or a preset "
          "chosen from its shapes", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  /**
   * GstDdamfnFilter:preset:
   *
   * A card preset by name: ddamfn, fer2013-mini-xception,
   * enet_b0_8_va_mtl, enet_b0_8_best_afew, enet_b2_8, emotion-ferplus-8.
   * A preset that does not fit the model fails the start with an error
   * naming the mismatch.
   */
  g_object_class_install_property (gobject_class, PROP_PRESET,
      g_param_spec_string ("preset", "Card preset",
          "Model card preset (ddamfn, fer2013-mini-xception, "
          "enet_b0_8_va_mtl, enet_b0_8_best_afew, enet_b2_8, "
          "emotion-ferplus-8); unset: see card", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_ROI_TYPE,
      g_param_spec_string ("roi-type", "ROI type",
          "Analyse only the regions of interest of this type (\"face\" for "
          "facedetect); the empty string analyses every region",
          DEFAULT_ROI_TYPE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_MIN_FACE_SIZE,
      g_param_spec_uint ("min-face-size", "Minimum face size",
          "Skip faces whose shorter side, after clipping to the frame, is "
          "below this many pixels (too little detail for the network; "
          "ddamfnfacedetect's default too)", 0, G_MAXINT, DEFAULT_MIN_FACE_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_MAX_FACES,
      g_param_spec_uint ("max-faces", "Maximum faces",
          "Analyse at most this many faces per frame; the largest win",
          1, MAX_MAX_FACES, DEFAULT_MAX_FACES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Run the network on a tracked face every N frames and re-attach "
          "its last result in between (1 = every frame)",
          1, MAX_INFERENCE_INTERVAL, DEFAULT_INFERENCE_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_SMOOTHING,
      g_param_spec_double ("smoothing", "Smoothing",
          "Exponential smoothing factor per tracked face: result = "
          "smoothing * previous + (1 - smoothing) * new, for valence, "
          "arousal and the probabilities (0 = none)",
          0.0, 1.0, DEFAULT_SMOOTHING,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_CROP_SCALE,
      g_param_spec_double ("crop-scale", "Crop scale",
          "Enlarge each face box about its centre by this factor before "
          "cropping (not used for aligned faces); 0: the model card's "
          "(1 for every preset)",
          0.0, 4.0, DEFAULT_CROP_SCALE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_N_THREADS,
      g_param_spec_uint ("n-threads", "Threads",
          "Worker threads for the network (0 = one per CPU); read when "
          "going to PAUSED", 0, MAX_N_THREADS, DEFAULT_N_THREADS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an element message named \"ddamfn\" with the faces of every "
          "buffer", DEFAULT_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /* GstDdamfnFilter:live: see the element's description */
  g_object_class_install_property (gobject_class, PROP_LIVE,
      g_param_spec_boolean ("live", "Live mode",
          "Never make the stream wait for the network: faces are analysed "
          "on a worker thread behind a bounded queue, buffers pass at once "
          "and carry the newest finished result of each track (result-age "
          "in frames, -1 = none yet)", DEFAULT_LIVE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_QUEUE_SIZE,
      g_param_spec_uint ("queue-size", "Queue size",
          "Live mode: frames whose faces may wait for the worker thread; a "
          "newer frame replaces the oldest waiting one (1 = always the "
          "newest frame)", 1, MAX_QUEUE_SIZE, DEFAULT_QUEUE_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
}
