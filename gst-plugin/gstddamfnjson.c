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
 * source pad: one object per line (JSON Lines) with the fields frame (the
 * index of the buffer since the element started), timestamp and
 * stream_time (seconds, null when unknown) and faces, an array with, per
 * face, track_id, roi_id, the box x, y, w, h, result_age (frames; -1: no
 * result yet), and valence, arousal, expression, expression_index,
 * confidence, expression_probs, au_probs and au_active (active AU names)
 * when the model gives them. docs/ddamfn-record.schema.json in the source
 * tree is the JSON Schema of the record; ddamfn-analyze --jsonl writes
 * the same face members with the same serializer,
 * gst_ddamfn_meta_to_json().
 *
 * Each output buffer keeps the timestamps of its video buffer. Buffers
 * without faces give a record with an empty faces array, or, with
 * #GstDdamfnJson:skip-empty, nothing (a gap event keeps downstream's
 * timeline going). A buffer without a #GstDdamfnMeta counts as one
 * without faces.
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

#include <gst/ddamfn/gstddamfnmeta.h>

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_ddamfn_json_debug);
#define GST_CAT_DEFAULT gst_ddamfn_json_debug

enum
{
  PROP_0,
  PROP_SKIP_EMPTY,
  PROP_PRETTY,
};

#define DEFAULT_SKIP_EMPTY FALSE
#define DEFAULT_PRETTY FALSE

struct _GstDdamfnJson
{
  GstElement parent;

  GstPad *sinkpad;
  GstPad *srcpad;

  /* properties, protected by the object lock */
  gboolean skip_empty;
  gboolean pretty;

  /* streaming thread */
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

static void
gst_ddamfn_json_class_init (GstDdamfnJsonClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_ddamfn_json_set_property;
  gobject_class->get_property = gst_ddamfn_json_get_property;

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
  gst_segment_init (&self->segment, GST_FORMAT_UNDEFINED);
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
    case GST_EVENT_CAPS:
      GST_OBJECT_LOCK (self);
      pretty = self->pretty;
      GST_OBJECT_UNLOCK (self);
      gst_event_unref (event);
      return send_caps (self, pretty);
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

static GstFlowReturn
gst_ddamfn_json_chain (G_GNUC_UNUSED GstPad * pad, GstObject * parent,
    GstBuffer * buffer)
{
  GstDdamfnJson *self = GST_DDAMFN_JSON (parent);
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (buffer);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  GstClockTime stream_time = GST_CLOCK_TIME_NONE;
  guint n_faces = meta ? meta->n_faces : 0;
  gboolean skip_empty, pretty;
  GstBuffer *out;
  gchar *text;
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
  text = gst_ddamfn_meta_to_json (meta ? meta->faces : NULL, n_faces, frame,
      pts, stream_time, pretty);
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
