/* ddamfnpublish — ddamfnjson's records to an MQTT broker.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GStreamer glue only: the queue is gstddamfnpubqueue.c, the connection
 * and the sending gstddamfnmqtt.c. render () only puts the record in the
 * queue; the network runs on libmosquitto's thread and our sender thread.
 */
/**
 * SECTION:element-ddamfnpublish
 * @title: ddamfnpublish
 *
 * Publishes each record of ddamfnjson (one buffer, one record) as one MQTT
 * message on the topic of #GstDdamfnPublish:uri
 * (mqtt://HOST[:PORT]/TOPIC, or mqtts:// for TLS), with QoS
 * #GstDdamfnPublish:qos. The element is also made from such a URI
 * (gst_element_make_from_uri ()).
 *
 * Nothing is lost without saying so. Records wait in a queue bounded by
 * #GstDdamfnPublish:max-records and #GstDdamfnPublish:max-bytes while the
 * broker is unreachable, and optionally beyond that in
 * #GstDdamfnPublish:spool-dir (one file per record; records a previous run
 * left there are sent first); on reconnection they leave in order. When
 * the queue is full, #GstDdamfnPublish:policy decides: block upstream, or
 * drop the oldest with a warning. A record in flight when the link fell
 * is sent again, so a subscriber may see it twice: (source, frame) of the
 * record identifies it. At EOS the element waits, up to
 * #GstDdamfnPublish:eos-timeout, until the broker acknowledged every
 * record, then posts an element message "ddamfnpublish" with the counters
 * (accepted, sent, acknowledged, dropped, requeued, spooled, recovered,
 * queued, spool-records, in-flight, reconnects, complete); the
 * #GstDdamfnPublish:stats property has them at any time. With QoS 0
 * "acknowledged" means written to the connection.
 *
 * Wrong settings (a bad URI, a topic with wildcards, an unknown host, a
 * closed port, a missing CA file, a broker that refuses) are element
 * errors when the element starts, within #GstDdamfnPublish:connect-timeout.
 * A broker that goes away later is a warning; the element reconnects.
 *
 * ## Example launch line
 * |[
 * gst-launch-1.0 filesrc location=cam1.avi ! decodebin ! videoconvert ! \
 *     ddamfnfacedetect ! ddamfnfilter ! ddamfnjson source=cam1 ! \
 *     ddamfnpublish uri=mqtt://127.0.0.1:1883/faces/cam1
 * ]|
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstddamfnpublish.h"

#include "gstddamfnmqtt.h"
#include "gstddamfnpubqueue.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_ddamfn_publish_debug);
#define GST_CAT_DEFAULT gst_ddamfn_publish_debug

enum
{
  PROP_0,
  PROP_URI,
  PROP_QOS,
  PROP_CLIENT_ID,
  PROP_USERNAME,
  PROP_PASSWORD,
  PROP_CA_FILE,
  PROP_MAX_RECORDS,
  PROP_MAX_BYTES,
  PROP_POLICY,
  PROP_SPOOL_DIR,
  PROP_MAX_SPOOL_BYTES,
  PROP_EOS_TIMEOUT,
  PROP_CONNECT_TIMEOUT,
  PROP_KEEPALIVE,
  PROP_MAX_IN_FLIGHT,
  PROP_STATS,
};

#define DEFAULT_QOS 1
#define DEFAULT_MAX_RECORDS 1000
#define DEFAULT_MAX_BYTES (16 * 1024 * 1024)
#define DEFAULT_POLICY GST_DDAMFN_PUBLISH_POLICY_BLOCK
#define DEFAULT_MAX_SPOOL_BYTES (G_GUINT64_CONSTANT (1) << 30)
#define DEFAULT_EOS_TIMEOUT 10000
#define DEFAULT_CONNECT_TIMEOUT 5000
#define DEFAULT_KEEPALIVE 10
#define DEFAULT_MAX_IN_FLIGHT 20
/* at most one drop warning per this many microseconds */
#define DROP_WARNING_INTERVAL (5 * G_TIME_SPAN_SECOND)

struct _GstDdamfnPublish
{
  GstBaseSink parent;

