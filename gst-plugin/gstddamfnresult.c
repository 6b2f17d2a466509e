/* Results of ddamfnfilter as GstStructures: the "ddamfn" ROI parameter and
 * the "ddamfn" element message.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstddamfnresult.h"

#include <math.h>
#include <string.h>

/* The meta stores what the engine computes, field for field. */
G_STATIC_ASSERT (GST_DDAMFN_META_MAX_EXPRESSIONS == DDAMFN_MAX_EXPRESSIONS);
G_STATIC_ASSERT (GST_DDAMFN_META_N_AU == DDAMFN_N_AU);

void
gst_ddamfn_face_init (GstDdamfnFace * face, gint roi_id, guint track_id,
    gint x, gint y, gint w, gint h)
{
  memset (face, 0, sizeof (*face));
  face->roi_id = roi_id;
  face->track_id = track_id;
  face->x = x;
  face->y = y;
  face->w = w;
  face->h = h;
  face->expr_index = -1;
  face->result_age = -1;
}

/* GstDdamfnFace.expr_labels must stay valid wherever a face is copied to:
 * one array per distinct list of (interned) labels, kept for the life of
 * the process like the interned strings it holds. The labels of a model
 * are interned (gstddamfntracks.c), so two lists are the same when their
 * pointers are. */
static const gchar *const *
intern_labels (const gchar * const *labels, gint n)
{
  static GMutex lock;
  static GPtrArray *sets;       /* of NULL-terminated arrays */
  const gchar *const *found = NULL;

  g_mutex_lock (&lock);
  if (sets == NULL)
    sets = g_ptr_array_new ();
  for (guint i = 0; i < sets->len && found == NULL; i++) {
    const gchar *const *set = g_ptr_array_index (sets, i);
    gint k = 0;

    while (k < n && set[k] != NULL && set[k] == labels[k])
      k++;
    if (k == n && set[k] == NULL)
      found = set;
  }
  if (found == NULL) {
    const gchar **set = g_new0 (const gchar *, n + 1);

    for (gint k = 0; k < n; k++)
      set[k] = g_intern_string (labels[k] ? labels[k] : "");
    g_ptr_array_add (sets, set);
    found = set;
  }
  g_mutex_unlock (&lock);
  return found;
}

void
gst_ddamfn_face_set_result (GstDdamfnFace * face, const DdamfnResult * r,
    gint age, const gchar * const *expr_labels, const gchar * const *au_names)
{
  face->result_age = age;
  face->has_va = r->has_va;
  face->valence = r->valence;
  face->arousal = r->arousal;
  face->n_expr = CLAMP (r->n_expr, 0, GST_DDAMFN_META_MAX_EXPRESSIONS);
  face->expr_index = r->expr_index;
  memcpy (face->expr_probs, r->expr_probs,
      face->n_expr * sizeof (face->expr_probs[0]));
  face->expr_label = NULL;
  face->expr_labels = NULL;
  if (r->expr_index >= 0 && r->expr_index < face->n_expr) {
    face->expr_label = expr_labels[r->expr_index];
    face->expr_labels = intern_labels (expr_labels, face->n_expr);
  }
  face->n_au = CLAMP (r->n_au, 0, GST_DDAMFN_META_N_AU);
  memcpy (face->au_probs, r->au_probs,
      face->n_au * sizeof (face->au_probs[0]));
  face->au_active = r->au_active;
  for (gint k = 0; k < face->n_au; k++)
    face->au_names[k] = au_names[k];
}

/* The numbers of the structures have the precision of the CSV and JSON
 * records: six decimals, so a program that reads the message and the
 * records sees the same values. (GStreamer's text form of a double, as
 * gst-launch-1.0 -m prints it, always has 17 significant digits: that is
 * the serialisation's, not the value's.) GstDdamfnMeta keeps the full
 * float. */
static gdouble
six_decimals (gfloat v)
{
  return rint ((gdouble) v * 1e6) / 1e6;
}

static void
take_double_array (GstStructure * st, const gchar * field,
    const gfloat * values, gint n)
{
  GValue array = G_VALUE_INIT;

  gst_value_array_init (&array, n);
  for (gint i = 0; i < n; i++) {
    GValue v = G_VALUE_INIT;
    g_value_init (&v, G_TYPE_DOUBLE);
    g_value_set_double (&v, six_decimals (values[i]));
    gst_value_array_append_and_take_value (&array, &v);
  }
  gst_structure_take_value (st, field, &array);
}

