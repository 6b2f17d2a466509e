/* ddamfnfacedetect — faces and six keypoints per face with BlazeFace.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-ddamfnfacedetect
 * @title: ddamfnfacedetect
 *
 * Finds faces with MediaPipe's BlazeFace detector (run by libddamfn, no
 * OpenCV) and attaches one #GstVideoRegionOfInterestMeta of type "face" per
 * face, each with its own id (0, 1, … within the buffer, most confident
 * first), clipped to the frame. Each ROI carries two parameter structures:
 *
 * - "detection": confidence (double, 0 … 1);
 * - "landmarks": layout (string "blazeface") and the six keypoints in frame
 *   pixels as doubles x0, y0 … x5, y5: the person's right eye, left eye,
 *   nose tip, mouth centre, right ear tragion, left ear tragion.
 *
 * With GStreamer 1.24 and later each face is also an object detection
 * entry (GstAnalyticsODMtd: type "face", the same box, the confidence) of
 * the buffer's GstAnalyticsRelationMeta, for consumers of the analytics
 * metadata such as objectdetectionoverlay; the ROI's "analytics" parameter
 * structure holds that entry's id (od-id, uint), and the keypoints stay in
 * the ROI's "landmarks" parameter.
 *
 * ddamfnfilter aligns faces on these keypoints. Pixels are passed through
 * untouched; RGB-family, I420 and NV12 frames are read directly.
 *
 * Without #GstDdamfnFaceDetect:model the installed full-range model is used
 * (models/fetch-detector.sh installs it).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=video.avi ! decodebin ! videoconvert ! \
 *     ddamfnfacedetect ! ddamfnfilter ! ddamfnoverlay ! videoconvert ! \
 *     autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstddamfnfacedetect.h"
#include "gstddamfnframe.h"
#include "gstddamfnanalytics.h"

#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_ddamfn_face_detect_debug);
#define GST_CAT_DEFAULT gst_ddamfn_face_detect_debug

#ifndef DDAMFN_MODEL_DIR
#error "DDAMFN_MODEL_DIR must be defined by the build"
#endif

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_MIN_CONFIDENCE,
  PROP_MAX_FACES,
  PROP_MIN_FACE_SIZE,
  PROP_NMS_THRESHOLD,
  PROP_INFERENCE_INTERVAL,
  PROP_TILES,
};

#define DEFAULT_MODEL_FILE "blazeface-full-range.safetensors"
#define DEFAULT_MIN_CONFIDENCE 0.5
#define DEFAULT_MAX_FACES 16
#define MAX_MAX_FACES 256
/* as ddamfnfilter's: smaller faces are not analysed there anyway */
#define DEFAULT_MIN_FACE_SIZE 16
#define DEFAULT_NMS_THRESHOLD 0.3
#define DEFAULT_INFERENCE_INTERVAL 1
#define MAX_INFERENCE_INTERVAL 10000
#define DEFAULT_TILES 1

/* the formats ddamfnfilter reads (alpha ignored) */
#define VIDEO_FORMATS \
  "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, NV12 }"

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS,
    GST_STATIC_CAPS (GST_VIDEO_CAPS_MAKE (VIDEO_FORMATS)));

