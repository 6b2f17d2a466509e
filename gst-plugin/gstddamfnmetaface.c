/* GstDdamfnFace as a boxed type with accessors, so that bindings
 * (GObject-Introspection: Python, JavaScript, …) can read every face of a
 * buffer.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/ddamfn/gstddamfnmeta.h>

/**
 * gst_ddamfn_face_copy:
 * @face: a #GstDdamfnFace.
 *
 * Returns: (transfer full): a copy of @face; free with
 *   gst_ddamfn_face_free(). Its strings are interned and shared.
 */
GstDdamfnFace *
gst_ddamfn_face_copy (const GstDdamfnFace * face)
{
  g_return_val_if_fail (face != NULL, NULL);
  return g_memdup2 (face, sizeof (*face));
}

/**
 * gst_ddamfn_face_free:
 * @face: (transfer full) (nullable): a face from gst_ddamfn_face_copy() or
 *   gst_ddamfn_buffer_get_faces().
 */
void
gst_ddamfn_face_free (GstDdamfnFace * face)
{
  g_free (face);
}

G_DEFINE_BOXED_TYPE (GstDdamfnFace, gst_ddamfn_face, gst_ddamfn_face_copy,
    gst_ddamfn_face_free);

/**
 * gst_ddamfn_buffer_get_faces:
 * @buffer: a #GstBuffer.
 *
 * Every face of @buffer's #GstDdamfnMeta, as copies, in the meta's order.
 * This is the entry point for bindings, which cannot walk the C array of
 * the meta.
 *
 * Returns: (transfer full) (element-type GstDdamfnFace): the faces; %NULL
 *   (the empty list) when @buffer has no #GstDdamfnMeta or no face. Free
 *   with g_list_free_full (list, (GDestroyNotify) gst_ddamfn_face_free).
 */
GList *
gst_ddamfn_buffer_get_faces (GstBuffer * buffer)
{
  GstDdamfnMeta *meta;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);

  meta = gst_buffer_get_ddamfn_meta (buffer);
  if (meta == NULL)
    return NULL;
  return gst_ddamfn_meta_get_faces (meta);
}

/**
 * gst_ddamfn_meta_get_faces:
 * @meta: a #GstDdamfnMeta.
 *
 * Every face of @meta, as copies, in its order: what bindings read instead
 * of the @faces array (a C array of structures, which they cannot walk).
 *
 * Returns: (transfer full) (element-type GstDdamfnFace): the faces; %NULL
 *   (the empty list) when @meta has none. Free with
 *   g_list_free_full (list, (GDestroyNotify) gst_ddamfn_face_free).
 */
GList *
gst_ddamfn_meta_get_faces (const GstDdamfnMeta * meta)
{
  GList *faces = NULL;

  g_return_val_if_fail (meta != NULL, NULL);

  for (guint i = meta->n_faces; i > 0; i--)
    faces = g_list_prepend (faces, gst_ddamfn_face_copy (&meta->faces[i - 1]));
  return faces;
}

/**
 * gst_ddamfn_meta_serialize:
 * @meta: a #GstDdamfnMeta.
 * @frame: the index of the buffer in its stream.
 * @timestamp: the buffer's presentation time, or %GST_CLOCK_TIME_NONE.
 * @stream_time: the buffer's stream time, or %GST_CLOCK_TIME_NONE.
 * @pretty: indent the record over several lines.
 *
 * The JSON record of the buffer that carries @meta, as
 * gst_ddamfn_meta_to_json() writes it from @meta's faces; for bindings,
 * which cannot pass the @faces array: meta.serialize (frame, timestamp,
 * stream_time, pretty) in Python.
 *
 * Returns: (transfer full): the record, without a line break at the end;
 *   free with g_free().
 */
gchar *
gst_ddamfn_meta_serialize (const GstDdamfnMeta * meta, guint64 frame,
    GstClockTime timestamp, GstClockTime stream_time, gboolean pretty)
{
  g_return_val_if_fail (meta != NULL, NULL);

  return gst_ddamfn_meta_to_json (meta->faces, meta->n_faces, frame,
      timestamp, stream_time, pretty);
}

