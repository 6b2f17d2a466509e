/* Face crops for a network: the argument checks and the geometry (box
 * enlarged about its centre; landmarks aligned onto the DDAMFN++
 * templates) in front of the sampler of preprocess.c. DDAMFN's 3 × 112 ×
 * 112 crop (ddamfn_preprocess_*) and the crop a model's card describes
 * (ddamfn_model_prepare_*) share them.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "align-private.h"
#include "ddamfn-private.h"
#include "sample-private.h"

#include <math.h>

static gboolean
check_normalisation (const float mean[3], const float std[3], GError ** error)
{
  static const char channel[3] = { 'R', 'G', 'B' };

  if (mean == NULL || std == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "normalisation mean and standard deviation must not be NULL");
    return FALSE;
  }
  for (int c = 0; c < 3; c++) {
    if (!isfinite (mean[c])) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
          "normalisation mean of channel %c is %g; it must be finite",
          channel[c], mean[c]);
      return FALSE;
    }
    if (!isfinite (std[c]) || !(std[c] > 0)) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
          "normalisation standard deviation of channel %c is %g; it must "
          "be finite and > 0", channel[c], std[c]);
      return FALSE;
    }
  }
  return TRUE;
}

/* The region (x0, y0, w, h) of BOX enlarged by SCALE about its centre;
 * FALSE with ERROR set for a box that is missing, not finite or empty. */
static gboolean
box_region (const DdamfnBox * box, float scale, const float *out,
    double r[4], GError ** error)
{
  double w, h;

  if (box == NULL || out == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s must not be NULL", box == NULL ? "face box" : "output tensor");
    return FALSE;
  }
  if (!isfinite (scale) || !(scale > 0)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "box scale is %g; it must be finite and > 0 (1 keeps the box as "
        "it is)", scale);
    return FALSE;
  }
  if (!isfinite (box->x) || !isfinite (box->y) || !isfinite (box->w)
      || !isfinite (box->h)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "face box (x %g, y %g, w %g, h %g) is not finite", box->x, box->y,
        box->w, box->h);
    return FALSE;
  }
  /* Double precision: the product of two finite floats cannot overflow
   * it, so every coordinate below stays finite. */
  w = (double) box->w * scale;
  h = (double) box->h * scale;
  if (!(w > 0) || !(h > 0)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "face box (x %g, y %g, w %g, h %g) scaled by %g is empty; width "
        "and height must be > 0", box->x, box->y, box->w, box->h, scale);
    return FALSE;
  }
  r[0] = box->x + 0.5 * box->w - 0.5 * w;
  r[1] = box->y + 0.5 * box->h - 0.5 * h;
  r[2] = w;
  r[3] = h;
  return TRUE;
}

/* The map from a WIDTH × HEIGHT crop to the frame that aligns LANDMARKS
 * onto the best template (scaled from 112 × 112 to the crop); FALSE with
 * ERROR set for missing or degenerate landmarks. */
static gboolean
landmarks_map (const float landmarks[2 * DDAMFN_N_LANDMARKS], const float *out,
    int width, int height, double inv[6], int *template_index,
    GError ** error)
{
  static const char *const names[DDAMFN_N_LANDMARKS] = {
    "left eye", "right eye", "nose tip", "left mouth corner",
    "right mouth corner",
  };
  double m[6], det;
  int best;

  if (landmarks == NULL || out == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s must not be NULL", landmarks == NULL ? "landmarks" :
        "output tensor");
    return FALSE;
  }
  for (int i = 0; i < DDAMFN_N_LANDMARKS; i++) {
    if (!isfinite (landmarks[2 * i]) || !isfinite (landmarks[2 * i + 1])) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
          "landmarks are degenerate: landmark %d (%s) is (%g, %g), not "
          "finite", i, names[i], landmarks[2 * i], landmarks[2 * i + 1]);
      return FALSE;
    }
  }

  best = ddamfn_align_choose_template (landmarks, m, NULL);
  /* The estimate maps frame → crop; sampling needs crop → frame. For a
   * similarity the determinant is a² + b², the squared scale. */
  det = best < 0 ? 0.0 : m[0] * m[4] - m[1] * m[3];
  if (!isfinite (det) || !(det > 0)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "landmarks are degenerate: the five points (nearly) coincide, so "
        "no alignment can be estimated");
    return FALSE;
  }
  inv[0] = m[4] / det;
  inv[1] = -m[1] / det;
  inv[3] = -m[3] / det;
  inv[4] = m[0] / det;
  inv[2] = -(inv[0] * m[2] + inv[1] * m[5]);
  inv[5] = -(inv[3] * m[2] + inv[4] * m[5]);
  /* Crop pixel (u, v) of a WIDTH × HEIGHT crop is (u·112/WIDTH,
   * v·112/HEIGHT) of the template's crop. */
  inv[0] *= (double) DDAMFN_INPUT_SIZE / width;
  inv[3] *= (double) DDAMFN_INPUT_SIZE / width;
  inv[1] *= (double) DDAMFN_INPUT_SIZE / height;
  inv[4] *= (double) DDAMFN_INPUT_SIZE / height;
  for (int i = 0; i < 6; i++) {
    /* Only a scale near the limits of double could get here. */
    if (!isfinite (inv[i])) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
          "landmarks are degenerate: the alignment transform cannot be "
          "inverted");
      return FALSE;
    }
  }
  if (template_index)
    *template_index = best;
  return TRUE;
}

