/* The faces of a stream as tracks with results and result ages.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstddamfntracks.h"
#include "gstddamfnresult.h"

#include <ddamfn/ddamfn-tracker.h>

#include <string.h>

GST_DEBUG_CATEGORY_EXTERN (gst_ddamfn_filter_debug);
#define GST_CAT_DEFAULT gst_ddamfn_filter_debug

/* A track survives this many frames without a matching ROI (a detector
 * that misses a face for a frame or two should not restart its track). */
#define TRACK_MAX_MISSED DDAMFN_TRACKER_DEFAULT_MAX_MISSED

/* What is remembered of a track beyond the tracker. */
typedef struct
{
  guint64 last_seen;            /* frame counter */
  guint64 result_frame;         /* frame the current result was computed on */
  gboolean has_result;
  gboolean pending;             /* in a job that has not come back */
} TrackInfo;

struct _GstDdamfnTracks
{
  DdamfnTracker *tracker;
  GHashTable *info;             /* track id -> TrackInfo */
  guint64 frame;
  guint generation;
  const gchar *expr_labels[DDAMFN_MAX_EXPRESSIONS];     /* interned */
  const gchar *au_names[DDAMFN_N_AU];   /* interned */
  GArray *boxes;                /* DdamfnBox: the tracker's input */
  GArray *track_ids;            /* guint: the tracker's output */
};

GstDdamfnTracks *
gst_ddamfn_tracks_new (DdamfnModel * model)
{
  GstDdamfnTracks *t = g_new0 (GstDdamfnTracks, 1);
  gint n;

  t->tracker = ddamfn_tracker_new (model, DDAMFN_TRACKER_DEFAULT_IOU,
      TRACK_MAX_MISSED);
  t->info = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  n = ddamfn_model_get_n_expressions (model);
  for (gint k = 0; k < n && k < DDAMFN_MAX_EXPRESSIONS; k++)
    t->expr_labels[k] =
        g_intern_string (ddamfn_model_get_expression_label (model, k));
  n = ddamfn_model_get_n_aus (model);
  for (gint k = 0; k < n && k < DDAMFN_N_AU; k++)
    t->au_names[k] = g_intern_string (ddamfn_model_get_au_name (model, k));
  t->boxes = g_array_new (FALSE, FALSE, sizeof (DdamfnBox));
  t->track_ids = g_array_new (FALSE, FALSE, sizeof (guint));
  return t;
}

void
gst_ddamfn_tracks_free (GstDdamfnTracks * t)
{
  if (t == NULL)
    return;
  ddamfn_tracker_free (t->tracker);
  g_hash_table_unref (t->info);
  g_array_unref (t->boxes);
  g_array_unref (t->track_ids);
  g_free (t);
}

void
gst_ddamfn_tracks_reset (GstDdamfnTracks * t)
{
  ddamfn_tracker_reset (t->tracker);
  g_hash_table_remove_all (t->info);
  t->generation++;
}

void
gst_ddamfn_tracks_update (GstDdamfnTracks * t, GstDdamfnTrackedFace * faces,
    guint n)
{
  g_array_set_size (t->boxes, n);
  g_array_set_size (t->track_ids, n);
  for (guint i = 0; i < n; i++) {
    DdamfnBox box = { faces[i].roi.x, faces[i].roi.y, faces[i].roi.w,
      faces[i].roi.h
    };
    g_array_index (t->boxes, DdamfnBox, i) = box;
  }
  ddamfn_tracker_update (t->tracker, (DdamfnBox *) t->boxes->data, n,
      (guint *) t->track_ids->data);

  for (guint i = 0; i < n; i++) {
    TrackInfo *info;

    faces[i].track_id = g_array_index (t->track_ids, guint, i);
    info = g_hash_table_lookup (t->info, GUINT_TO_POINTER (faces[i].track_id));
    if (info == NULL) {
      info = g_new0 (TrackInfo, 1);
      g_hash_table_insert (t->info, GUINT_TO_POINTER (faces[i].track_id),
          info);
    }
    info->last_seen = t->frame;
  }
}

