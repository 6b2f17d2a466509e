/* The "ddamfn" GStreamer plugin: facial affect with the DDAMFN network.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/gst.h>

#include "gstddamfnfacedetect.h"
#include "gstddamfnfilter.h"
#include "gstddamfnjson.h"
#include "gstddamfnoverlay.h"
#ifdef HAVE_MOSQUITTO
#include "gstddamfnpublish.h"
#endif

#ifndef PACKAGE
#define PACKAGE "gst-ddamfn"
#endif

static gboolean
plugin_init (GstPlugin * plugin)
{
  gboolean ok = GST_ELEMENT_REGISTER (ddamfnfilter, plugin);

  ok &= GST_ELEMENT_REGISTER (ddamfnoverlay, plugin);
  ok &= GST_ELEMENT_REGISTER (ddamfnjson, plugin);
  ok &= GST_ELEMENT_REGISTER (ddamfnfacedetect, plugin);
#ifdef HAVE_MOSQUITTO
  ok &= GST_ELEMENT_REGISTER (ddamfnpublish, plugin);
#endif
  return ok;
}

GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, ddamfn,
    "Facial affect (valence, arousal, expression, action units) with DDAMFN",
    plugin_init, GST_DDAMFN_VERSION, "LGPL", "gst-ddamfn", GST_DDAMFN_ORIGIN)
