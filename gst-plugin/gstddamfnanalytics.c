/* GStreamer analytics metadata for our elements (see gstddamfnanalytics.h).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * How one face is recorded on a buffer (GStreamer 1.24 and later):
 *
 *   GstVideoRegionOfInterestMeta  --"analytics" param (od-id)-->  OD entry
 *   OD entry (GstAnalyticsODMtd, type "face", box, confidence)
 *     <-> classification entry (GstAnalyticsClsMtd: expression labels)
 *     <-> tracking entry (GstAnalyticsTrackingMtd: the track id)
 *
 * Relations are set both ways (OD CONTAIN cls, cls IS_PART_OF OD; OD and
 * tracking RELATE_TO each other), so that a consumer starting from either
 * entry finds the other with gst_analytics_relation_meta_get_direct_related.
 * Valence, arousal and action units have no upstream type: they stay in
 * GstDdamfnMeta and the ROI's "ddamfn" parameter.
 */
#include "gstddamfnanalytics.h"

#if GST_DDAMFN_HAVE_ANALYTICS
#include <gst/analytics/analytics.h>
#endif

GST_DEBUG_CATEGORY_EXTERN (gst_ddamfn_filter_debug);
#define GST_CAT_DEFAULT gst_ddamfn_filter_debug

/* A track unseen for this many buffers is forgotten (its first-seen time
 * with it): the tracker has forgotten it long before. */
#define FORGET_AFTER_FRAMES 300

gboolean
gst_ddamfn_analytics_roi_get_od_id (GstVideoRegionOfInterestMeta * roi,
    guint * od_id)
{
  GstStructure *st;

  if (roi == NULL)
    return FALSE;
  st = gst_video_region_of_interest_meta_get_param (roi,
      GST_DDAMFN_ANALYTICS_PARAM);
  return st != NULL && gst_structure_get_uint (st, "od-id", od_id)
      && *od_id <= G_MAXINT;
}

#if GST_DDAMFN_HAVE_ANALYTICS

typedef struct
{
  GstClockTime first_seen;
  guint64 last_frame;
} TrackTimes;

struct _GstDdamfnAnalytics
{
  GQuark *labels;               /* the model's expression labels */
  gint n_labels;
  GHashTable *tracks;           /* track id -> TrackTimes */
  guint64 frame;
};

static GstAnalyticsRelationMeta *
relation_meta (GstBuffer * buffer)
{
  GstAnalyticsRelationMeta *rmeta =
      gst_buffer_get_analytics_relation_meta (buffer);

  return rmeta ? rmeta : gst_buffer_add_analytics_relation_meta (buffer);
}

static void
link_roi (GstVideoRegionOfInterestMeta * roi, guint od_id)
{
  GList *l;

  for (l = roi->params; l != NULL; l = l->next)
    if (gst_structure_has_name (l->data, GST_DDAMFN_ANALYTICS_PARAM)) {
      gst_structure_set (l->data, "od-id", G_TYPE_UINT, od_id, NULL);
      return;
    }
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new (GST_DDAMFN_ANALYTICS_PARAM, "od-id", G_TYPE_UINT,
          od_id, NULL));
}

void
gst_ddamfn_analytics_add_detection (GstBuffer * buffer,
    GstVideoRegionOfInterestMeta * roi, gfloat confidence)
{
  GstAnalyticsRelationMeta *rmeta = relation_meta (buffer);
  GstAnalyticsODMtd od;

  if (rmeta == NULL || !gst_analytics_relation_meta_add_od_mtd (rmeta,
          roi->roi_type, (gint) roi->x, (gint) roi->y, (gint) roi->w,
          (gint) roi->h, confidence, &od)) {
    GST_WARNING ("could not add an object detection entry for ROI %d",
        roi->id);
    return;
  }
  link_roi (roi, od.id);
}

/* TRUE when an ROI candidate among the first N_ROIS of CANDIDATES stands
 * for the detection OD_ID of box X, Y, W, H (unclipped) and type TYPE:
 * linked to it, or unlinked with the same type and box (then it takes
 * OD_ID as its detection). */
static gboolean
has_roi_for (GArray * candidates, guint n_rois, guint od_id, GQuark type,
    gint x, gint y, gint w, gint h)
{
  for (guint i = 0; i < n_rois; i++) {
    GstDdamfnCandidate *c = &g_array_index (candidates, GstDdamfnCandidate, i);

    if (c->od_id >= 0 && (guint) c->od_id == od_id)
      return TRUE;
  }
  for (guint i = 0; i < n_rois; i++) {
    GstDdamfnCandidate *c = &g_array_index (candidates, GstDdamfnCandidate, i);
    const GstVideoRegionOfInterestMeta *roi = c->roi;

    if (c->od_id < 0 && roi != NULL && roi->roi_type == type
        && (gint) roi->x == x && (gint) roi->y == y && (gint) roi->w == w
        && (gint) roi->h == h) {
      c->od_id = (gint) od_id;
      return TRUE;
    }
  }
  return FALSE;
}

