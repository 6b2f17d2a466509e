/* Internal interface of the pixel sampler in preprocess.c for other
 * tensors than the 112 × 112 face crop: the detector's letterbox
 * (letterbox.c) reads frames through the same bilinear kernel.
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

G_END_DECLS

#endif /* DDAMFN_SAMPLE_PRIVATE_H */
