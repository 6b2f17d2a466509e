/* ddamfnfilter — facial affect of the faces marked on video frames.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_FILTER_H__
#define __GST_DDAMFN_FILTER_H__

#include <gst/gst.h>
#include <gst/video/gstvideofilter.h>

G_BEGIN_DECLS

#define GST_TYPE_DDAMFN_FILTER (gst_ddamfn_filter_get_type ())
G_DECLARE_FINAL_TYPE (GstDdamfnFilter, gst_ddamfn_filter, GST, DDAMFN_FILTER,
    GstVideoFilter)

GST_ELEMENT_REGISTER_DECLARE (ddamfnfilter);

G_END_DECLS

#endif /* __GST_DDAMFN_FILTER_H__ */
