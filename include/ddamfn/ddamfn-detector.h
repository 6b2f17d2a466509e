/* libddamfn — the face detector: MediaPipe's BlazeFace networks (short and
 * full range) on the engine, with letterboxing straight from video frames,
 * anchor decoding, weighted non-maximum suppression and six keypoints per
 * face.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_DETECTOR_H
#define DDAMFN_DETECTOR_H

#include "ddamfn/ddamfn.h"

G_BEGIN_DECLS

/**
 * DDAMFN_DETECTOR_N_KEYPOINTS:
 * Keypoints per detected face, in the order of #DdamfnKeypoint.
 */
#define DDAMFN_DETECTOR_N_KEYPOINTS 6

/**
 * DDAMFN_DETECTOR_MAX_TILES:
 * Largest number of tiles per side ddamfn_detector_detect() accepts.
 */
#define DDAMFN_DETECTOR_MAX_TILES 4

/**
 * DdamfnKeypoint:
 * @DDAMFN_KEYPOINT_RIGHT_EYE: the person's right eye (on the image's left
 *   for a frontal face).
 * @DDAMFN_KEYPOINT_LEFT_EYE: the person's left eye.
 * @DDAMFN_KEYPOINT_NOSE_TIP: tip of the nose.
 * @DDAMFN_KEYPOINT_MOUTH_CENTER: centre of the mouth.
 * @DDAMFN_KEYPOINT_RIGHT_EAR: the person's right ear tragion.
 * @DDAMFN_KEYPOINT_LEFT_EAR: the person's left ear tragion.
 * Index of each keypoint in #DdamfnFace.keypoints (times two: x, y).
 */
typedef enum
{
  DDAMFN_KEYPOINT_RIGHT_EYE,
  DDAMFN_KEYPOINT_LEFT_EYE,
  DDAMFN_KEYPOINT_NOSE_TIP,
  DDAMFN_KEYPOINT_MOUTH_CENTER,
  DDAMFN_KEYPOINT_RIGHT_EAR,
  DDAMFN_KEYPOINT_LEFT_EAR,
} DdamfnKeypoint;

/**
 * DdamfnFace:
 * @box: the face box in frame pixels (pixel edges at integers; it may extend
 *   beyond the frame).
 * @score: confidence in [0, 1].
 * @keypoints: (array fixed-size=12): six (x, y) points in frame pixels, in
 *   the order of #DdamfnKeypoint.
 * One detected face.
 */
typedef struct
{
  DdamfnBox box;
  float score;
  float keypoints[2 * DDAMFN_DETECTOR_N_KEYPOINTS];
} DdamfnFace;

/**
 * DdamfnDetectorOptions:
 * @min_score: detections below this confidence are dropped (0 … 1).
 * @nms_iou: detections overlapping a stronger one by at least this
 *   intersection over union are merged into it (0 … 1).
 * @max_faces: at most this many faces are returned, the most confident
 *   first (≥ 1).
 * @min_face_size: faces whose box is narrower or lower than this many frame
 *   pixels are dropped (≥ 0).
 * @tiles: 1 runs the network once on the whole (letterboxed) frame; N > 1
 *   also runs it on an N × N grid of overlapping square tiles, so that
 *   faces too small for one pass are found (N ≤ #DDAMFN_DETECTOR_MAX_TILES).
 * How ddamfn_detector_detect() turns network outputs into faces.
 */
typedef struct
{
  float min_score;
  float nms_iou;
  int max_faces;
  float min_face_size;
  int tiles;
} DdamfnDetectorOptions;

/**
 * DdamfnDetectorModel:
 * A loaded, validated BlazeFace model. Immutable; may be shared by any
 * number of detectors on any threads. Reference counted.
 */
typedef struct _DdamfnDetectorModel DdamfnDetectorModel;

/**
 * ddamfn_detector_model_open:
 * @path: a .safetensors file written by models/tflite-convert.
 * @error: return location for a #GError, or %NULL.
 * Maps the file and checks its metadata (architecture "blazeface", input
 * size, anchors), its graph and every tensor it names (dtype, shape, byte
 * range, finite values).
 * Returns: (transfer full) (nullable): a new model, or %NULL with @error set
 *   to a message naming the file and the problem.
 */
DDAMFN_API DdamfnDetectorModel *ddamfn_detector_model_open (const char *path,
    GError **error);

/**
 * ddamfn_detector_model_ref:
 * @model: a #DdamfnDetectorModel.
 * Returns: (transfer full): @model, with one more reference.
 */
DDAMFN_API DdamfnDetectorModel *ddamfn_detector_model_ref (DdamfnDetectorModel *model);

/**
 * ddamfn_detector_model_unref:
 * @model: (nullable): a #DdamfnDetectorModel.
 * Drops one reference; the last one frees the model and unmaps the file.
 */
DDAMFN_API void ddamfn_detector_model_unref (DdamfnDetectorModel *model);

/**
 * ddamfn_detector_model_get_input_size:
 * @model: a #DdamfnDetectorModel.
 * Returns: the side of the square network input (128 or 192).
 */
DDAMFN_API int ddamfn_detector_model_get_input_size (const DdamfnDetectorModel *model);

