/* ddamfnjson — the results of ddamfnfilter as JSON, one record per buffer.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
/**
 * SECTION:element-ddamfnjson
 * @title: ddamfnjson
 *
 * Turns the #GstDdamfnMeta of each video buffer into a JSON record on its
 * source pad: one object per line (JSON Lines) with the fields schema
 * (the version of the record's schema, 2), source (#GstDdamfnJson:source:
 * the stream's name, by default the URI of the upstream source when it
 * answers a URI query, else null), frame (the index of the buffer since
 * the element started), timestamp and stream_time (seconds, null when
 * unknown) and faces, an array with, per face, track_id, roi_id, the box
 * x, y, w, h, score (the detector's confidence when its region of interest
 * carries one), result_age (frames; -1: no result yet), and valence,
 * arousal, expression, expression_index, confidence, expression_probs,
 * expression_labels (the model's names of the classes),
 * expression_canonical and canonical_probs (the classes mapped to one
 * canonical set for consumers that mix models), au_probs and au_active
 * (active AU names) when the model gives them. (source, frame) identifies
 * a record. docs/ddamfn-record.schema.json in the source tree is the JSON
 * Schema of the record and docs/json-records.md explains it;
 * ddamfn-analyze --jsonl writes the same face members with the same
 * serializer, gst_ddamfn_record_to_json().
 *
 * A buffer with face regions of interest (#GstDdamfnJson:roi-type) but no
 * #GstDdamfnMeta (a detector and no ddamfnfilter) gives records with each
 * face's box and score and no result (no track_id), and the element warns
 * once that nothing analyses the faces.
 *
 * Each output buffer keeps the timestamps of its video buffer. Buffers
 * without faces give a record with an empty faces array, or, with
 * #GstDdamfnJson:skip-empty, nothing (a gap event keeps downstream's
 * timeline going).
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=video.avi ! decodebin ! videoconvert ! \
 *     facedetect display=false ! ddamfnfilter ! tee name=t \
 *     t. ! queue ! ddamfnoverlay ! videoconvert ! autovideosink \
 *     t. ! queue ! ddamfnjson ! filesink location=faces.jsonl
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstddamfnjson.h"
#include "gstddamfnroi.h"

#include <gst/ddamfn/gstddamfnmeta.h>

#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_ddamfn_json_debug);
#define GST_CAT_DEFAULT gst_ddamfn_json_debug

enum
{
  PROP_0,
  PROP_SKIP_EMPTY,
  PROP_PRETTY,
  PROP_SOURCE,
  PROP_ROI_TYPE,
};

#define DEFAULT_SKIP_EMPTY FALSE
#define DEFAULT_PRETTY FALSE
#define DEFAULT_ROI_TYPE "face"

struct _GstDdamfnJson
{
  GstElement parent;

  GstPad *sinkpad;
  GstPad *srcpad;

  /* properties, protected by the object lock */
  gboolean skip_empty;
  gboolean pretty;
  gchar *source;
  gchar *roi_type;
  GQuark roi_quark;

  /* streaming thread */
  gchar *upstream_uri;          /* the answer to a URI query, or NULL */
  gboolean uri_queried;
  gboolean warned_unanalysed;
  gint width, height;           /* of the video, 0 when unknown */
  GArray *roi_faces;            /* GstDdamfnFace of faces without results */
  GArray *scores;               /* gdouble per face */
  guint64 frame;
  gboolean caps_sent;
  gboolean pretty_sent;         /* the format of the caps sent */
  GstSegment segment;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("video/x-raw(ANY)"));

/* jsonl: one record per line; pretty: each record indented over several
 * lines (a stream of JSON texts, no longer JSON Lines). */
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-json, format = (string) { jsonl, pretty }"));

