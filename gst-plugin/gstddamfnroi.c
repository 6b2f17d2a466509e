/* Which regions of interest of a frame ddamfnfilter analyses.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstddamfnroi.h"
#include "gstddamfnanalytics.h"

#include <stdlib.h>

GST_DEBUG_CATEGORY_EXTERN (gst_ddamfn_filter_debug);
#define GST_CAT_DEFAULT gst_ddamfn_filter_debug

/* Larger area first; equal areas keep the order of the metas. */
static int
compare_area_desc (const void *pa, const void *pb)
{
  const GstDdamfnCandidate *a = pa, *b = pb;

  if (a->area != b->area)
    return a->area > b->area ? -1 : 1;
  return (a->order > b->order) - (a->order < b->order);
}

gboolean
gst_ddamfn_box_clip (guint x, guint y, guint w, guint h, gint width,
    gint height, GstDdamfnBox * out)
{
  gint64 x0 = (gint32) x, y0 = (gint32) y;
  gint64 x1 = x0 + (gint64) w, y1 = y0 + (gint64) h;

  x0 = CLAMP (x0, 0, width);
  y0 = CLAMP (y0, 0, height);
  x1 = CLAMP (x1, 0, width);
  y1 = CLAMP (y1, 0, height);
  if (x1 <= x0 || y1 <= y0)
    return FALSE;
  out->x = (gint) x0;
  out->y = (gint) y0;
  out->w = (gint) (x1 - x0);
  out->h = (gint) (y1 - y0);
  return TRUE;
}

/* ROI coordinates are unsigned in the meta; values of 2^31 and above are
 * read as negative (gst_ddamfn_box_clip). */
void
gst_ddamfn_collect_candidates (GstObject * self, GstBuffer * buffer,
    GQuark roi_type, gint width, gint height, guint min_face_size,
    guint max_faces, GArray * candidates)
{
  gpointer state = NULL;
  GstMeta *meta;
  guint n_type = 0, n_empty = 0, n_small = 0, order = 0;

  g_array_set_size (candidates, 0);

  while ((meta = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) meta;
    GstDdamfnBox box;
    GstDdamfnCandidate c;

    if (roi_type != 0 && roi->roi_type != roi_type) {
      n_type++;
      continue;
    }

    if (!gst_ddamfn_box_clip (roi->x, roi->y, roi->w, roi->h, width, height,
            &box)) {
      GST_LOG_OBJECT (self, "ROI %d (%d,%d %ux%u) is empty inside the "
          "%dx%d frame: skipped", roi->id, (gint32) roi->x, (gint32) roi->y,
          roi->w, roi->h, width, height);
      n_empty++;
      continue;
    }
    if ((guint) MIN (box.w, box.h) < min_face_size) {
      GST_LOG_OBJECT (self, "ROI %d (%dx%d after clipping) is below "
          "min-face-size %u: skipped", roi->id, box.w, box.h, min_face_size);
      n_small++;
      continue;
    }

    c.roi = roi;
    if (!gst_ddamfn_analytics_roi_get_od_id (roi, (guint *) & c.od_id))
      c.od_id = -1;
    c.x = box.x;
    c.y = box.y;
    c.w = box.w;
    c.h = box.h;
    c.area = (guint64) c.w * (guint64) c.h;
    c.order = order++;
    g_array_append_val (candidates, c);
  }

  if (n_empty || n_small)
    GST_DEBUG_OBJECT (self, "skipped %u ROIs empty after clipping and %u "
        "below min-face-size", n_empty, n_small);
  if (n_type)
    GST_LOG_OBJECT (self, "ignored %u ROIs of other types", n_type);

  gst_ddamfn_analytics_collect (self, buffer, roi_type, width, height,
      min_face_size, order, candidates);

  if (candidates->len > max_faces) {
    qsort (candidates->data, candidates->len, sizeof (GstDdamfnCandidate),
        compare_area_desc);
    GST_DEBUG_OBJECT (self, "%u faces, keeping the %u largest",
        candidates->len, max_faces);
    g_array_set_size (candidates, max_faces);
  }
}

gboolean
gst_ddamfn_roi_get_landmarks (GstVideoRegionOfInterestMeta * roi,
    float landmarks[2 * DDAMFN_N_LANDMARKS])
{
  GstStructure *st;
  gint n = DDAMFN_N_LANDMARKS;

  if (roi == NULL)              /* a face given as an object detection only */
    return FALSE;
  st = gst_video_region_of_interest_meta_get_param (roi, "landmarks");
  if (st == NULL)
    return FALSE;
  /* BlazeFace's six keypoints: eyes, nose and mouth centre come first; the
   * centre is passed as both mouth corners (see ddamfn_preprocess_landmarks) */
  if (g_strcmp0 (gst_structure_get_string (st, "layout"), "blazeface") == 0)
    n = 4;
  for (gint i = 0; i < n; i++) {
    gchar xname[8], yname[8];
    gdouble x, y;

    g_snprintf (xname, sizeof (xname), "x%d", i);
    g_snprintf (yname, sizeof (yname), "y%d", i);
    if (!gst_structure_get_double (st, xname, &x)
        || !gst_structure_get_double (st, yname, &y))
      return FALSE;
    landmarks[2 * i] = (float) x;
    landmarks[2 * i + 1] = (float) y;
  }
  if (n == 4) {
    landmarks[8] = landmarks[6];
    landmarks[9] = landmarks[7];
  }
  return TRUE;
}


void
gst_ddamfn_roi_type_set (gchar ** name, GQuark * quark, const gchar * type)
{
  if (type == NULL)
    type = "";
  g_free (*name);
  *name = g_strdup (type);
  *quark = type[0] ? g_quark_from_string (type) : 0;
}