void
gst_ddamfn_analytics_collect (GstObject * self, GstBuffer * buffer,
    GQuark type, gint width, gint height, guint min_face_size,
    guint order, GArray * candidates)
{
  GstAnalyticsRelationMeta *rmeta =
      gst_buffer_get_analytics_relation_meta (buffer);
  guint n_rois = candidates->len, n_linked = 0, n_skipped = 0;
  gpointer state = NULL;
  GstAnalyticsODMtd od;

  if (rmeta == NULL)
    return;
  while (gst_analytics_relation_meta_iterate (rmeta, &state,
          gst_analytics_od_mtd_get_mtd_type (), (GstAnalyticsMtd *) & od)) {
    GQuark od_type = gst_analytics_od_mtd_get_obj_type (&od);
    gint x, y, w, h;
    gfloat conf;
    GstDdamfnBox box;
    GstDdamfnCandidate c;

    if (type != 0 && od_type != type)
      continue;
    if (!gst_analytics_od_mtd_get_location (&od, &x, &y, &w, &h, &conf)
        || w <= 0 || h <= 0 || od.id > G_MAXINT) {
      n_skipped++;
      continue;
    }
    if (has_roi_for (candidates, n_rois, od.id, od_type, x, y, w, h)) {
      n_linked++;
      continue;
    }
    if (!gst_ddamfn_box_clip ((guint) x, (guint) y, (guint) w, (guint) h,
            width, height, &box) || (guint) MIN (box.w, box.h) < min_face_size) {
      n_skipped++;
      continue;
    }
    c.roi = NULL;
    c.od_id = (gint) od.id;
    c.x = box.x;
    c.y = box.y;
    c.w = box.w;
    c.h = box.h;
    c.area = (guint64) c.w * (guint64) c.h;
    c.order = order++;
    g_array_append_val (candidates, c);
  }
  GST_LOG_OBJECT (self, "object detections: %u faces of their own, %u "
      "given as ROIs too, %u empty, outside or too small",
      candidates->len - n_rois, n_linked, n_skipped);
}

GstDdamfnAnalytics *
gst_ddamfn_analytics_new (DdamfnModel * model)
{
  GstDdamfnAnalytics *an = g_new0 (GstDdamfnAnalytics, 1);

  an->n_labels = model ? ddamfn_model_get_n_expressions (model) : 0;
  an->labels = g_new0 (GQuark, MAX (an->n_labels, 1));
  for (gint i = 0; i < an->n_labels; i++) {
    const char *label = ddamfn_model_get_expression_label (model, i);
    an->labels[i] = g_quark_from_string (label ? label : "unknown");
  }
  an->tracks = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  return an;
}

void
gst_ddamfn_analytics_free (GstDdamfnAnalytics * an)
{
  if (an == NULL)
    return;
  g_hash_table_destroy (an->tracks);
  g_free (an->labels);
  g_free (an);
}

void
gst_ddamfn_analytics_reset (GstDdamfnAnalytics * an)
{
  g_hash_table_remove_all (an->tracks);
}

/* The object detection entry of C, added for a face that came as an ROI
 * only (or linked to an entry that does not exist); FALSE when there is
 * none and none could be added. */
static gboolean
face_detection (GstAnalyticsRelationMeta * rmeta,
    const GstDdamfnCandidate * c, GstAnalyticsODMtd * od)
{
  GstStructure *det;
  gdouble conf = 1.0;

  /* an od-id that names no detection (a stale or made-up link) gets a new
   * detection like an ROI without one */
  if (c->od_id >= 0 && gst_analytics_relation_meta_get_od_mtd (rmeta,
          (guint) c->od_id, od))
    return TRUE;
  if (c->roi == NULL)
    return FALSE;
  /* a detector's score when it gave one ("detection" parameter), else
   * full confidence: the detector asserted the face */
  det = gst_video_region_of_interest_meta_get_param (c->roi, "detection");
  if (det == NULL || !gst_structure_get_double (det, "confidence", &conf))
    conf = 1.0;
  if (!gst_analytics_relation_meta_add_od_mtd (rmeta, c->roi->roi_type,
          c->x, c->y, c->w, c->h, (gfloat) conf, od))
    return FALSE;
  link_roi (c->roi, od->id);
  return TRUE;
}

