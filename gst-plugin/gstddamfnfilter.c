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
 * #GstVideoRegionOfInterestMeta or (GStreamer 1.24 and later) as object
 * detection entries of the buffer's GstAnalyticsRelationMeta, whose type
 * matches #GstDdamfnFilter:roi-type; a face given both ways (linked by the
 * ROI's "analytics" parameter, od-id, or with the same type and box) is
 * analysed once. It runs the network on them (all faces of a frame as one
 * batch) and attaches the results: one #GstDdamfnMeta per buffer; per face
 * (GStreamer 1.24 and later) a classification entry (the expression labels
 * with their probabilities) and a tracking entry (the track id), both
 * related to the face's object detection entry (added for a face that came
 * as an ROI only); and a "ddamfn" structure in the parameters of each analysed ROI
 * with the fields valence and arousal (doubles, when the model predicts
 * them), expression (string), confidence (double), expression-probs (array
 * of doubles), au-probs (array of doubles) and au-active (array of AU names)
 * when the model has those heads, track-id (uint) and result-age (int:
 * how many frames ago the network saw the face for this result; -1, with
 * no other result field, for a face that has no result yet). Pixels are
 * passed through untouched.
 *
 * ROIs are clipped to the frame; ROIs empty after clipping or whose shorter
 * side is below #GstDdamfnFilter:min-face-size are skipped (and counted in
 * the debug log). The model's card (#GstDdamfnFilter:card,
 * #GstDdamfnFilter:preset, else the one the file brings or its shapes
 * choose) says how a face is cut: its input size, colour or grey, value
 * range and layout, and whether faces are aligned. For a model that
 * aligns (DDAMFN), a face whose ROI carries a "landmarks" parameter
 * structure is aligned on it: layout=blazeface (from ddamfnfacedetect:
 * x0, y0 … x5, y5 = eyes, nose tip, mouth centre, ears) or five points
 * x0, y0 … x4, y4 (eyes, nose tip, mouth corners), frame pixels; otherwise
 * the box, enlarged by #GstDdamfnFilter:crop-scale, is cropped. With
 * #GstDdamfnFilter:post-messages it also posts one "ddamfn" element message
 * per buffer (timestamp, stream-time, running-time, and the faces with the
 * fields above plus roi-id, x, y, w, h).
 *
 * By default a buffer leaves once the network has seen its faces. With
 * #GstDdamfnFilter:live the faces are cropped and handed to a worker thread
 * behind a bounded queue (#GstDdamfnFilter:queue-size; a newer frame
 * replaces the oldest waiting one), the buffer goes on at once, and each
 * face carries the newest finished result of its track with its age
 * (result-age -1: none yet). With "qos", buffers later than downstream can
 * use pass without inference and a QoS message is posted for each.
 *
 * Without #GstDdamfnFilter:model the element loads $DDAMFN_MODEL, else the
 * default the set-up installs in the project's data directory: DDAMFN++
 * AffectNet-8 when its checkpoints could be fetched, else the FER2013
 * mini-Xception.
 *
 * ## Example launch lines
 * |[
 * gst-launch-1.0 -m filesrc location=face.jpg ! jpegdec ! \
 *     ddamfnfacedetect ! ddamfnfilter post-messages=true ! fakesink
 * gst-launch-1.0 filesrc location=video.mkv ! decodebin ! videoconvert ! \
 *     ddamfnfacedetect ! ddamfnfilter model=enet_b0_8_va_mtl.onnx ! \
 *     ddamfnoverlay ! videoconvert ! autovideosink
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstddamfnfilter.h"
#include "gstddamfnfilterprops.h"
#include "gstddamfnframe.h"
#include "gstddamfnmodelcache.h"
#include "gstddamfnresult.h"
#include "gstddamfnqos.h"
#include "gstddamfnroi.h"
#include "gstddamfnengine.h"
#include "gstddamfntracks.h"
#include "gstddamfnworker.h"
#include "gstddamfnwatch.h"

#include <gst/ddamfn/gstddamfnmeta.h>
#include <ddamfn/ddamfn.h>

GST_DEBUG_CATEGORY (gst_ddamfn_filter_debug);
#define GST_CAT_DEFAULT gst_ddamfn_filter_debug

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

struct _GstDdamfnFilter
{
  GstVideoFilter parent;

  /* properties, protected by the object lock */
  gchar *model_path;
  gchar *card_path;
  gchar *preset;
  gchar *roi_type;
  GQuark roi_type_quark;        /* 0 = every ROI */
  guint min_face_size;
  guint max_faces;
  guint inference_interval;
  gdouble smoothing;
  gdouble crop_scale;
  guint n_threads;
  gboolean post_messages;
  gboolean live;
  guint queue_size;

  GstDdamfnQos qos;
  GstDdamfnWatch watch;         /* streaming thread: warnings once per stream */

  GstDdamfnEngine engine;       /* between start () and stop () */

  /* from set_info () */
  DdamfnPixelFormat pixel_format;
  DdamfnYuvMatrix yuv_matrix;
  gint width;
  gint height;

  /* per-buffer scratch, reused to keep allocation out of the stream */
  GArray *candidates;           /* GstDdamfnCandidate */
  GArray *faces;                /* GstDdamfnTrackedFace */
  GArray *published;            /* GstDdamfnFace */
};

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
  gboolean live;
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
static gboolean gst_ddamfn_filter_src_event (GstBaseTransform * trans,
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

  gst_ddamfn_filter_install_properties (gobject_class);

  gst_element_class_set_static_metadata (element_class,
      "DDAMFN facial affect", "Filter/Analyzer/Video",
      "Estimates expression, valence, arousal and action units of the faces "
      "marked by region-of-interest metas with DDAMFN or any affect model "
      "a model card describes",
      GST_DDAMFN_AUTHOR);

  gst_element_class_add_static_pad_template (element_class,
      &gst_ddamfn_filter_sink_template);
  gst_element_class_add_static_pad_template (element_class,
      &gst_ddamfn_filter_src_template);

  trans_class->start = GST_DEBUG_FUNCPTR (gst_ddamfn_filter_start);
  trans_class->stop = GST_DEBUG_FUNCPTR (gst_ddamfn_filter_stop);
  trans_class->sink_event = GST_DEBUG_FUNCPTR (gst_ddamfn_filter_sink_event);
  trans_class->src_event = GST_DEBUG_FUNCPTR (gst_ddamfn_filter_src_event);
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
  self->live = DEFAULT_LIVE;
  self->queue_size = DEFAULT_QUEUE_SIZE;
  gst_ddamfn_qos_init (&self->qos);

  self->candidates = g_array_new (FALSE, FALSE, sizeof (GstDdamfnCandidate));
  self->faces = g_array_new (FALSE, FALSE, sizeof (GstDdamfnTrackedFace));
  self->published = g_array_new (FALSE, FALSE, sizeof (GstDdamfnFace));

  /* Metadata is added in place; the pixels are never written. */
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), FALSE);
  /* An analyser should not skip frames behind the application's back; QoS
   * can be switched on with the "qos" property. */
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
    case PROP_CARD:
      g_free (self->card_path);
      self->card_path = g_value_dup_string (value);
      break;
    case PROP_PRESET:
      g_free (self->preset);
      self->preset = g_value_dup_string (value);
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
    case PROP_LIVE:
      self->live = g_value_get_boolean (value);
      break;
    case PROP_QUEUE_SIZE:
      self->queue_size = g_value_get_uint (value);
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
    case PROP_CARD:
      g_value_set_string (value, self->card_path);
      break;
    case PROP_PRESET:
      g_value_set_string (value, self->preset);
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
    case PROP_LIVE:
      g_value_set_boolean (value, self->live);
      break;
    case PROP_QUEUE_SIZE:
      g_value_set_uint (value, self->queue_size);
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
  g_free (self->card_path);
  g_free (self->preset);
  g_free (self->roi_type);
  g_array_unref (self->candidates);
  g_array_unref (self->faces);
  g_array_unref (self->published);
  gst_ddamfn_qos_clear (&self->qos);

  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static gboolean