GstStructure *
gst_ddamfn_face_to_structure (const GstDdamfnFace * face, const gchar * name)
{
  GstStructure *st = gst_structure_new_empty (name);

  if (face->has_va)
    gst_structure_set (st, "valence", G_TYPE_DOUBLE,
        six_decimals (face->valence), "arousal", G_TYPE_DOUBLE,
        six_decimals (face->arousal), NULL);
  if (face->n_expr > 0 && face->expr_index >= 0) {
    gst_structure_set (st, "expression", G_TYPE_STRING,
        face->expr_label ? face->expr_label : "",
        "confidence", G_TYPE_DOUBLE,
        six_decimals (face->expr_probs[face->expr_index]), NULL);
    take_double_array (st, "expression-probs", face->expr_probs,
        face->n_expr);
  }
  if (face->n_au > 0) {
    GValue active = G_VALUE_INIT;

    take_double_array (st, "au-probs", face->au_probs, face->n_au);
    gst_value_array_init (&active, face->n_au);
    for (gint k = 0; k < face->n_au; k++) {
      GValue v = G_VALUE_INIT;
      if (!(face->au_active & (1u << k)))
        continue;
      g_value_init (&v, G_TYPE_STRING);
      g_value_set_static_string (&v, face->au_names[k]);
      gst_value_array_append_and_take_value (&active, &v);
    }
    gst_structure_take_value (st, "au-active", &active);
  }
  gst_structure_set (st, "track-id", G_TYPE_UINT, face->track_id,
      "result-age", G_TYPE_INT, face->result_age, NULL);
  return st;
}

void
gst_ddamfn_roi_set_result (GstVideoRegionOfInterestMeta * roi, GstStructure * st)
{
  GList *l = roi->params;

  while (l != NULL) {
    GList *next = l->next;
    if (gst_structure_has_name (l->data, "ddamfn")) {
      gst_structure_free (l->data);
      roi->params = g_list_delete_link (roi->params, l);
    }
    l = next;
  }
  gst_video_region_of_interest_meta_add_param (roi, st);
}

GstStructure *
gst_ddamfn_faces_to_structure (const GstDdamfnFace * faces, guint n_faces,
    GstClockTime timestamp, GstClockTime stream_time,
    GstClockTime running_time)
{
  GValue list = G_VALUE_INIT;
  GstStructure *st;

  g_value_init (&list, GST_TYPE_LIST);
  for (guint i = 0; i < n_faces; i++) {
    const GstDdamfnFace *face = &faces[i];
    GValue v = G_VALUE_INIT;
    GstStructure *fs = gst_ddamfn_face_to_structure (face, "face");

    gst_structure_set (fs, "roi-id", G_TYPE_INT, face->roi_id,
        "x", G_TYPE_UINT, face->x, "y", G_TYPE_UINT, face->y,
        "w", G_TYPE_UINT, face->w, "h", G_TYPE_UINT, face->h, NULL);
    g_value_init (&v, GST_TYPE_STRUCTURE);
    g_value_take_boxed (&v, fs);
    gst_value_list_append_and_take_value (&list, &v);
  }

  st = gst_structure_new ("ddamfn",
      "timestamp", G_TYPE_UINT64, timestamp,
      "stream-time", G_TYPE_UINT64, stream_time,
      "running-time", G_TYPE_UINT64, running_time, NULL);
  gst_structure_take_value (st, "faces", &list);
  return st;
}

void
gst_ddamfn_post_faces_message (GstElement * element,
    const GstSegment * segment, GstBuffer * buffer,
    const GstDdamfnFace * faces, guint n_faces)
{
  GstClockTime ts = GST_BUFFER_PTS (buffer);
  GstClockTime running_time = GST_CLOCK_TIME_NONE;
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  GstStructure *st;

  if (GST_CLOCK_TIME_IS_VALID (ts) && segment->format == GST_FORMAT_TIME) {
    running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, ts);
    stream_time = gst_segment_to_stream_time (segment, GST_FORMAT_TIME, ts);
  }
  st = gst_ddamfn_faces_to_structure (faces, n_faces, ts, stream_time,
      running_time);
  gst_element_post_message (element,
      gst_message_new_element (GST_OBJECT (element), st));
}