#define gst_ddamfn_face_detect_parent_class parent_class
G_DEFINE_TYPE (GstDdamfnFaceDetect, gst_ddamfn_face_detect,
    GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (ddamfnfacedetect, "ddamfnfacedetect",
    GST_RANK_NONE, GST_TYPE_DDAMFN_FACE_DETECT,
    GST_DEBUG_CATEGORY_INIT (gst_ddamfn_face_detect_debug, "ddamfnfacedetect",
        0, "BlazeFace face detector"));

static void gst_ddamfn_face_detect_set_property (GObject * object,
    guint prop_id, const GValue * value, GParamSpec * pspec);
static void gst_ddamfn_face_detect_get_property (GObject * object,
    guint prop_id, GValue * value, GParamSpec * pspec);
static void gst_ddamfn_face_detect_finalize (GObject * object);
static gboolean gst_ddamfn_face_detect_start (GstBaseTransform * trans);
static gboolean gst_ddamfn_face_detect_stop (GstBaseTransform * trans);
static gboolean gst_ddamfn_face_detect_sink_event (GstBaseTransform * trans,
    GstEvent * event);
static gboolean gst_ddamfn_face_detect_set_info (GstVideoFilter * filter,
    GstCaps * incaps, GstVideoInfo * in_info, GstCaps * outcaps,
    GstVideoInfo * out_info);
static GstFlowReturn gst_ddamfn_face_detect_transform_ip (GstBaseTransform *
    trans, GstBuffer * buffer);

static void
gst_ddamfn_face_detect_class_init (GstDdamfnFaceDetectClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  gobject_class->set_property = gst_ddamfn_face_detect_set_property;
  gobject_class->get_property = gst_ddamfn_face_detect_get_property;
  gobject_class->finalize = gst_ddamfn_face_detect_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "BlazeFace model file (.safetensors from models/tflite-convert); "
          "unset or empty: the installed full-range model "
          DDAMFN_MODEL_DIR "/" DEFAULT_MODEL_FILE "; loaded when going to "
          "PAUSED", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MIN_CONFIDENCE,
      g_param_spec_double ("min-confidence", "Minimum confidence",
          "Report only faces the detector is at least this confident of",
          0.0, 1.0, DEFAULT_MIN_CONFIDENCE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MAX_FACES,
      g_param_spec_uint ("max-faces", "Maximum faces",
          "Report at most this many faces per frame; the most confident win",
          1, MAX_MAX_FACES, DEFAULT_MAX_FACES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_MIN_FACE_SIZE,
      g_param_spec_uint ("min-face-size", "Minimum face size",
          "Drop faces whose box is narrower or lower than this many pixels "
          "(16, as ddamfnfilter's: a smaller face holds too little detail "
          "for the affect network, and the filter would skip it)",
          0, G_MAXINT, DEFAULT_MIN_FACE_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_NMS_THRESHOLD,
      g_param_spec_double ("nms-threshold", "NMS threshold",
          "Detections overlapping a more confident one by at least this "
          "intersection over union are merged into it (weighted average)",
          0.0, 1.0, DEFAULT_NMS_THRESHOLD,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_INFERENCE_INTERVAL,
      g_param_spec_uint ("inference-interval", "Inference interval",
          "Run the detector every N frames and attach its last faces to the "
          "frames in between (1 = every frame)",
          1, MAX_INFERENCE_INTERVAL, DEFAULT_INFERENCE_INTERVAL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property (gobject_class, PROP_TILES,
      g_param_spec_uint ("tiles", "Tiles",
          "Besides the whole frame, also search an NxN grid of overlapping "
          "tiles, for small faces in large frames (1 = whole frame only; "
          "costs up to N*N more network runs)",
          1, DDAMFN_DETECTOR_MAX_TILES, DEFAULT_TILES,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "BlazeFace face detector", "Filter/Analyzer/Video",
      "Marks faces with region-of-interest metas carrying a confidence and "
      "six keypoints (eyes, nose tip, mouth centre, ears), with MediaPipe's "
      "BlazeFace network", GST_DDAMFN_AUTHOR);
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_ddamfn_face_detect_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_ddamfn_face_detect_stop);
  trans_class->sink_event =
      GST_DEBUG_FUNCPTR (gst_ddamfn_face_detect_sink_event);
  trans_class->passthrough_on_same_caps = FALSE;
  trans_class->transform_ip_on_passthrough = FALSE;
  /* the frame is mapped read-only (no copy of shared memory) */
  trans_class->transform_ip =
      GST_DEBUG_FUNCPTR (gst_ddamfn_face_detect_transform_ip);
  filter_class->set_info = GST_DEBUG_FUNCPTR (gst_ddamfn_face_detect_set_info);
}

static void
gst_ddamfn_face_detect_init (GstDdamfnFaceDetect * self)
{
  self->min_confidence = DEFAULT_MIN_CONFIDENCE;
  self->max_faces = DEFAULT_MAX_FACES;
  self->min_face_size = DEFAULT_MIN_FACE_SIZE;
  self->nms_threshold = DEFAULT_NMS_THRESHOLD;
  self->inference_interval = DEFAULT_INFERENCE_INTERVAL;
  self->tiles = DEFAULT_TILES;
  self->faces = g_new (DdamfnFace, MAX_MAX_FACES);
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), FALSE);
  /* no QoS by default, as ddamfnfilter and ddamfnoverlay: an analyser does
   * not drop frames behind the application's back ("qos" switches it on) */
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), FALSE);
}

static void
gst_ddamfn_face_detect_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstDdamfnFaceDetect *self = GST_DDAMFN_FACE_DETECT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free (self->model_path);
      self->model_path = g_value_dup_string (value);
      break;
    case PROP_MIN_CONFIDENCE:
      self->min_confidence = g_value_get_double (value);
      break;
    case PROP_MAX_FACES:
      self->max_faces = g_value_get_uint (value);
      break;
    case PROP_MIN_FACE_SIZE:
      self->min_face_size = g_value_get_uint (value);
      break;
    case PROP_NMS_THRESHOLD:
      self->nms_threshold = g_value_get_double (value);
      break;
    case PROP_INFERENCE_INTERVAL:
      self->inference_interval = g_value_get_uint (value);
      break;
    case PROP_TILES:
      self->tiles = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ddamfn_face_detect_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstDdamfnFaceDetect *self = GST_DDAMFN_FACE_DETECT (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->model_path);
      break;
    case PROP_MIN_CONFIDENCE:
      g_value_set_double (value, self->min_confidence);
      break;
    case PROP_MAX_FACES:
      g_value_set_uint (value, self->max_faces);
      break;
    case PROP_MIN_FACE_SIZE:
      g_value_set_uint (value, self->min_face_size);
      break;
    case PROP_NMS_THRESHOLD:
      g_value_set_double (value, self->nms_threshold);
      break;
    case PROP_INFERENCE_INTERVAL:
      g_value_set_uint (value, self->inference_interval);
      break;
    case PROP_TILES:
      g_value_set_uint (value, self->tiles);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ddamfn_face_detect_release (GstDdamfnFaceDetect * self)
{
  g_clear_pointer (&self->detector, ddamfn_detector_free);
  g_clear_pointer (&self->model, ddamfn_detector_model_unref);
  self->have_faces = FALSE;
}

static void
gst_ddamfn_face_detect_finalize (GObject * object)
{
  GstDdamfnFaceDetect *self = GST_DDAMFN_FACE_DETECT (object);

  gst_ddamfn_face_detect_release (self);
  g_free (self->model_path);
  g_free (self->faces);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static gboolean
gst_ddamfn_face_detect_start (GstBaseTransform * trans)
{
  GstDdamfnFaceDetect *self = GST_DDAMFN_FACE_DETECT (trans);
  GError *error = NULL;
  gchar *path;

  GST_OBJECT_LOCK (self);
  path = self->model_path && self->model_path[0]
      ? g_strdup (self->model_path)
      : g_build_filename (DDAMFN_MODEL_DIR, DEFAULT_MODEL_FILE, NULL);
  GST_OBJECT_UNLOCK (self);

  gst_ddamfn_face_detect_release (self);
  self->model = ddamfn_detector_model_open (path, &error);
  if (self->model != NULL)
    self->detector = ddamfn_detector_new (self->model, &error);
  if (self->detector == NULL) {
    if (g_error_matches (error, DDAMFN_ERROR, DDAMFN_ERROR_IO))
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not load the face detector model: %s", error->message),
          ("model: \"%s\"; models/fetch-detector.sh %s installs the default "
              "models", path, DDAMFN_MODEL_DIR));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid face detector model: %s", error->message),
          ("model: \"%s\"", path));
    g_clear_error (&error);
    g_free (path);
    gst_ddamfn_face_detect_release (self);
    return FALSE;
  }
  GST_INFO_OBJECT (self, "loaded %s (%s, %d×%d input, %d anchors)", path,
      ddamfn_detector_model_get_metadata (self->model, "variant"),
      ddamfn_detector_model_get_input_size (self->model),
      ddamfn_detector_model_get_input_size (self->model),
      ddamfn_detector_model_get_n_anchors (self->model));
  g_free (path);
  return TRUE;
}

static gboolean
gst_ddamfn_face_detect_stop (GstBaseTransform * trans)
{
  gst_ddamfn_face_detect_release (GST_DDAMFN_FACE_DETECT (trans));
  return TRUE;
}

static gboolean
gst_ddamfn_face_detect_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstDdamfnFaceDetect *self = GST_DDAMFN_FACE_DETECT (trans);

  /* after a flush the last faces belong to another picture */
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
    self->have_faces = FALSE;
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

static gboolean
gst_ddamfn_face_detect_set_info (GstVideoFilter * filter,
    G_GNUC_UNUSED GstCaps * incaps, GstVideoInfo * in_info,
    G_GNUC_UNUSED GstCaps * outcaps, G_GNUC_UNUSED GstVideoInfo * out_info)
{
  GstDdamfnFaceDetect *self = GST_DDAMFN_FACE_DETECT (filter);
  DdamfnPixelFormat pixel_format;

  if (!gst_ddamfn_pixel_format_from_video (GST_VIDEO_INFO_FORMAT (in_info),
          &pixel_format)) {
    GST_ERROR_OBJECT (self, "unsupported format %s",
        gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (in_info)));
    return FALSE;
  }
  self->pixel_format = pixel_format;
  self->yuv_matrix =
      gst_ddamfn_yuv_matrix_from_colorimetry (&in_info->colorimetry);
  self->width = GST_VIDEO_INFO_WIDTH (in_info);
  self->height = GST_VIDEO_INFO_HEIGHT (in_info);
  self->have_faces = FALSE;
  return TRUE;
}

