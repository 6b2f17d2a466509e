/* The MQTT side of ddamfnpublish: URI, connection, sender thread.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Threads: libmosquitto's loop thread does all network I/O, reconnects
 * when the link falls and calls back here (connect, disconnect, publish
 * acknowledged); the sender thread of this file waits for records in the
 * queue and hands them to libmosquitto (mosquitto_publish only queues a
 * packet and wakes the loop thread). The streaming thread never touches
 * the network.
 *
 * Records in flight when the link falls: with QoS 1 and 2 libmosquitto
 * keeps them and sends them again after reconnecting (their message ids
 * stay valid, so the acknowledgements still reach the queue); with QoS 0
 * it forgets them, so they go back to the head of the queue and are sent
 * again. Either way a record can arrive twice, never not at all; the
 * subscriber de-duplicates by (source, frame).
 */
#include "gstddamfnmqtt.h"

#include <gio/gio.h>
#include <mosquitto.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

G_DEFINE_QUARK (gst-ddamfn-mqtt-error-quark, gst_ddamfn_mqtt_error);

struct _GstDdamfnMqttLink
{
  struct mosquitto *mosq;
  GstDdamfnPubQueue *queue;
  GstDdamfnMqttEvents events;
  gpointer user_data;
  gchar *topic;
  gint qos;
  guint max_in_flight;

  GMutex lock;
  GCond cond;
  gboolean connack_seen;        /* the broker answered the first CONNECT */
  gint connack_rc;
  gint early_disconnect_rc;     /* the link fell before that answer */
  gboolean early_disconnect;
  gboolean connected;
  gboolean stopping;
  guint reconnects;

  GThread *sender;
};

gboolean
gst_ddamfn_mqtt_uri_parse (const gchar * text, GstDdamfnMqttUri * out,
    GError ** error)
{
  GUri *uri;
  const gchar *scheme, *path;
  gchar *topic;

  memset (out, 0, sizeof (*out));
  uri = g_uri_parse (text ? text : "", G_URI_FLAGS_HAS_PASSWORD |
      G_URI_FLAGS_ENCODED_PATH, NULL);
  if (uri == NULL) {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_SETTINGS, "'%s' is not a URI: expected "
        "mqtt://HOST[:PORT]/TOPIC or mqtts://HOST[:PORT]/TOPIC",
        text ? text : "");
    return FALSE;
  }
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "mqtt") != 0
      && g_ascii_strcasecmp (scheme, "mqtts") != 0) {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_SETTINGS, "'%s': the scheme must be mqtt or "
        "mqtts, not %s", text, scheme);
    g_uri_unref (uri);
    return FALSE;
  }
  out->tls = g_ascii_strcasecmp (scheme, "mqtts") == 0;
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0') {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_SETTINGS, "'%s' names no host", text);
    g_uri_unref (uri);
    return FALSE;
  }
  out->port = g_uri_get_port (uri);
  if (out->port == -1)
    out->port = out->tls ? 8883 : 1883;
  if (out->port <= 0 || out->port > 65535) {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_SETTINGS, "'%s': port %d is not a TCP port",
        text, out->port);
    g_uri_unref (uri);
    return FALSE;
  }
  if (g_uri_get_fragment (uri) != NULL || g_uri_get_query (uri) != NULL) {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_SETTINGS, "'%s': the topic must be free of "
        "the wildcards + and # (a publisher writes to one topic), and the "
        "URI has no query (write a literal # or ? as %%23 or %%3F)", text);
    g_uri_unref (uri);
    return FALSE;
  }
  path = g_uri_get_path (uri);
  topic = g_uri_unescape_string (path[0] == '/' ? path + 1 : path, NULL);
  if (topic == NULL || *topic == '\0'
      || mosquitto_pub_topic_check (topic) != MOSQ_ERR_SUCCESS) {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_SETTINGS, "'%s': the topic ('%s') must be "
        "non-empty and free of the wildcards + and # (a publisher writes "
        "to one topic)", text, topic ? topic : path);
    g_free (topic);
    g_uri_unref (uri);
    return FALSE;
  }
  out->topic = topic;
  out->host = g_strdup (g_uri_get_host (uri));
  out->user = g_strdup (g_uri_get_user (uri));
  out->password = g_strdup (g_uri_get_password (uri));
  g_uri_unref (uri);
  return TRUE;
}

