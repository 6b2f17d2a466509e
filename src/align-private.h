/* Internal interface between the alignment (align.c) and the preprocessing
 * (preprocess.c): the choice of template for a set of landmarks lives next
 * to the templates, the warp that uses it next to the pixel readers.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_ALIGN_PRIVATE_H
#define DDAMFN_ALIGN_PRIVATE_H

#include "ddamfn/ddamfn.h"

G_BEGIN_DECLS

/* Number of DDAMFN++ alignment templates. */
#define DDAMFN_N_TEMPLATES 5

/* Estimates the similarity from LANDMARKS onto every template and keeps the
 * one with the smallest summed point distance (the first on a tie).
 * MATRIX receives that transform (frame → 112 × 112 crop, layout of
 * ddamfn_align_estimate) and ERROR_OUT, when not NULL, its summed distance.
 * Returns the template index, or -1 when the landmarks are degenerate
 * (non-finite or coincident). */
int ddamfn_align_choose_template (const float landmarks[2 * DDAMFN_N_LANDMARKS],
    double matrix[6], double *error_out);

G_END_DECLS

#endif /* DDAMFN_ALIGN_PRIVATE_H */