/* The ROI of FACE clipped to the frame, with its two parameter
 * structures; nothing when nothing of the box is inside the frame. */
static void
attach_face (GstDdamfnFaceDetect * self, GstBuffer * buffer,
    const DdamfnFace * face, gint id)
{
  GstVideoRegionOfInterestMeta *roi;
  GstStructure *lm;
  double x0 = MAX (0.0, floor (face->box.x));
  double y0 = MAX (0.0, floor (face->box.y));
  double x1 = MIN ((double) self->width, ceil (face->box.x + face->box.w));
  double y1 = MIN ((double) self->height, ceil (face->box.y + face->box.h));

  if (!(x1 > x0 && y1 > y0))
    return;
  roi = gst_buffer_add_video_region_of_interest_meta (buffer, "face",
      (guint) x0, (guint) y0, (guint) (x1 - x0), (guint) (y1 - y0));
  roi->id = id;
  roi->parent_id = -1;
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new ("detection", "confidence", G_TYPE_DOUBLE,
          (gdouble) face->score, NULL));
  lm = gst_structure_new ("landmarks", "layout", G_TYPE_STRING, "blazeface",
      NULL);
  for (gint k = 0; k < DDAMFN_DETECTOR_N_KEYPOINTS; k++) {
    gchar xn[4], yn[4];

    g_snprintf (xn, sizeof xn, "x%d", k);
    g_snprintf (yn, sizeof yn, "y%d", k);
    gst_structure_set (lm, xn, G_TYPE_DOUBLE, (gdouble) face->keypoints[2 * k],
        yn, G_TYPE_DOUBLE, (gdouble) face->keypoints[2 * k + 1], NULL);
  }
  gst_video_region_of_interest_meta_add_param (roi, lm);
  gst_ddamfn_analytics_add_detection (buffer, roi, face->score);
}

