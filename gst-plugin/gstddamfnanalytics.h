/* GStreamer analytics metadata (gstreamer-analytics-1.0, GStreamer 1.24 and
 * later) for our elements: faces as object detections, results as
 * classifications and tracking entries related to them.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Built without the analytics library (GStreamer 1.22), every function
 * here is a no-op and GST_DDAMFN_HAVE_ANALYTICS is 0: faces then travel as
 * GstVideoRegionOfInterestMeta only.
 */
#ifndef __GST_DDAMFN_ANALYTICS_H__
#define __GST_DDAMFN_ANALYTICS_H__

#include <gst/video/video.h>
#include <ddamfn/ddamfn.h>
#include <gst/ddamfn/gstddamfnmeta.h>

#include "gstddamfnroi.h"

#if defined(DDAMFN_HAVE_ANALYTICS) && GST_CHECK_VERSION(1, 24, 0)
#define GST_DDAMFN_HAVE_ANALYTICS 1
#else
#define GST_DDAMFN_HAVE_ANALYTICS 0
#endif

G_BEGIN_DECLS

/* The ROI parameter structure that links an ROI to the object detection
 * entry of the same face: "analytics", field "od-id" (uint, the entry's id
 * in the buffer's GstAnalyticsRelationMeta). */
#define GST_DDAMFN_ANALYTICS_PARAM "analytics"

/* Detector: adds an object detection entry of ROI's type, box and
 * CONFIDENCE to BUFFER's relation meta (created when the buffer has none)
 * and links the two records (the ROI's "analytics" parameter). */
void gst_ddamfn_analytics_add_detection (GstBuffer * buffer,
    GstVideoRegionOfInterestMeta * roi, gfloat confidence);

/* The od-id of ROI's "analytics" parameter; FALSE when it has none. */
gboolean gst_ddamfn_analytics_roi_get_od_id (GstVideoRegionOfInterestMeta *
    roi, guint * od_id);

/* Filter: appends to CANDIDATES (GstDdamfnCandidate, those of the ROIs
 * already in it) the object detections of BUFFER whose type is TYPE (0:
 * any) that no ROI candidate stands for: neither linked to one (the ROI's
 * "analytics" parameter) nor with the same type and box. Boxes are clipped
 * to the WIDTH x HEIGHT frame; empty ones and those whose shorter side is
 * below MIN_FACE_SIZE are skipped (counted in the debug log of SELF). ORDER
 * is where the order numbers of the new candidates start. */
void gst_ddamfn_analytics_collect (GstObject * self, GstBuffer * buffer,
    GQuark type, gint width, gint height, guint min_face_size,
    guint order, GArray * candidates);

/* What the filter keeps between buffers to write analytics results. */
typedef struct _GstDdamfnAnalytics GstDdamfnAnalytics;

/* For MODEL's expression labels (NULL: none yet). */
GstDdamfnAnalytics *gst_ddamfn_analytics_new (DdamfnModel * model);
void gst_ddamfn_analytics_free (GstDdamfnAnalytics * an);

/* Forgets the tracks (a flush or a new frame size). */
void gst_ddamfn_analytics_reset (GstDdamfnAnalytics * an);

/* Filter: for the face C of BUFFER with its result FACE, adds a
 * classification entry (the expression labels as quarks with their
 * probabilities; none when FACE has no expression result) and a tracking
 * entry (FACE's track id, first and last seen at buffer times), both
 * related to the face's object detection entry; a face that came as an ROI
 * only gets an object detection entry first (linked to its ROI). */
void gst_ddamfn_analytics_add_result (GstDdamfnAnalytics * an,
    GstBuffer * buffer, const GstDdamfnCandidate * c,
    const GstDdamfnFace * face);

/* Filter: ends the buffer (tracks unseen for long are forgotten). */
void gst_ddamfn_analytics_end_frame (GstDdamfnAnalytics * an);

G_END_DECLS

#endif /* __GST_DDAMFN_ANALYTICS_H__ */
