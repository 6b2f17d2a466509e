/* Which regions of interest of a frame ddamfnfilter analyses.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_ROI_H__
#define __GST_DDAMFN_ROI_H__

#include <gst/video/video.h>
#include <ddamfn/ddamfn.h>

G_BEGIN_DECLS

/* A box of whole pixels inside a frame. */
typedef struct
{
  gint x, y, w, h;
} GstDdamfnBox;

/* Clips the box (X, Y, W, H) of an ROI or a face to a WIDTH x HEIGHT frame
 * into *OUT; FALSE when nothing of it is inside. X and Y are read as signed
 * 32-bit values (producers that compute signed boxes write -1 as
 * 0xFFFFFFFF), W and H as unsigned; nothing overflows. Both elements clip
 * with it, so a box is analysed and drawn at the same place. */
gboolean gst_ddamfn_box_clip (guint x, guint y, guint w, guint h, gint width,
    gint height, GstDdamfnBox * out);

/* A face that passed the type filter, with its box clipped to the frame:
 * an ROI (ROI may be NULL when the face came as an analytics object
 * detection only) and the id of its object detection entry in the
 * buffer's GstAnalyticsRelationMeta (OD_ID, -1 when none is known). */
typedef struct
{
  GstVideoRegionOfInterestMeta *roi;
  gint od_id;
  gint x, y, w, h;
  guint64 area;
  guint order;
} GstDdamfnCandidate;

/* Fills CANDIDATES (a GArray of GstDdamfnCandidate) with the faces of
 * BUFFER whose type is ROI_TYPE (0: any type): its ROIs, then (GStreamer
 * 1.24 and later) the analytics object detections no ROI stands for
 * (gst_ddamfn_analytics_collect ()), so that a face a detector wrote both
 * ways is analysed once; boxes clipped to the WIDTH x HEIGHT frame,
 * non-empty and with a shorter side of at least MIN_FACE_SIZE; when more
 * than MAX_FACES remain, keeps the largest. SELF is for the debug log,
 * which counts what was skipped and why. */
void gst_ddamfn_collect_candidates (GstObject * self, GstBuffer * buffer,
    GQuark roi_type, gint width, gint height, guint min_face_size,
    guint max_faces, GArray * candidates);

/* Reads the five landmarks (x0, y0 … x4, y4 in frame pixels, doubles) of
 * the ROI's "landmarks" parameter; FALSE when ROI is NULL, has none or a field
 * is missing or of another type. With layout "blazeface" (ddamfnfacedetect's
 * six keypoints) x0 … y3 are the eyes, nose and mouth centre, and the centre
 * is returned as both mouth corners. */
gboolean gst_ddamfn_roi_get_landmarks (GstVideoRegionOfInterestMeta * roi,
    float landmarks[2 * DDAMFN_N_LANDMARKS]);

/* The roi-type property both elements have: stores TYPE (NULL counts as
 * "") in *NAME and its quark in *QUARK (0 for "": any type). */
void gst_ddamfn_roi_type_set (gchar ** name, GQuark * quark,
    const gchar * type);

G_END_DECLS

#endif /* __GST_DDAMFN_ROI_H__ */
