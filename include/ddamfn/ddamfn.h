/* libddamfn — facial affect (valence/arousal, expression, action units)
 * with the DDAMFN network on the CPU.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * This header is the whole public API of the engine. It depends on GLib
 * (for GError) and on nothing of GStreamer.
 */
#ifndef DDAMFN_H
#define DDAMFN_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Marks the symbols the shared library exports; everything else is hidden. */
#if defined(DDAMFN_COMPILATION) && defined(__GNUC__)
#define DDAMFN_API __attribute__ ((visibility ("default")))
#else
#define DDAMFN_API
#endif

/**
 * DDAMFN_INPUT_SIZE:
 *
 * Side of the square face crop the network takes, in pixels.
 */
#define DDAMFN_INPUT_SIZE 112

/**
 * DDAMFN_INPUT_FLOATS:
 *
 * Number of floats in one normalised face tensor (3 × 112 × 112, CHW).
 */
#define DDAMFN_INPUT_FLOATS (3 * DDAMFN_INPUT_SIZE * DDAMFN_INPUT_SIZE)

/**
 * DDAMFN_MAX_EXPRESSIONS:
 *
 * Upper bound on the number of expression classes a model may have.
 */
#define DDAMFN_MAX_EXPRESSIONS 16

/**
 * DDAMFN_N_AU:
 *
 * Number of facial action units of the multitask (ABAW) head.
 */
#define DDAMFN_N_AU 12

/**
 * DDAMFN_ERROR:
 *
 * Error domain of libddamfn. Errors in this domain are from the
 * #DdamfnError enumeration.
 */
#define DDAMFN_ERROR (ddamfn_error_quark ())

/**
 * DdamfnError:
 * @DDAMFN_ERROR_IO: the model file could not be opened or mapped.
 * @DDAMFN_ERROR_FORMAT: the file is not a valid safetensors file
 *   (header length, JSON, offsets).
 * @DDAMFN_ERROR_TENSOR: a tensor is missing, has the wrong dtype or shape,
 *   or its bytes lie outside the data section.
 * @DDAMFN_ERROR_METADATA: the `__metadata__` entries are invalid or
 *   contradict the tensors.
 * @DDAMFN_ERROR_INVALID_ARGUMENT: a caller passed an invalid value
 *   (batch size, image geometry, pixel format).
 * @DDAMFN_ERROR_NO_MEMORY: an allocation failed.
 *
 * Error codes of #DDAMFN_ERROR.
 */
typedef enum
{
  DDAMFN_ERROR_IO,
  DDAMFN_ERROR_FORMAT,
  DDAMFN_ERROR_TENSOR,
  DDAMFN_ERROR_METADATA,
  DDAMFN_ERROR_INVALID_ARGUMENT,
  DDAMFN_ERROR_NO_MEMORY,
} DdamfnError;

DDAMFN_API GQuark ddamfn_error_quark (void);

/* ------------------------------------------------------------------ */
/* Model                                                               */
/* ------------------------------------------------------------------ */

/**
 * DdamfnModel:
 *
 * A loaded, validated DDAMFN model. Immutable once opened; may be shared by
 * any number of sessions on any threads. Reference counted.
 */
typedef struct _DdamfnModel DdamfnModel;

/**
 * ddamfn_model_open:
 * @path: a .safetensors file written by ddamfn-convert, or one that keeps the
 *   bare PyTorch state-dict names of the released checkpoints; or a
 *   TensorFlow.js graph model (a model.json, its weight shards beside it),
 *   which is imported and lowered to the engine's plan
 *   (docs/graph-models.md).
 * @error: return location for a #GError, or %NULL.
 *
 * A DDAMFN .safetensors file: maps the file, validates every tensor
 * (dtype, shape, byte range) against the DDAMFN architecture and the
 * metadata, and folds BatchNorm into the preceding convolutions. An .onnx
 * file or a TensorFlow.js model.json is imported and lowered to a plan
 * (docs/graph-models.md). The model's card is found as
 * ddamfn_model_open_with_card() says with no card and no preset. Tensors the network stores but does not apply are
 * accepted and ignored.
 *
 * Returns: (transfer full) (nullable): a new model, or %NULL with @error set
 *   to a message naming the file, the tensor and the problem.
 */