  /* properties, object lock */
  gchar *uri;
  gint qos;
  gchar *client_id;
  gchar *username;
  gchar *password;
  gchar *ca_file;
  guint max_records;
  guint64 max_bytes;
  GstDdamfnPublishPolicy policy;
  gchar *spool_dir;
  guint64 max_spool_bytes;
  guint eos_timeout;
  guint connect_timeout;
  guint keepalive;
  guint max_in_flight;

  /* between start and stop (set and cleared under the object lock) */
  GstDdamfnPubQueue *queue;
  GstDdamfnMqttLink *link;
  /* the counters at stop, for the stats property afterwards */
  GstDdamfnPubStats last_stats;
  guint last_reconnects;
  gint64 last_drop_warning;
  guint64 dropped_warned;
};

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK,
    GST_PAD_ALWAYS,
    GST_STATIC_CAPS ("application/x-json"));

GType
gst_ddamfn_publish_policy_get_type (void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
    {GST_DDAMFN_PUBLISH_POLICY_BLOCK, "Upstream waits until there is room",
        "block"},
    {GST_DDAMFN_PUBLISH_POLICY_DROP_OLDEST,
        "Drop the oldest waiting record (counted, with a warning)",
        "drop-oldest"},
    {0, NULL, NULL}
  };

  if (g_once_init_enter (&type)) {
    GType t = g_enum_register_static ("GstDdamfnPublishPolicy", values);
    g_once_init_leave (&type, t);
  }
  return (GType) type;
}

#define gst_ddamfn_publish_parent_class parent_class
G_DEFINE_TYPE_WITH_CODE (GstDdamfnPublish, gst_ddamfn_publish,
    GST_TYPE_BASE_SINK, G_IMPLEMENT_INTERFACE (GST_TYPE_URI_HANDLER,
        gst_ddamfn_publish_uri_handler_init));
GST_ELEMENT_REGISTER_DEFINE_WITH_CODE (ddamfnpublish, "ddamfnpublish",
    GST_RANK_NONE, GST_TYPE_DDAMFN_PUBLISH,
    GST_DEBUG_CATEGORY_INIT (gst_ddamfn_publish_debug, "ddamfnpublish", 0,
        "DDAMFN records to an MQTT broker"));

static void gst_ddamfn_publish_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec);
static void gst_ddamfn_publish_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec);
static void gst_ddamfn_publish_finalize (GObject * object);
static gboolean gst_ddamfn_publish_start (GstBaseSink * sink);
static gboolean gst_ddamfn_publish_stop (GstBaseSink * sink);
static gboolean gst_ddamfn_publish_unlock (GstBaseSink * sink);
static gboolean gst_ddamfn_publish_unlock_stop (GstBaseSink * sink);
static gboolean gst_ddamfn_publish_event (GstBaseSink * sink,
    GstEvent * event);
static GstFlowReturn gst_ddamfn_publish_render (GstBaseSink * sink,
    GstBuffer * buffer);

#define PARAM_FLAGS (G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | \
    GST_PARAM_MUTABLE_READY)

