/* ddamfn-analyze: what the input names, a file, a URI or a capture device.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __ANALYZE_INPUT_H__
#define __ANALYZE_INPUT_H__

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  ANALYZE_INPUT_FILE,           /* a regular file: filesrc ! decodebin */
  ANALYZE_INPUT_URI,            /* rtsp://, http://…: uridecodebin */
  ANALYZE_INPUT_DEVICE,         /* a V4L2 capture device: v4l2src ! decodebin */
} AnalyzeInputKind;

/* What analyze_input_classify() found out. */
typedef struct
{
  AnalyzeInputKind kind;
  gchar *location;              /* the file's path, the URI or the device;
                                 * the caller frees it */
} AnalyzeInput;

gboolean analyze_input_classify (const gchar * input, AnalyzeInput * out,
    gboolean * usage_error, gchar ** message);

G_END_DECLS

#endif /* __ANALYZE_INPUT_H__ */