/* Crops face F into OUT (one face tensor as the model's card describes). */
static gboolean
crop_face (GstObject * log, const DdamfnImage * image,
    const GstDdamfnCrop * crop, const GstDdamfnTrackedFace * f, float *out)
{
  float landmarks[2 * DDAMFN_N_LANDMARKS];
  GError *error = NULL;
  DdamfnBox box = { f->roi.x, f->roi.y, f->roi.w, f->roi.h };

  if (ddamfn_model_get_input_spec (crop->model)->crop == DDAMFN_CROP_ALIGN
      && gst_ddamfn_roi_get_landmarks (f->roi.roi, landmarks)) {
    if (ddamfn_model_prepare_landmarks (crop->model, image, landmarks, out,
            NULL, &error))
      return TRUE;
    GST_WARNING_OBJECT (log, "ROI %d: landmarks unusable (%s); cropping "
        "the box instead", f->roi.roi->id, error->message);
    g_clear_error (&error);
  }

  if (ddamfn_model_prepare_box (crop->model, image, &box, crop->crop_scale,
          out, &error))
    return TRUE;
  GST_WARNING_OBJECT (log, "face %d,%d %dx%d: cannot crop it: %s",
      f->roi.x, f->roi.y, f->roi.w, f->roi.h, error->message);
  g_clear_error (&error);
  return FALSE;
}

static TrackInfo *
track_info (GstDdamfnTracks * t, guint track_id)
{
  return g_hash_table_lookup (t->info, GUINT_TO_POINTER (track_id));
}

/* Staleness order for the budgeted selection: no result first, then the
 * oldest result. */
static gint64
result_key (GstDdamfnTracks * t, guint track_id)
{
  const TrackInfo *info = track_info (t, track_id);

  return info && info->has_result ? (gint64) info->result_frame : -1;
}

typedef struct
{
  GstDdamfnTracks *t;
  const GstDdamfnTrackedFace *faces;
} OrderData;

static gint
compare_staleness (gconstpointer pa, gconstpointer pb, gpointer data)
{
  const OrderData *d = data;
  gint64 a = result_key (d->t, d->faces[*(const guint *) pa].track_id);
  gint64 b = result_key (d->t, d->faces[*(const guint *) pb].track_id);

  return (a > b) - (a < b);
}

void
gst_ddamfn_tracks_fill_job (GstDdamfnTracks * t, GstDdamfnJob * job,
    GstObject * log, const DdamfnImage * image, const GstDdamfnCrop * crop,
    const GstDdamfnTrackedFace * faces, guint n, guint interval, guint budget)
{
  guint *order = g_newa (guint, MAX (n, 1));
  guint n_order = 0;

  job->frame = t->frame;
  job->generation = t->generation;
  job->n_faces = 0;
  for (guint i = 0; i < n; i++) {
    const TrackInfo *info = track_info (t, faces[i].track_id);

    if (budget > 0 && info && info->pending)
      continue;
    if (ddamfn_tracker_needs_inference (t->tracker, faces[i].track_id,
            interval))
      order[n_order++] = i;
  }
  if (budget > 0) {
    OrderData d = { t, faces };
#if GLIB_CHECK_VERSION(2, 82, 0)
    g_sort_array (order, n_order, sizeof (guint), compare_staleness, &d);
#else
    g_qsort_with_data (order, n_order, sizeof (guint), compare_staleness, &d);
#endif
    n_order = MIN (n_order, budget);
  }

  for (guint k = 0; k < n_order && job->n_faces < job->capacity; k++) {
    const GstDdamfnTrackedFace *f = &faces[order[k]];
    TrackInfo *info;

    if (!crop_face (log, image, crop, f,
            job->input + (gsize) job->n_faces * job->input_floats))
      continue;
    job->track_ids[job->n_faces++] = f->track_id;
    if ((info = track_info (t, f->track_id)))
      info->pending = TRUE;
  }
}