DDAMFN_API DdamfnModel *ddamfn_model_open (const char *path, GError **error);

/**
 * ddamfn_model_get_default_path:
 *
 * The default model in the project's data directory
 * ($datadir/gst-ddamfn/models of the installation this library was built
 * for): affectnet8.safetensors (DDAMFN++ AffectNet-8) when it is there,
 * else emotion.json (the FER2013 mini-Xception) when it is there, else the
 * AffectNet-8 path (which then does not exist).
 *
 * Returns: (transfer none): the path, a static string.
 */
DDAMFN_API const char *ddamfn_model_get_default_path (void);

/**
 * ddamfn_model_find:
 * @path: (nullable): the model the caller was given explicitly (an element
 *   property, a command-line option), or %NULL / "" when none.
 * @path_source: (nullable): how the user gives @path, for the error
 *   message (e.g. "the \"model\" property" or "--model").
 * @error: return location for a #GError, or %NULL.
 *
 * Picks the model to load, in this order: @path when it is set; else the
 * environment variable DDAMFN_MODEL when it is set and not empty; else
 * ddamfn_model_get_default_path() when that file exists. The file is not
 * opened: ddamfn_model_open() reports what is wrong with it. The
 * environment is only read.
 *
 * Returns: (transfer full) (nullable): the path to load (free with
 *   g_free()), or %NULL with @error set (#DDAMFN_ERROR_IO) to a message
 *   naming all three ways to give a model.
 */
DDAMFN_API char *ddamfn_model_find (const char *path, const char *path_source,
    GError **error);

/**
 * ddamfn_model_ref:
 * @model: a #DdamfnModel.
 *
 * Returns: (transfer full): @model, with one more reference.
 */
DDAMFN_API DdamfnModel *ddamfn_model_ref (DdamfnModel *model);

/**
 * ddamfn_model_unref:
 * @model: (nullable): a #DdamfnModel.
 *
 * Drops one reference; the last one frees the model and unmaps the file.
 */
DDAMFN_API void ddamfn_model_unref (DdamfnModel *model);

/**
 * ddamfn_model_get_n_expressions:
 * @model: a #DdamfnModel.
 *
 * Returns: the number of expression classes (0 when the model has no
 *   expression head).
 */
DDAMFN_API int ddamfn_model_get_n_expressions (const DdamfnModel *model);

/**
 * ddamfn_model_get_expression_label:
 * @model: a #DdamfnModel.
 * @index: class index, 0 ≤ @index < ddamfn_model_get_n_expressions().
 *
 * Returns: (transfer none) (nullable): the label of class @index, owned by
 *   the model, or %NULL when @index is out of range.
 */
DDAMFN_API const char *ddamfn_model_get_expression_label (const DdamfnModel *model,
    int index);

/**
 * ddamfn_model_has_va:
 * @model: a #DdamfnModel.
 *
 * Returns: %TRUE when the model predicts valence and arousal.
 */
DDAMFN_API gboolean ddamfn_model_has_va (const DdamfnModel *model);

/**
 * ddamfn_model_get_n_aus:
 * @model: a #DdamfnModel.
 *
 * Returns: #DDAMFN_N_AU when the model has an action-unit head, else 0.
 */
DDAMFN_API int ddamfn_model_get_n_aus (const DdamfnModel *model);

/**
 * ddamfn_model_get_au_name:
 * @model: a #DdamfnModel.
 * @index: AU index, 0 ≤ @index < ddamfn_model_get_n_aus().
 *
 * Returns: (transfer none) (nullable): the AU name (e.g. "AU12"), or %NULL
 *   when @index is out of range.
 */
DDAMFN_API const char *ddamfn_model_get_au_name (const DdamfnModel *model, int index);

/**
 * ddamfn_model_get_au_threshold:
 * @model: a #DdamfnModel.
 * @index: AU index.
 *
 * Returns: the decision threshold of AU @index from the model metadata
 *   (0.5 when the file has none), or -1 when @index is out of range.
 */
DDAMFN_API float ddamfn_model_get_au_threshold (const DdamfnModel *model, int index);

