/* ddamfnfilter — facial affect of the faces marked on video frames.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-ddamfnfilter
 * @title: ddamfnfilter
 *
 * Reads the faces an upstream detector marked with
 * #GstVideoRegionOfInterestMeta, runs the DDAMFN network on them (all faces
 * of a frame as one batch) and attaches the results: one #GstDdamfnMeta per
 * buffer, and a "ddamfn" structure in the parameters of each analysed ROI
 * with the fields valence and arousal (doubles, when the model predicts
 * them), expression (string), confidence (double), expression-probs (array
 * of doubles), au-probs (array of doubles) and au-active (array of AU names)
 * when the model has those heads, and track-id (uint). Pixels are passed
 * through untouched.
 *
 * ROIs are clipped to the frame; ROIs empty after clipping or whose shorter
 * side is below #GstDdamfnFilter:min-face-size are skipped (and counted in
 * the debug log). When an ROI carries a "landmarks" parameter structure
 * with double fields x0, y0 … x4, y4 (eyes, nose tip, mouth corners, frame
 * pixels) the face is aligned on them; otherwise the box, enlarged by
 * #GstDdamfnFilter:crop-scale, is cropped.
 *
 * With #GstDdamfnFilter:post-messages the element also posts one element
 * message per buffer, named "ddamfn", with the fields timestamp,
 * stream-time, running-time (guint64, nanoseconds) and faces (a list of
 * "face" structures holding the fields above plus roi-id, x, y, w, h).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 -m filesrc location=face.jpg ! jpegdec ! videoconvert ! \
 *     facedetect display=false ! \
 *     ddamfnfilter model=ddamfn-abaw.safetensors post-messages=true ! \
 *     fakesink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstddamfnfilter.h"
#include "gstddamfnframe.h"
#include "gstddamfnmodelcache.h"
#include "gstddamfnresult.h"
#include "gstddamfnroi.h"

#include <gst/ddamfn/gstddamfnmeta.h>

#include <stdlib.h>
#include <string.h>

GST_DEBUG_CATEGORY (gst_ddamfn_filter_debug);
#define GST_CAT_DEFAULT gst_ddamfn_filter_debug

G_STATIC_ASSERT (GST_DDAMFN_META_MAX_EXPRESSIONS == DDAMFN_MAX_EXPRESSIONS);
G_STATIC_ASSERT (GST_DDAMFN_META_N_AU == DDAMFN_N_AU);

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_ROI_TYPE,
  PROP_MIN_FACE_SIZE,
  PROP_MAX_FACES,
  PROP_INFERENCE_INTERVAL,
  PROP_SMOOTHING,
  PROP_CROP_SCALE,
  PROP_N_THREADS,
  PROP_POST_MESSAGES,
};

#define DEFAULT_MODEL NULL
#define DEFAULT_ROI_TYPE "face"
#define DEFAULT_MIN_FACE_SIZE 16
#define DEFAULT_MAX_FACES 16
#define MAX_MAX_FACES 256
#define DEFAULT_INFERENCE_INTERVAL 1
#define MAX_INFERENCE_INTERVAL 10000
#define DEFAULT_SMOOTHING 0.0
#define DEFAULT_CROP_SCALE 1.0
#define DEFAULT_N_THREADS 1
#define MAX_N_THREADS 64
#define DEFAULT_POST_MESSAGES FALSE

/* A track survives this many frames without a matching ROI (a detector
 * that misses a face for a frame or two should not restart its track). */
#define TRACK_MAX_MISSED DDAMFN_TRACKER_DEFAULT_MAX_MISSED

#define VIDEO_FORMATS \
  "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, NV12 }"

static GstStaticPadTemplate gst_ddamfn_filter_sink_template =
GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

static GstStaticPadTemplate gst_ddamfn_filter_src_template =
GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

