/* ddamfnpublish as a GstURIHandler: gst_element_make_from_uri () turns
 * mqtt://HOST[:PORT]/TOPIC and mqtts://… into a ddamfnpublish.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstddamfnpublish.h"

#include "gstddamfnmqtt.h"


static GstURIType
uri_get_type (G_GNUC_UNUSED GType type)
{
  return GST_URI_SINK;
}

static const gchar *const *
uri_get_protocols (G_GNUC_UNUSED GType type)
{
  static const gchar *protocols[] = { "mqtt", "mqtts", NULL };
  return protocols;
}

static gchar *
uri_get_uri (GstURIHandler * handler)
{
  gchar *uri = NULL;

  g_object_get (handler, "uri", &uri, NULL);
  return uri;
}

static gboolean
uri_set_uri (GstURIHandler * handler, const gchar * uri, GError ** error)
{
  GstDdamfnPublish *self = GST_DDAMFN_PUBLISH (handler);
  GstDdamfnMqttUri parsed;
  GError *err = NULL;

  if (GST_STATE (self) > GST_STATE_READY) {
    g_set_error (error, GST_URI_ERROR, GST_URI_ERROR_BAD_STATE,
        "the URI can only be changed in the NULL or READY state");
    return FALSE;
  }
  if (!gst_ddamfn_mqtt_uri_parse (uri, &parsed, &err)) {
    g_set_error_literal (error, GST_URI_ERROR, GST_URI_ERROR_BAD_URI,
        err->message);
    g_error_free (err);
    return FALSE;
  }
  gst_ddamfn_mqtt_uri_clear (&parsed);
  g_object_set (self, "uri", uri, NULL);
  return TRUE;
}

void
gst_ddamfn_publish_uri_handler_init (gpointer g_iface,
    G_GNUC_UNUSED gpointer iface_data)
{
  GstURIHandlerInterface *iface = g_iface;

  iface->get_type = uri_get_type;
  iface->get_protocols = uri_get_protocols;
  iface->get_uri = uri_get_uri;
  iface->set_uri = uri_set_uri;
}
