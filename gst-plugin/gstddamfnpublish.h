/* ddamfnpublish — ddamfnjson's records to an MQTT broker, nothing lost
 * without saying so.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_PUBLISH_H__
#define __GST_DDAMFN_PUBLISH_H__

#include <gst/base/gstbasesink.h>

G_BEGIN_DECLS

#define GST_TYPE_DDAMFN_PUBLISH (gst_ddamfn_publish_get_type ())
G_DECLARE_FINAL_TYPE (GstDdamfnPublish, gst_ddamfn_publish, GST,
    DDAMFN_PUBLISH, GstBaseSink)

/**
 * GstDdamfnPublishPolicy:
 * @GST_DDAMFN_PUBLISH_POLICY_BLOCK: upstream waits until there is room.
 * @GST_DDAMFN_PUBLISH_POLICY_DROP_OLDEST: the oldest waiting record is
 *   dropped (counted, with a warning).
 *
 * What #GstDdamfnPublish does when its queue is full.
 */
typedef enum
{
  GST_DDAMFN_PUBLISH_POLICY_BLOCK = 0,
  GST_DDAMFN_PUBLISH_POLICY_DROP_OLDEST = 1
} GstDdamfnPublishPolicy;

#define GST_TYPE_DDAMFN_PUBLISH_POLICY (gst_ddamfn_publish_policy_get_type ())
GType gst_ddamfn_publish_policy_get_type (void);

GST_ELEMENT_REGISTER_DECLARE (ddamfnpublish);

/* Its GstURIHandler (mqtt://, mqtts://), in gstddamfnpublishuri.c. */
void gst_ddamfn_publish_uri_handler_init (gpointer g_iface,
    gpointer iface_data);

G_END_DECLS

#endif /* __GST_DDAMFN_PUBLISH_H__ */
