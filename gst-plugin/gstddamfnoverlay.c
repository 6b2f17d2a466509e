/* ddamfnoverlay — draws the facial affect results onto the video.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-ddamfnoverlay
 * @title: ddamfnoverlay
 *
 * Draws what ddamfnfilter attached to each buffer (#GstDdamfnMeta): for
 * every face its box, the dominant expression with its confidence (and the
 * track id), a small valence-arousal dial (valence to the right, arousal
 * up, the point inside the unit circle) and one bar per active action unit,
 * whose length is the unit's probability. Boxes and labels take the colour
 * of the expression. Faces marked by a #GstVideoRegionOfInterestMeta of
 * #GstDdamfnOverlay:roi-type that have no result are drawn as plain grey
 * boxes.
 *
 * Text is set with pango, everything is drawn with cairo. On BGRx and BGRA
 * (xRGB and ARGB on big-endian machines), cairo's own layouts, the frame is
 * drawn on directly; on the other formats the faces are rendered into ARGB
 * rectangles that are blended with #GstVideoOverlayComposition, so no
 * videoconvert is needed for RGB, BGR, RGBx, xRGB, xBGR, RGBA, ARGB, ABGR,
 * I420 or NV12. Each face gets a rectangle of its own while their areas add
 * up to less than the frame's; beyond that all of them share one rectangle
 * covering what they touch, so a frame never needs more than one frame of
 * ARGB memory whatever its boxes. Boxes are clipped to the frame before
 * anything is laid out, and at most #GstDdamfnOverlay:max-faces faces are
 * drawn (a warning says so once per stream). Buffers with nothing to draw
 * pass untouched and unmapped; a buffer whose #GstVideoMeta claims rows its
 * memory does not hold is an error. Buffers drawn on carry a custom meta
 * (GstDdamfnOverlayDrawnMeta) so that a ddamfnfilter placed after the
 * overlay warns that it would analyse the drawing.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=clip.avi ! decodebin ! videoconvert ! \
 *     facedetect display=false ! \
 *     ddamfnfilter model=ddamfn-abaw.safetensors ! \
 *     ddamfnoverlay font="Sans Bold 14" ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstddamfnoverlay.h"
#include "gstddamfnframe.h"
#include "gstddamfnroi.h"
#include "gstddamfnwatch.h"

#include <gst/ddamfn/gstddamfnmeta.h>

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_ddamfn_overlay_debug);
#define GST_CAT_DEFAULT gst_ddamfn_overlay_debug

enum
{
  PROP_0,
  PROP_DRAW_BOX,
  PROP_DRAW_LABEL,
  PROP_DRAW_VA,
  PROP_DRAW_AUS,
  PROP_LINE_WIDTH,
  PROP_FONT,
  PROP_ROI_TYPE,
  PROP_MAX_FACES,
};

#define DEFAULT_DRAW_BOX TRUE
#define DEFAULT_DRAW_LABEL TRUE
#define DEFAULT_DRAW_VA TRUE
#define DEFAULT_DRAW_AUS TRUE
#define DEFAULT_LINE_WIDTH 2.0
#define DEFAULT_FONT "Sans Bold 12"
#define DEFAULT_ROI_TYPE "face"
/* as ddamfnfilter's max-faces */
#define DEFAULT_MAX_FACES 16
#define MAX_MAX_FACES 4096

#define VIDEO_FORMATS \
  "{ BGRx, BGRA, RGB, BGR, RGBx, xRGB, xBGR, RGBA, ARGB, ABGR, I420, NV12 }"

static GstStaticPadTemplate gst_ddamfn_overlay_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

static GstStaticPadTemplate gst_ddamfn_overlay_src_template =
GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

