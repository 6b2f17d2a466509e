/* ddamfnjson — the results of ddamfnfilter as JSON, one record per buffer.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_JSON_H__
#define __GST_DDAMFN_JSON_H__

#include <gst/gst.h>

G_BEGIN_DECLS

#define GST_TYPE_DDAMFN_JSON (gst_ddamfn_json_get_type ())
G_DECLARE_FINAL_TYPE (GstDdamfnJson, gst_ddamfn_json, GST, DDAMFN_JSON,
    GstElement)

GST_ELEMENT_REGISTER_DECLARE (ddamfnjson);

G_END_DECLS

#endif /* __GST_DDAMFN_JSON_H__ */