static void
install_properties (GObjectClass * gobject_class)
{
  g_object_class_install_property (gobject_class, PROP_URI,
      g_param_spec_string ("uri", "URI", "Broker and topic: "
          "mqtt://[USER[:PASSWORD]@]HOST[:PORT]/TOPIC, mqtts:// for TLS "
          "(ports 1883 and 8883 by default); the topic has no wildcards",
          NULL, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_QOS,
      g_param_spec_int ("qos", "QoS", "MQTT quality of service: 0 at most "
          "once (no acknowledgement), 1 at least once, 2 exactly once "
          "between this element and the broker", 0, 2, DEFAULT_QOS,
          PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_CLIENT_ID,
      g_param_spec_string ("client-id", "Client id", "MQTT client "
          "identifier (NULL: a random one); two clients with the same id "
          "push each other off the broker", NULL, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_USERNAME,
      g_param_spec_string ("username", "User name", "User name for the "
          "broker (NULL: the URI's, if any)", NULL, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_PASSWORD,
      g_param_spec_string ("password", "Password", "Password for the broker "
          "(NULL: the URI's, if any); write-only", NULL,
          G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS |
          GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_CA_FILE,
      g_param_spec_string ("ca-file", "CA file", "PEM file of the "
          "certificate authorities that sign the broker's certificate "
          "(mqtts://; NULL: the system's)", NULL, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_MAX_RECORDS,
      g_param_spec_uint ("max-records", "Max records", "Most records waiting "
          "in memory for the broker", 1, G_MAXINT, DEFAULT_MAX_RECORDS,
          PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_MAX_BYTES,
      g_param_spec_uint64 ("max-bytes", "Max bytes", "Most bytes of records "
          "waiting in memory for the broker", 1, G_MAXUINT64,
          DEFAULT_MAX_BYTES, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_POLICY,
      g_param_spec_enum ("policy", "Policy", "What happens when the queue "
          "(memory, then the spool) is full: block upstream, or drop the "
          "oldest waiting record with a warning",
          GST_TYPE_DDAMFN_PUBLISH_POLICY, DEFAULT_POLICY, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_SPOOL_DIR,
      g_param_spec_string ("spool-dir", "Spool directory", "Directory (made "
          "if missing) for the records that do not fit in memory and for "
          "those still waiting when the element stops; records found there "
          "are sent first. One directory per element. NULL: no spool",
          NULL, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_MAX_SPOOL_BYTES,
      g_param_spec_uint64 ("max-spool-bytes", "Max spool bytes", "Most bytes "
          "of records in the spool directory", 1, G_MAXUINT64,
          DEFAULT_MAX_SPOOL_BYTES, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_EOS_TIMEOUT,
      g_param_spec_uint ("eos-timeout", "EOS time-out", "At EOS, how long "
          "to wait (ms) for the broker to acknowledge every record before "
          "passing EOS on", 0, G_MAXINT, DEFAULT_EOS_TIMEOUT, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_CONNECT_TIMEOUT,
      g_param_spec_uint ("connect-timeout", "Connect time-out", "At start, "
          "how long (ms) the broker may take to accept the connection "
          "before that is an error", 100, G_MAXINT, DEFAULT_CONNECT_TIMEOUT,
          PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_KEEPALIVE,
      g_param_spec_uint ("keepalive", "Keep-alive", "MQTT keep-alive (s): "
          "a silent link is found dead after about 1.5 times this", 5,
          65535, DEFAULT_KEEPALIVE, PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_MAX_IN_FLIGHT,
      g_param_spec_uint ("max-in-flight", "Max in flight", "Most records "
          "sent and not yet acknowledged", 1, 65535, DEFAULT_MAX_IN_FLIGHT,
          PARAM_FLAGS));
  g_object_class_install_property (gobject_class, PROP_STATS,
      g_param_spec_boxed ("stats", "Statistics", "Counters: accepted, sent, "
          "acknowledged, dropped, requeued, spooled, recovered, and what "
          "waits now: queued, spool-records, in-flight; reconnects",
          GST_TYPE_STRUCTURE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
}

static void
gst_ddamfn_publish_class_init (GstDdamfnPublishClass * klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *sink_class = GST_BASE_SINK_CLASS (klass);

  gobject_class->set_property = gst_ddamfn_publish_set_property;
  gobject_class->get_property = gst_ddamfn_publish_get_property;
  gobject_class->finalize = gst_ddamfn_publish_finalize;
  install_properties (gobject_class);

  gst_element_class_set_static_metadata (element_class,
      "DDAMFN records to MQTT", "Sink/Network",
      "Publishes ddamfnjson records to an MQTT broker, with a bounded queue, "
      "an optional spool and counters", "the gst-ddamfn authors");
  gst_element_class_add_static_pad_template (element_class, &sink_template);

  sink_class->start = GST_DEBUG_FUNCPTR (gst_ddamfn_publish_start);
  sink_class->stop = GST_DEBUG_FUNCPTR (gst_ddamfn_publish_stop);
  sink_class->unlock = GST_DEBUG_FUNCPTR (gst_ddamfn_publish_unlock);
  sink_class->unlock_stop = GST_DEBUG_FUNCPTR (gst_ddamfn_publish_unlock_stop);
  sink_class->event = GST_DEBUG_FUNCPTR (gst_ddamfn_publish_event);
  sink_class->render = GST_DEBUG_FUNCPTR (gst_ddamfn_publish_render);

  gst_type_mark_as_plugin_api (GST_TYPE_DDAMFN_PUBLISH_POLICY, 0);
}

static void
gst_ddamfn_publish_init (GstDdamfnPublish * self)
{
  self->qos = DEFAULT_QOS;
  self->max_records = DEFAULT_MAX_RECORDS;
  self->max_bytes = DEFAULT_MAX_BYTES;
  self->policy = DEFAULT_POLICY;
  self->max_spool_bytes = DEFAULT_MAX_SPOOL_BYTES;
  self->eos_timeout = DEFAULT_EOS_TIMEOUT;
  self->connect_timeout = DEFAULT_CONNECT_TIMEOUT;
  self->keepalive = DEFAULT_KEEPALIVE;
  self->max_in_flight = DEFAULT_MAX_IN_FLIGHT;
  /* records go out as they come, not at their presentation time */
  gst_base_sink_set_sync (GST_BASE_SINK (self), FALSE);
}

static void
gst_ddamfn_publish_finalize (GObject * object)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (object);

  g_free (self->uri);
  g_free (self->client_id);
  g_free (self->username);
  if (self->password)
    memset (self->password, 0, strlen (self->password));
  g_free (self->password);
  g_free (self->ca_file);
  g_free (self->spool_dir);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
replace_string (gchar ** field, const GValue * value)
{
  g_free (*field);
  *field = g_value_dup_string (value);
}

static void
gst_ddamfn_publish_set_property (GObject * object, guint prop_id,
    const GValue * value, GParamSpec * pspec)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URI:
      replace_string (&self->uri, value);
      break;
    case PROP_QOS:
      self->qos = g_value_get_int (value);
      break;
    case PROP_CLIENT_ID:
      replace_string (&self->client_id, value);
      break;
    case PROP_USERNAME:
      replace_string (&self->username, value);
      break;
    case PROP_PASSWORD:
      if (self->password)
        memset (self->password, 0, strlen (self->password));
      replace_string (&self->password, value);
      break;
    case PROP_CA_FILE:
      replace_string (&self->ca_file, value);
      break;
    case PROP_MAX_RECORDS:
      self->max_records = g_value_get_uint (value);
      break;
    case PROP_MAX_BYTES:
      self->max_bytes = g_value_get_uint64 (value);
      break;
    case PROP_POLICY:
      self->policy = g_value_get_enum (value);
      break;
    case PROP_SPOOL_DIR:
      replace_string (&self->spool_dir, value);
      break;
    case PROP_MAX_SPOOL_BYTES:
      self->max_spool_bytes = g_value_get_uint64 (value);
      break;
    case PROP_EOS_TIMEOUT:
      self->eos_timeout = g_value_get_uint (value);
      break;
    case PROP_CONNECT_TIMEOUT:
      self->connect_timeout = g_value_get_uint (value);
      break;
    case PROP_KEEPALIVE:
      self->keepalive = g_value_get_uint (value);
      break;
    case PROP_MAX_IN_FLIGHT:
      self->max_in_flight = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* The counters as a structure; the object lock is held. */
static GstStructure *
stats_structure (GstDdamfnPublish * self, const gchar * name)
{
  GstDdamfnPubStats st = self->last_stats;
  guint reconnects = self->last_reconnects;

  if (self->queue)
    gst_ddamfn_pub_queue_get_stats (self->queue, &st);
  if (self->link)
    reconnects = gst_ddamfn_mqtt_link_get_reconnects (self->link);
  return gst_structure_new (name,
      "accepted", G_TYPE_UINT64, st.accepted,
      "sent", G_TYPE_UINT64, st.sent,
      "acknowledged", G_TYPE_UINT64, st.acknowledged,
      "dropped", G_TYPE_UINT64, st.dropped,
      "requeued", G_TYPE_UINT64, st.requeued,
      "spooled", G_TYPE_UINT64, st.spooled,
      "recovered", G_TYPE_UINT64, st.recovered,
      "queued", G_TYPE_UINT, st.queued,
      "spool-records", G_TYPE_UINT, st.spool_records,
      "in-flight", G_TYPE_UINT, st.in_flight,
      "reconnects", G_TYPE_UINT, reconnects, NULL);
}

static void
gst_ddamfn_publish_get_property (GObject * object, guint prop_id,
    GValue * value, GParamSpec * pspec)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (object);

  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_URI:
      g_value_set_string (value, self->uri);
      break;
    case PROP_QOS:
      g_value_set_int (value, self->qos);
      break;
    case PROP_CLIENT_ID:
      g_value_set_string (value, self->client_id);
      break;
    case PROP_USERNAME:
      g_value_set_string (value, self->username);
      break;
    case PROP_CA_FILE:
      g_value_set_string (value, self->ca_file);
      break;
    case PROP_MAX_RECORDS:
      g_value_set_uint (value, self->max_records);
      break;
    case PROP_MAX_BYTES:
      g_value_set_uint64 (value, self->max_bytes);
      break;
    case PROP_POLICY:
      g_value_set_enum (value, self->policy);
      break;
    case PROP_SPOOL_DIR:
      g_value_set_string (value, self->spool_dir);
      break;
    case PROP_MAX_SPOOL_BYTES:
      g_value_set_uint64 (value, self->max_spool_bytes);
      break;
    case PROP_EOS_TIMEOUT:
      g_value_set_uint (value, self->eos_timeout);
      break;
    case PROP_CONNECT_TIMEOUT:
      g_value_set_uint (value, self->connect_timeout);
      break;
    case PROP_KEEPALIVE:
      g_value_set_uint (value, self->keepalive);
      break;
    case PROP_MAX_IN_FLIGHT:
      g_value_set_uint (value, self->max_in_flight);
      break;
    case PROP_STATS:
      g_value_take_boxed (value, stats_structure (self, "ddamfnpublish"));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
      break;
  }
  GST_OBJECT_UNLOCK (self);
}

/* --- link events (network thread) ------------------------------------ */

static void
on_link_changed (gpointer data, gboolean connected, guint reconnects,
    const gchar * reason)
{
  GstDdamfnPublish *self = data;

  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self),
          gst_structure_new ("ddamfnpublish-link", "connected",
              G_TYPE_BOOLEAN, connected, "reconnects", G_TYPE_UINT,
              reconnects, "reason", G_TYPE_STRING, reason, NULL)));
  if (connected) {
    GST_INFO_OBJECT (self, "connected again (%u reconnections)", reconnects);
  } else {
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
        ("Lost the connection to the MQTT broker (%s); records wait in the "
            "queue until it comes back.", reason), (NULL));
  }
}

static void
on_problem (gpointer data, const gchar * message)
{
  GstDdamfnPublish *self = data;

  GST_ELEMENT_WARNING (self, RESOURCE, WRITE, ("%s", message), (NULL));
}

static const GstDdamfnMqttEvents link_events = {
  on_link_changed, on_problem
};

/* --- start, stop ----------------------------------------------------- */

static void
post_start_error (GstDdamfnPublish * self, GError * error)
{
  if (error->domain == GST_DDAMFN_MQTT_ERROR
      && error->code == GST_DDAMFN_MQTT_ERROR_RESOLVE) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("%s", error->message),
        (NULL));
  } else if (error->domain == GST_DDAMFN_MQTT_ERROR
      && error->code == GST_DDAMFN_MQTT_ERROR_SETTINGS) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message),
        (NULL));
  } else {
    GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("%s", error->message),
        (NULL));
  }
}

static gboolean
gst_ddamfn_publish_start (GstBaseSink * sink)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (sink);
  GstDdamfnMqttSettings s = { 0 };
  GstDdamfnPubQueue *queue = NULL;
  GstDdamfnMqttLink *link = NULL;
  GError *error = NULL;
  gchar *uri, *client_id, *username, *password, *ca_file, *spool_dir;
  guint max_records;
  guint64 max_bytes, max_spool_bytes;
  GstDdamfnPublishPolicy policy;

  GST_OBJECT_LOCK (self);
  uri = g_strdup (self->uri);
  client_id = g_strdup (self->client_id);
  username = g_strdup (self->username);
  password = g_strdup (self->password);
  ca_file = g_strdup (self->ca_file);
  spool_dir = g_strdup (self->spool_dir);
  max_records = self->max_records;
  max_bytes = self->max_bytes;
  max_spool_bytes = self->max_spool_bytes;
  policy = self->policy;
  s.qos = self->qos;
  s.keepalive = self->keepalive;
  s.connect_timeout_ms = self->connect_timeout;
  s.max_in_flight = self->max_in_flight;
  memset (&self->last_stats, 0, sizeof (self->last_stats));
  self->last_reconnects = 0;
  self->last_drop_warning = 0;
  self->dropped_warned = 0;
  GST_OBJECT_UNLOCK (self);

  s.client_id = client_id;
  s.user = username;
  s.password = password;
  s.ca_file = ca_file;
  if (uri == NULL) {
    g_set_error (&error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_SETTINGS, "No uri set: ddamfnpublish needs "
        "uri=mqtt://HOST[:PORT]/TOPIC");
  } else if (gst_ddamfn_mqtt_uri_parse (uri, &s.uri, &error)) {
    queue = gst_ddamfn_pub_queue_new (max_records, max_bytes,
        (GstDdamfnPubPolicy) policy, spool_dir, max_spool_bytes, &error);
    if (queue)
      link = gst_ddamfn_mqtt_link_start (&s, queue, &link_events, self,
          &error);
  }
  if (link == NULL) {
    post_start_error (self, error);
    g_clear_error (&error);
    gst_ddamfn_pub_queue_free (queue, NULL, NULL);
  } else {
    GST_INFO_OBJECT (self, "connected to %s:%d, topic %s", s.uri.host,
        s.uri.port, s.uri.topic);
    GST_OBJECT_LOCK (self);
    self->queue = queue;
    self->link = link;
    GST_OBJECT_UNLOCK (self);
  }
  gst_ddamfn_mqtt_uri_clear (&s.uri);
  g_free (uri);
  g_free (client_id);
  g_free (username);
  if (password)
    memset (password, 0, strlen (password));
  g_free (password);
  g_free (ca_file);
  g_free (spool_dir);
  return link != NULL;
}

static gboolean
gst_ddamfn_publish_stop (GstBaseSink * sink)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (sink);
  GstDdamfnPubQueue *queue;
  GstDdamfnMqttLink *link;
  guint kept = 0, lost = 0;

  GST_OBJECT_LOCK (self);
  queue = self->queue;
  link = self->link;
  GST_OBJECT_UNLOCK (self);
  if (queue == NULL)
    return TRUE;

  /* the threads end first: nothing changes the queue afterwards */
  self->last_reconnects = gst_ddamfn_mqtt_link_get_reconnects (link);
  gst_ddamfn_mqtt_link_stop (link);
  GST_OBJECT_LOCK (self);
  self->link = NULL;
  self->queue = NULL;
  GST_OBJECT_UNLOCK (self);
  gst_ddamfn_pub_queue_get_stats (queue, &self->last_stats);
  gst_ddamfn_pub_queue_free (queue, &kept, &lost);
  self->last_stats.dropped += lost;
  self->last_stats.queued = 0;
  self->last_stats.in_flight = 0;
  self->last_stats.spool_records = kept;
  if (lost > 0)
    GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
        ("%u records were not delivered before the element stopped and are "
            "lost (set spool-dir to keep them for the next start).", lost),
        (NULL));
  if (kept > 0)
    GST_ELEMENT_INFO (self, RESOURCE, WRITE,
        ("%u records not yet delivered stay in the spool directory; the "
            "next start sends them first.", kept), (NULL));
  return TRUE;
}

static gboolean
gst_ddamfn_publish_unlock (GstBaseSink * sink)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (sink);

  GST_OBJECT_LOCK (self);
  if (self->queue)
    gst_ddamfn_pub_queue_set_flushing (self->queue, TRUE);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_ddamfn_publish_unlock_stop (GstBaseSink * sink)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (sink);

  GST_OBJECT_LOCK (self);
  if (self->queue)
    gst_ddamfn_pub_queue_set_flushing (self->queue, FALSE);
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* --- records --------------------------------------------------------- */

static void
warn_dropped (GstDdamfnPublish * self)
{
  gint64 now = g_get_monotonic_time ();
  GstDdamfnPubStats st;

  gst_ddamfn_pub_queue_get_stats (self->queue, &st);
  GST_WARNING_OBJECT (self, "queue full: %" G_GUINT64_FORMAT " records "
      "dropped so far", st.dropped);
  if (self->dropped_warned > 0
      && now - self->last_drop_warning < DROP_WARNING_INTERVAL)
    return;
  self->last_drop_warning = now;
  self->dropped_warned = st.dropped;
  GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
      ("The queue for the MQTT broker is full: the oldest records are "
          "dropped (%" G_GUINT64_FORMAT " so far; raise max-records, "
          "max-bytes or set spool-dir, or policy=block to hold upstream).",
          st.dropped), (NULL));
}

