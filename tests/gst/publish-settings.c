/* ddamfnpublish with wrong settings: each is an element error at start,
 * naming what is wrong, within the connect time-out; and the URI handler.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "publish-common.h"

#include <gio/gio.h>
#include <string.h>

typedef struct
{
  const gchar *what;
  gchar *uri;                   /* NULL: none set */
  const gchar *ca_file;
  guint connect_timeout;        /* 0: the default */
  const gchar *expect;          /* in the error message */
  gint code;                    /* GST_RESOURCE_ERROR_* */
} BadSetting;

/* Starts appsrc ! ddamfnpublish with B; checks the error it gives. */
static void
check_bad_setting (const BadSetting * b)
{
  GstElement *pipeline = gst_pipeline_new (NULL);
  GstElement *src = gst_element_factory_make ("appsrc", NULL);
  GstElement *sink = gst_element_factory_make ("ddamfnpublish", NULL);
  GstBus *bus = gst_element_get_bus (pipeline);
  GstStateChangeReturn ret;
  GstMessage *msg;
  gint64 start, ms;
  /* the time-out, plus what stopping libmosquitto's thread takes (it may be
   * in a TLS handshake; seconds under the sanitizers) */
  guint limit = (b->connect_timeout ? b->connect_timeout : 5000) + 6000;

  gst_bin_add_many (GST_BIN (pipeline), src, sink, NULL);
  gst_element_link (src, sink);
  if (b->uri)
    g_object_set (sink, "uri", b->uri, NULL);
  if (b->ca_file)
    g_object_set (sink, "ca-file", b->ca_file, NULL);
  if (b->connect_timeout)
    g_object_set (sink, "connect-timeout", b->connect_timeout, NULL);

  start = g_get_monotonic_time ();
  ret = gst_element_set_state (pipeline, GST_STATE_PAUSED);
  ms = (g_get_monotonic_time () - start) / 1000;
  CHECK (ret == GST_STATE_CHANGE_FAILURE, "%s: started", b->what);
  CHECK (ms < limit, "%s: %" G_GINT64_FORMAT " ms to fail", b->what, ms);
  msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  CHECK (msg != NULL, "%s: no error message", b->what);
  if (msg) {
    GError *error = NULL;

    gst_message_parse_error (msg, &error, NULL);
    CHECK (GST_MESSAGE_SRC (msg) == GST_OBJECT (sink), "%s: error from %s",
        b->what, GST_OBJECT_NAME (GST_MESSAGE_SRC (msg)));
    CHECK (strstr (error->message, b->expect) != NULL,
        "%s: '%s' does not say '%s'", b->what, error->message, b->expect);
    CHECK (error->domain == GST_RESOURCE_ERROR && error->code == b->code,
        "%s: error %s %d, expected resource error %d", b->what,
        g_quark_to_string (error->domain), error->code, b->code);
    g_print ("%-34s %5" G_GINT64_FORMAT " ms: %s\n", b->what, ms,
        error->message);
    g_error_free (error);
    gst_message_unref (msg);
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pipeline);
}

/* A port where the kernel accepts connections and nobody speaks. */
static GSocket *
silent_listener (gint * port)
{
  GSocket *sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
      G_SOCKET_PROTOCOL_TCP, NULL);
  GInetAddress *lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  GSocketAddress *addr = g_inet_socket_address_new (lo, 0), *local;

  g_socket_bind (sock, addr, TRUE, NULL);
  g_socket_listen (sock, NULL);
  local = g_socket_get_local_address (sock, NULL);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  g_object_unref (local);
  g_object_unref (addr);
  g_object_unref (lo);
  return sock;
}

