/* GstDdamfnMeta — facial affect results attached to a video buffer.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The typed buffer meta the ddamfnfilter element attaches: one per buffer,
 * an array of faces with their box and what the network said about them.
 * Applications link libgstddamfnmeta-1.0 (pkg-config gstddamfnmeta-1.0) to
 * read it; consumers that do not want to link can read the "ddamfn"
 * parameter structure of each GstVideoRegionOfInterestMeta instead.
 */
#ifndef __GST_DDAMFN_META_H__
#define __GST_DDAMFN_META_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#if defined(GST_DDAMFN_META_COMPILATION) && defined(__GNUC__)
#define GST_DDAMFN_META_API __attribute__ ((visibility ("default"))) extern
#else
#define GST_DDAMFN_META_API extern
#endif

/**
 * GST_DDAMFN_META_MAX_EXPRESSIONS:
 *
 * Capacity of #GstDdamfnFace.expr_probs (the most expression classes a
 * model may have).
 */
#define GST_DDAMFN_META_MAX_EXPRESSIONS 16

/**
 * GST_DDAMFN_META_N_AU:
 *
 * Capacity of #GstDdamfnFace.au_probs (the action units of the multitask
 * head).
 */
#define GST_DDAMFN_META_N_AU 12

/**
 * GstDdamfnFace:
 * @roi_id: the id of the #GstVideoRegionOfInterestMeta the face came from,
 *   or -1 when there is none.
 * @track_id: identity of the face across frames, from 1 upwards; the same
 *   value on consecutive buffers means the same tracked face.
 * @x: left edge of the box, in frame pixels, clipped to the frame.
 * @y: top edge of the box, in frame pixels, clipped to the frame.
 * @w: width of the box in pixels (≥ 1).
 * @h: height of the box in pixels (≥ 1).
 * @has_va: whether @valence and @arousal are set.
 * @valence: valence in [−1, 1].
 * @arousal: arousal in [−1, 1].
 * @n_expr: number of expression classes in @expr_probs (0 when the model
 *   has no expression head).
 * @expr_index: the most probable class, −1 when @n_expr is 0.
 * @expr_probs: class probabilities, @n_expr of them, summing to 1.
 * @expr_label: (nullable): the label of @expr_index (an interned string),
 *   %NULL when @n_expr is 0.
 * @n_au: number of action units in @au_probs (0 or #GST_DDAMFN_META_N_AU).
 * @au_probs: probability of each action unit.
 * @au_active: bit i is set when action unit i is judged active (its
 *   probability reaches the model's threshold).
 * @au_names: (nullable): names of the action units ("AU1", …), interned
 *   strings, @n_au of them.
 * @result_age: how many frames before this buffer the network saw the
 *   face for the result given here: 0 when it ran on this very frame,
 *   more when the result is reused (#GstDdamfnFilter:inference-interval,
 *   late buffers under QoS, or live mode, where results arrive after the
 *   buffer has gone on); −1 when the face has no result yet (live mode
 *   only: then @has_va is %FALSE and @n_expr and @n_au are 0). Since 0.2.
 * @expr_labels: (skip): the names of all @n_expr classes in the model's
 *   order (a process-lifetime array of interned strings), %NULL when
 *   unknown (a producer older than 0.2, or @n_expr 0). Since 0.2.
 *
 * One face and its affect. All strings are interned (g_intern_string())
 * and live as long as the process; nothing in a face needs freeing.
 */
typedef struct
{
  gint roi_id;
  guint track_id;
  guint x;
  guint y;
  guint w;
  guint h;

  gboolean has_va;
  gfloat valence;
  gfloat arousal;

  gint n_expr;
  gint expr_index;
  gfloat expr_probs[GST_DDAMFN_META_MAX_EXPRESSIONS];
  const gchar *expr_label;

  gint n_au;
  gfloat au_probs[GST_DDAMFN_META_N_AU];
  guint32 au_active;
  const gchar *au_names[GST_DDAMFN_META_N_AU];

  /* added in 0.2, taken from the padding (the size is unchanged) */
  gint result_age;
  const gchar *const *expr_labels;

  /*< private >*/
  gpointer _gst_reserved[GST_PADDING - 2];
} GstDdamfnFace;

