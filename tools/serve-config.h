/* ddamfn-serve: the configuration file, one [stream NAME] group a stream.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __SERVE_CONFIG_H__
#define __SERVE_CONFIG_H__

#include <glib.h>

G_BEGIN_DECLS

/* One [stream NAME] group as read from the file. */
typedef struct
{
  gchar *name;                  /* NAME of the group, the records' source */
  gchar *uri;                   /* as written: path, URI or /dev/videoN */
  gchar *jsonl;                 /* JSON Lines file, or NULL */
  gchar *mqtt;                  /* mqtt://HOST:PORT/TOPIC, or NULL */
  guint inference_interval;     /* 0: the filter's default */
} ServeStreamConfig;

void serve_stream_config_free (ServeStreamConfig * c);
gboolean serve_stream_config_equal (const ServeStreamConfig * a,
    const ServeStreamConfig * b);

/* Reads PATH; a GPtrArray of ServeStreamConfig (in the file's order, owning
 * them), or NULL with *MESSAGE set to one line for the user. */
GPtrArray *serve_config_load (const gchar * path, gchar ** message);

G_END_DECLS

#endif /* __SERVE_CONFIG_H__ */
