/* ddamfn-serve: one stream, its pipeline, its outputs and its latency.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __SERVE_STREAM_H__
#define __SERVE_STREAM_H__

#include "serve-config.h"

#include <gst/gst.h>

G_BEGIN_DECLS

#define SERVE_PROGRAM "ddamfn-serve"

/* The model every stream's ddamfnfilter is given (all the same). */
typedef struct
{
  const gchar *model;           /* resolved path */
  const gchar *card;
  const gchar *preset;
} ServeModelSettings;

typedef enum
{
  SERVE_STREAM_NEW,
  SERVE_STREAM_RUNNING,
  SERVE_STREAM_STOPPING,        /* EOS sent, waiting for it at the sinks */
  SERVE_STREAM_DONE,            /* outputs finalized */
  SERVE_STREAM_FAILED,          /* reported; outputs discarded */
} ServeStreamState;

typedef struct _ServeStream ServeStream;

/* Called in the main thread when the stream has become DONE or FAILED. */
typedef void (*ServeStreamEndedFunc) (ServeStream * s, gpointer data);

void serve_stream_init (void);
ServeStream *serve_stream_new (ServeStreamConfig * config,
    const ServeModelSettings * model, ServeStreamEndedFunc ended,
    gpointer data);
void serve_stream_start (ServeStream * s);
void serve_stream_stop (ServeStream * s, const gchar * reason);
void serve_stream_abort (ServeStream * s);
void serve_stream_free (ServeStream * s);

ServeStreamState serve_stream_get_state (const ServeStream * s);
const ServeStreamConfig *serve_stream_get_config (const ServeStream * s);
gboolean serve_stream_is_active (const ServeStream * s);
void serve_stream_print_stats (ServeStream * s);

G_END_DECLS

#endif /* __SERVE_STREAM_H__ */
