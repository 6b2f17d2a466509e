/* GstDdamfnMeta — facial affect results attached to a video buffer.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Registration, life cycle and transforms of the meta declared in
 * gst/ddamfn/gstddamfnmeta.h. The meta is tagged like
 * GstVideoRegionOfInterestMeta (video, size, orientation): it survives
 * copies and scaling (boxes are rescaled) and is dropped by transforms that
 * would move the faces in ways we cannot follow (crop, flip, rotate).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/ddamfn/gstddamfnmeta.h>
#include <gst/video/video.h>

#include <string.h>

static void
ddamfn_meta_set_faces (GstDdamfnMeta * meta, const GstDdamfnFace * faces,
    guint n_faces)
{
  GstDdamfnFace *copy = NULL;

  if (n_faces > 0) {
    copy = g_new (GstDdamfnFace, n_faces);
    memcpy (copy, faces, n_faces * sizeof (GstDdamfnFace));
  }
  g_free (meta->faces);
  meta->faces = copy;
  meta->n_faces = n_faces;
}

static gboolean
gst_ddamfn_meta_init (GstMeta * meta, G_GNUC_UNUSED gpointer params,
    G_GNUC_UNUSED GstBuffer * buffer)
{
  GstDdamfnMeta *dmeta = (GstDdamfnMeta *) meta;

  dmeta->n_faces = 0;
  dmeta->faces = NULL;
  return TRUE;
}

static void
gst_ddamfn_meta_free (GstMeta * meta, G_GNUC_UNUSED GstBuffer * buffer)
{
  GstDdamfnMeta *dmeta = (GstDdamfnMeta *) meta;

  g_free (dmeta->faces);
  dmeta->faces = NULL;
  dmeta->n_faces = 0;
}

/* Maps [start, start + len) from an axis of OLD_SIZE pixels onto one of
 * NEW_SIZE pixels, rounding both edges, keeping at least one pixel and the
 * result inside the new axis. */
static void
scale_span (guint * start, guint * len, gint old_size, gint new_size)
{
  guint64 s, e;

  if (old_size <= 0 || new_size <= 0)
    return;

  s = ((guint64) * start * new_size + old_size / 2) / old_size;
  e = (((guint64) * start + *len) * new_size + old_size / 2) / old_size;
  if (s >= (guint64) new_size)
    s = new_size - 1;
  if (e > (guint64) new_size)
    e = new_size;
  if (e <= s)
    e = s + 1;
  *start = (guint) s;
  *len = (guint) (e - s);
}

static gboolean
gst_ddamfn_meta_transform (GstBuffer * dest, GstMeta * meta,
    G_GNUC_UNUSED GstBuffer * buffer, GQuark type, gpointer data)
{
  GstDdamfnMeta *smeta = (GstDdamfnMeta *) meta;
  GstDdamfnMeta *dmeta;

  if (GST_META_TRANSFORM_IS_COPY (type)) {
    dmeta = gst_buffer_add_ddamfn_meta (dest, smeta->faces, smeta->n_faces);
    return dmeta != NULL;
  }

  if (GST_VIDEO_META_TRANSFORM_IS_SCALE (type)) {
    GstVideoMetaTransform *trans = data;
    gint ow = GST_VIDEO_INFO_WIDTH (trans->in_info);
    gint oh = GST_VIDEO_INFO_HEIGHT (trans->in_info);
    gint nw = GST_VIDEO_INFO_WIDTH (trans->out_info);
    gint nh = GST_VIDEO_INFO_HEIGHT (trans->out_info);

    dmeta = gst_buffer_add_ddamfn_meta (dest, smeta->faces, smeta->n_faces);
    if (dmeta == NULL)
      return FALSE;
    for (guint i = 0; i < dmeta->n_faces; i++) {
      GstDdamfnFace *face = &dmeta->faces[i];

      scale_span (&face->x, &face->w, ow, nw);
      scale_span (&face->y, &face->h, oh, nh);
    }
    return TRUE;
  }

  /* Any other transform (crop, flip, ...) would leave stale boxes. */
  return FALSE;
}

/**
 * gst_ddamfn_meta_api_get_type:
 *
 * Returns: the #GType of the #GstDdamfnMeta API, registered on first use
 *   with the tags "video", "size" and "orientation".
 */
GType
gst_ddamfn_meta_api_get_type (void)
{
  static GType type = 0;
  static const gchar *tags[] = {
    GST_META_TAG_VIDEO_STR, GST_META_TAG_VIDEO_SIZE_STR,
    GST_META_TAG_VIDEO_ORIENTATION_STR, NULL
  };

  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("GstDdamfnMetaAPI", tags);
    g_once_init_leave (&type, t);
  }
  return type;
}

/**
 * gst_ddamfn_meta_get_info:
 *
 * Returns: (transfer none): the #GstMetaInfo of #GstDdamfnMeta, registered
 *   on first use.
 */
const GstMetaInfo *
gst_ddamfn_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;

  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *mi = gst_meta_register (GST_DDAMFN_META_API_TYPE,
        "GstDdamfnMeta", sizeof (GstDdamfnMeta), gst_ddamfn_meta_init,
        gst_ddamfn_meta_free, gst_ddamfn_meta_transform);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) mi);
  }
  return info;
}

/**
 * gst_buffer_add_ddamfn_meta:
 * @buffer: a writable #GstBuffer.
 * @faces: (array length=n_faces) (nullable): the faces to store; copied.
 * @n_faces: number of faces (0 is allowed: the buffer was analysed and has
 *   no usable face).
 *
 * Attaches a #GstDdamfnMeta holding a copy of @faces. When @buffer already
 * carries one, its faces are replaced instead, so a buffer never has more
 * than one. The label and AU-name strings are interned.
 *
 * Returns: (transfer none) (nullable): the meta, owned by @buffer, or %NULL
 *   when @buffer is not writable or the arguments are invalid.
 */
GstDdamfnMeta *
gst_buffer_add_ddamfn_meta (GstBuffer * buffer, const GstDdamfnFace * faces,
    guint n_faces)
{
  GstDdamfnMeta *meta;

  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);
  g_return_val_if_fail (gst_buffer_is_writable (buffer), NULL);
  g_return_val_if_fail (n_faces == 0 || faces != NULL, NULL);

  meta = gst_buffer_get_ddamfn_meta (buffer);
  if (meta == NULL) {
    meta = (GstDdamfnMeta *) gst_buffer_add_meta (buffer,
        GST_DDAMFN_META_INFO, NULL);
    if (meta == NULL)
      return NULL;
  }
  ddamfn_meta_set_faces (meta, faces, n_faces);

  for (guint i = 0; i < n_faces; i++) {
    GstDdamfnFace *face = &meta->faces[i];

    face->expr_label = g_intern_string (face->expr_label);
    for (guint k = 0; k < GST_DDAMFN_META_N_AU; k++)
      face->au_names[k] = g_intern_string (face->au_names[k]);
    memset (face->_gst_reserved, 0, sizeof (face->_gst_reserved));
  }
  return meta;
}

/**
 * gst_buffer_get_ddamfn_meta:
 * @buffer: a #GstBuffer.
 *
 * Returns: (transfer none) (nullable): the #GstDdamfnMeta of @buffer, or
 *   %NULL when it has none.
 */
GstDdamfnMeta *
gst_buffer_get_ddamfn_meta (GstBuffer * buffer)
{
  g_return_val_if_fail (GST_IS_BUFFER (buffer), NULL);

  return (GstDdamfnMeta *) gst_buffer_get_meta (buffer,
      GST_DDAMFN_META_API_TYPE);
}