static void
gain_offset (const float mean[3], const float std[3], float range,
    float gain[3], float offset[3])
{
  for (int c = 0; c < 3; c++) {
    gain[c] = range / (255.f * std[c]);
    offset[c] = -mean[c] / std[c];
  }
}

gboolean
ddamfn_preprocess_box (const DdamfnImage * image, const DdamfnBox * box,
    float scale, const float mean[3], const float std[3], float *out,
    GError ** error)
{
  float gain[3], offset[3];
  double r[4];

  if (!ddamfn_image_validate (image, error)
      || !check_normalisation (mean, std, error)
      || !box_region (box, scale, out, r, error))
    return FALSE;
  gain_offset (mean, std, 1.f, gain, offset);
  ddamfn_sample_face_box (image, r[0], r[1], r[2], r[3], gain, offset, out);
  return TRUE;
}

gboolean
ddamfn_preprocess_landmarks (const DdamfnImage * image,
    const float landmarks[2 * DDAMFN_N_LANDMARKS], const float mean[3],
    const float std[3], float *out, int *template_index, GError ** error)
{
  float gain[3], offset[3];
  double inv[6];

  if (!ddamfn_image_validate (image, error)
      || !check_normalisation (mean, std, error)
      || !landmarks_map (landmarks, out, DDAMFN_INPUT_SIZE,
          DDAMFN_INPUT_SIZE, inv, template_index, error))
    return FALSE;
  gain_offset (mean, std, 1.f, gain, offset);
  ddamfn_sample_face_affine (image, inv, gain, offset, out);
  return TRUE;
}

/* ---- crops a model card describes ----------------------------------------- */

/* Whether SPEC is DDAMFN's own input layout, which has the fast path. */
static gboolean
is_ddamfn_layout (const DdamfnInputSpec * in)
{
  return in->width == DDAMFN_INPUT_SIZE && in->height == DDAMFN_INPUT_SIZE
      && in->colour == DDAMFN_COLOUR_RGB && !in->nhwc;
}

static gboolean
check_model_input (const DdamfnModel * model, const DdamfnImage * image,
    GError ** error)
{
  const DdamfnInputSpec *in;

  if (model == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "model must not be NULL");
    return FALSE;
  }
  in = ddamfn_model_get_input_spec (model);
  if (in->width > DDAMFN_SAMPLE_MAX_SIZE || in->height >
      DDAMFN_SAMPLE_MAX_SIZE) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "the model's input is %d×%d; faces are cut at most %d×%d",
        in->width, in->height, DDAMFN_SAMPLE_MAX_SIZE,
        DDAMFN_SAMPLE_MAX_SIZE);
    return FALSE;
  }
  return ddamfn_image_validate (image, error)
      && check_normalisation (in->mean, in->std, error);
}

gboolean
ddamfn_model_prepare_box (const DdamfnModel * model, const DdamfnImage * image,
    const DdamfnBox * box, float scale, float *out, GError ** error)
{
  const DdamfnInputSpec *in;
  double r[4];

  if (!check_model_input (model, image, error))
    return FALSE;
  in = ddamfn_model_get_input_spec (model);
  if (scale == 0.f)
    scale = in->box_scale;
  if (!box_region (box, scale, out, r, error))
    return FALSE;
  if (is_ddamfn_layout (in)) {
    float gain[3], offset[3];
    gain_offset (in->mean, in->std, in->range, gain, offset);
    ddamfn_sample_face_box (image, r[0], r[1], r[2], r[3], gain, offset, out);
  } else {
    DdamfnSampleSpec spec;
    ddamfn_sample_spec_init (&spec, in);
    ddamfn_sample_spec_box (image, r[0], r[1], r[2], r[3], &spec, out);
  }
  return TRUE;
}

gboolean
ddamfn_model_prepare_landmarks (const DdamfnModel * model,
    const DdamfnImage * image, const float landmarks[2 * DDAMFN_N_LANDMARKS],
    float *out, int *template_index, GError ** error)
{
  const DdamfnInputSpec *in;
  double inv[6];

  if (!check_model_input (model, image, error))
    return FALSE;
  in = ddamfn_model_get_input_spec (model);
  if (!landmarks_map (landmarks, out, in->width, in->height, inv,
          template_index, error))
    return FALSE;
  if (is_ddamfn_layout (in)) {
    float gain[3], offset[3];
    gain_offset (in->mean, in->std, in->range, gain, offset);
    ddamfn_sample_face_affine (image, inv, gain, offset, out);
  } else {
    DdamfnSampleSpec spec;
    ddamfn_sample_spec_init (&spec, in);
    ddamfn_sample_spec_affine (image, inv, &spec, out);
  }
  return TRUE;
}
