/* ddamfn-serve: latency of a stream's frames through its analysis.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __SERVE_LATENCY_H__
#define __SERVE_LATENCY_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* How many of the latest samples the percentiles are taken from. */
#define SERVE_LATENCY_WINDOW 512

typedef struct _ServeLatency ServeLatency;

ServeLatency *serve_latency_new (void);
void serve_latency_free (ServeLatency * l);
void serve_latency_enter (ServeLatency * l, GstClockTime pts);
void serve_latency_leave (ServeLatency * l, GstClockTime pts);
gboolean serve_latency_percentiles (ServeLatency * l, gdouble * p50_ms,
    gdouble * p95_ms);

G_END_DECLS

#endif /* __SERVE_LATENCY_H__ */