void
gst_ddamfn_mqtt_uri_clear (GstDdamfnMqttUri * uri)
{
  g_free (uri->host);
  g_free (uri->topic);
  g_free (uri->user);
  if (uri->password)
    memset (uri->password, 0, strlen (uri->password));
  g_free (uri->password);
  memset (uri, 0, sizeof (*uri));
}

/* --- libmosquitto callbacks (its loop thread) ------------------------ */

static void
on_connect (G_GNUC_UNUSED struct mosquitto *mosq, void *data, int rc)
{
  GstDdamfnMqttLink *link = data;
  gboolean again;

  g_mutex_lock (&link->lock);
  again = link->connack_seen;
  if (!link->connack_seen) {
    link->connack_seen = TRUE;
    link->connack_rc = rc;
  }
  link->connected = rc == 0;
  if (again && rc == 0)
    link->reconnects++;
  g_cond_broadcast (&link->cond);
  g_mutex_unlock (&link->lock);

  if (rc == 0)
    gst_ddamfn_pub_queue_set_ready (link->queue, TRUE);
  if (again && link->events.link_changed)
    link->events.link_changed (link->user_data, rc == 0, link->reconnects,
        rc == 0 ? "connected" : mosquitto_connack_string (rc));
}

static void
on_disconnect (G_GNUC_UNUSED struct mosquitto *mosq, void *data, int rc)
{
  GstDdamfnMqttLink *link = data;
  gboolean was_up, stopping;

  gst_ddamfn_pub_queue_set_ready (link->queue, FALSE);
  g_mutex_lock (&link->lock);
  was_up = link->connected;
  stopping = link->stopping;
  link->connected = FALSE;
  if (!link->connack_seen) {
    link->early_disconnect = TRUE;
    link->early_disconnect_rc = rc;
  }
  g_cond_broadcast (&link->cond);
  g_mutex_unlock (&link->lock);

  /* QoS 0: libmosquitto forgets what it had not written */
  if (link->qos == 0)
    gst_ddamfn_pub_queue_requeue_in_flight (link->queue);
  if (was_up && !stopping && link->events.link_changed)
    link->events.link_changed (link->user_data, FALSE, link->reconnects,
        mosquitto_strerror (rc));
}

static void
on_publish (G_GNUC_UNUSED struct mosquitto *mosq, void *data, int mid)
{
  GstDdamfnMqttLink *link = data;

  gst_ddamfn_pub_queue_ack (link->queue, mid);
}

/* --- the sender thread ------------------------------------------------ */

