/* Quality of service for ddamfnfilter: which buffers are too late for the
 * network.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_QOS_H__
#define __GST_DDAMFN_QOS_H__

#include <gst/gst.h>

G_BEGIN_DECLS

/* What the last QoS event said (written from the src pad's thread, read
 * from the streaming thread: protected by its own lock) and counts of the
 * buffers checked (streaming thread only). */
typedef struct
{
  GMutex lock;
  GstClockTime earliest_time;
  gdouble proportion;
  guint64 processed;
  guint64 skipped;
} GstDdamfnQos;

void gst_ddamfn_qos_init (GstDdamfnQos * qos);
void gst_ddamfn_qos_clear (GstDdamfnQos * qos);

/* Forgets what the QoS events said (start, flush). */
void gst_ddamfn_qos_reset (GstDdamfnQos * qos);

/* Takes in a QoS EVENT (not consumed). */
void gst_ddamfn_qos_update (GstDdamfnQos * qos, GstEvent * event);

/* Whether BUFFER (in SEGMENT) is already later than downstream can use;
 * then ELEMENT posts a QoS message counting it as skipped. */
gboolean gst_ddamfn_qos_is_late (GstDdamfnQos * qos, GstElement * element,
    const GstSegment * segment, GstBuffer * buffer);

G_END_DECLS

#endif /* __GST_DDAMFN_QOS_H__ */
