/* Mapped GStreamer video frames as engine images.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstddamfnframe.h"

#include <string.h>

gboolean
gst_ddamfn_pixel_format_from_video (GstVideoFormat format,
    DdamfnPixelFormat * pixel_format)
{
  switch (format) {
    case GST_VIDEO_FORMAT_RGB:
      *pixel_format = DDAMFN_PIXEL_RGB;
      return TRUE;
    case GST_VIDEO_FORMAT_BGR:
      *pixel_format = DDAMFN_PIXEL_BGR;
      return TRUE;
    case GST_VIDEO_FORMAT_RGBx:
      *pixel_format = DDAMFN_PIXEL_RGBX;
      return TRUE;
    case GST_VIDEO_FORMAT_BGRx:
      *pixel_format = DDAMFN_PIXEL_BGRX;
      return TRUE;
    case GST_VIDEO_FORMAT_xRGB:
    case GST_VIDEO_FORMAT_ARGB:        /* alpha ignored, as in RGBA */
      *pixel_format = DDAMFN_PIXEL_XRGB;
      return TRUE;
    case GST_VIDEO_FORMAT_xBGR:
    case GST_VIDEO_FORMAT_ABGR:
      *pixel_format = DDAMFN_PIXEL_XBGR;
      return TRUE;
    case GST_VIDEO_FORMAT_RGBA:
      *pixel_format = DDAMFN_PIXEL_RGBA;
      return TRUE;
    case GST_VIDEO_FORMAT_BGRA:
      *pixel_format = DDAMFN_PIXEL_BGRA;
      return TRUE;
    case GST_VIDEO_FORMAT_I420:
      *pixel_format = DDAMFN_PIXEL_I420;
      return TRUE;
    case GST_VIDEO_FORMAT_NV12:
      *pixel_format = DDAMFN_PIXEL_NV12;
      return TRUE;
    default:
      return FALSE;
  }
}

DdamfnYuvMatrix
gst_ddamfn_yuv_matrix_from_colorimetry (const GstVideoColorimetry * colorimetry)
{
  if (colorimetry->matrix == GST_VIDEO_COLOR_MATRIX_BT709)
    return DDAMFN_YUV_BT709;
  if (colorimetry->range == GST_VIDEO_COLOR_RANGE_0_255)
    return DDAMFN_YUV_BT601_FULL;
  return DDAMFN_YUV_BT601;
}

void
gst_ddamfn_image_from_frame (const GstVideoFrame * frame,
    DdamfnPixelFormat pixel_format, DdamfnYuvMatrix yuv_matrix,
    DdamfnImage * image)
{
  memset (image, 0, sizeof (*image));
  image->format = pixel_format;
  image->width = GST_VIDEO_FRAME_WIDTH (frame);
  image->height = GST_VIDEO_FRAME_HEIGHT (frame);
  image->yuv_matrix = yuv_matrix;
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES (frame) && i < 3; i++) {
    image->planes[i] = GST_VIDEO_FRAME_PLANE_DATA (frame, i);
    image->strides[i] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, i);
  }
}

gboolean
gst_ddamfn_frame_rows_are_mapped (const GstVideoFrame * frame)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;

  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (frame); p++) {
    /* with a meta every plane is mapped on its own, else the whole buffer
     * once */
    const GstMapInfo *map = frame->meta ? &frame->map[p] : &frame->map[0];
    const guint8 *start = map->data, *end = map->data + map->size;
    const guint8 *data = frame->data[p];
    gint comp[GST_VIDEO_MAX_COMPONENTS];
    gint stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, p);
    guint64 rows, row_bytes;

    gst_video_format_info_component (finfo, p, comp);
    if (comp[0] < 0 || data == NULL || data < start || data > end)
      return FALSE;
    rows = GST_VIDEO_FRAME_COMP_HEIGHT (frame, comp[0]);
    row_bytes = (guint64) GST_VIDEO_FRAME_COMP_WIDTH (frame, comp[0]) *
        GST_VIDEO_FRAME_COMP_PSTRIDE (frame, comp[0]);
    if (rows == 0)
      continue;
    if (stride <= 0 || (guint64) stride < row_bytes)
      return FALSE;
    if ((rows - 1) * (guint64) stride + row_bytes > (guint64) (end - data))
      return FALSE;
  }
  return TRUE;
}
