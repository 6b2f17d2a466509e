/* ddamfn-analyze: what a container file declares about itself before any
 * demuxer rebuilds it (a truncated AVI is re-indexed from what is left, and
 * its shorter duration hides the loss).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __ANALYZE_CONTAINER_H__
#define __ANALYZE_CONTAINER_H__

#include <glib.h>

G_BEGIN_DECLS

/* The video frames the AVI file PATH declares in its header (OpenDML's
 * dmlh, else the video stream's strh length, else avih's total), or 0
 * when PATH is not an AVI file or declares none. */
guint64 analyze_avi_declared_frames (const gchar * path);

G_END_DECLS

#endif /* __ANALYZE_CONTAINER_H__ */
