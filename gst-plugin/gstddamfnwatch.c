/* What ddamfnfilter tells a user about a pipeline that cannot give
 * results (see gstddamfnwatch.h). Without it a pipeline with no detector
 * upstream runs to the end with empty results and says nothing.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstddamfnwatch.h"

#include <gst/video/video.h>

/* The custom meta ddamfnoverlay leaves on the buffers it drew on. No tags:
 * elements that copy metas they do not know (videoconvert, videoscale)
 * keep it, as the drawing stays in the pixels. */
#define DRAWN_META_NAME "GstDdamfnOverlayDrawnMeta"

static const GstMetaInfo *
drawn_meta_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter (&info)) {
    const gchar *tags[] = { NULL };
    const GstMetaInfo *registered =
        gst_meta_register_custom (DRAWN_META_NAME, tags, NULL, NULL, NULL);

    g_once_init_leave (&info, registered);
  }
  return info;
}

void
gst_ddamfn_mark_drawn (GstBuffer * buffer)
{
  drawn_meta_info ();
  if (gst_buffer_get_custom_meta (buffer, DRAWN_META_NAME) == NULL)
    gst_buffer_add_custom_meta (buffer, DRAWN_META_NAME);
}

gboolean
gst_ddamfn_is_drawn (GstBuffer * buffer)
{
  drawn_meta_info ();
  return gst_buffer_get_custom_meta (buffer, DRAWN_META_NAME) != NULL;
}

/* Whether BUFFER carries face metadata of any kind: regions of interest
 * (of any type; *MATCHING tells whether one is of ROI_TYPE) or GStreamer's
 * analytics relation meta (1.24+, looked up by name so that 1.22 builds). */
static gboolean
has_regions (GstBuffer * buffer, GQuark roi_type, gboolean * matching)
{
  gpointer state = NULL;
  GstMeta *meta;
  gboolean any = FALSE;

  *matching = FALSE;
  while ((meta = gst_buffer_iterate_meta (buffer, &state))) {
    if (meta->info->api == GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE) {
      const GstVideoRegionOfInterestMeta *roi =
          (const GstVideoRegionOfInterestMeta *) meta;

      any = TRUE;
      if (roi_type == 0 || roi->roi_type == roi_type)
        *matching = TRUE;
    } else if (g_strcmp0 (g_type_name (meta->info->api),
            "GstAnalyticsRelationMetaAPI") == 0) {
      any = TRUE;
      *matching = TRUE;
    }
  }
  return any;
}

void
gst_ddamfn_watch_buffer (GstDdamfnWatch * watch, GstElement * element,
    GstBuffer * buffer, GQuark roi_type)
{
  gboolean matching;

  if (!watch->warned_drawn && gst_ddamfn_is_drawn (buffer)) {
    GST_ELEMENT_WARNING (element, STREAM, FAILED,
        ("ddamfnoverlay drew on these frames before %s read them: the faces "
            "are analysed with the boxes and labels in them. Place "
            "ddamfnoverlay after %s.", GST_ELEMENT_NAME (element),
            GST_ELEMENT_NAME (element)), ("said once per stream"));
    watch->warned_drawn = TRUE;
  }

  watch->frames++;
  if (watch->seen_faces)
    return;
  if (!has_regions (buffer, roi_type, &matching))
    watch->frames_without_regions++;
  else if (!matching)
    watch->frames_other_types++;
  else
    watch->seen_faces = TRUE;
  if (watch->seen_faces || watch->frames < GST_DDAMFN_WATCH_FRAMES)
    return;

  if (watch->frames_without_regions == watch->frames
      && !watch->warned_no_regions) {
    GST_ELEMENT_WARNING (element, STREAM, FAILED,
        ("No face metadata on the first %" G_GUINT64_FORMAT " frames: "
            "nothing is analysed. Put a face detector before %s "
            "(ddamfnfacedetect, or videoconvert ! facedetect), or ignore "
            "this if the video has shown no face yet.", watch->frames,
            GST_ELEMENT_NAME (element)),
        ("no GstVideoRegionOfInterestMeta or analytics meta on any buffer; "
            "said once per stream"));
    watch->warned_no_regions = TRUE;
  } else if (watch->frames_without_regions < watch->frames
      && !watch->warned_other_types) {
    GST_ELEMENT_WARNING (element, STREAM, FAILED,
        ("Regions of interest arrive but none has the type \"%s\" in the "
            "first %" G_GUINT64_FORMAT " frames: nothing is analysed. Set "
            "roi-type to the detector's type, or \"\" for every region.",
            g_quark_to_string (roi_type), watch->frames),
        ("said once per stream"));
    watch->warned_other_types = TRUE;
  }
}