/**
 * ddamfn_model_get_normalization:
 * @model: a #DdamfnModel.
 * @mean: (out caller-allocates) (array fixed-size=3) (nullable): per-channel
 *   mean (R, G, B) on the 0…1 scale.
 * @std: (out caller-allocates) (array fixed-size=3) (nullable): per-channel
 *   standard deviation.
 *
 * The normalisation the model was trained with: value = (pixel/255 − mean)/std.
 */
DDAMFN_API void ddamfn_model_get_normalization (const DdamfnModel *model, float mean[3],
    float std[3]);

/**
 * ddamfn_model_get_metadata:
 * @model: a #DdamfnModel.
 * @key: a `__metadata__` key of the file, e.g. "label_preset".
 *
 * Returns: (transfer none) (nullable): the value, or %NULL when absent.
 */
DDAMFN_API const char *ddamfn_model_get_metadata (const DdamfnModel *model,
    const char *key);

/**
 * ddamfn_model_get_shared_weights:
 * @model: a #DdamfnModel.
 *
 * Where @model's folded weights live. When a model is opened, its weights
 * (BatchNorm folded, laid out for the kernels) are compared with, or
 * written to, a file named by their SHA-256 in the directory the
 * `DDAMFN_WEIGHTS_CACHE` environment variable names (default: the user's
 * cache directory, `gst-ddamfn/weights`; `off` turns sharing off), and
 * mapped read-only from it, so processes running the same model share one
 * page-cache copy. Models under 1 MiB of weights stay private, and so do
 * the weights when the directory cannot be written.
 *
 * Returns: (transfer none) (nullable): the file the weights are mapped
 * from, or %NULL when they are private to this process.
 */
DDAMFN_API const char *ddamfn_model_get_shared_weights (const DdamfnModel *model);

/**
 * ddamfn_model_describe_plan:
 * @model: a #DdamfnModel.
 *
 * The layer plan the engine runs for @model, for reading: one line per
 * step (kind, layer, input and output tensors, kernel, fused bias and
 * activations, FLOPs per face), then the scratch slots and the total FLOPs
 * per face.
 *
 * Returns: (transfer full): the text, free with g_free().
 */
DDAMFN_API char *ddamfn_model_describe_plan (const DdamfnModel *model);

/**
 * ddamfn_model_get_input_floats:
 * @model: a #DdamfnModel.
 *
 * Floats of one input face: #DDAMFN_INPUT_FLOATS for a DDAMFN model; for a
 * graph model the size its input declares (in its layout: NHWC for
 * TensorFlow.js).
 *
 * Returns: the number of floats per face.
 */
DDAMFN_API size_t ddamfn_model_get_input_floats (const DdamfnModel *model);

/**
 * ddamfn_model_get_n_outputs:
 * @model: a #DdamfnModel.
 *
 * Returns: the number of named outputs of a graph model, 0 for a DDAMFN
 *   model (whose results are #DdamfnResult only).
 */
DDAMFN_API int ddamfn_model_get_n_outputs (const DdamfnModel *model);

/**
 * ddamfn_model_get_output_name:
 * @model: a #DdamfnModel.
 * @index: 0 ≤ @index < ddamfn_model_get_n_outputs().
 *
 * Returns: (transfer none) (nullable): the output's name in the graph, or
 *   %NULL when @index is out of range.
 */
DDAMFN_API const char *ddamfn_model_get_output_name (const DdamfnModel *model,
    int index);

/**
 * ddamfn_model_get_output_floats:
 * @model: a #DdamfnModel.
 * @index: an output index, or −1 for all outputs together.
 *
 * Returns: the floats per face of output @index (of all outputs for −1), 0
 *   when out of range.
 */
DDAMFN_API size_t ddamfn_model_get_output_floats (const DdamfnModel *model,
    int index);

/**
 * ddamfn_model_run_outputs:
 * @model: a graph #DdamfnModel.
 * @input: (array): @n_faces inputs of ddamfn_model_get_input_floats() each.
 * @n_faces: 1 … 4096.
 * @outputs: (out caller-allocates): @n_faces × ddamfn_model_get_output_floats
 *   (@model, −1) floats: each face's outputs one after the other, in order.
 * @error: return location for a #GError, or %NULL.
 *
 * Runs a graph model on one thread and returns its raw outputs (for
 * checking a model against another runtime; sessions are the fast path).
 *
 * Returns: %TRUE on success; %FALSE with @error set (not a graph model,
 *   invalid arguments, out of memory).
 */