#define gst_ddamfn_overlay_parent_class parent_class
G_DEFINE_TYPE (GstDdamfnOverlay, gst_ddamfn_overlay, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (ddamfnoverlay, "ddamfnoverlay",
    GST_RANK_NONE, GST_TYPE_DDAMFN_OVERLAY,
    GST_DEBUG_CATEGORY_INIT (gst_ddamfn_overlay_debug, "ddamfnoverlay", 0,
        "DDAMFN facial affect overlay"));

static void gst_ddamfn_overlay_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_ddamfn_overlay_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_ddamfn_overlay_finalize (GObject * object);

static gboolean gst_ddamfn_overlay_start (GstBaseTransform * trans);
static gboolean gst_ddamfn_overlay_stop (GstBaseTransform * trans);
static gboolean gst_ddamfn_overlay_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_ddamfn_overlay_transform_ip (GstBaseTransform *
    trans, GstBuffer * buffer);
static gboolean gst_ddamfn_overlay_sink_event (GstBaseTransform * trans,
    GstEvent * event);

static void
gst_ddamfn_overlay_class_init (GstDdamfnOverlayClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  gobject_class->set_property = gst_ddamfn_overlay_set_property;
  gobject_class->get_property = gst_ddamfn_overlay_get_property;
  gobject_class->finalize = gst_ddamfn_overlay_finalize;

  g_object_class_install_property (gobject_class, PROP_DRAW_BOX,
      g_param_spec_boolean ("draw-box", "Draw box",
          "Draw the box of every face, in the colour of its expression "
          "(grey for faces without a result)", DEFAULT_DRAW_BOX,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_DRAW_LABEL,
      g_param_spec_boolean ("draw-label", "Draw label",
          "Draw the track id, the dominant expression and its confidence "
          "above the box", DEFAULT_DRAW_LABEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_DRAW_VA,
      g_param_spec_boolean ("draw-va", "Draw valence-arousal",
          "Draw a valence-arousal dial beside the box: a point in the unit "
          "circle, valence to the right, arousal up", DEFAULT_DRAW_VA,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_DRAW_AUS,
      g_param_spec_boolean ("draw-aus", "Draw action units",
          "Draw one bar per active action unit below the box, as long as "
          "its probability", DEFAULT_DRAW_AUS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_LINE_WIDTH,
      g_param_spec_double ("line-width", "Line width",
          "Width of the box lines in pixels", 0.5, 64.0, DEFAULT_LINE_WIDTH,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstDdamfnOverlay:font:
   *
   * A pango font description such as "Sans Bold 12" or "DejaVu Sans 16px".
   * Action unit names are drawn at three quarters of its size; the size of
   * the valence-arousal dial follows it too.
   */
  g_object_class_install_property (gobject_class, PROP_FONT,
      g_param_spec_string ("font", "Font",
          "Pango font description of the labels, e.g. \"Sans Bold 12\"",
          DEFAULT_FONT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstDdamfnOverlay:roi-type:
   *
   * Faces from #GstDdamfnMeta are always drawn. This property selects which
   * #GstVideoRegionOfInterestMeta without a result are drawn as plain
   * boxes: those of this type, or all of them for the empty string.
   */
  g_object_class_install_property (gobject_class, PROP_ROI_TYPE,
      g_param_spec_string ("roi-type", "ROI type",
          "Draw regions of interest of this type that have no result as "
          "plain boxes (\"face\" for facedetect; \"\" = every type)",
          DEFAULT_ROI_TYPE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  /**
   * GstDdamfnOverlay:max-faces:
   *
   * The most faces drawn on one frame: first those of #GstDdamfnMeta, in
   * its order, then the plain boxes. The rest are skipped, and a warning
   * message says so once per stream.
   */
  g_object_class_install_property (gobject_class, PROP_MAX_FACES,
      g_param_spec_uint ("max-faces", "Max faces",
          "Draw at most this many faces per frame (results first, then "
          "plain boxes); a warning tells once per stream when some are "
          "skipped", 1, MAX_MAX_FACES, DEFAULT_MAX_FACES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "DDAMFN facial affect overlay", "Filter/Effect/Video",
      "Draws the faces, expressions, valence-arousal and action units found "
      "by ddamfnfilter onto the video", GST_DDAMFN_AUTHOR);

  gst_element_class_add_static_pad_template (element_class,
      &gst_ddamfn_overlay_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_ddamfn_overlay_src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_ddamfn_overlay_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_ddamfn_overlay_stop);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;
  /* Instead of GstVideoFilter's transform_frame_ip, which maps every frame
   * read-write (a copy when its memory is shared): only frames with
   * something to draw are mapped. */
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_ddamfn_overlay_transform_ip);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_ddamfn_overlay_sink_event);

  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_ddamfn_overlay_set_info);
}

static void
gst_ddamfn_overlay_init (GstDdamfnOverlay * self)
{
  self->draw_box = DEFAULT_DRAW_BOX;
  self->draw_label = DEFAULT_DRAW_LABEL;
  self->draw_va = DEFAULT_DRAW_VA;
  self->draw_aus = DEFAULT_DRAW_AUS;
  self->line_width = DEFAULT_LINE_WIDTH;
  self->font = g_strdup (DEFAULT_FONT);
  gst_ddamfn_roi_type_set (&self->roi_type, &self->roi_type_quark,
      DEFAULT_ROI_TYPE);
  self->max_faces = DEFAULT_MAX_FACES;
  self->direct_format = CAIRO_FORMAT_INVALID;
  self->faces = g_array_new (FALSE, FALSE, sizeof (GstDdamfnDrawFace));
  self->layouts = g_array_new (FALSE, FALSE, sizeof (GstDdamfnDrawLayout));

  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), FALSE);
  /* As ddamfnfacedetect and ddamfnfilter: a late frame is drawn, not
   * dropped (GstVideoFilter would drop it); "qos" switches it on. */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
}

static void
gst_ddamfn_overlay_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstDdamfnOverlay *self = GST_DDAMFN_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DRAW_BOX:
      self->draw_box = g_value_get_boolean (value);
      break;
    case PROP_DRAW_LABEL:
      self->draw_label = g_value_get_boolean (value);
      break;
    case PROP_DRAW_VA:
      self->draw_va = g_value_get_boolean (value);
      break;
    case PROP_DRAW_AUS:
      self->draw_aus = g_value_get_boolean (value);
      break;
    case PROP_LINE_WIDTH:
      self->line_width = g_value_get_double (value);
      break;
    case PROP_FONT:
      g_free (self->font);
      self->font = g_value_dup_string (value);
      self->font_changed = TRUE;
      break;
    case PROP_ROI_TYPE:
      gst_ddamfn_roi_type_set (&self->roi_type, &self->roi_type_quark,
          g_value_get_string (value));
      break;
    case PROP_MAX_FACES:
      self->max_faces = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ddamfn_overlay_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstDdamfnOverlay *self = GST_DDAMFN_OVERLAY (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_DRAW_BOX:
      g_value_set_boolean (value, self->draw_box);
      break;
    case PROP_DRAW_LABEL:
      g_value_set_boolean (value, self->draw_label);
      break;
    case PROP_DRAW_VA:
      g_value_set_boolean (value, self->draw_va);
      break;
    case PROP_DRAW_AUS:
      g_value_set_boolean (value, self->draw_aus);
      break;
    case PROP_LINE_WIDTH:
      g_value_set_double (value, self->line_width);
      break;
    case PROP_FONT:
      g_value_set_string (value, self->font);
      break;
    case PROP_ROI_TYPE:
      g_value_set_string (value, self->roi_type);
      break;
    case PROP_MAX_FACES:
      g_value_set_uint (value, self->max_faces);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ddamfn_overlay_finalize (GObject * object)
{
  GstDdamfnOverlay *self = GST_DDAMFN_OVERLAY (object);

  g_free (self->font);
  g_free (self->roi_type);
  g_array_unref (self->faces);
  g_array_unref (self->layouts);
  gst_ddamfn_drawer_free (self->drawer);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static gboolean
gst_ddamfn_overlay_start (GstBaseTransform * trans)
{
  GstDdamfnOverlay *self = GST_DDAMFN_OVERLAY (trans);
  gchar *font;

  GST_OBJECT_LOCK (self);
  font = g_strdup (self->font);
  self->font_changed = FALSE;
  GST_OBJECT_UNLOCK (self);

  gst_ddamfn_drawer_free (self->drawer);
  self->drawer = gst_ddamfn_drawer_new (font);
  g_free (font);
  self->warned_skipped = self->warned_no_memory = FALSE;
  return TRUE;
}

static gboolean
gst_ddamfn_overlay_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstDdamfnOverlay *self = GST_DDAMFN_OVERLAY (trans);

  /* serialized: the streaming thread's own flags */
  if (GST_EVENT_TYPE (event) == GST_EVENT_STREAM_START)
    self->warned_skipped = self->warned_no_memory = FALSE;
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_ddamfn_overlay_stop (GstBaseTransform * trans)
{
  GstDdamfnOverlay *self = GST_DDAMFN_OVERLAY (trans);

  g_clear_pointer (&self->drawer, gst_ddamfn_drawer_free);
  return TRUE;
}

static gboolean
gst_ddamfn_overlay_set_info (GstVideoFilter * filter,
    G_GNUC_UNUSED GstCaps * incaps, GstVideoInfo * in_info,
    G_GNUC_UNUSED GstCaps * outcaps, G_GNUC_UNUSED GstVideoInfo * out_info)
{
  GstDdamfnOverlay *self = GST_DDAMFN_OVERLAY (filter);

  /* cairo's RGB24 and ARGB32 are native-endian 32-bit words 0xAARRGGBB. */
  switch (GST_VIDEO_INFO_FORMAT (in_info)) {
#if G_BYTE_ORDER == G_LITTLE_ENDIAN
    case GST_VIDEO_FORMAT_BGRx:
      self->direct_format = CAIRO_FORMAT_RGB24;
      break;
    case GST_VIDEO_FORMAT_BGRA:
      self->direct_format = CAIRO_FORMAT_ARGB32;
      break;
#else
    case GST_VIDEO_FORMAT_xRGB:
      self->direct_format = CAIRO_FORMAT_RGB24;
      break;
    case GST_VIDEO_FORMAT_ARGB:
      self->direct_format = CAIRO_FORMAT_ARGB32;
      break;
#endif
    default:
      self->direct_format = CAIRO_FORMAT_INVALID;
      break;
  }
  GST_DEBUG_OBJECT (self, "%s %dx%d: %s",
      gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (in_info)),
      GST_VIDEO_INFO_WIDTH (in_info), GST_VIDEO_INFO_HEIGHT (in_info),
      self->direct_format == CAIRO_FORMAT_INVALID ?
      "blending an overlay composition" : "drawing on the frame");
  return TRUE;
}

static gboolean
clip_face (guint x, guint y, guint w, guint h, gint width, gint height,
    GstDdamfnDrawFace * face)
{
  GstDdamfnBox box;

  if (!gst_ddamfn_box_clip (x, y, w, h, width, height, &box))
    return FALSE;
  face->x = box.x;
  face->y = box.y;
  face->w = box.w;
  face->h = box.h;
  return TRUE;
}

static void
face_from_meta (const GstDdamfnFace * f, GstDdamfnDrawFace * face)
{
  face->has_result = TRUE;
  face->track_id = f->track_id;
  if (f->n_expr > 0 && f->expr_index >= 0 && f->expr_index < f->n_expr
      && f->expr_index < GST_DDAMFN_META_MAX_EXPRESSIONS) {
    face->label = f->expr_label ? f->expr_label : "?";
    face->expr_index = f->expr_index;
    face->confidence = f->expr_probs[f->expr_index];
  } else {
    face->expr_index = -1;
  }
  face->has_va = f->has_va;
  face->valence = f->valence;
  face->arousal = f->arousal;
  for (gint k = 0; k < f->n_au && k < GST_DDAMFN_META_N_AU; k++) {
    if (!(f->au_active & (1u << k)))
      continue;
    face->au_names[face->n_aus] = f->au_names[k];
    face->au_probs[face->n_aus] = f->au_probs[k];
    face->n_aus++;
  }
}

/* The faces of BUFFER, at most MAX_FACES of them: every face of its
 * GstDdamfnMeta, then the ROIs of the selected type the filter gave no
 * result (all of them when there is no meta) as plain boxes. Boxes are
 * clipped to the frame first; those outside it are dropped. Returns how
 * many faces inside the frame were left out by MAX_FACES. */
static guint
collect_faces (GstDdamfnOverlay * self, GstBuffer * buffer, GQuark roi_type,
    guint max_faces, gint width, gint height)
{
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buffer);
  GstDdamfnDrawFace face;
  gpointer state = NULL;
  GstMeta *m;
  guint skipped = 0;

  g_array_set_size (self->faces, 0);

  for (guint i = 0; meta != NULL && i < meta->n_faces; i++) {
    const GstDdamfnFace *f = &meta->faces[i];

    memset (&face, 0, sizeof (face));
    if (!clip_face (f->x, f->y, f->w, f->h, width, height, &face))
      continue;
    if (self->faces->len >= max_faces) {
      skipped++;
      continue;
    }
    face_from_meta (f, &face);
    g_array_append_val (self->faces, face);
  }

  while ((m = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) m;

    if (roi_type != 0 && roi->roi_type != roi_type)
      continue;
    if (meta != NULL
        && gst_video_region_of_interest_meta_get_param (roi, "ddamfn"))
      continue;
    memset (&face, 0, sizeof (face));
    face.expr_index = -1;
    if (!clip_face (roi->x, roi->y, roi->w, roi->h, width, height, &face))
      continue;
    if (self->faces->len >= max_faces) {
      skipped++;
      continue;
    }
    g_array_append_val (self->faces, face);
  }
  return skipped;
}

/* Draws on the frame itself; FALSE when cairo cannot take its memory (a
 * stride it does not accept). */
static gboolean
render_direct (GstDdamfnOverlay * self, GstVideoFrame * frame)
{
  cairo_surface_t *surface;
  cairo_t *cr;

  surface = cairo_image_surface_create_for_data (
      GST_VIDEO_FRAME_PLANE_DATA (frame, 0), self->direct_format,
      GST_VIDEO_FRAME_WIDTH (frame), GST_VIDEO_FRAME_HEIGHT (frame),
      GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0));
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS) {
    GST_DEBUG_OBJECT (self, "cairo cannot draw on this frame (%s): blending",
        cairo_status_to_string (cairo_surface_status (surface)));
    cairo_surface_destroy (surface);
    return FALSE;
  }
  cr = cairo_create (surface);
  for (guint i = 0; i < self->faces->len; i++) {
    GstDdamfnDrawLayout *l =
        &g_array_index (self->layouts, GstDdamfnDrawLayout, i);

    gst_ddamfn_drawer_render (self->drawer, cr,
        &g_array_index (self->faces, GstDdamfnDrawFace, i), l);
  }
  cairo_destroy (cr);
  cairo_surface_flush (surface);
  cairo_surface_destroy (surface);
  return TRUE;
}

/* One ARGB overlay rectangle covering AREA with faces FIRST to LAST - 1
 * drawn on it, or NULL when cairo could not allocate the surface. */
static GstVideoOverlayRectangle *
render_rectangle (GstDdamfnOverlay * self, const GstDdamfnDrawRect * area,
    guint first, guint last)
{
  cairo_surface_t *surface;
  cairo_t *cr;
  GstBuffer *pixels;
  GstVideoOverlayRectangle *rect;
  gsize offset[GST_VIDEO_MAX_PLANES] = { 0 };
  gint stride[GST_VIDEO_MAX_PLANES] = { 0 };
  gsize size;

  surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, area->w,
      area->h);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS) {
    if (!self->warned_no_memory)
      GST_ELEMENT_WARNING (self, RESOURCE, FAILED,
          ("Not enough memory to draw the faces"),
          ("no %dx%d ARGB surface: %s; faces are not drawn while this lasts "
              "(said once per stream)", area->w, area->h,
              cairo_status_to_string (cairo_surface_status (surface))));
    self->warned_no_memory = TRUE;
    cairo_surface_destroy (surface);
    return NULL;
  }
  cr = cairo_create (surface);
  cairo_translate (cr, -area->x, -area->y);
  for (guint i = first; i < last; i++)
    gst_ddamfn_drawer_render (self->drawer, cr,
        &g_array_index (self->faces, GstDdamfnDrawFace, i),
        &g_array_index (self->layouts, GstDdamfnDrawLayout, i));
  cairo_destroy (cr);
  cairo_surface_flush (surface);

  /* The buffer owns the surface and frees it with the rectangle. */
  stride[0] = cairo_image_surface_get_stride (surface);
  size = (gsize) stride[0] * area->h;
  pixels = gst_buffer_new_wrapped_full (0,
      cairo_image_surface_get_data (surface), size, 0, size, surface,
      (GDestroyNotify) cairo_surface_destroy);
  gst_buffer_add_video_meta_full (pixels, GST_VIDEO_FRAME_FLAG_NONE,
      GST_VIDEO_OVERLAY_COMPOSITION_FORMAT_RGB, area->w, area->h, 1, offset,
      stride);
  rect = gst_video_overlay_rectangle_new_raw (pixels, area->x, area->y,
      area->w, area->h, GST_VIDEO_OVERLAY_FORMAT_FLAG_PREMULTIPLIED_ALPHA);
  gst_buffer_unref (pixels);
  return rect;
}

static void
add_rectangle (GstVideoOverlayComposition ** comp,
    GstVideoOverlayRectangle * rect)
{
  if (rect == NULL)
    return;
  if (*comp == NULL)
    *comp = gst_video_overlay_composition_new (rect);
  else
    gst_video_overlay_composition_add_rectangle (*comp, rect);
  gst_video_overlay_rectangle_unref (rect);
}

/* A rectangle per face while their areas add up to less than the frame's;
 * otherwise one covering the union of their bounds (at most the frame). */
static void
render_composition (GstDdamfnOverlay * self, GstVideoFrame * frame)
{
  GstVideoOverlayComposition *comp = NULL;
  guint64 total = 0;
  gint x0 = G_MAXINT, y0 = G_MAXINT, x1 = 0, y1 = 0;
  guint n = self->layouts->len;

  for (guint i = 0; i < n; i++) {
    const GstDdamfnDrawRect *b =
        &g_array_index (self->layouts, GstDdamfnDrawLayout, i).bounds;

    if (b->w <= 0 || b->h <= 0)
      continue;
    total += (guint64) b->w * b->h;
    x0 = MIN (x0, b->x);
    y0 = MIN (y0, b->y);
    x1 = MAX (x1, b->x + b->w);
    y1 = MAX (y1, b->y + b->h);
  }
  if (total == 0)
    return;

  if (total <= (guint64) GST_VIDEO_FRAME_WIDTH (frame) *
      GST_VIDEO_FRAME_HEIGHT (frame)) {
    for (guint i = 0; i < n; i++) {
      const GstDdamfnDrawRect *b =
          &g_array_index (self->layouts, GstDdamfnDrawLayout, i).bounds;

      if (b->w > 0 && b->h > 0)
        add_rectangle (&comp, render_rectangle (self, b, i, i + 1));
    }
  } else {
    GstDdamfnDrawRect all = { x0, y0, x1 - x0, y1 - y0 };

    add_rectangle (&comp, render_rectangle (self, &all, 0, n));
  }
  if (comp == NULL)
    return;
  if (!gst_video_overlay_composition_blend (comp, frame))
    GST_WARNING_OBJECT (self, "could not blend the overlay onto a %s frame",
        gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (frame)));
  gst_video_overlay_composition_unref (comp);
}

static GstFlowReturn
gst_ddamfn_overlay_transform_ip (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstDdamfnOverlay *self = GST_DDAMFN_OVERLAY (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  gint width = GST_VIDEO_INFO_WIDTH (&filter->in_info);
  gint height = GST_VIDEO_INFO_HEIGHT (&filter->in_info);
  GstDdamfnDrawOptions options;
  GstVideoFrame frame;
  gchar *font = NULL;
  GQuark roi_type;
  guint max_faces, skipped, n_drawn = 0;

  if (G_UNLIKELY (!filter->negotiated || self->drawer == NULL)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("received a buffer before caps were negotiated"));
    return GST_FLOW_NOT_NEGOTIATED;
  }

  GST_OBJECT_LOCK (self);
  options.box = self->draw_box;
  options.label = self->draw_label;
  options.va = self->draw_va;
  options.aus = self->draw_aus;
  options.line_width = self->line_width;
  roi_type = self->roi_type_quark;
  max_faces = self->max_faces;
  if (self->font_changed) {
    font = g_strdup (self->font);
    self->font_changed = FALSE;
  }
  GST_OBJECT_UNLOCK (self);

  if (G_UNLIKELY (font != NULL)) {
    gst_ddamfn_drawer_set_font (self->drawer, font);
    g_free (font);
  }

  skipped = collect_faces (self, buffer, roi_type, max_faces, width, height);
  if (skipped > 0 && !self->warned_skipped) {
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        ("Too many faces to draw: %u drawn, %u skipped", self->faces->len,
            skipped), ("max-faces is %u; said once per stream", max_faces));
    self->warned_skipped = TRUE;
  }
  g_array_set_size (self->layouts, self->faces->len);
  for (guint i = 0; i < self->faces->len; i++) {
    GstDdamfnDrawLayout *l =
        &g_array_index (self->layouts, GstDdamfnDrawLayout, i);

    if (gst_ddamfn_drawer_layout (self->drawer,
            &g_array_index (self->faces, GstDdamfnDrawFace, i), &options,
            width, height, l))
      n_drawn++;
  }
  GST_LOG_OBJECT (self, "%u faces, %u to draw", self->faces->len, n_drawn);
  if (n_drawn == 0)
    return GST_FLOW_OK;

  if (!gst_video_frame_map (&frame, &filter->in_info, buffer,
          GST_MAP_READWRITE)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("buffer of %" G_GSIZE_FORMAT " bytes does not hold a %dx%d frame",
            gst_buffer_get_size (buffer), width, height));
    return GST_FLOW_ERROR;
  }
  if (!gst_ddamfn_frame_rows_are_mapped (&frame)) {
    gst_video_frame_unmap (&frame);
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("the buffer's video meta describes %dx%d rows its %" G_GSIZE_FORMAT
            " bytes of memory do not hold (stride or offset too large)",
            width, height, gst_buffer_get_size (buffer)));
    return GST_FLOW_ERROR;
  }
  if (self->direct_format == CAIRO_FORMAT_INVALID
      || !render_direct (self, &frame))
    render_composition (self, &frame);
  gst_video_frame_unmap (&frame);
  /* a ddamfnfilter downstream warns that it would analyse the drawing */
  gst_ddamfn_mark_drawn (buffer);
  return GST_FLOW_OK;
}