static GstFlowReturn
detect (GstDdamfnFaceDetect * self, GstVideoFrame * frame)
{
  DdamfnDetectorOptions opt;
  DdamfnImage image;
  GError *error = NULL;
  guint interval;
  gint n;

  ddamfn_detector_options_init (&opt, self->model);
  GST_OBJECT_LOCK (self);
  opt.min_score = (float) self->min_confidence;
  opt.nms_iou = (float) self->nms_threshold;
  opt.max_faces = (int) self->max_faces;
  opt.min_face_size = (float) self->min_face_size;
  opt.tiles = (int) self->tiles;
  interval = self->inference_interval;
  GST_OBJECT_UNLOCK (self);

  if (self->have_faces && ++self->frames_since < interval)
    return GST_FLOW_OK;
  gst_ddamfn_image_from_frame (frame, self->pixel_format, self->yuv_matrix,
      &image);
  n = ddamfn_detector_detect (self->detector, &image, &opt, self->faces,
      MAX_MAX_FACES, &error);
  if (n < 0) {
    GST_ELEMENT_ERROR (self, LIBRARY, FAILED,
        ("Face detection failed: %s", error->message), (NULL));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
  self->n_faces = n;
  self->have_faces = TRUE;
  self->frames_since = 0;
  GST_LOG_OBJECT (self, "%d faces", n);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_ddamfn_face_detect_transform_ip (GstBaseTransform * trans,
    GstBuffer * buffer)
{
  GstDdamfnFaceDetect *self = GST_DDAMFN_FACE_DETECT (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  GstVideoFrame frame;
  GstFlowReturn ret;

  if (G_UNLIKELY (!filter->negotiated || self->detector == NULL)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("received a buffer before caps were negotiated"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  /* NO_REF keeps the buffer writable for the metas */
  if (!gst_video_frame_map (&frame, &filter->in_info, buffer,
          GST_MAP_READ | GST_VIDEO_FRAME_MAP_FLAG_NO_REF)) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, (NULL),
        ("buffer of %" G_GSIZE_FORMAT " bytes does not hold a %dx%d frame",
            gst_buffer_get_size (buffer), self->width, self->height));
    return GST_FLOW_ERROR;
  }
  ret = detect (self, &frame);
  gst_video_frame_unmap (&frame);
  if (ret == GST_FLOW_OK)
    for (gint i = 0; i < self->n_faces; i++)
      attach_face (self, buffer, &self->faces[i], i);
  return ret;
}