static gpointer
sender_main (gpointer data)
{
  GstDdamfnMqttLink *link = data;
  GError *error = NULL;
  guint64 seq;
  GBytes *rec;

  for (;;) {
    gsize size;
    const gchar *payload;
    gint mid = 0, rc;

    rec = gst_ddamfn_pub_queue_pop (link->queue, link->max_in_flight, -1,
        &seq, &error);
    if (error) {
      if (link->events.problem)
        link->events.problem (link->user_data, error->message);
      g_clear_error (&error);
    }
    if (rec == NULL)
      break;
    payload = g_bytes_get_data (rec, &size);
    rc = mosquitto_publish (link->mosq, &mid, link->topic, (int) size,
        payload, link->qos, false);
    if (rc == MOSQ_ERR_SUCCESS) {
      gst_ddamfn_pub_queue_sent (link->queue, seq, mid);
    } else if (rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_MALFORMED_UTF8) {
      /* can never be sent: the record is given up, loudly */
      gchar *msg = g_strdup_printf ("a record of %" G_GSIZE_FORMAT
          " bytes cannot be published (%s): dropped", size,
          mosquitto_strerror (rc));
      gst_ddamfn_pub_queue_drop_popped (link->queue, seq);
      if (link->events.problem)
        link->events.problem (link->user_data, msg);
      g_free (msg);
    } else {
      /* no connection at this instant: back to the head, try again once
       * the link is up (set_ready) or after a short pause */
      gst_ddamfn_pub_queue_unsend (link->queue, seq, rec);
      if (rc == MOSQ_ERR_NO_CONN || rc == MOSQ_ERR_CONN_LOST)
        gst_ddamfn_pub_queue_set_ready (link->queue, FALSE);
      g_usleep (20 * 1000);
      g_mutex_lock (&link->lock);
      if (link->connected && !link->stopping)
        gst_ddamfn_pub_queue_set_ready (link->queue, TRUE);
      g_mutex_unlock (&link->lock);
    }
    g_bytes_unref (rec);
  }
  return NULL;
}

/* --- start and stop --------------------------------------------------- */

/* A TCP connection with a time-out, closed at once: a clear error for an
 * unknown host or a closed port before libmosquitto retries for ever. */
static gboolean
probe_tcp (const GstDdamfnMqttSettings * s, GError ** error)
{
  GSocketClient *client = g_socket_client_new ();
  GSocketConnection *conn;
  GError *err = NULL;

  g_socket_client_set_enable_proxy (client, FALSE);
  g_socket_client_set_timeout (client,
      MAX (1, (s->connect_timeout_ms + 999) / 1000));
  conn = g_socket_client_connect_to_host (client, s->uri.host, s->uri.port,
      NULL, &err);
  g_object_unref (client);
  if (conn) {
    g_object_unref (conn);
    return TRUE;
  }
  g_set_error (error, GST_DDAMFN_MQTT_ERROR,
      g_error_matches (err, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND)
      || err->domain == G_RESOLVER_ERROR ? GST_DDAMFN_MQTT_ERROR_RESOLVE :
      g_error_matches (err, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ?
      GST_DDAMFN_MQTT_ERROR_TIMEOUT : GST_DDAMFN_MQTT_ERROR_CONNECT,
      "cannot reach the broker at %s:%d: %s", s->uri.host, s->uri.port,
      err->message);
  g_error_free (err);
  return FALSE;
}

static void
mqtt_init_once (void)
{
  static gsize done = 0;

  /* libmosquitto's one initialisation (it seeds its random numbers and
   * sets up its TLS library); it is never undone, other users of the
   * library in the process may rely on it. */
  if (g_once_init_enter (&done)) {
    mosquitto_lib_init ();
    g_once_init_leave (&done, 1);
  }
}

/* TLS libraries read the CA file only during the handshake, where a file
 * that is not a certificate and a listener that does not speak TLS give the
 * same "TLS error": look for a PEM certificate here, so that the first is
 * told as a setting. */
static gboolean
ca_file_has_certificate (const gchar * path)
{
  const gsize limit = 1024 * 1024;
  gchar *buf = g_malloc (limit);
  gsize len = 0, n;
  gboolean found;
  FILE *f = fopen (path, "rb");

  if (f == NULL) {
    g_free (buf);
    return FALSE;
  }
  while (len < limit && (n = fread (buf + len, 1, limit - len, f)) > 0)
    len += n;
  fclose (f);
  found = g_strstr_len (buf, len, "-----BEGIN CERTIFICATE-----") != NULL;
  g_free (buf);
  return found;
}

static gboolean
configure (GstDdamfnMqttLink * link, const GstDdamfnMqttSettings * s,
    GError ** error)
{
  const gchar *user = s->user ? s->user : s->uri.user;
  const gchar *password = s->password ? s->password : s->uri.password;
  gint rc = MOSQ_ERR_SUCCESS;

  if (user && *user)
    rc = mosquitto_username_pw_set (link->mosq, user, password);
  if (rc == MOSQ_ERR_SUCCESS && s->uri.tls) {
    if (s->ca_file && *s->ca_file) {
      if (!g_file_test (s->ca_file, G_FILE_TEST_IS_REGULAR)) {
        g_set_error (error, GST_DDAMFN_MQTT_ERROR,
            GST_DDAMFN_MQTT_ERROR_SETTINGS, "the CA file '%s' does not "
            "exist or is not a file", s->ca_file);
        return FALSE;
      }
      if (!ca_file_has_certificate (s->ca_file)) {
        g_set_error (error, GST_DDAMFN_MQTT_ERROR,
            GST_DDAMFN_MQTT_ERROR_SETTINGS, "the CA file '%s' holds no PEM "
            "certificate (no '-----BEGIN CERTIFICATE-----' line in its first "
            "MiB)", s->ca_file);
        return FALSE;
      }
      rc = mosquitto_tls_set (link->mosq, s->ca_file, NULL, NULL, NULL,
          NULL);
    } else {
      rc = mosquitto_int_option (link->mosq, MOSQ_OPT_TLS_USE_OS_CERTS, 1);
    }
  }
  if (rc == MOSQ_ERR_SUCCESS)
    rc = mosquitto_max_inflight_messages_set (link->mosq, s->max_in_flight);
  if (rc == MOSQ_ERR_SUCCESS)
    rc = mosquitto_reconnect_delay_set (link->mosq, 1, 5, true);
  if (rc != MOSQ_ERR_SUCCESS) {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_SETTINGS, "MQTT settings refused: %s%s%s",
        mosquitto_strerror (rc), s->ca_file ? " (CA file " : "",
        s->ca_file ? s->ca_file : "");
    return FALSE;
  }
  mosquitto_connect_callback_set (link->mosq, on_connect);
  mosquitto_disconnect_callback_set (link->mosq, on_disconnect);
  mosquitto_publish_callback_set (link->mosq, on_publish);
  return TRUE;
}

