/* Quality of service for ddamfnfilter.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * GstBaseTransform drops the buffers a QoS event says are late; an
 * analyser should rather pass them on and only skip the network, so the
 * filter keeps its own account of the QoS events here.
 */
#include "gstddamfnqos.h"

GST_DEBUG_CATEGORY_EXTERN (gst_ddamfn_filter_debug);
#define GST_CAT_DEFAULT gst_ddamfn_filter_debug

void
gst_ddamfn_qos_init (GstDdamfnQos * qos)
{
  g_mutex_init (&qos->lock);
  gst_ddamfn_qos_reset (qos);
}

void
gst_ddamfn_qos_clear (GstDdamfnQos * qos)
{
  g_mutex_clear (&qos->lock);
}

void
gst_ddamfn_qos_reset (GstDdamfnQos * qos)
{
  g_mutex_lock (&qos->lock);
  qos->earliest_time = GST_CLOCK_TIME_NONE;
  qos->proportion = 1.0;
  g_mutex_unlock (&qos->lock);
  qos->processed = qos->skipped = 0;
}

void
gst_ddamfn_qos_update (GstDdamfnQos * qos, GstEvent * event)
{
  GstClockTimeDiff diff;
  GstClockTime timestamp;
  gdouble proportion;
  GstQOSType type;

  gst_event_parse_qos (event, &type, &proportion, &diff, &timestamp);
  g_mutex_lock (&qos->lock);
  qos->proportion = proportion;
  if (GST_CLOCK_TIME_IS_VALID (timestamp)) {
    /* When late, skip ahead twice the lateness to catch up. */
    if (diff > 0)
      qos->earliest_time = timestamp + 2 * diff;
    else if ((GstClockTimeDiff) timestamp + diff > 0)
      qos->earliest_time = timestamp + diff;
    else
      qos->earliest_time = 0;
  }
  g_mutex_unlock (&qos->lock);
  GST_LOG ("QoS: proportion %g, diff %" G_GINT64_FORMAT, proportion, diff);
}

gboolean
gst_ddamfn_qos_is_late (GstDdamfnQos * qos, GstElement * element,
    const GstSegment * segment, GstBuffer * buffer)
{
  GstClockTime ts = GST_BUFFER_PTS (buffer), running_time, earliest;
  gdouble proportion;
  GstMessage *msg;

  if (!GST_CLOCK_TIME_IS_VALID (ts) || segment->format != GST_FORMAT_TIME)
    return FALSE;
  running_time = gst_segment_to_running_time (segment, GST_FORMAT_TIME, ts);
  g_mutex_lock (&qos->lock);
  earliest = qos->earliest_time;
  proportion = qos->proportion;
  g_mutex_unlock (&qos->lock);

  if (!GST_CLOCK_TIME_IS_VALID (running_time)
      || !GST_CLOCK_TIME_IS_VALID (earliest) || running_time > earliest) {
    qos->processed++;
    return FALSE;
  }

  qos->skipped++;
  GST_DEBUG_OBJECT (element, "buffer at %" GST_TIME_FORMAT " is late "
      "(earliest %" GST_TIME_FORMAT "): no inference",
      GST_TIME_ARGS (running_time), GST_TIME_ARGS (earliest));
  msg = gst_message_new_qos (GST_OBJECT (element), TRUE, running_time,
      gst_segment_to_stream_time (segment, GST_FORMAT_TIME, ts), ts,
      GST_BUFFER_DURATION (buffer));
  gst_message_set_qos_values (msg, GST_CLOCK_DIFF (running_time, earliest),
      proportion, 1000000);
  gst_message_set_qos_stats (msg, GST_FORMAT_BUFFERS, qos->processed,
      qos->skipped);
  gst_element_post_message (element, msg);
  return TRUE;
}