DDAMFN_API gboolean ddamfn_model_run_outputs (const DdamfnModel *model,
    const float *input, int n_faces, float *outputs, GError **error);

/* ------------------------------------------------------------------ */
/* Inference                                                           */
/* ------------------------------------------------------------------ */

/**
 * DdamfnResult:
 * @has_va: whether @valence and @arousal are set.
 * @valence: valence in [−1, 1].
 * @arousal: arousal in [−1, 1].
 * @n_expr: number of expression classes (0 if the model has none).
 * @expr_index: index of the most probable class, −1 if @n_expr is 0.
 * @expr_probs: softmax probabilities, @n_expr of them.
 * @n_au: number of action units (0 or #DDAMFN_N_AU).
 * @au_probs: sigmoid probability of each AU.
 * @au_active: bit i set when @au_probs[i] ≥ the model's threshold of AU i.
 *
 * What the network says about one face.
 */
typedef struct
{
  gboolean has_va;
  float valence;
  float arousal;
  int n_expr;
  int expr_index;
  float expr_probs[DDAMFN_MAX_EXPRESSIONS];
  int n_au;
  float au_probs[DDAMFN_N_AU];
  guint32 au_active;
} DdamfnResult;

/**
 * DdamfnSession:
 *
 * Scratch memory and thread settings for running a model. A session is used
 * by one thread at a time; create one per streaming thread.
 */
typedef struct _DdamfnSession DdamfnSession;

/**
 * ddamfn_session_new:
 * @model: a #DdamfnModel; the session takes its own reference.
 * @n_threads: worker threads for the forward pass (1 … 64); 0 picks the
 *   number of online CPUs.
 * @error: return location for a #GError, or %NULL.
 *
 * Returns: (transfer full) (nullable): a new session, or %NULL with @error set.
 */
DDAMFN_API DdamfnSession *ddamfn_session_new (DdamfnModel *model, int n_threads,
    GError **error);

/**
 * ddamfn_session_free:
 * @session: (nullable) (transfer full): a #DdamfnSession.
 *
 * Frees the scratch memory and drops the model reference.
 */
DDAMFN_API void ddamfn_session_free (DdamfnSession *session);

/**
 * ddamfn_session_get_model:
 * @session: a #DdamfnSession.
 *
 * Returns: (transfer none): the session's model.
 */
DDAMFN_API DdamfnModel *ddamfn_session_get_model (DdamfnSession *session);

/**
 * ddamfn_session_run:
 * @session: a #DdamfnSession.
 * @input: (array): @n_faces normalised faces, each #DDAMFN_INPUT_FLOATS floats
 *   in CHW order, concatenated (NCHW); for a graph model,
 *   ddamfn_model_get_input_floats() floats each, in its input's layout.
 * @n_faces: batch size, ≥ 1.
 * @results: (out caller-allocates) (array length=n_faces): one result per face.
 * @error: return location for a #GError, or %NULL.
 *
 * Runs the network on a batch. Scratch memory grows on the first run at a
 * given batch size and is reused afterwards: a run at a batch size not larger
 * than one seen before allocates nothing.
 *
 * Returns: %TRUE on success; %FALSE with @error set (invalid arguments or
 *   out of memory), in which case @results is untouched.
 */
DDAMFN_API gboolean ddamfn_session_run (DdamfnSession *session, const float *input,
    int n_faces, DdamfnResult *results, GError **error);

/**
 * ddamfn_session_get_scratch_bytes:
 * @session: a #DdamfnSession.
 *
 * Returns: the bytes of scratch memory the session currently holds.
 */
DDAMFN_API size_t ddamfn_session_get_scratch_bytes (const DdamfnSession *session);

/* ------------------------------------------------------------------ */
/* Preprocessing                                                       */
/* ------------------------------------------------------------------ */