gst_ddamfn_filter_start (GstBaseTransform * trans)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (trans);
  gchar *path, *card, *preset;
  guint n_threads, queue_size;
  gboolean live, ok;

  GST_OBJECT_LOCK (self);
  path = g_strdup (self->model_path);
  card = g_strdup (self->card_path);
  preset = g_strdup (self->preset);
  n_threads = self->n_threads;
  live = self->live;
  queue_size = self->queue_size;
  GST_OBJECT_UNLOCK (self);

  ok = gst_ddamfn_engine_start (&self->engine, GST_ELEMENT (self), path,
      card, preset, n_threads, live, queue_size);
  g_free (path);
  g_free (card);
  g_free (preset);
  if (!ok)
    return FALSE;
  gst_ddamfn_qos_reset (&self->qos);
  self->watch = (GstDdamfnWatch) { 0 };

  GST_INFO_OBJECT (self, "%s mode, %u threads", live ? "live" : "synchronous",
      n_threads);
  return TRUE;
}

static gboolean
gst_ddamfn_filter_stop (GstBaseTransform * trans)
{
  gst_ddamfn_engine_release (&GST_DDAMFN_FILTER (trans)->engine);
  return TRUE;
}

static gboolean
gst_ddamfn_filter_sink_event (GstBaseTransform * trans, GstEvent * event)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (trans);

  /* Serialized with the buffers: no transform runs concurrently. After a
   * flush the faces on screen are unrelated to the tracked ones. */
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP && self->engine.tracks) {
    GST_DEBUG_OBJECT (self, "flush: forgetting all tracks");
    gst_ddamfn_engine_reset (&self->engine);
    gst_ddamfn_qos_reset (&self->qos);
  }

  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* QoS events are handled here rather than by GstBaseTransform, which would
 * drop late buffers: this element passes them on and only skips the
 * network (gstddamfnqos.c). */