/* Waits for the broker's answer to the first CONNECT. */
static gboolean
wait_connack (GstDdamfnMqttLink * link, const GstDdamfnMqttSettings * s,
    GError ** error)
{
  gint64 end = g_get_monotonic_time () +
      (gint64) s->connect_timeout_ms * G_TIME_SPAN_MILLISECOND;
  gboolean ok = FALSE;

  g_mutex_lock (&link->lock);
  while (!link->connack_seen && !link->early_disconnect)
    if (!g_cond_wait_until (&link->cond, &link->lock, end))
      break;
  if (link->connack_seen && link->connack_rc == 0) {
    ok = TRUE;
  } else if (link->connack_seen) {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_REFUSED, "the broker at %s:%d refused the "
        "connection: %s", s->uri.host, s->uri.port,
        mosquitto_connack_string (link->connack_rc));
  } else if (link->early_disconnect) {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_CONNECT, "the connection to %s:%d fell before "
        "the broker answered (%s)%s", s->uri.host, s->uri.port,
        mosquitto_strerror (link->early_disconnect_rc), s->uri.tls ?
        ": is it a TLS listener, and does the CA file sign its certificate?"
        : "");
  } else {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_TIMEOUT, "no MQTT answer from %s:%d within "
        "%u ms%s", s->uri.host, s->uri.port, s->connect_timeout_ms,
        s->uri.tls ? " (TLS: does the CA file sign the broker's "
        "certificate, and is it a TLS listener?)" : " (is it an MQTT broker, "
        "without TLS?)");
  }
  g_mutex_unlock (&link->lock);
  return ok;
}