/**
 * DdamfnPixelFormat:
 * @DDAMFN_PIXEL_RGB: packed 24-bit R, G, B.
 * @DDAMFN_PIXEL_BGR: packed 24-bit B, G, R.
 * @DDAMFN_PIXEL_RGBX: packed 32-bit R, G, B, unused.
 * @DDAMFN_PIXEL_BGRX: packed 32-bit B, G, R, unused.
 * @DDAMFN_PIXEL_XRGB: packed 32-bit unused, R, G, B.
 * @DDAMFN_PIXEL_XBGR: packed 32-bit unused, B, G, R.
 * @DDAMFN_PIXEL_RGBA: packed 32-bit R, G, B, alpha (alpha ignored).
 * @DDAMFN_PIXEL_BGRA: packed 32-bit B, G, R, alpha (alpha ignored).
 * @DDAMFN_PIXEL_I420: planar Y, U, V; chroma halved in both directions.
 * @DDAMFN_PIXEL_NV12: planar Y, interleaved UV; chroma halved in both
 *   directions.
 *
 * Frame layouts the preprocessing reads directly.
 */
typedef enum
{
  DDAMFN_PIXEL_RGB,
  DDAMFN_PIXEL_BGR,
  DDAMFN_PIXEL_RGBX,
  DDAMFN_PIXEL_BGRX,
  DDAMFN_PIXEL_XRGB,
  DDAMFN_PIXEL_XBGR,
  DDAMFN_PIXEL_RGBA,
  DDAMFN_PIXEL_BGRA,
  DDAMFN_PIXEL_I420,
  DDAMFN_PIXEL_NV12,
} DdamfnPixelFormat;

/**
 * DdamfnYuvMatrix:
 * @DDAMFN_YUV_BT601: ITU-R BT.601, limited range (16…235 / 16…240).
 * @DDAMFN_YUV_BT709: ITU-R BT.709, limited range.
 * @DDAMFN_YUV_BT601_FULL: BT.601 coefficients, full range (JPEG).
 *
 * How planar YUV frames are turned into RGB. Ignored for RGB formats.
 */
typedef enum
{
  DDAMFN_YUV_BT601,
  DDAMFN_YUV_BT709,
  DDAMFN_YUV_BT601_FULL,
} DdamfnYuvMatrix;

/**
 * DdamfnImage:
 * @format: pixel layout.
 * @width: width in pixels, ≥ 1.
 * @height: height in pixels, ≥ 1.
 * @planes: first byte of each plane (one for packed formats, three for I420,
 *   two for NV12).
 * @strides: bytes from one row to the next, per plane.
 * @yuv_matrix: conversion of planar YUV to RGB.
 *
 * A borrowed view of one video frame; nothing is copied or freed.
 */
typedef struct
{
  DdamfnPixelFormat format;
  int width;
  int height;
  const uint8_t *planes[3];
  int strides[3];
  DdamfnYuvMatrix yuv_matrix;
} DdamfnImage;

/**
 * DdamfnBox:
 * @x: left edge in frame pixels.
 * @y: top edge in frame pixels.
 * @w: width in pixels.
 * @h: height in pixels.
 *
 * An axis-aligned face box. It may extend beyond the frame.
 */
typedef struct
{
  float x;
  float y;
  float w;
  float h;
} DdamfnBox;

/**
 * DDAMFN_N_LANDMARKS:
 *
 * Landmarks used for alignment: left eye, right eye, nose tip, left mouth
 * corner, right mouth corner (x, y each, frame pixels).
 */
#define DDAMFN_N_LANDMARKS 5

/**
 * ddamfn_image_validate:
 * @image: a frame view.
 * @error: return location for a #GError, or %NULL.
 *
 * Checks format, size, planes and strides (non-null planes, strides at least
 * a row's bytes, sizes that cannot overflow).
 *
 * Returns: %TRUE when @image can be read by the preprocessing functions.
 */
DDAMFN_API gboolean ddamfn_image_validate (const DdamfnImage *image, GError **error);

