/* What ddamfnfilter tells a user about a pipeline that cannot give
 * results: no face metadata reaching it, regions of another type only, or
 * frames ddamfnoverlay has already drawn on.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_WATCH_H__
#define __GST_DDAMFN_WATCH_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* Frames that count as "a while": about two seconds at 30 frames per
 * second, long enough for a detector's first frames without a face. */
#define GST_DDAMFN_WATCH_FRAMES 60

/* Per-element state, all zero at the start of a stream (streaming thread
 * only). */
typedef struct
{
  guint64 frames;               /* buffers seen since the start */
  guint64 frames_without_regions;       /* …that carried no face metadata */
  guint64 frames_other_types;   /* …that had regions, none of our type */
  gboolean seen_faces;          /* a region of our type came once */
  gboolean warned_no_regions;
  gboolean warned_other_types;
  gboolean warned_drawn;
} GstDdamfnWatch;

/* Looks at BUFFER before ELEMENT (ddamfnfilter, analysing regions of type
 * ROI_TYPE, 0 = any) gathers its faces and posts, once per stream, an
 * element warning when the stream has carried GST_DDAMFN_WATCH_FRAMES
 * frames with no face metadata at all, or regions of other types only,
 * and when ddamfnoverlay drew on the frame upstream. */
void gst_ddamfn_watch_buffer (GstDdamfnWatch * watch, GstElement * element,
    GstBuffer * buffer, GQuark roi_type);

/* Marks BUFFER (writable) as drawn on by ddamfnoverlay: a custom meta that
 * follows the buffer, so a ddamfnfilter downstream knows the faces it
 * reads carry the drawing. */
void gst_ddamfn_mark_drawn (GstBuffer * buffer);

/* Whether ddamfnoverlay drew on BUFFER. */
gboolean gst_ddamfn_is_drawn (GstBuffer * buffer);

G_END_DECLS

#endif /* __GST_DDAMFN_WATCH_H__ */