static void
link_free (GstDdamfnMqttLink * link)
{
  if (link->mosq)
    mosquitto_destroy (link->mosq);
  g_free (link->topic);
  g_mutex_clear (&link->lock);
  g_cond_clear (&link->cond);
  g_free (link);
}

GstDdamfnMqttLink *
gst_ddamfn_mqtt_link_start (const GstDdamfnMqttSettings * s,
    GstDdamfnPubQueue * queue, const GstDdamfnMqttEvents * events,
    gpointer user_data, GError ** error)
{
  GstDdamfnMqttLink *link;
  gint rc;

  if (!probe_tcp (s, error))
    return NULL;
  mqtt_init_once ();

  link = g_new0 (GstDdamfnMqttLink, 1);
  g_mutex_init (&link->lock);
  g_cond_init (&link->cond);
  link->queue = queue;
  link->events = *events;
  link->user_data = user_data;
  link->topic = g_strdup (s->uri.topic);
  link->qos = CLAMP (s->qos, 0, 2);
  link->max_in_flight = MAX (s->max_in_flight, 1);
  link->mosq = mosquitto_new (s->client_id && *s->client_id ? s->client_id :
      NULL, true, link);
  if (link->mosq == NULL) {
    g_set_error (error, GST_DDAMFN_MQTT_ERROR,
        GST_DDAMFN_MQTT_ERROR_SETTINGS, "cannot make an MQTT client: %s",
        g_strerror (errno));
    link_free (link);
    return NULL;
  }
  if (!configure (link, s, error)) {
    link_free (link);
    return NULL;
  }
  rc = mosquitto_connect_async (link->mosq, s->uri.host, s->uri.port,
      (int) CLAMP (s->keepalive, 5, 65535));
  if (rc != MOSQ_ERR_SUCCESS) {
    /* The CA file was checked in configure(): a TLS error here is the
     * handshake, i.e. the peer (some TLS libraries fail it inside connect,
     * others later, in wait_connack). */
    g_set_error (error, GST_DDAMFN_MQTT_ERROR, GST_DDAMFN_MQTT_ERROR_CONNECT,
        "cannot connect to %s:%d: %s%s", s->uri.host, s->uri.port,
        rc == MOSQ_ERR_ERRNO ? g_strerror (errno) : mosquitto_strerror (rc),
        rc == MOSQ_ERR_TLS ? " (the TLS handshake failed: is it a TLS "
        "listener, and does the CA file sign its certificate?)" : "");
    link_free (link);
    return NULL;
  }
  rc = mosquitto_loop_start (link->mosq);
  if (rc != MOSQ_ERR_SUCCESS || !wait_connack (link, s, error)) {
    if (rc != MOSQ_ERR_SUCCESS)
      g_set_error (error, GST_DDAMFN_MQTT_ERROR,
          GST_DDAMFN_MQTT_ERROR_CONNECT, "cannot start the MQTT thread: %s",
          mosquitto_strerror (rc));
    link->stopping = TRUE;
    mosquitto_disconnect (link->mosq);
    mosquitto_loop_stop (link->mosq, rc != MOSQ_ERR_SUCCESS);
    link_free (link);
    return NULL;
  }
  link->sender = g_thread_new ("ddamfnpublish", sender_main, link);
  return link;
}

void
gst_ddamfn_mqtt_link_stop (GstDdamfnMqttLink * link)
{
  if (link == NULL)
    return;
  g_mutex_lock (&link->lock);
  link->stopping = TRUE;
  g_mutex_unlock (&link->lock);
  gst_ddamfn_pub_queue_close_sender (link->queue);
  g_thread_join (link->sender);
  mosquitto_disconnect (link->mosq);
  mosquitto_loop_stop (link->mosq, false);
  link_free (link);
}

guint
gst_ddamfn_mqtt_link_get_reconnects (GstDdamfnMqttLink * link)
{
  guint n;

  g_mutex_lock (&link->lock);
  n = link->reconnects;
  g_mutex_unlock (&link->lock);
  return n;
}