static gboolean
gst_ddamfn_filter_src_event (GstBaseTransform * trans, GstEvent * event)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (trans);

  if (GST_EVENT_TYPE (event) != GST_EVENT_QOS)
    return GST_BASE_TRANSFORM_CLASS (parent_class)->src_event (trans, event);

  gst_ddamfn_qos_update (&self->qos, event);
  return gst_pad_push_event (GST_BASE_TRANSFORM_SINK_PAD (trans), event);
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

  if (self->engine.tracks && (self->width != GST_VIDEO_INFO_WIDTH (in_info)
          || self->height != GST_VIDEO_INFO_HEIGHT (in_info))) {
    GST_DEBUG_OBJECT (self, "frame size changed: forgetting all tracks");
    gst_ddamfn_engine_reset (&self->engine);
  }

  self->pixel_format = pixel_format;
  self->yuv_matrix =
      gst_ddamfn_yuv_matrix_from_colorimetry (&in_info->colorimetry);
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
  s->live = self->engine.worker != NULL;
}

/* The duration of FRAME (from the buffer, else the caps, else 1/30 s). */
static GstClockTime
frame_duration (GstVideoFrame * frame)
{
  GstClockTime t = GST_BUFFER_DURATION (frame->buffer);

  if (GST_CLOCK_TIME_IS_VALID (t) && t > 0)
    return t;
  if (frame->info.fps_n > 0)
    return gst_util_uint64_scale (GST_SECOND, frame->info.fps_d,
        frame->info.fps_n);
  return GST_SECOND / 30;
}

static GstFlowReturn
inference_failed (GstDdamfnFilter * self, GError * error)
{
  GST_ELEMENT_ERROR (self, LIBRARY, FAILED,
      ("Inference failed: %s", error->message), (NULL));
  g_error_free (error);
  return GST_FLOW_ERROR;
}

/* Runs the network on this frame's faces: on the spot, or handed to the
 * worker in live mode (as many as it analyses in a frame's time). */
static GstFlowReturn
infer_faces (GstDdamfnFilter * self, GstVideoFrame * frame,
    const Settings * s)
{
  GError *error = NULL;
  GstDdamfnCrop crop = self->engine.crop;
  DdamfnImage image;
  GstDdamfnJob *job;
  guint n = self->faces->len;

  job = s->live ? gst_ddamfn_worker_get_job (self->engine.worker, n) : self->engine.job;
  if (job == NULL || !gst_ddamfn_job_reserve (job, n)) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Out of memory for %u faces", n), (NULL));
    return GST_FLOW_ERROR;
  }
  crop.crop_scale = s->crop_scale;
  gst_ddamfn_image_from_frame (frame, self->pixel_format, self->yuv_matrix,
      &image);
  gst_ddamfn_tracks_fill_job (self->engine.tracks, job, GST_OBJECT (self), &image,
      &crop, (const GstDdamfnTrackedFace *) self->faces->data, n,
      s->inference_interval, s->live ?
      gst_ddamfn_worker_get_budget (self->engine.worker, frame_duration (frame),
          n) : 0);
  GST_LOG_OBJECT (self, "%u faces, %u through the network", n, job->n_faces);

  if (s->live) {
    gst_ddamfn_tracks_submit (self->engine.tracks, self->engine.worker, job);
    return GST_FLOW_OK;
  }
  if (!gst_ddamfn_job_run (job, self->engine.session, &error))
    return inference_failed (self, error);
  gst_ddamfn_tracks_apply (self->engine.tracks, job, s->smoothing);
  return GST_FLOW_OK;
}

