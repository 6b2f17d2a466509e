/* Mapped GStreamer video frames as engine images.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_FRAME_H__
#define __GST_DDAMFN_FRAME_H__

#include <gst/video/video.h>
#include <ddamfn/ddamfn.h>

G_BEGIN_DECLS

/* The engine's pixel format for FORMAT; FALSE when it has none. */
gboolean gst_ddamfn_pixel_format_from_video (GstVideoFormat format,
    DdamfnPixelFormat * pixel_format);

/* BT.709 when the caps say so; BT.601 otherwise (limited range unless the
 * caps say full range, as JPEG-decoded frames do). */
DdamfnYuvMatrix gst_ddamfn_yuv_matrix_from_colorimetry (const
    GstVideoColorimetry * colorimetry);

/* Describes the planes of a mapped FRAME (no copy). */
void gst_ddamfn_image_from_frame (const GstVideoFrame * frame,
    DdamfnPixelFormat pixel_format, DdamfnYuvMatrix yuv_matrix,
    DdamfnImage * image);

/* TRUE when every row of every plane of a mapped FRAME, as its strides and
 * offsets (a GstVideoMeta's, when the buffer has one) describe them, lies
 * inside the memory that was mapped; FALSE for a meta that lies (a stride
 * or offset larger than the memory holds). */
gboolean gst_ddamfn_frame_rows_are_mapped (const GstVideoFrame * frame);

G_END_DECLS

#endif /* __GST_DDAMFN_FRAME_H__ */
