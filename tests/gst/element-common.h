/* Helpers shared by the ddamfnfilter element tests: test models, frames,
 * ROIs, and the engine run directly on the same crops for comparison.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef ELEMENT_COMMON_H
#define ELEMENT_COMMON_H

#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/app/gstappsrc.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include <gst/ddamfn/gstddamfnmeta.h>
#include <ddamfn/ddamfn.h>

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>


#define TOL 1e-4

extern const gchar *model_path;
extern const gchar *single_model_path;
extern DdamfnModel *ref_model;
extern DdamfnSession *ref_session;
extern float ref_mean[3], ref_std[3];

GstElement *make_filter (void);
GstHarness *make_harness (GstElement *element, const GstVideoInfo * info);
void info_init (GstVideoInfo * info, GstVideoFormat format, gint w, gint h,
    const gchar * colorimetry);
GstBuffer *make_frame (const GstVideoInfo * info, guint seed);
GstVideoRegionOfInterestMeta *add_roi (GstBuffer * buf, const gchar * type,
    gint id, gint x, gint y,
    guint w, guint h);
GBytes *buffer_bytes (GstBuffer * buf);
void assert_pixels_equal (GstBuffer * buf, GBytes * before);
DdamfnYuvMatrix expected_matrix (const GstVideoInfo * info);
DdamfnPixelFormat pixel_format (GstVideoFormat f);
void engine_result (GstBuffer * buf, const GstVideoInfo * info, float x,
    float y,
    float w, float h, float scale, const float *landmarks, DdamfnResult * r);
gboolean results_differ (const DdamfnResult * a, const DdamfnResult * b);
void assert_face_equals_result (const GstDdamfnFace * face,
    const DdamfnResult * r);
gdouble array_double (const GValue * array, guint i);
/* A number of the structures is the meta's float rounded to six decimals. */
#define fail_unless_six_decimals_of(d, f) \
  fail_unless (fabs ((d) - (gdouble) (f)) <= 5.0000001e-7 \
      && fabs ((d) * 1e6 - rint ((d) * 1e6)) < 1e-6, \
      "%.17g is not %.9g to six decimals", (gdouble) (d), (gdouble) (f))

void assert_roi_param_matches_face (GstVideoRegionOfInterestMeta * roi,
    const GstDdamfnFace * face);
const GstDdamfnFace * find_face (GstDdamfnMeta * meta, gint roi_id);
void assert_meta_consistent (GstBuffer * buf);

/* Reads the test models from the environment (exit 77 without them), opens
 * the reference engine, runs SUITE and cleans up. */
int element_test_main (int argc, char **argv, Suite * (*make_suite) (void),
    const gchar * name);

#endif
