/* tool-video-link.h: linking the decoded video of a decodebin (or
 * uridecodebin) to the rest of a tool's pipeline, and noticing whether the
 * input offered video at all. Shared by ddamfn-analyze and ddamfn-serve. */
#ifndef TOOL_VIDEO_LINK_H
#define TOOL_VIDEO_LINK_H

#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * ToolVideoLink:
 * @convert: the element the first decoded video pad is linked to (not
 *   owned)
 * @linked: a decoded video pad was linked to @convert
 * @seen: (atomic) a demuxer offered video or image caps, decoded or not
 *
 * Filled by the signal handlers tool_video_link_connect() installs; read
 * on the main thread when the decoder has no more pads or fails.
 */
typedef struct
{
  GstElement *convert;
  gboolean linked;
  gint seen;
} ToolVideoLink;

void tool_video_link_connect (ToolVideoLink * link, GstElement * decodebin);

G_END_DECLS

#endif