/**
 * ddamfn_detector_model_get_n_anchors:
 * @model: a #DdamfnDetectorModel.
 * Returns: the number of anchors, i.e. of raw outputs per pass (896, 2304).
 */
DDAMFN_API int ddamfn_detector_model_get_n_anchors (const DdamfnDetectorModel *model);

/**
 * ddamfn_detector_model_describe_plan:
 * @model: a #DdamfnDetectorModel.
 *
 * The layer plan the engine runs for @model, in the format of
 * ddamfn_model_describe_plan().
 *
 * Returns: (transfer full): the text, free with g_free().
 */
DDAMFN_API char *ddamfn_detector_model_describe_plan (const DdamfnDetectorModel *model);

/**
 * ddamfn_detector_model_get_metadata:
 * @model: a #DdamfnDetectorModel.
 * @key: a `__metadata__` key, e.g. "variant" ("short_range", "full_range").
 * Returns: (transfer none) (nullable): the value, or %NULL when absent.
 */
DDAMFN_API const char *ddamfn_detector_model_get_metadata (const DdamfnDetectorModel *model,
    const char *key);

/**
 * ddamfn_detector_options_init:
 * @options: (out caller-allocates): options to fill.
 * @model: (nullable): the model whose recommended score threshold to use
 *   (0.5 when %NULL).
 * Sets the defaults: the model's min_score, nms_iou 0.3, max_faces 16,
 * min_face_size 0, one tile.
 */
DDAMFN_API void ddamfn_detector_options_init (DdamfnDetectorOptions *options,
    const DdamfnDetectorModel *model);

/**
 * DdamfnDetector:
 * A model plus the scratch memory of its forward pass. Used by one thread
 * at a time; create one per streaming thread.
 */
typedef struct _DdamfnDetector DdamfnDetector;

/**
 * ddamfn_detector_new:
 * @model: a #DdamfnDetectorModel; the detector takes its own reference.
 * @error: return location for a #GError, or %NULL.
 * Allocates everything a single-pass detection needs: ddamfn_detector_detect()
 * allocates only when it uses more tiles than any call before (memory is
 * bounded by #DDAMFN_DETECTOR_MAX_TILES whatever the frame size).
 * Returns: (transfer full) (nullable): a new detector, or %NULL with
 *   @error set (out of memory).
 */
DDAMFN_API DdamfnDetector *ddamfn_detector_new (DdamfnDetectorModel *model, GError **error);

/**
 * ddamfn_detector_free:
 * @detector: (nullable) (transfer full): a #DdamfnDetector.
 * Frees the scratch memory and drops the model reference.
 */
DDAMFN_API void ddamfn_detector_free (DdamfnDetector *detector);

/**
 * ddamfn_detector_detect:
 * @detector: a #DdamfnDetector.
 * @image: the frame (any #DdamfnPixelFormat; no conversion needed).
 * @options: (nullable): detection options; %NULL uses
 *   ddamfn_detector_options_init() with the detector's model.
 * @faces: (out caller-allocates) (array length=max_out): receives the faces,
 *   most confident first.
 * @max_out: room in @faces (≥ 0); fewer than @options->max_faces is fine.
 * @error: return location for a #GError, or %NULL.
 * Letterboxes the frame into the network input (the whole frame scaled to
 * fit, centred, black around it; with tiles > 1 also each tile), runs the
 * network, decodes every anchor whose confidence reaches min_score, merges
 * overlapping detections by weighted non-maximum suppression and maps the
 * boxes and keypoints back to frame pixels.
 * Returns: the number of faces written (0 … @max_out), or −1 with @error
 *   set for an invalid image or invalid options.
 */
DDAMFN_API int ddamfn_detector_detect (DdamfnDetector *detector, const DdamfnImage *image,
    const DdamfnDetectorOptions *options, DdamfnFace *faces, int max_out,
    GError **error);

/**
 * ddamfn_detector_letterbox:
 * @detector: a #DdamfnDetector.
 * @image: the frame.
 * @out: (out caller-allocates): the network input, 3 × S × S floats (CHW,
 *   RGB in [−1, 1]) for the model's input size S.
 * @error: return location for a #GError, or %NULL.
 * The input tensor ddamfn_detector_detect() builds for a single pass.
 * Returns: %TRUE on success, %FALSE with @error set for an invalid image.
 */
DDAMFN_API gboolean ddamfn_detector_letterbox (DdamfnDetector *detector,
    const DdamfnImage *image, float *out, GError **error);

/**
 * ddamfn_detector_run_tensor:
 * @detector: a #DdamfnDetector.
 * @input: 3 × S × S floats (CHW), as ddamfn_detector_letterbox() writes.
 * @scores: (out caller-allocates) (nullable): one raw score logit per
 *   anchor (ddamfn_detector_model_get_n_anchors() floats).
 * @regressors: (out caller-allocates) (nullable): 16 raw regressors per
 *   anchor (x, y, w, h, then six keypoints x, y; in input pixels relative to
 *   the anchor), anchor-major.
 * The forward pass alone, for checking the network against a reference.
 */
DDAMFN_API void ddamfn_detector_run_tensor (DdamfnDetector *detector, const float *input,
    float *scores, float *regressors);

G_END_DECLS

#endif /* DDAMFN_DETECTOR_H */
