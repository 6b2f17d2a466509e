/* Results of ddamfnfilter as GstStructures, for consumers that do not link
 * libgstddamfnmeta: the "ddamfn" ROI parameter and the element message.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_RESULT_H__
#define __GST_DDAMFN_RESULT_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/ddamfn/gstddamfnmeta.h>
#include <ddamfn/ddamfn.h>

G_BEGIN_DECLS

/* A face of ROI ROI_ID (-1: none) and track TRACK_ID with box X, Y, W, H
 * and no result (result_age -1). */
void gst_ddamfn_face_init (GstDdamfnFace * face, gint roi_id,
    guint track_id, gint x, gint y, gint w, gint h);

/* Copies what the network said (R, AGE frames ago) into FACE; EXPR_LABELS
 * and AU_NAMES are the model's interned labels. */
void gst_ddamfn_face_set_result (GstDdamfnFace * face, const DdamfnResult * r,
    gint age, const gchar * const *expr_labels,
    const gchar * const *au_names);

/* The public description of one face as a structure named NAME: valence,
 * arousal (when the model has them), expression, confidence,
 * expression-probs, au-probs, au-active, track-id, result-age (-1 and
 * nothing but track-id when the face has no result yet). */
GstStructure *gst_ddamfn_face_to_structure (const GstDdamfnFace * face,
    const gchar * name);

/* Adds ST (taken) to the ROI's parameters, replacing any "ddamfn"
 * parameter a previous filter left there. */
void gst_ddamfn_roi_set_result (GstVideoRegionOfInterestMeta * roi,
    GstStructure * st);

/* The "ddamfn" message structure of one buffer: timestamp, stream-time,
 * running-time and a list of "face" structures (the fields above plus
 * roi-id, x, y, w, h). */
GstStructure *gst_ddamfn_faces_to_structure (const GstDdamfnFace * faces,
    guint n_faces, GstClockTime timestamp, GstClockTime stream_time,
    GstClockTime running_time);

/* Posts ELEMENT's "ddamfn" element message for BUFFER (in SEGMENT). */
void gst_ddamfn_post_faces_message (GstElement * element,
    const GstSegment * segment, GstBuffer * buffer,
    const GstDdamfnFace * faces, guint n_faces);

G_END_DECLS

#endif /* __GST_DDAMFN_RESULT_H__ */
