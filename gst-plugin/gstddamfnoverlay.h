/* ddamfnoverlay — draws the facial affect results onto the video.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_OVERLAY_H__
#define __GST_DDAMFN_OVERLAY_H__

#include <gst/gst.h>
#include <gst/video/video.h>
#include <gst/video/gstvideofilter.h>

#include <cairo.h>

#include "gstddamfndraw.h"

G_BEGIN_DECLS

#define GST_TYPE_DDAMFN_OVERLAY (gst_ddamfn_overlay_get_type ())
G_DECLARE_FINAL_TYPE (GstDdamfnOverlay, gst_ddamfn_overlay, GST,
    DDAMFN_OVERLAY, GstVideoFilter)

/**
 * GstDdamfnOverlay:
 *
 * The ddamfnoverlay element; all fields are private.
 */
struct _GstDdamfnOverlay
{
  GstVideoFilter parent;

  /* properties, protected by the object lock */
  gboolean draw_box;
  gboolean draw_label;
  gboolean draw_va;
  gboolean draw_aus;
  gdouble line_width;
  gchar *font;
  gboolean font_changed;        /* the drawer has not seen font yet */
  gchar *roi_type;
  GQuark roi_type_quark;        /* 0 = every ROI */
  guint max_faces;

  /* between start () and stop (), streaming thread only */
  GstDdamfnDrawer *drawer;

  /* from set_info (): the frame's own cairo format when cairo can draw on
   * it directly, CAIRO_FORMAT_INVALID when the overlay is blended */
  cairo_format_t direct_format;

  /* what was said once in this stream (streaming thread) */
  gboolean warned_skipped;
  gboolean warned_no_memory;

  /* per-buffer scratch */
  GArray *faces;                /* GstDdamfnDrawFace */
  GArray *layouts;              /* GstDdamfnDrawLayout */
};

GST_ELEMENT_REGISTER_DECLARE (ddamfnoverlay);

G_END_DECLS

#endif /* __GST_DDAMFN_OVERLAY_H__ */