#define gst_ddamfn_filter_parent_class parent_class
G_DEFINE_TYPE (GstDdamfnFilter, gst_ddamfn_filter, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (ddamfnfilter, "ddamfnfilter",
    GST_RANK_NONE, GST_TYPE_DDAMFN_FILTER,
    GST_DEBUG_CATEGORY_INIT (gst_ddamfn_filter_debug, "ddamfnfilter", 0,
        "DDAMFN facial affect filter"));

/* A copy of the properties, taken once per buffer under the object lock. */
typedef struct
{
  GQuark roi_type;
  guint min_face_size;
  guint max_faces;
  guint inference_interval;
  gfloat smoothing;
  gfloat crop_scale;
  gboolean post_messages;
} Settings;

static void gst_ddamfn_filter_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_ddamfn_filter_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_ddamfn_filter_finalize (GObject * object);

static gboolean gst_ddamfn_filter_start (GstBaseTransform * trans);
static gboolean gst_ddamfn_filter_stop (GstBaseTransform * trans);
static gboolean gst_ddamfn_filter_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_ddamfn_filter_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_ddamfn_filter_transform_ip (GstBaseTransform *
    trans, GstBuffer * buffer);

static void
gst_ddamfn_filter_class_init (GstDdamfnFilterClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  gobject_class->set_property = gst_ddamfn_filter_set_property;
  gobject_class->get_property = gst_ddamfn_filter_get_property;
  gobject_class->finalize = gst_ddamfn_filter_finalize;

  /**
   * GstDdamfnFilter:model:
   *
   * The DDAMFN model, a .safetensors file written by ddamfn-convert. Read
   * when the element goes from READY to PAUSED; a missing or invalid file
   * makes that state change fail with an error message naming the problem.
   *
   * The weights are copied out of the file when it is read and nothing
   * stays mapped: replacing or deleting the file while the element plays
   * changes nothing until its next READY→PAUSED, which loads the new file.
   * Elements of one process that name the same unchanged file share one
   * loaded copy of the model.
   */
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "DDAMFN model file (.safetensors from ddamfn-convert); loaded when "
          "going to PAUSED", DEFAULT_MODEL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_ROI_TYPE,
      g_param_spec_string ("roi-type", "ROI type",
          "Analyse only the regions of interest of this type (\"face\" for "
          "facedetect); the empty string analyses every region",
          DEFAULT_ROI_TYPE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_MIN_FACE_SIZE,
      g_param_spec_uint ("min-face-size", "Minimum face size",
          "Skip faces whose shorter side, after clipping to the frame, is "
          "below this many pixels (too small to say anything reliable; the "
          "network sees 112x112)", 0, G_MAXINT, DEFAULT_MIN_FACE_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_MAX_FACES,
      g_param_spec_uint ("max-faces", "Maximum faces",
          "Analyse at most this many faces per frame; the largest win",
          1, MAX_MAX_FACES, DEFAULT_MAX_FACES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Run the network on a tracked face every N frames and re-attach "
          "its last result in between (1 = every frame)",
          1, MAX_INFERENCE_INTERVAL, DEFAULT_INFERENCE_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_SMOOTHING,
      g_param_spec_double ("smoothing", "Smoothing",
          "Exponential smoothing factor per tracked face: result = "
          "smoothing * previous + (1 - smoothing) * new, for valence, "
          "arousal and the probabilities (0 = none)",
          0.0, 1.0, DEFAULT_SMOOTHING,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_CROP_SCALE,
      g_param_spec_double ("crop-scale", "Crop scale",
          "Enlarge each face box about its centre by this factor before "
          "cropping (not used for faces with landmarks)",
          0.5, 4.0, DEFAULT_CROP_SCALE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_N_THREADS,
      g_param_spec_uint ("n-threads", "Threads",
          "Worker threads for the network (0 = one per CPU); read when "
          "going to PAUSED", 0, MAX_N_THREADS, DEFAULT_N_THREADS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_POST_MESSAGES,
      g_param_spec_boolean ("post-messages", "Post messages",
          "Post an element message named \"ddamfn\" with the faces of every "
          "buffer", DEFAULT_POST_MESSAGES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "DDAMFN facial affect", "Filter/Analyzer/Video",
      "Estimates valence, arousal, expression and action units of the faces "
      "marked by region-of-interest metas with the DDAMFN network",
      "the gst-ddamfn authors");

  gst_element_class_add_static_pad_template (element_class,
      &gst_ddamfn_filter_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_ddamfn_filter_src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_ddamfn_filter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_ddamfn_filter_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_ddamfn_filter_sink_event);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;
  /* Instead of GstVideoFilter's transform_frame_ip, which maps the frame
   * read-write and so copies every frame whose memory is shared (after a
   * tee, for instance): the frame is mapped read-only here. */
  trans_class->transform_ip = GST_DEBUG_FUNCPTR (gst_ddamfn_filter_transform_ip);

  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_ddamfn_filter_set_info);
}

static void
gst_ddamfn_filter_init (GstDdamfnFilter * self)
{
  self->model_path = g_strdup (DEFAULT_MODEL);
  gst_ddamfn_roi_type_set (&self->roi_type, &self->roi_type_quark,
      DEFAULT_ROI_TYPE);
  self->min_face_size = DEFAULT_MIN_FACE_SIZE;
  self->max_faces = DEFAULT_MAX_FACES;
  self->inference_interval = DEFAULT_INFERENCE_INTERVAL;
  self->smoothing = DEFAULT_SMOOTHING;
  self->crop_scale = DEFAULT_CROP_SCALE;
  self->n_threads = DEFAULT_N_THREADS;
  self->post_messages = DEFAULT_POST_MESSAGES;

  self->candidates = g_array_new (FALSE, FALSE, sizeof (GstDdamfnCandidate));
  self->boxes = g_array_new (FALSE, FALSE, sizeof (DdamfnBox));
  self->track_ids = g_array_new (FALSE, FALSE, sizeof (guint));
  self->faces = g_array_new (FALSE, FALSE, sizeof (GstDdamfnFace));
  self->infer_slots = g_array_new (FALSE, FALSE, sizeof (gint));
  self->results = g_array_new (FALSE, FALSE, sizeof (DdamfnResult));

  /* Metadata is added in place; the pixels are never written. */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), FALSE);
  /* An analyser should not drop frames behind the application's back; QoS
   * can still be switched on with the "qos" property. */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
}

static void
gst_ddamfn_filter_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free (self->model_path);
      self->model_path = g_value_dup_string (value);
      break;
    case PROP_ROI_TYPE:
      gst_ddamfn_roi_type_set (&self->roi_type, &self->roi_type_quark,
          g_value_get_string (value));
      break;
    case PROP_MIN_FACE_SIZE:
      self->min_face_size = g_value_get_uint (value);
      break;
    case PROP_MAX_FACES:
      self->max_faces = g_value_get_uint (value);
      break;
    case PROP_INFERENCE_INTERVAL:
      self->inference_interval = g_value_get_uint (value);
      break;
    case PROP_SMOOTHING:
      self->smoothing = g_value_get_double (value);
      break;
    case PROP_CROP_SCALE:
      self->crop_scale = g_value_get_double (value);
      break;
    case PROP_N_THREADS:
      self->n_threads = g_value_get_uint (value);
      break;
    case PROP_POST_MESSAGES:
      self->post_messages = g_value_get_boolean (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ddamfn_filter_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->model_path);
      break;
    case PROP_ROI_TYPE:
      g_value_set_string (value, self->roi_type);
      break;
    case PROP_MIN_FACE_SIZE:
      g_value_set_uint (value, self->min_face_size);
      break;
    case PROP_MAX_FACES:
      g_value_set_uint (value, self->max_faces);
      break;
    case PROP_INFERENCE_INTERVAL:
      g_value_set_uint (value, self->inference_interval);
      break;
    case PROP_SMOOTHING:
      g_value_set_double (value, self->smoothing);
      break;
    case PROP_CROP_SCALE:
      g_value_set_double (value, self->crop_scale);
      break;
    case PROP_N_THREADS:
      g_value_set_uint (value, self->n_threads);
      break;
    case PROP_POST_MESSAGES:
      g_value_set_boolean (value, self->post_messages);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ddamfn_filter_finalize (GObject * object)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (object);

  g_free (self->model_path);
  g_free (self->roi_type);
  g_array_unref (self->candidates);
  g_array_unref (self->boxes);
  g_array_unref (self->track_ids);
  g_array_unref (self->faces);
  g_array_unref (self->infer_slots);
  g_array_unref (self->results);
  g_free (self->input);
  /* stop () normally released these; be safe if it never ran */
  ddamfn_tracker_free (self->tracker);
  ddamfn_session_free (self->session);
  gst_ddamfn_model_cache_release (self->model);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_ddamfn_filter_release (GstDdamfnFilter * self)
{
  g_clear_pointer (&self->tracker, ddamfn_tracker_free);
  g_clear_pointer (&self->session, ddamfn_session_free);
  g_clear_pointer (&self->model, gst_ddamfn_model_cache_release);
  g_clear_pointer (&self->input, g_free);
  self->input_capacity = 0;
}

static gboolean
gst_ddamfn_filter_start (GstBaseTransform * trans)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (trans);
  GError *error = NULL;
  gchar *path;
  guint n_threads;
  gint n;

  GST_OBJECT_LOCK (self);
  path = g_strdup (self->model_path);
  n_threads = self->n_threads;
  GST_OBJECT_UNLOCK (self);

  gst_ddamfn_filter_release (self);

  if (path == NULL || path[0] == '\0') {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No DDAMFN model set: set the \"model\" property to a .safetensors "
            "file written by ddamfn-convert."), (NULL));
    g_free (path);
    return FALSE;
  }

  self->model = gst_ddamfn_model_cache_get (path, &error);
  if (self->model == NULL) {
    if (g_error_matches (error, DDAMFN_ERROR, DDAMFN_ERROR_IO))
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not load the DDAMFN model: %s", error->message),
          ("model property: \"%s\"", path));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid DDAMFN model: %s", error->message),
          ("model property: \"%s\"", path));
    g_clear_error (&error);
    g_free (path);
    return FALSE;
  }

  self->session = ddamfn_session_new (self->model, (int) n_threads, &error);
  if (self->session == NULL) {
    GST_ELEMENT_ERROR (self, LIBRARY, INIT,
        ("Could not set up the DDAMFN model: %s", error->message), (NULL));
    g_clear_error (&error);
    g_free (path);
    gst_ddamfn_filter_release (self);
    return FALSE;
  }

  self->tracker = ddamfn_tracker_new (self->model,
      DDAMFN_TRACKER_DEFAULT_IOU, TRACK_MAX_MISSED);
  ddamfn_model_get_normalization (self->model, self->mean, self->std);

  memset (self->expr_labels, 0, sizeof (self->expr_labels));
  n = ddamfn_model_get_n_expressions (self->model);
  for (gint k = 0; k < n && k < DDAMFN_MAX_EXPRESSIONS; k++)
    self->expr_labels[k] =
        g_intern_string (ddamfn_model_get_expression_label (self->model, k));
  memset (self->au_names, 0, sizeof (self->au_names));
  n = ddamfn_model_get_n_aus (self->model);
  for (gint k = 0; k < n && k < DDAMFN_N_AU; k++)
    self->au_names[k] =
        g_intern_string (ddamfn_model_get_au_name (self->model, k));

  GST_INFO_OBJECT (self, "loaded model %s: %d expressions%s%s, %u threads",
      path, ddamfn_model_get_n_expressions (self->model),
      ddamfn_model_has_va (self->model) ? ", valence/arousal" : "",
      ddamfn_model_get_n_aus (self->model) ? ", action units" : "", n_threads);
  g_free (path);
  return TRUE;
}