/**
 * GstDdamfnMeta:
 * @meta: the parent #GstMeta.
 * @n_faces: number of faces in @faces (may be 0: the filter ran and found
 *   no usable face).
 * @faces: (type gpointer): the faces, owned by the meta (bindings: use
 *   gst_ddamfn_meta_get_faces()).
 *
 * Facial affect of every analysed face of a buffer. A buffer carries at most
 * one; gst_buffer_add_ddamfn_meta() replaces the faces of an existing one.
 */
typedef struct
{
  GstMeta meta;

  guint n_faces;
  GstDdamfnFace *faces;
} GstDdamfnMeta;

GST_DDAMFN_META_API GType gst_ddamfn_meta_api_get_type (void);

/**
 * GST_DDAMFN_META_API_TYPE:
 *
 * The #GType of the #GstDdamfnMeta API.
 */
#define GST_DDAMFN_META_API_TYPE (gst_ddamfn_meta_api_get_type ())

GST_DDAMFN_META_API const GstMetaInfo *gst_ddamfn_meta_get_info (void);

/**
 * GST_DDAMFN_META_INFO:
 *
 * The #GstMetaInfo of #GstDdamfnMeta.
 */
#define GST_DDAMFN_META_INFO (gst_ddamfn_meta_get_info ())

GST_DDAMFN_META_API GstDdamfnMeta *gst_buffer_add_ddamfn_meta (GstBuffer * buffer,
    const GstDdamfnFace * faces, guint n_faces);

GST_DDAMFN_META_API GstDdamfnMeta *gst_buffer_get_ddamfn_meta (GstBuffer * buffer);

/**
 * GST_DDAMFN_TYPE_FACE:
 *
 * The boxed #GType of #GstDdamfnFace.
 */
#define GST_DDAMFN_TYPE_FACE (gst_ddamfn_face_get_type ())

GST_DDAMFN_META_API GType gst_ddamfn_face_get_type (void);

GST_DDAMFN_META_API GstDdamfnFace *gst_ddamfn_face_copy (const GstDdamfnFace * face);

GST_DDAMFN_META_API void gst_ddamfn_face_free (GstDdamfnFace * face);

GST_DDAMFN_META_API GList *gst_ddamfn_buffer_get_faces (GstBuffer * buffer);

GST_DDAMFN_META_API GList *gst_ddamfn_meta_get_faces (const GstDdamfnMeta * meta);

GST_DDAMFN_META_API gchar *gst_ddamfn_meta_serialize (const GstDdamfnMeta * meta,
    guint64 frame, GstClockTime timestamp, GstClockTime stream_time,
    gboolean pretty);

GST_DDAMFN_META_API gboolean gst_ddamfn_face_get_valence_arousal (const GstDdamfnFace * face,
    gdouble * valence, gdouble * arousal);

GST_DDAMFN_META_API const gchar *gst_ddamfn_face_get_expression (const GstDdamfnFace * face,
    gdouble * confidence);

GST_DDAMFN_META_API const gfloat *gst_ddamfn_face_get_expression_probs (const GstDdamfnFace * face,
    guint * n_probs);

GST_DDAMFN_META_API const gfloat *gst_ddamfn_face_get_au_probs (const GstDdamfnFace * face,
    guint * n_probs);

GST_DDAMFN_META_API const gchar *const *gst_ddamfn_face_get_au_names (const GstDdamfnFace * face,
    guint * n_names);

GST_DDAMFN_META_API gchar **gst_ddamfn_face_get_active_aus (const GstDdamfnFace * face);

GST_DDAMFN_META_API gchar *gst_ddamfn_meta_to_json (const GstDdamfnFace * faces,
    guint n_faces, guint64 frame, GstClockTime timestamp,
    GstClockTime stream_time, gboolean pretty);

GST_DDAMFN_META_API gchar *gst_ddamfn_record_to_json (const gchar * source,
    guint64 frame, GstClockTime timestamp, GstClockTime stream_time,
    const GstDdamfnFace * faces, const gdouble * scores, guint n_faces,
    gboolean pretty);

GST_DDAMFN_META_API gchar *gst_ddamfn_face_to_json_row (const GstDdamfnFace * face,
    guint64 frame, gdouble timestamp);

G_END_DECLS

#endif /* __GST_DDAMFN_META_H__ */