/**
 * gst_ddamfn_face_get_valence_arousal:
 * @face: a #GstDdamfnFace.
 * @valence: (out) (optional): valence in [−1, 1], 0 when absent.
 * @arousal: (out) (optional): arousal in [−1, 1], 0 when absent.
 *
 * Returns: whether the face has valence and arousal (models without that
 *   head, and faces without a result yet, have none).
 */
gboolean
gst_ddamfn_face_get_valence_arousal (const GstDdamfnFace * face,
    gdouble * valence, gdouble * arousal)
{
  g_return_val_if_fail (face != NULL, FALSE);
  if (valence)
    *valence = face->has_va ? face->valence : 0.0;
  if (arousal)
    *arousal = face->has_va ? face->arousal : 0.0;
  return face->has_va;
}

/**
 * gst_ddamfn_face_get_expression:
 * @face: a #GstDdamfnFace.
 * @confidence: (out) (optional): the probability of that expression, 0
 *   when there is none.
 *
 * Returns: (transfer none) (nullable): the label of the most probable
 *   expression, %NULL when the face has no expression result.
 */
const gchar *
gst_ddamfn_face_get_expression (const GstDdamfnFace * face,
    gdouble * confidence)
{
  gboolean has;

  g_return_val_if_fail (face != NULL, NULL);
  has = face->n_expr > 0 && face->expr_index >= 0
      && face->expr_index < MIN (face->n_expr,
      GST_DDAMFN_META_MAX_EXPRESSIONS);
  if (confidence)
    *confidence = has ? face->expr_probs[face->expr_index] : 0.0;
  return has ? face->expr_label : NULL;
}

/**
 * gst_ddamfn_face_get_expression_probs:
 * @face: a #GstDdamfnFace.
 * @n_probs: (out): the number of probabilities (#GstDdamfnFace.n_expr).
 *
 * Returns: (array length=n_probs) (transfer none): the probability of each
 *   expression class in the model's label order, owned by @face.
 */
const gfloat *
gst_ddamfn_face_get_expression_probs (const GstDdamfnFace * face,
    guint * n_probs)
{
  g_return_val_if_fail (face != NULL && n_probs != NULL, NULL);
  *n_probs = CLAMP (face->n_expr, 0, GST_DDAMFN_META_MAX_EXPRESSIONS);
  return face->expr_probs;
}

/**
 * gst_ddamfn_face_get_au_probs:
 * @face: a #GstDdamfnFace.
 * @n_probs: (out): the number of action units (#GstDdamfnFace.n_au).
 *
 * Returns: (array length=n_probs) (transfer none): the probability of each
 *   action unit, in the order of gst_ddamfn_face_get_au_names(), owned by
 *   @face.
 */
const gfloat *
gst_ddamfn_face_get_au_probs (const GstDdamfnFace * face, guint * n_probs)
{
  g_return_val_if_fail (face != NULL && n_probs != NULL, NULL);
  *n_probs = CLAMP (face->n_au, 0, GST_DDAMFN_META_N_AU);
  return face->au_probs;
}

/**
 * gst_ddamfn_face_get_au_names:
 * @face: a #GstDdamfnFace.
 * @n_names: (out): the number of action units (#GstDdamfnFace.n_au).
 *
 * Returns: (array length=n_names) (transfer none): the names of the action
 *   units ("AU1", …), interned strings.
 */
const gchar *const *
gst_ddamfn_face_get_au_names (const GstDdamfnFace * face, guint * n_names)
{
  g_return_val_if_fail (face != NULL && n_names != NULL, NULL);
  *n_names = CLAMP (face->n_au, 0, GST_DDAMFN_META_N_AU);
  return face->au_names;
}

/**
 * gst_ddamfn_face_get_active_aus:
 * @face: a #GstDdamfnFace.
 *
 * Returns: (transfer full) (array zero-terminated=1): the names of the
 *   action units judged active, in AU order (empty when none); free with
 *   g_strfreev().
 */
gchar **
gst_ddamfn_face_get_active_aus (const GstDdamfnFace * face)
{
  GPtrArray *names = g_ptr_array_new ();

  g_return_val_if_fail (face != NULL, NULL);
  for (gint k = 0; k < MIN (face->n_au, GST_DDAMFN_META_N_AU); k++)
    if (face->au_active & (1u << k))
      g_ptr_array_add (names, g_strdup (face->au_names[k]));
  g_ptr_array_add (names, NULL);
  return (gchar **) g_ptr_array_free (names, FALSE);
}