static gboolean
gst_ddamfn_filter_stop (GstBaseTransform * trans)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (trans);

  gst_ddamfn_filter_release (self);
  return TRUE;
}

static gboolean
gst_ddamfn_filter_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (trans);

  /* Serialized with the buffers: no transform runs concurrently. After a
   * flush the faces on screen are unrelated to the tracked ones. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP && self->tracker) {
    GST_DEBUG_OBJECT (self, "flush: forgetting all tracks");
    ddamfn_tracker_reset (self->tracker);
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_ddamfn_filter_set_info (GstVideoFilter * filter,
    G_GNUC_UNUSED GstCaps * incaps, GstVideoInfo * in_info,
    G_GNUC_UNUSED GstCaps * outcaps, G_GNUC_UNUSED GstVideoInfo * out_info)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (filter);
  DdamfnPixelFormat pixel_format;

  if (!gst_ddamfn_pixel_format_from_video (GST_VIDEO_INFO_FORMAT (in_info),
          &pixel_format)) {
    GST_ERROR_OBJECT (self, "unsupported format %s",
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (in_info)));
    return FALSE;
  }

  if (self->tracker && (self->width != GST_VIDEO_INFO_WIDTH (in_info)
          || self->height != GST_VIDEO_INFO_HEIGHT (in_info))) {
    GST_DEBUG_OBJECT (self, "frame size changed: forgetting all tracks");
    ddamfn_tracker_reset (self->tracker);
  }

  self->pixel_format = pixel_format;
  self->yuv_matrix = gst_ddamfn_yuv_matrix_from_colorimetry (&in_info->colorimetry);
  self->width = GST_VIDEO_INFO_WIDTH (in_info);
  self->height = GST_VIDEO_INFO_HEIGHT (in_info);

  GST_DEBUG_OBJECT (self, "format %s %dx%d, YUV matrix %d",
      gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (in_info)),
      self->width, self->height, self->yuv_matrix);
  return TRUE;
}

static void
read_settings (GstDdamfnFilter * self, Settings * s)
{
  GST_OBJECT_LOCK (self);
  s->roi_type = self->roi_type_quark;
  s->min_face_size = self->min_face_size;
  s->max_faces = self->max_faces;
  s->inference_interval = self->inference_interval;
  s->smoothing = (gfloat) self->smoothing;
  s->crop_scale = (gfloat) self->crop_scale;
  s->post_messages = self->post_messages;
  GST_OBJECT_UNLOCK (self);
}

static gboolean
ensure_input_capacity (GstDdamfnFilter * self, guint n_faces)
{
  if (n_faces <= self->input_capacity)
    return TRUE;
  g_free (self->input);
  self->input = g_try_new (float, (gsize) n_faces * DDAMFN_INPUT_FLOATS);
  self->input_capacity = self->input ? n_faces : 0;
  return self->input != NULL;
}

/* Crops face I of the candidates into slot SLOT of the batch. */
static gboolean
preprocess_face (GstDdamfnFilter * self, const DdamfnImage * image,
    const GstDdamfnCandidate * c, const Settings * s, float *out)
{
  float landmarks[2 * DDAMFN_N_LANDMARKS];
  GError *error = NULL;
  DdamfnBox box;

  if (gst_ddamfn_roi_get_landmarks (c->roi, landmarks)) {
    if (ddamfn_preprocess_landmarks (image, landmarks, self->mean, self->std,
            out, NULL, &error))
      return TRUE;
    GST_WARNING_OBJECT (self, "ROI %d: landmarks unusable (%s); cropping "
        "the box instead", c->roi->id, error->message);
    g_clear_error (&error);
  }

  box.x = c->x;
  box.y = c->y;
  box.w = c->w;
  box.h = c->h;
  if (ddamfn_preprocess_box (image, &box, s->crop_scale, self->mean,
          self->std, out, &error))
    return TRUE;
  GST_WARNING_OBJECT (self, "ROI %d: cannot crop the face: %s", c->roi->id,
      error->message);
  g_clear_error (&error);
  return FALSE;
}