static void
check_uri_handler (Ctx * c)
{
  gchar *uri = g_strdup_printf ("mqtt://127.0.0.1:%d/faces/by-uri",
      c->broker.port);
  GError *error = NULL;
  GstElement *e = gst_element_make_from_uri (GST_URI_SINK, uri, NULL,
      &error);
  gchar *back = NULL;

  CHECK (e != NULL, "no element for %s: %s", uri, error ? error->message :
      "");
  g_clear_error (&error);
  if (e) {
    GstElementFactory *f = gst_element_get_factory (e);
    CHECK (g_strcmp0 (GST_OBJECT_NAME (f), "ddamfnpublish") == 0,
        "%s makes a %s", uri, GST_OBJECT_NAME (f));
    g_object_get (e, "uri", &back, NULL);
    CHECK (g_strcmp0 (back, uri) == 0, "uri %s", back);
    CHECK (gst_uri_handler_set_uri (GST_URI_HANDLER (e),
            "mqtts://broker.example:8883/a/b", NULL), "mqtts refused");
    CHECK (!gst_uri_handler_set_uri (GST_URI_HANDLER (e),
            "mqtt://127.0.0.1/a/#", &error), "a wildcard topic taken");
    CHECK (error && strstr (error->message, "wildcards"), "error: %s",
        error ? error->message : "none");
    g_clear_error (&error);
    g_free (back);
    gst_object_unref (e);
  }
  g_free (uri);
}

void
case_settings (Ctx * c)
{
  gint p = c->broker.port, closed = test_free_port (), silent_port;
  GSocket *silent = silent_listener (&silent_port);
  gchar *garbage = g_build_filename (c->work, "not-a-ca.pem", NULL);
  BadSetting cases[] = {
    {"no uri", NULL, NULL, 0, "No uri set", GST_RESOURCE_ERROR_SETTINGS},
    {"scheme http", g_strdup_printf ("http://127.0.0.1:%d/t", p), NULL, 0,
        "scheme must be mqtt", GST_RESOURCE_ERROR_SETTINGS},
    {"port 99999", g_strdup ("mqtt://127.0.0.1:99999/t"), NULL, 0,
        "is not a URI", GST_RESOURCE_ERROR_SETTINGS},
    {"no host", g_strdup ("mqtt:///t"), NULL, 0, "names no host",
        GST_RESOURCE_ERROR_SETTINGS},
    {"no topic", g_strdup_printf ("mqtt://127.0.0.1:%d/", p), NULL, 0,
        "non-empty", GST_RESOURCE_ERROR_SETTINGS},
    {"topic with +", g_strdup_printf ("mqtt://127.0.0.1:%d/a/+/b", p), NULL,
        0, "wildcards", GST_RESOURCE_ERROR_SETTINGS},
    {"topic with #", g_strdup_printf ("mqtt://127.0.0.1:%d/a/#", p), NULL,
        0, "wildcards", GST_RESOURCE_ERROR_SETTINGS},
    {"topic with %23", g_strdup_printf ("mqtt://127.0.0.1:%d/a/%%23", p),
        NULL, 0, "wildcards", GST_RESOURCE_ERROR_SETTINGS},
    {"unknown host", g_strdup ("mqtt://no-such-host.invalid:1883/t"), NULL,
        0, "no-such-host.invalid", GST_RESOURCE_ERROR_NOT_FOUND},
    {"closed port", g_strdup_printf ("mqtt://127.0.0.1:%d/t", closed), NULL,
        0, "refused", GST_RESOURCE_ERROR_OPEN_WRITE},
    {"silent server", g_strdup_printf ("mqtt://127.0.0.1:%d/t", silent_port),
        NULL, 1000, "no MQTT answer", GST_RESOURCE_ERROR_OPEN_WRITE},
    {"missing CA file", g_strdup_printf ("mqtts://127.0.0.1:%d/t", p),
        "/nonexistent/ca.pem", 0, "/nonexistent/ca.pem",
        GST_RESOURCE_ERROR_SETTINGS},
    {"CA file not a certificate", g_strdup_printf ("mqtts://127.0.0.1:%d/t",
            p), garbage, 0, "holds no PEM certificate",
        GST_RESOURCE_ERROR_SETTINGS},
    {"TLS to a plain listener", g_strdup_printf ("mqtts://127.0.0.1:%d/t",
            p), NULL, 1000, "TLS", GST_RESOURCE_ERROR_OPEN_WRITE},
  };

  g_file_set_contents (garbage, "this is not a certificate\n", -1, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    check_bad_setting (&cases[i]);
    g_free (cases[i].uri);
  }
  check_uri_handler (c);
  g_socket_close (silent, NULL);
  g_object_unref (silent);
  g_free (garbage);
}
