/* Internal interface of the pixel sampler in preprocess.c: the face crops
 * of prepare.c (DDAMFN's and any model card's) and the detector's
 * letterbox (letterbox.c) read frames through one bilinear kernel.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_SAMPLE_PRIVATE_H
#define DDAMFN_SAMPLE_PRIVATE_H

#include "ddamfn/ddamfn.h"

G_BEGIN_DECLS

/* Largest side of a tensor ddamfn_sample_box writes. */
#define DDAMFN_SAMPLE_MAX_SIZE 512

/* Resizes the frame region (X0, Y0, W, H) (frame pixels, pixel edges at
 * integers; it may extend beyond the frame) to a SIZE × SIZE CHW tensor,
 * bilinear at pixel centres, every sample outside the frame black (0);
 * value = pixel (0…255) · GAIN[c] + OFFSET[c]. IMAGE must have passed
 * ddamfn_image_validate(); W and H must be finite and > 0. */
void ddamfn_sample_box (const DdamfnImage * image, double x0, double y0,
    double w, double h, int size, const float gain[3],
    const float offset[3], float *out);

/* DDAMFN's 3 × 112 × 112 CHW crop of the frame region (X0, Y0, W, H), on
 * the fast path; value = pixel · GAIN[c] + OFFSET[c]. */
void ddamfn_sample_face_box (const DdamfnImage * image, double x0,
    double y0, double w, double h, const float gain[3],
    const float offset[3], float *out);

/* The same through the affine map M from crop pixel (u, v) to the frame:
 * x = m[0]·u + m[1]·v + m[2], y = m[3]·u + m[4]·v + m[5]. */
void ddamfn_sample_face_affine (const DdamfnImage * image, const double m[6],
    const float gain[3], const float offset[3], float *out);

/* What a model card's input holds, ready for the sampler: channel c of
 * the tensor is R, G or B number src[c] times gain[c] plus offset[c]; a
 * grey tensor is grey · (R, G, B) + offset[0]. */
typedef struct
{
  int width, height, channels;
  gboolean nhwc;
  int src[3];
  float gain[3], offset[3], grey[3];
} DdamfnSampleSpec;

void ddamfn_sample_spec_init (DdamfnSampleSpec * spec,
    const DdamfnInputSpec * input);
/* The box and the affine crops into the tensor SPEC describes (at most
 * DDAMFN_SAMPLE_MAX_SIZE wide). */
void ddamfn_sample_spec_box (const DdamfnImage * image, double x0,
    double y0, double w, double h, const DdamfnSampleSpec * spec, float *out);
void ddamfn_sample_spec_affine (const DdamfnImage * image, const double m[6],
    const DdamfnSampleSpec * spec, float *out);

G_END_DECLS

#endif /* DDAMFN_SAMPLE_PRIVATE_H */