static void
face_from_result (GstDdamfnFilter * self, const GstDdamfnCandidate * c, guint track_id,
    const DdamfnResult * r, GstDdamfnFace * face)
{
  memset (face, 0, sizeof (*face));
  face->roi_id = c->roi ? c->roi->id : -1;
  face->track_id = track_id;
  face->x = c->x;
  face->y = c->y;
  face->w = c->w;
  face->h = c->h;
  face->has_va = r->has_va;
  face->valence = r->valence;
  face->arousal = r->arousal;
  face->n_expr = MIN (r->n_expr, DDAMFN_MAX_EXPRESSIONS);
  face->expr_index = r->expr_index;
  memcpy (face->expr_probs, r->expr_probs,
      face->n_expr * sizeof (face->expr_probs[0]));
  if (r->expr_index >= 0 && r->expr_index < face->n_expr)
    face->expr_label = self->expr_labels[r->expr_index];
  face->n_au = MIN (r->n_au, DDAMFN_N_AU);
  memcpy (face->au_probs, r->au_probs,
      face->n_au * sizeof (face->au_probs[0]));
  face->au_active = r->au_active;
  for (gint k = 0; k < face->n_au; k++)
    face->au_names[k] = self->au_names[k];
}

static void
post_faces_message (GstDdamfnFilter * self, GstBuffer * buffer,
    const GstDdamfnFace * faces, guint n_faces)
{
  GstSegment *segment = &GST_BASE_TRANSFORM (self)->segment;
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
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), st));
}

