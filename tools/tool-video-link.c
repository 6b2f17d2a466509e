/* tool-video-link.c: the decoded video of a decodebin goes to the tool's
 * converter; other streams (audio, subtitles) stay unlinked. */
#include "tool-video-link.h"

static void
on_pad_added (GstElement * decodebin, GstPad * pad, gpointer user_data)
{
  ToolVideoLink *link = user_data;
  GstCaps *caps = gst_pad_get_current_caps (pad);
  const gchar *name = caps ?
      gst_structure_get_name (gst_caps_get_structure (caps, 0)) : "";
  GstPad *sinkpad;

  (void) decodebin;
  if (g_str_has_prefix (name, "video/x-raw") && !link->linked) {
    sinkpad = gst_element_get_static_pad (link->convert, "sink");
    if (gst_pad_link (pad, sinkpad) == GST_PAD_LINK_OK)
      link->linked = TRUE;
    gst_object_unref (sinkpad);
  }
  if (caps)
    gst_caps_unref (caps);
}

/* Each stream the decoder meets on the way to a decoder: a video or image
 * one means that the input has video even if no frame of it decodes. */
static gboolean
on_autoplug_continue (GstElement * decodebin, GstPad * pad, GstCaps * caps,
    gpointer user_data)
{
  ToolVideoLink *link = user_data;
  const gchar *name = caps && gst_caps_get_size (caps) > 0 ?
      gst_structure_get_name (gst_caps_get_structure (caps, 0)) : "";

  (void) decodebin;
  (void) pad;
  if (g_str_has_prefix (name, "video/") || g_str_has_prefix (name, "image/"))
    g_atomic_int_set (&link->seen, 1);
  return TRUE;
}

/**
 * tool_video_link_connect:
 * @link: where the state goes; @link->convert set, and alive as long as
 *   @decodebin is
 * @decodebin: a decodebin or uridecodebin
 *
 * Links the first decoded video pad of @decodebin to @link->convert's sink
 * pad and records in @link->seen whether any video stream was offered.
 */
void
tool_video_link_connect (ToolVideoLink * link, GstElement * decodebin)
{
  link->linked = FALSE;
  g_atomic_int_set (&link->seen, 0);
  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_pad_added), link);
  g_signal_connect (decodebin, "autoplug-continue",
      G_CALLBACK (on_autoplug_continue), link);
}