static GstFlowReturn
gst_ddamfn_publish_render (GstBaseSink * sink, GstBuffer * buffer)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (sink);
  GstDdamfnPubPushResult res;
  GError *error = NULL;
  GstMapInfo map;
  GBytes *record;
  gsize size;
  guint dropped = 0;

  if (!gst_buffer_map (buffer, &map, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, RESOURCE, READ, (NULL),
        ("cannot map a buffer"));
    return GST_FLOW_ERROR;
  }
  /* one message per record, without ddamfnjson's line break */
  size = map.size;
  while (size > 0 && (map.data[size - 1] == '\n'
          || map.data[size - 1] == '\r'))
    size--;
  record = size > 0 ? g_bytes_new (map.data, size) : NULL;
  gst_buffer_unmap (buffer, &map);
  if (record == NULL)
    return GST_FLOW_OK;

  res = gst_ddamfn_pub_queue_push (self->queue, record, &dropped, &error);
  g_bytes_unref (record);
  if (res == GST_DDAMFN_PUB_PUSH_FLUSHING)
    return GST_FLOW_FLUSHING;
  if (res == GST_DDAMFN_PUB_PUSH_ERROR) {
    GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Cannot write a record to "
            "the spool directory: %s", error->message), (NULL));
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
  if (dropped > 0)
    warn_dropped (self);
  return GST_FLOW_OK;
}