#define gst_ddamfn_json_parent_class parent_class
G_DEFINE_TYPE (GstDdamfnJson, gst_ddamfn_json, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (ddamfnjson, "ddamfnjson",
    GST_RANK_NONE, GST_TYPE_DDAMFN_JSON,
    GST_DEBUG_CATEGORY_INIT (gst_ddamfn_json_debug, "ddamfnjson", 0,
        "DDAMFN results as JSON"));

static void gst_ddamfn_json_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_ddamfn_json_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static GstStateChangeReturn gst_ddamfn_json_change_state (GstElement *
    element, GstStateChange transition);
static GstFlowReturn gst_ddamfn_json_chain (GstPad * pad, GstObject * parent,
    GstBuffer * buffer);
static gboolean gst_ddamfn_json_sink_event (GstPad * pad, GstObject * parent,
    GstEvent * event);
static gboolean gst_ddamfn_json_sink_query (GstPad * pad, GstObject * parent,
    GstQuery * query);
static void gst_ddamfn_json_finalize (GObject * object);

static void
gst_ddamfn_json_class_init (GstDdamfnJsonClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_ddamfn_json_set_property;
  gobject_class->get_property = gst_ddamfn_json_get_property;
  gobject_class->finalize = gst_ddamfn_json_finalize;

  g_object_class_install_property (gobject_class, PROP_SKIP_EMPTY,
      g_param_spec_boolean ("skip-empty", "Skip empty frames",
          "Write nothing for buffers without faces (default: a record with "
          "an empty faces array)", DEFAULT_SKIP_EMPTY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_PRETTY,
      g_param_spec_boolean ("pretty", "Pretty",
          "Indent each record over several lines (caps format=pretty) "
          "instead of one record per line (format=jsonl)", DEFAULT_PRETTY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));

  g_object_class_install_property (gobject_class, PROP_SOURCE,
      g_param_spec_string ("source", "Source", "Name of the stream written "
          "in each record (a camera, a file), so that a consumer of many "
          "streams tells them apart; NULL: the URI of the upstream source "
          "when it answers a URI query (file:///..., rtsp://...), else null",
          NULL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  g_object_class_install_property (gobject_class, PROP_ROI_TYPE,
      g_param_spec_string ("roi-type", "ROI type",
          "Type of the regions of interest that are faces, for buffers "
          "without ddamfnfilter's results (written with box and score, no "
          "result); empty: any type", DEFAULT_ROI_TYPE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_PLAYING));

  gst_element_class_set_static_metadata (element_class,
      "DDAMFN results as JSON", "Formatter/Metadata",
      "Writes the facial affect results (GstDdamfnMeta) of each video "
      "buffer as one JSON record", "the gst-ddamfn authors");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  element_class->change_state =
      GST_DEBUG_FUNCPTR (gst_ddamfn_json_change_state);
}

static void
gst_ddamfn_json_init (GstDdamfnJson * self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_ddamfn_json_chain));
  gst_pad_set_event_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_ddamfn_json_sink_event));
  gst_pad_set_query_function (self->sinkpad,
      GST_DEBUG_FUNCPTR (gst_ddamfn_json_sink_query));
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);

  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_use_fixed_caps (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);

  self->skip_empty = DEFAULT_SKIP_EMPTY;
  self->pretty = DEFAULT_PRETTY;
  gst_ddamfn_roi_type_set (&self->roi_type, &self->roi_quark,
      DEFAULT_ROI_TYPE);
  self->roi_faces = g_array_new (FALSE, TRUE, sizeof (GstDdamfnFace));
  self->scores = g_array_new (FALSE, FALSE, sizeof (gdouble));
  gst_segment_init (&self->segment, GST_FORMAT_UNDEFINED);
}