/* The work on one frame: select faces, run the network on those that need
 * it as one batch, publish the results. FRAME is mapped read-only; its
 * buffer is writable (for the metas). */
static GstFlowReturn
gst_ddamfn_filter_analyse_frame (GstDdamfnFilter * self, GstVideoFrame * frame)
{
  GstBuffer *buffer = frame->buffer;
  GError *error = NULL;
  DdamfnImage image;
  Settings s;
  guint n, n_infer = 0;

  read_settings (self, &s);
  gst_ddamfn_collect_candidates (GST_OBJECT (self), buffer, s.roi_type,
      self->width, self->height, s.min_face_size, s.max_faces,
      self->candidates);
  n = self->candidates->len;

  /* Which faces continue which tracks, and which of them the network must
   * see on this frame. */
  g_array_set_size (self->boxes, n);
  g_array_set_size (self->track_ids, n);
  for (guint i = 0; i < n; i++) {
    const GstDdamfnCandidate *c = &g_array_index (self->candidates, GstDdamfnCandidate,
        i);
    DdamfnBox *box = &g_array_index (self->boxes, DdamfnBox, i);
    box->x = c->x;
    box->y = c->y;
    box->w = c->w;
    box->h = c->h;
  }
  ddamfn_tracker_update (self->tracker, (DdamfnBox *) self->boxes->data, n,
      (guint *) self->track_ids->data);

  g_array_set_size (self->infer_slots, 0);
  for (guint i = 0; i < n; i++) {
    guint id = g_array_index (self->track_ids, guint, i);
    if (ddamfn_tracker_needs_inference (self->tracker, id,
            s.inference_interval))
      g_array_append_val (self->infer_slots, i);
  }

  if (self->infer_slots->len > 0) {
    if (!ensure_input_capacity (self, self->infer_slots->len)) {
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
          ("Out of memory for %u faces", self->infer_slots->len), (NULL));
      return GST_FLOW_ERROR;
    }
    gst_ddamfn_image_from_frame (frame, self->pixel_format,
        self->yuv_matrix, &image);
    for (guint j = 0; j < self->infer_slots->len; j++) {
      gint i = g_array_index (self->infer_slots, gint, j);
      const GstDdamfnCandidate *c = &g_array_index (self->candidates, GstDdamfnCandidate,
        i);

      if (preprocess_face (self, &image, c, &s,
              self->input + (gsize) n_infer * DDAMFN_INPUT_FLOATS))
        g_array_index (self->infer_slots, gint, n_infer++) = i;
    }
  }

  if (n_infer > 0) {
    g_array_set_size (self->results, n_infer);
    if (!ddamfn_session_run (self->session, self->input, n_infer,
            (DdamfnResult *) self->results->data, &error)) {
      GST_ELEMENT_ERROR (self, LIBRARY, FAILED,
          ("DDAMFN inference failed: %s", error->message), (NULL));
      g_clear_error (&error);
      return GST_FLOW_ERROR;
    }
    for (guint j = 0; j < n_infer; j++) {
      gint i = g_array_index (self->infer_slots, gint, j);
      ddamfn_tracker_set_result (self->tracker,
          g_array_index (self->track_ids, guint, i),
          &g_array_index (self->results, DdamfnResult, j), s.smoothing);
    }
  }
  GST_LOG_OBJECT (self, "%u faces, %u through the network", n, n_infer);

  /* Publish: typed meta, ROI parameters, optional message. */
  g_array_set_size (self->faces, 0);
  for (guint i = 0; i < n; i++) {
    const GstDdamfnCandidate *c = &g_array_index (self->candidates, GstDdamfnCandidate,
        i);
    guint id = g_array_index (self->track_ids, guint, i);
    GstDdamfnFace face;
    DdamfnResult r;

    if (!ddamfn_tracker_get_result (self->tracker, id, &r, NULL))
      continue;                 /* could not be cropped, never analysed */
    face_from_result (self, c, id, &r, &face);
    gst_ddamfn_roi_set_result (c->roi,
        gst_ddamfn_face_to_structure (&face, "ddamfn"));
    g_array_append_val (self->faces, face);
  }

  gst_buffer_add_ddamfn_meta (buffer, (GstDdamfnFace *) self->faces->data,
      self->faces->len);

  if (s.post_messages)
    post_faces_message (self, buffer, (GstDdamfnFace *) self->faces->data,
        self->faces->len);

  return GST_FLOW_OK;
}

static GstFlowReturn
gst_ddamfn_filter_transform_ip (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  GstVideoFrame frame;
  GstFlowReturn ret;

  if (G_UNLIKELY (!filter->negotiated || self->session == NULL)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("received a buffer before caps were negotiated"));
    return GST_FLOW_NOT_NEGOTIATED;
  }

  /* NO_REF keeps the buffer writable for the metas. */
  if (!gst_video_frame_map (&frame, &filter->in_info, buffer,
          GST_MAP_READ | GST_VIDEO_FRAME_MAP_FLAG_NO_REF)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("buffer of %" G_GSIZE_FORMAT " bytes does not hold a %dx%d frame",
            gst_buffer_get_size (buffer), self->width, self->height));
    return GST_FLOW_ERROR;
  }
  ret = gst_ddamfn_filter_analyse_frame (self, &frame);
  gst_video_frame_unmap (&frame);
  return ret;
}
