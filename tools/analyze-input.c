/* ddamfn-analyze: what the input names, a file, a URI or a capture device.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A file:// URI is its file (so the checks made on files hold for it); any
 * other URI goes to uridecodebin when some installed element reads its
 * protocol; a character device is taken for a V4L2 capture device (a
 * webcam, a capture card, v4l2loopback). Everything else is refused here,
 * before any output is opened.
 */
#include "analyze-input.h"

#include <gst/gst.h>

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

static gboolean
refuse (gchar ** message, gboolean * usage_error, gboolean usage,
    gchar * text)
{
  *message = text;
  *usage_error = usage;
  return FALSE;
}

static gboolean
classify_uri (const gchar * input, AnalyzeInput * out,
    gboolean * usage_error, gchar ** message)
{
  gchar *protocol = gst_uri_get_protocol (input);
  gboolean ok = TRUE;

  if (!gst_uri_protocol_is_supported (GST_URI_SRC, protocol)) {
    ok = refuse (message, usage_error, TRUE, g_strdup_printf ("%s: no "
            "installed GStreamer element reads %s:// URIs (rtsp:// and "
            "http:// come with gstreamer1.0-plugins-good)", input, protocol));
  } else {
    out->kind = ANALYZE_INPUT_URI;
    out->location = g_strdup (input);
  }
  g_free (protocol);
  return ok;
}

/**
 * analyze_input_classify:
 * @input: the input as the user gave it.
 * @out: (out): what it is.
 * @usage_error: (out): on failure, whether the input is wrongly given (exit
 *   2) rather than unreadable (exit 1).
 * @message: (out): on failure, a line for the user.
 *
 * Returns: whether @input names something the tool can read.
 */
gboolean
analyze_input_classify (const gchar * input, AnalyzeInput * out,
    gboolean * usage_error, gchar ** message)
{
  gchar *path = NULL;
  struct stat st;
  gboolean ok;

  memset (out, 0, sizeof (*out));
  if (strstr (input, "://") != NULL && gst_uri_is_valid (input)
      && !g_str_has_prefix (input, "file:")) {
    return classify_uri (input, out, usage_error, message);
  }
  if (g_str_has_prefix (input, "file:")) {
    path = g_filename_from_uri (input, NULL, NULL);
    if (path == NULL)
      return refuse (message, usage_error, TRUE, g_strdup_printf ("%s: not "
              "a local file:// URI", input));
  }

  if (stat (path ? path : input, &st) != 0) {
    ok = refuse (message, usage_error, FALSE, g_strdup_printf ("cannot read "
            "%s: %s", input, errno == ENOENT ? "no such file" :
            g_strerror (errno)));
  } else if (S_ISREG (st.st_mode)) {
    out->kind = ANALYZE_INPUT_FILE;
    out->location = g_strdup (path ? path : input);
    ok = TRUE;
  } else if (S_ISCHR (st.st_mode)) {
    GstElementFactory *v4l2 = gst_element_factory_find ("v4l2src");

    if (v4l2 == NULL) {
      ok = refuse (message, usage_error, FALSE, g_strdup_printf ("cannot "
              "read %s: capture devices are read with v4l2src "
              "(gstreamer1.0-plugins-good), which is not installed", input));
    } else {
      gst_object_unref (v4l2);
      out->kind = ANALYZE_INPUT_DEVICE;
      out->location = g_strdup (path ? path : input);
      ok = TRUE;
    }
  } else {
    ok = refuse (message, usage_error, FALSE, g_strdup_printf ("cannot read "
            "%s: not a regular file, a URI or a capture device", input));
  }
  g_free (path);
  return ok;
}