static void
relate (GstAnalyticsRelationMeta * rmeta, guint a, guint b,
    GstAnalyticsRelTypes a_to_b, GstAnalyticsRelTypes b_to_a)
{
  gst_analytics_relation_meta_set_relation (rmeta, a_to_b, a, b);
  gst_analytics_relation_meta_set_relation (rmeta, b_to_a, b, a);
}

static void
add_tracking (GstDdamfnAnalytics * an, GstAnalyticsRelationMeta * rmeta,
    GstBuffer * buffer, guint od_id, guint track_id)
{
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstAnalyticsTrackingMtd trk;
  TrackTimes *t = g_hash_table_lookup (an->tracks, GUINT_TO_POINTER (track_id));

  if (t == NULL) {
    t = g_new0 (TrackTimes, 1);
    t->first_seen = pts;
    g_hash_table_insert (an->tracks, GUINT_TO_POINTER (track_id), t);
  }
  t->last_frame = an->frame;
  if (!gst_analytics_relation_meta_add_tracking_mtd (rmeta, track_id,
          t->first_seen, &trk))
    return;
  if (GST_CLOCK_TIME_IS_VALID (pts))
    gst_analytics_tracking_mtd_update_last_seen (&trk, pts);
  relate (rmeta, od_id, trk.id, GST_ANALYTICS_REL_TYPE_RELATE_TO,
      GST_ANALYTICS_REL_TYPE_RELATE_TO);
}

void
gst_ddamfn_analytics_add_result (GstDdamfnAnalytics * an, GstBuffer * buffer,
    const GstDdamfnCandidate * c, const GstDdamfnFace * face)
{
  GstAnalyticsRelationMeta *rmeta = relation_meta (buffer);
  GstAnalyticsODMtd od;

  if (rmeta == NULL || !face_detection (rmeta, c, &od)) {
    GST_WARNING ("face %u,%u %ux%u: no object detection entry to relate "
        "its results to", face->x, face->y, face->w, face->h);
    return;
  }
  if (face->n_expr > 0 && face->n_expr == an->n_labels) {
    GstAnalyticsClsMtd cls;
    gfloat levels[GST_DDAMFN_META_MAX_EXPRESSIONS];

    for (gint i = 0; i < face->n_expr; i++)
      levels[i] = face->expr_probs[i];
    if (gst_analytics_relation_meta_add_cls_mtd (rmeta, (gsize) face->n_expr,
            levels, an->labels, &cls))
      relate (rmeta, od.id, cls.id, GST_ANALYTICS_REL_TYPE_CONTAIN,
          GST_ANALYTICS_REL_TYPE_IS_PART_OF);
  }
  add_tracking (an, rmeta, buffer, od.id, face->track_id);
}

static gboolean
unseen_for_long (G_GNUC_UNUSED gpointer key, gpointer value, gpointer data)
{
  const TrackTimes *t = value;
  guint64 frame = *(const guint64 *) data;

  return frame - t->last_frame > FORGET_AFTER_FRAMES;
}

void
gst_ddamfn_analytics_end_frame (GstDdamfnAnalytics * an)
{
  an->frame++;
  g_hash_table_foreach_remove (an->tracks, unseen_for_long, &an->frame);
}

#else /* !GST_DDAMFN_HAVE_ANALYTICS: GStreamer 1.22, ROI meta only */

void
gst_ddamfn_analytics_add_detection (G_GNUC_UNUSED GstBuffer * buffer,
    G_GNUC_UNUSED GstVideoRegionOfInterestMeta * roi,
    G_GNUC_UNUSED gfloat confidence)
{
}

void
gst_ddamfn_analytics_collect (G_GNUC_UNUSED GstObject * self,
    G_GNUC_UNUSED GstBuffer * buffer, G_GNUC_UNUSED GQuark type,
    G_GNUC_UNUSED gint width, G_GNUC_UNUSED gint height,
    G_GNUC_UNUSED guint min_face_size, G_GNUC_UNUSED guint order,
    G_GNUC_UNUSED GArray * candidates)
{
}

GstDdamfnAnalytics *
gst_ddamfn_analytics_new (G_GNUC_UNUSED DdamfnModel * model)
{
  return NULL;
}

void
gst_ddamfn_analytics_free (G_GNUC_UNUSED GstDdamfnAnalytics * an)
{
}

void
gst_ddamfn_analytics_reset (G_GNUC_UNUSED GstDdamfnAnalytics * an)
{
}

void
gst_ddamfn_analytics_add_result (G_GNUC_UNUSED GstDdamfnAnalytics * an,
    G_GNUC_UNUSED GstBuffer * buffer,
    G_GNUC_UNUSED const GstDdamfnCandidate * c,
    G_GNUC_UNUSED const GstDdamfnFace * face)
{
}

void
gst_ddamfn_analytics_end_frame (G_GNUC_UNUSED GstDdamfnAnalytics * an)
{
}

#endif