/* Attaches each face's current result (typed meta, ROI parameter,
 * optional message). Faces without a result are left out in synchronous
 * mode (they could not be cropped) and listed as such in live mode. */
static void
publish_faces (GstDdamfnFilter * self, GstBuffer * buffer, const Settings * s)
{
  g_array_set_size (self->published, 0);
  for (guint i = 0; i < self->faces->len; i++) {
    const GstDdamfnTrackedFace *f =
        &g_array_index (self->faces, GstDdamfnTrackedFace, i);
    GstDdamfnFace face;

    if (!gst_ddamfn_tracks_get_face (self->engine.tracks, f, &face) && !s->live)
      continue;
    if (f->roi.roi)
      gst_ddamfn_roi_set_result (f->roi.roi,
          gst_ddamfn_face_to_structure (&face, "ddamfn"));
    if (self->engine.analytics)
      gst_ddamfn_analytics_add_result (self->engine.analytics, buffer, &f->roi,
          &face);
    g_array_append_val (self->published, face);
  }

  gst_buffer_add_ddamfn_meta (buffer, (GstDdamfnFace *) self->published->data,
      self->published->len);
  if (s->post_messages)
    gst_ddamfn_post_faces_message (GST_ELEMENT (self),
        &GST_BASE_TRANSFORM (self)->segment, buffer,
        (GstDdamfnFace *) self->published->data, self->published->len);
}

/* The work on one frame: select and track the faces, run the network on
 * those that need it (unless the buffer is late), publish the results.
 * FRAME is mapped read-only; its buffer is writable (for the metas). */
static GstFlowReturn
gst_ddamfn_filter_analyse_frame (GstDdamfnFilter * self, GstVideoFrame * frame)
{
  GstBuffer *buffer = frame->buffer;
  GstFlowReturn ret = GST_FLOW_OK;
  GError *error = NULL;
  Settings s;

  read_settings (self, &s);
  gst_ddamfn_watch_buffer (&self->watch, GST_ELEMENT (self), buffer,
      s.roi_type);
  gst_ddamfn_collect_candidates (GST_OBJECT (self), buffer, s.roi_type,
      self->width, self->height, s.min_face_size, s.max_faces,
      self->candidates);
  g_array_set_size (self->faces, self->candidates->len);
  for (guint i = 0; i < self->candidates->len; i++)
    g_array_index (self->faces, GstDdamfnTrackedFace, i).roi =
        g_array_index (self->candidates, GstDdamfnCandidate, i);
  gst_ddamfn_tracks_update (self->engine.tracks,
      (GstDdamfnTrackedFace *) self->faces->data, self->faces->len);

  if (s.live && !gst_ddamfn_tracks_collect (self->engine.tracks, self->engine.worker,
          s.smoothing, &error))
    return inference_failed (self, error);
  if (self->faces->len > 0
      && !(gst_base_transform_is_qos_enabled (GST_BASE_TRANSFORM (self))
          && gst_ddamfn_qos_is_late (&self->qos, GST_ELEMENT (self),
              &GST_BASE_TRANSFORM (self)->segment, buffer)))
    ret = infer_faces (self, frame, &s);
  if (ret != GST_FLOW_OK)
    return ret;

  publish_faces (self, buffer, &s);
  gst_ddamfn_tracks_end_frame (self->engine.tracks);
  if (self->engine.analytics)
    gst_ddamfn_analytics_end_frame (self->engine.analytics);
  return GST_FLOW_OK;
}

static GstFlowReturn
gst_ddamfn_filter_transform_ip (GstBaseTransform * trans, GstBuffer * buffer)
{
  GstDdamfnFilter *self = GST_DDAMFN_FILTER (trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  GstVideoFrame frame;
  GstFlowReturn ret;

  if (G_UNLIKELY (!filter->negotiated)) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("received a buffer before caps were negotiated"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (G_UNLIKELY (self->engine.session == NULL || self->engine.tracks == NULL)) {
    GST_ELEMENT_ERROR (self, CORE, FAILED, (NULL),
        ("received a buffer with no model loaded (the element did not "
            "start)"));
    return GST_FLOW_ERROR;
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
