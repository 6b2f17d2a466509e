/* ddamfnfacedetect — faces and six keypoints per face with BlazeFace.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_FACE_DETECT_H__
#define __GST_DDAMFN_FACE_DETECT_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

#include <ddamfn/ddamfn-detector.h>

G_BEGIN_DECLS

#define GST_TYPE_DDAMFN_FACE_DETECT (gst_ddamfn_face_detect_get_type ())
G_DECLARE_FINAL_TYPE (GstDdamfnFaceDetect, gst_ddamfn_face_detect, GST,
    DDAMFN_FACE_DETECT, GstVideoFilter)

/**
 * GstDdamfnFaceDetect:
 *
 * The element's instance structure; no public fields.
 */
struct _GstDdamfnFaceDetect
{
  GstVideoFilter parent;

  /* properties, protected by the object lock */
  gchar *model_path;
  gdouble min_confidence;
  guint max_faces;
  guint min_face_size;
  gdouble nms_threshold;
  guint inference_interval;
  guint tiles;

  /* between start () and stop () */
  DdamfnDetectorModel *model;
  DdamfnDetector *detector;

  /* from set_info () */
  DdamfnPixelFormat pixel_format;
  DdamfnYuvMatrix yuv_matrix;
  gint width;
  gint height;

  /* the faces of the last detection, re-attached between detections */
  DdamfnFace *faces;
  gint n_faces;
  guint frames_since;           /* frames since the last detection */
  gboolean have_faces;
};

GST_ELEMENT_REGISTER_DECLARE (ddamfnfacedetect);

G_END_DECLS

#endif /* __GST_DDAMFN_FACE_DETECT_H__ */