void
gst_ddamfn_tracks_cancel (GstDdamfnTracks * t, const GstDdamfnJob * job)
{
  if (job->generation != t->generation)
    return;
  for (guint j = 0; j < job->n_faces; j++) {
    TrackInfo *info = track_info (t, job->track_ids[j]);
    if (info)
      info->pending = FALSE;
  }
}

void
gst_ddamfn_tracks_apply (GstDdamfnTracks * t, const GstDdamfnJob * job,
    gfloat smoothing)
{
  if (job->generation != t->generation)
    return;
  for (guint j = 0; j < job->n_faces; j++) {
    TrackInfo *info = g_hash_table_lookup (t->info,
        GUINT_TO_POINTER (job->track_ids[j]));

    if (info == NULL)
      continue;                 /* the track is gone */
    info->pending = FALSE;
    ddamfn_tracker_set_result (t->tracker, job->track_ids[j],
        &job->results[j], smoothing);
    info->result_frame = job->frame;
    info->has_result = TRUE;
  }
}

gboolean
gst_ddamfn_tracks_get_face (GstDdamfnTracks * t,
    const GstDdamfnTrackedFace * f, GstDdamfnFace * face)
{
  const TrackInfo *info = g_hash_table_lookup (t->info,
      GUINT_TO_POINTER (f->track_id));
  DdamfnResult r;

  gst_ddamfn_face_init (face, f->roi.roi ? f->roi.roi->id : -1, f->track_id,
      f->roi.x, f->roi.y, f->roi.w, f->roi.h);
  if (info == NULL || !info->has_result
      || !ddamfn_tracker_get_result (t->tracker, f->track_id, &r, NULL))
    return FALSE;
  gst_ddamfn_face_set_result (face, &r,
      (gint) MIN (t->frame - info->result_frame, (guint64) G_MAXINT),
      t->expr_labels, t->au_names);
  return TRUE;
}

static gboolean
track_is_stale (G_GNUC_UNUSED gpointer key, gpointer value, gpointer data)
{
  const TrackInfo *info = value;
  const guint64 *now = data;

  /* kept one frame longer than the tracker keeps the track */
  return *now - info->last_seen > TRACK_MAX_MISSED + 1;
}

void
gst_ddamfn_tracks_end_frame (GstDdamfnTracks * t)
{
  g_hash_table_foreach_remove (t->info, track_is_stale, &t->frame);
  t->frame++;
}

gboolean
gst_ddamfn_tracks_collect (GstDdamfnTracks * t, GstDdamfnWorker * worker,
    gfloat smoothing, GError ** error)
{
  GError *failure = NULL;
  GstDdamfnJob *job;

  while ((job = gst_ddamfn_worker_pop_done (worker, &failure))) {
    gst_ddamfn_tracks_apply (t, job, smoothing);
    gst_ddamfn_worker_recycle (worker, job);
  }
  if (failure != NULL) {
    g_propagate_error (error, failure);
    return FALSE;
  }
  return TRUE;
}

void
gst_ddamfn_tracks_submit (GstDdamfnTracks * t, GstDdamfnWorker * worker,
    GstDdamfnJob * job)
{
  GstDdamfnJob *replaced;

  if (job->n_faces == 0) {
    gst_ddamfn_worker_recycle (worker, job);
    return;
  }
  replaced = gst_ddamfn_worker_submit (worker, job);
  if (replaced) {
    GST_LOG ("worker busy: a waiting job of frame %" G_GUINT64_FORMAT
        " replaced", replaced->frame);
    gst_ddamfn_tracks_cancel (t, replaced);
    gst_ddamfn_worker_recycle (worker, replaced);
  }
}