/* EOS: the broker acknowledges everything (or the time-out passes), then
 * the counters are posted, before the EOS message. */
static gboolean
gst_ddamfn_publish_event (GstBaseSink * sink, GstEvent * event)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (sink);

  if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && self->queue) {
    guint timeout;
    gboolean complete;
    GstStructure *st;

    GST_OBJECT_LOCK (self);
    timeout = self->eos_timeout;
    GST_OBJECT_UNLOCK (self);
    complete = gst_ddamfn_pub_queue_wait_empty (self->queue,
        g_get_monotonic_time () + (gint64) timeout *
        G_TIME_SPAN_MILLISECOND);
    GST_OBJECT_LOCK (self);
    st = stats_structure (self, "ddamfnpublish");
    GST_OBJECT_UNLOCK (self);
    gst_structure_set (st, "complete", G_TYPE_BOOLEAN, complete, NULL);
    GST_INFO_OBJECT (self, "at EOS: %" GST_PTR_FORMAT, st);
    if (!complete)
      GST_ELEMENT_WARNING (self, RESOURCE, WRITE,
          ("At EOS, the broker had not acknowledged every record within "
              "eos-timeout (%u ms); see the counters of the ddamfnpublish "
              "message.", timeout), ("%" GST_PTR_FORMAT, st));
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_element (GST_OBJECT (self), st));
  }
  return GST_BASE_SINK_CLASS (parent_class)->event (sink, event);
}