static void
gst_ddamfn_json_finalize (GObject * object)
{
  GstDdamfnJson *self = GST_DDAMFN_JSON (object);

  g_free (self->source);
  g_free (self->roi_type);
  g_free (self->upstream_uri);
  g_array_unref (self->roi_faces);
  g_array_unref (self->scores);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_ddamfn_json_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstDdamfnJson *self = GST_DDAMFN_JSON (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SKIP_EMPTY:
      self->skip_empty = g_value_get_boolean (value);
      break;
    case PROP_PRETTY:
      self->pretty = g_value_get_boolean (value);
      break;
    case PROP_SOURCE:
      g_free (self->source);
      self->source = g_value_dup_string (value);
      break;
    case PROP_ROI_TYPE:
      gst_ddamfn_roi_type_set (&self->roi_type, &self->roi_quark,
          g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_ddamfn_json_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstDdamfnJson *self = GST_DDAMFN_JSON (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_SKIP_EMPTY:
      g_value_set_boolean (value, self->skip_empty);
      break;
    case PROP_PRETTY:
      g_value_set_boolean (value, self->pretty);
      break;
    case PROP_SOURCE:
      g_value_set_string (value, self->source);
      break;
    case PROP_ROI_TYPE:
      g_value_set_string (value, self->roi_type);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

static GstStateChangeReturn
gst_ddamfn_json_change_state (GstElement * element, GstStateChange transition)
{
  GstDdamfnJson *self = GST_DDAMFN_JSON (element);

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    self->frame = 0;
    self->caps_sent = FALSE;
    self->uri_queried = FALSE;
    self->warned_unanalysed = FALSE;
    self->width = self->height = 0;
    g_clear_pointer (&self->upstream_uri, g_free);
    gst_segment_init (&self->segment, GST_FORMAT_UNDEFINED);
  }
  return GST_ELEMENT_CLASS (parent_class)->change_state (element, transition);
}

/* Our caps instead of the video caps. */
static gboolean
send_caps (GstDdamfnJson * self, gboolean pretty)
{
  GstCaps *caps = gst_caps_new_simple ("application/x-json", "format",
      G_TYPE_STRING, pretty ? "pretty" : "jsonl", NULL);
  gboolean ok = gst_pad_push_event (self->srcpad, gst_event_new_caps (caps));

  gst_caps_unref (caps);
  self->caps_sent = ok;
  self->pretty_sent = pretty;
  return ok;
}

static gboolean
gst_ddamfn_json_sink_event (GstPad * pad, GstObject * parent,
    GstEvent * event)
{
  GstDdamfnJson *self = GST_DDAMFN_JSON (parent);
  gboolean pretty;

  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      GstStructure *st;

      gst_event_parse_caps (event, &caps);
      st = gst_caps_get_size (caps) > 0 ? gst_caps_get_structure (caps, 0)
          : NULL;
      self->width = self->height = 0;
      if (st && (!gst_structure_get_int (st, "width", &self->width)
              || !gst_structure_get_int (st, "height", &self->height)))
        self->width = self->height = 0;
      GST_OBJECT_LOCK (self);
      pretty = self->pretty;
      GST_OBJECT_UNLOCK (self);
      gst_event_unref (event);
      return send_caps (self, pretty);
    }
    case GST_EVENT_SEGMENT:
      gst_event_copy_segment (event, &self->segment);
      break;
    case GST_EVENT_FLUSH_STOP:
      gst_segment_init (&self->segment, GST_FORMAT_UNDEFINED);
      break;
    default:
      break;
  }
  return gst_pad_event_default (pad, parent, event);
}

/* Video queries (allocation, caps) are not for the JSON side. */
static gboolean
gst_ddamfn_json_sink_query (GstPad * pad, GstObject * parent,
    GstQuery * query)
{
  switch (GST_QUERY_TYPE (query)) {
    case GST_QUERY_ALLOCATION:
      return FALSE;
    case GST_QUERY_CAPS:{
      GstCaps *filter, *caps = gst_pad_get_pad_template_caps (pad);

      gst_query_parse_caps (query, &filter);
      if (filter) {
        GstCaps *both = gst_caps_intersect_full (filter, caps,
            GST_CAPS_INTERSECT_FIRST);
        gst_caps_unref (caps);
        caps = both;
      }
      gst_query_set_caps_result (query, caps);
      gst_caps_unref (caps);
      return TRUE;
    }
    default:
      return gst_pad_query_default (pad, parent, query);
  }
}

/* The stream's name: the source property, else the URI of the upstream
 * source (asked once per stream; filesrc, souphttpsrc, rtspsrc and
 * v4l2src answer), else NULL. */
static gchar *
current_source (GstDdamfnJson * self)
{
  gchar *source;

  if (!self->uri_queried) {
    GstQuery *query = gst_query_new_uri ();

    self->uri_queried = TRUE;
    if (gst_pad_peer_query (self->sinkpad, query)) {
      gchar *uri = NULL;

      gst_query_parse_uri (query, &uri);
      self->upstream_uri = uri;
      GST_DEBUG_OBJECT (self, "upstream URI %s", GST_STR_NULL (uri));
    }
    gst_query_unref (query);
  }
  GST_OBJECT_LOCK (self);
  source = g_strdup (self->source && *self->source ? self->source :
      self->upstream_uri);
  GST_OBJECT_UNLOCK (self);
  return source;
}

/* A detector's confidence in its region of interest ("detection" parameter,
 * "confidence" field, as ddamfnfacedetect writes it); NAN when absent. */
static gdouble
roi_score (GstVideoRegionOfInterestMeta * roi)
{
  GstStructure *st;
  gdouble v;

  if (roi == NULL)
    return NAN;
  st = gst_video_region_of_interest_meta_get_param (roi, "detection");
  if (st && gst_structure_get_double (st, "confidence", &v) && isfinite (v))
    return v;
  return NAN;
}

/* The region of interest with id ID when exactly one has it (some
 * detectors give every region the same id: then nothing is claimed). */
static GstVideoRegionOfInterestMeta *
unique_roi (GstBuffer * buffer, gint id)
{
  GstVideoRegionOfInterestMeta *found = NULL;
  gpointer state = NULL;
  GstMeta *m;

  while ((m = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) m;

    if (roi->id != id)
      continue;
    if (found)
      return NULL;
    found = roi;
  }
  return found;
}

/* The scores of the meta's faces, through their roi_id. */
static const gdouble *
meta_scores (GstDdamfnJson * self, GstBuffer * buffer, GstDdamfnMeta * meta)
{
  g_array_set_size (self->scores, meta->n_faces);
  for (guint i = 0; i < meta->n_faces; i++) {
    gint id = meta->faces[i].roi_id;

    g_array_index (self->scores, gdouble, i) = id < 0 ? NAN :
        roi_score (unique_roi (buffer, id));
  }
  return (const gdouble *) self->scores->data;
}

/* Faces a detector marked and nothing analysed: their box (clipped to
 * the frame when its size is known) and score, no result, no track. */
static guint
collect_roi_faces (GstDdamfnJson * self, GstBuffer * buffer)
{
  gpointer state = NULL;
  GstMeta *m;
  GQuark type;

  GST_OBJECT_LOCK (self);
  type = self->roi_quark;
  GST_OBJECT_UNLOCK (self);
  g_array_set_size (self->roi_faces, 0);
  g_array_set_size (self->scores, 0);
  while ((m = gst_buffer_iterate_meta_filtered (buffer, &state,
              GST_VIDEO_REGION_OF_INTEREST_META_API_TYPE))) {
    GstVideoRegionOfInterestMeta *roi = (GstVideoRegionOfInterestMeta *) m;
    GstDdamfnBox box = { (gint) roi->x, (gint) roi->y, (gint) roi->w,
      (gint) roi->h
    };
    GstDdamfnFace face;
    gdouble score;

    if (type != 0 && roi->roi_type != type)
      continue;
    if (self->width > 0 && self->height > 0) {
      if (!gst_ddamfn_box_clip (roi->x, roi->y, roi->w, roi->h, self->width,
              self->height, &box))
        continue;
    } else if (box.x < 0 || box.y < 0 || box.w <= 0 || box.h <= 0) {
      continue;
    }
    memset (&face, 0, sizeof (face));
    face.roi_id = roi->id;
    face.x = box.x;
    face.y = box.y;
    face.w = box.w;
    face.h = box.h;
    face.expr_index = -1;
    face.result_age = -1;
    score = roi_score (roi);
    g_array_append_val (self->roi_faces, face);
    g_array_append_val (self->scores, score);
  }
  return self->roi_faces->len;
}

static GstFlowReturn
gst_ddamfn_json_chain (G_GNUC_UNUSED GstPad * pad, GstObject * parent,
    GstBuffer * buffer)
{
  GstDdamfnJson *self = GST_DDAMFN_JSON (parent);
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buffer);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  const GstDdamfnFace *faces = NULL;
  const gdouble *scores = NULL;
  guint n_faces = 0;
  gboolean skip_empty, pretty;
  GstBuffer *out;
  gchar *text, *source;
  gsize len;
  guint64 frame = self->frame++;

  GST_OBJECT_LOCK (self);
  skip_empty = self->skip_empty;
  pretty = self->pretty;
  GST_OBJECT_UNLOCK (self);

  if (!self->caps_sent || self->pretty_sent != pretty) {
    if (!send_caps (self, pretty)) {
      gst_buffer_unref (buffer);
      return GST_FLOW_NOT_NEGOTIATED;
    }
  }

  if (meta) {
    faces = meta->faces;
    n_faces = meta->n_faces;
    scores = meta_scores (self, buffer, meta);
  } else if ((n_faces = collect_roi_faces (self, buffer)) > 0) {
    faces = (const GstDdamfnFace *) self->roi_faces->data;
    scores = (const gdouble *) self->scores->data;
    if (!self->warned_unanalysed) {
      self->warned_unanalysed = TRUE;
      GST_ELEMENT_WARNING (self, STREAM, FAILED,
          ("Faces were detected but nothing analysed them: the records carry "
              "their boxes without results. Put ddamfnfilter between the "
              "detector and ddamfnjson."),
          ("frame %" G_GUINT64_FORMAT ": %u face regions, no GstDdamfnMeta",
              frame, n_faces));
    }
  }

  if (n_faces == 0 && skip_empty) {
    if (GST_CLOCK_TIME_IS_VALID (pts))
      gst_pad_push_event (self->srcpad, gst_event_new_gap (pts,
              GST_BUFFER_DURATION (buffer)));
    gst_buffer_unref (buffer);
    return GST_FLOW_OK;
  }

  if (GST_CLOCK_TIME_IS_VALID (pts) && self->segment.format == GST_FORMAT_TIME)
    stream_time = gst_segment_to_stream_time (&self->segment,
        GST_FORMAT_TIME, pts);
  source = current_source (self);
  text = gst_ddamfn_record_to_json (source, frame, pts, stream_time, faces,
      scores, n_faces, pretty);
  g_free (source);
  len = strlen (text);
  text[len] = '\n';             /* the terminating NUL becomes the newline */
  out = gst_buffer_new_wrapped (text, len + 1);
  GST_BUFFER_PTS (out) = pts;
  GST_BUFFER_DTS (out) = GST_BUFFER_DTS (buffer);
  GST_BUFFER_DURATION (out) = GST_BUFFER_DURATION (buffer);
  GST_BUFFER_OFFSET (out) = frame;
  GST_BUFFER_OFFSET_END (out) = frame + 1;
  if (GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DISCONT))
    GST_BUFFER_FLAG_SET (out, GST_BUFFER_FLAG_DISCONT);
  gst_buffer_unref (buffer);

  return gst_pad_push (self->srcpad, out);
}
