/* ddamfnfilter — facial affect of the faces marked on video frames.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_FILTER_H__
#define __GST_DDAMFN_FILTER_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

#include <ddamfn/ddamfn.h>
#include <ddamfn/ddamfn-tracker.h>

G_BEGIN_DECLS

#define GST_TYPE_DDAMFN_FILTER (gst_ddamfn_filter_get_type ())
G_DECLARE_FINAL_TYPE (GstDdamfnFilter, gst_ddamfn_filter, GST, DDAMFN_FILTER,
    GstVideoFilter)

/**
 * GstDdamfnFilter:
 *
 * The ddamfnfilter element; all fields are private.
 */
struct _GstDdamfnFilter
{
  GstVideoFilter parent;

  /* properties, protected by the object lock */
  gchar *model_path;
  gchar *roi_type;
  GQuark roi_type_quark;        /* 0 = every ROI */
  guint min_face_size;
  guint max_faces;
  guint inference_interval;
  gdouble smoothing;
  gdouble crop_scale;
  guint n_threads;
  gboolean post_messages;

  /* between start () and stop () */
  DdamfnModel *model;
  DdamfnSession *session;
  DdamfnTracker *tracker;
  float mean[3];
  float std[3];
  const gchar *expr_labels[DDAMFN_MAX_EXPRESSIONS];  /* interned */
  const gchar *au_names[DDAMFN_N_AU];   /* interned */

  /* from set_info () */
  DdamfnPixelFormat pixel_format;
  DdamfnYuvMatrix yuv_matrix;
  gint width;
  gint height;

  /* per-buffer scratch, reused to keep allocation out of the stream */
  GArray *candidates;
  GArray *boxes;                /* DdamfnBox */
  GArray *track_ids;            /* guint */
  GArray *faces;                /* GstDdamfnFace */
  GArray *infer_slots;          /* gint: face index of each batch entry */
  GArray *results;              /* DdamfnResult, one per batch entry */
  float *input;                 /* batch of normalised faces */
  gsize input_capacity;         /* in faces */
};

GST_ELEMENT_REGISTER_DECLARE (ddamfnfilter);

G_END_DECLS

#endif /* __GST_DDAMFN_FILTER_H__ */