/**
 * ddamfn_preprocess_box:
 * @image: the frame.
 * @box: the face box; enlarged about its centre by @scale.
 * @scale: box enlargement (1.0 = the box as it is), > 0.
 * @mean: (array fixed-size=3): per-channel mean (R, G, B), 0…1 scale.
 * @std: (array fixed-size=3): per-channel standard deviation, > 0.
 * @out: (out caller-allocates) (array fixed-size=37632): the normalised
 *   3×112×112 CHW tensor.
 * @error: return location for a #GError, or %NULL.
 *
 * Crops the (scaled) box and resizes it to 112 × 112 with bilinear sampling
 * (pixel centres, as cv2.resize); samples outside the frame read as black
 * (0) before normalisation.
 *
 * Returns: %TRUE on success; %FALSE with @error set for an invalid image,
 *   a non-finite or empty box, or a non-positive scale or std.
 */
DDAMFN_API gboolean ddamfn_preprocess_box (const DdamfnImage *image,
    const DdamfnBox *box, float scale, const float mean[3],
    const float std[3], float *out, GError **error);

/**
 * ddamfn_preprocess_landmarks:
 * @image: the frame.
 * @landmarks: (array fixed-size=10): five (x, y) points in frame pixels, in
 *   the order of #DDAMFN_N_LANDMARKS.
 * @mean: (array fixed-size=3): per-channel mean.
 * @std: (array fixed-size=3): per-channel standard deviation.
 * @out: (out caller-allocates) (array fixed-size=37632): the aligned,
 *   normalised tensor.
 * @template_index: (out) (optional): which of the five templates won
 *   (0 left profile … 4 right profile).
 * @error: return location for a #GError, or %NULL.
 *
 * Aligns the face: the least-squares similarity transform onto each of the
 * five DDAMFN++ templates is estimated, the one with the smallest summed
 * point distance wins, and the frame is warped with it (bilinear, border 0).
 *
 * Detectors that give the mouth centre instead of its corners (BlazeFace,
 * see ddamfn-detector.h) pass the centre as both mouth corners: when the
 * two are equal, the fit uses four points — eyes and nose onto the
 * template's, the mouth centre onto the midpoint of the template's mouth
 * corners — and the summed distance of those four chooses the template.
 *
 * Returns: %TRUE on success; %FALSE with @error set for an invalid image or
 *   degenerate (coincident or non-finite) landmarks.
 */
DDAMFN_API gboolean ddamfn_preprocess_landmarks (const DdamfnImage *image,
    const float landmarks[2 * DDAMFN_N_LANDMARKS], const float mean[3],
    const float std[3], float *out, int *template_index, GError **error);

/**
 * ddamfn_align_estimate:
 * @src: (array fixed-size=10): five source points.
 * @dst: (array fixed-size=10): five destination points.
 * @matrix: (out caller-allocates) (array fixed-size=6): the 2×3 similarity
 *   transform, row-major, mapping @src onto @dst in the least-squares sense:
 *   x' = m[0]·x + m[1]·y + m[2], y' = m[3]·x + m[4]·y + m[5].
 *
 * Returns: the summed Euclidean distance between the mapped @src and @dst,
 *   or a negative value when the points are degenerate.
 */
DDAMFN_API double ddamfn_align_estimate (const float src[2 * DDAMFN_N_LANDMARKS],
    const float dst[2 * DDAMFN_N_LANDMARKS], double matrix[6]);

/**
 * ddamfn_align_template:
 * @index: 0 … 4 (left profile, left, frontal, right, right profile).
 *
 * Returns: (transfer none) (nullable): the 10 coordinates of template
 *   @index in the 112 × 112 crop, or %NULL when out of range.
 */
DDAMFN_API const float *ddamfn_align_template (int index);

/**
 * ddamfn_backend_info:
 *
 * Describes the compute kernels in use, e.g. "BLIS 1.1, serial, haswell
 * (AVX2, FMA) kernels (1 thread per call), avx512 engine kernels": the
 * BLAS that runs the matrix products, and the engine's own kernels
 * (DDAMFN_CPU). Fixed on the first call.
 *
 * Returns: (transfer none): a static string.
 */
DDAMFN_API const char *ddamfn_backend_info (void);

/**
 * ddamfn_version:
 *
 * Returns: (transfer none): the library version string.
 */
DDAMFN_API const char *ddamfn_version (void);

G_END_DECLS

/* Model cards: the input a model needs, the outputs it gives. */
#include <ddamfn/ddamfn-card.h>

#endif /* DDAMFN_H */
