/* The MQTT side of ddamfnpublish: the mqtt:// URI, the connection to the
 * broker (libmosquitto, its own network thread) and the sender thread that
 * takes records from a GstDdamfnPubQueue. GLib and libmosquitto only.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_MQTT_H__
#define __GST_DDAMFN_MQTT_H__

#include <glib.h>

#include "gstddamfnpubqueue.h"

G_BEGIN_DECLS

#define GST_DDAMFN_MQTT_ERROR (gst_ddamfn_mqtt_error_quark ())
GQuark gst_ddamfn_mqtt_error_quark (void);

typedef enum
{
  GST_DDAMFN_MQTT_ERROR_SETTINGS,       /* URI, topic, QoS, TLS file */
  GST_DDAMFN_MQTT_ERROR_RESOLVE,        /* the host name is unknown */
  GST_DDAMFN_MQTT_ERROR_CONNECT,        /* no TCP connection */
  GST_DDAMFN_MQTT_ERROR_REFUSED,        /* the broker said no (CONNACK) */
  GST_DDAMFN_MQTT_ERROR_TIMEOUT         /* no answer in time */
} GstDdamfnMqttError;

/* What a ddamfnpublish URI says: mqtt[s]://[USER[:PASSWORD]@]HOST[:PORT]/TOPIC */
typedef struct
{
  gboolean tls;
  gchar *host;
  gint port;                    /* 1883, 8883 with TLS, unless given */
  gchar *topic;                 /* the path without its first '/', decoded */
  gchar *user;                  /* nullable */
  gchar *password;              /* nullable */
} GstDdamfnMqttUri;

/* Fills OUT; FALSE with a message naming what is wrong (scheme, host,
 * port, an empty topic or one with the wildcards + and #). */
gboolean gst_ddamfn_mqtt_uri_parse (const gchar * uri, GstDdamfnMqttUri * out,
    GError ** error);
void gst_ddamfn_mqtt_uri_clear (GstDdamfnMqttUri * uri);

typedef struct
{
  GstDdamfnMqttUri uri;
  gint qos;
  const gchar *client_id;       /* nullable: the library makes one */
  const gchar *user;            /* nullable: the URI's */
  const gchar *password;        /* nullable: the URI's */
  const gchar *ca_file;         /* nullable: the system's CAs (mqtts) */
  guint keepalive;              /* seconds */
  guint connect_timeout_ms;
  guint max_in_flight;
} GstDdamfnMqttSettings;

/* Events of the link, called from the network thread. CONNECTED: the
 * link came up (again) or fell (REASON says why). */
typedef struct
{
  void (*link_changed) (gpointer user_data, gboolean connected,
      guint reconnects, const gchar * reason);
  void (*problem) (gpointer user_data, const gchar * message);
} GstDdamfnMqttEvents;

typedef struct _GstDdamfnMqttLink GstDdamfnMqttLink;

/* Connects to the broker, waiting up to the connect time-out for its
 * answer, then sends the records of QUEUE (which must outlive the link)
 * from a thread of its own, reconnecting whenever the link falls. NULL
 * with ERROR when the first connection fails. */
GstDdamfnMqttLink *gst_ddamfn_mqtt_link_start (const GstDdamfnMqttSettings *
    settings, GstDdamfnPubQueue * queue, const GstDdamfnMqttEvents * events,
    gpointer user_data, GError ** error);

/* Stops sending, disconnects and joins the threads. */
void gst_ddamfn_mqtt_link_stop (GstDdamfnMqttLink * link);

/* How many times the link came back after falling. */
guint gst_ddamfn_mqtt_link_get_reconnects (GstDdamfnMqttLink * link);

G_END_DECLS

#endif /* __GST_DDAMFN_MQTT_H__ */
