/* JPEG decoding with libjpeg-turbo for the command-line tools.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-tool.h"

#include <ddamfn/ddamfn.h>

#include <turbojpeg.h>

/* JPEG files larger than this are refused rather than read into memory. */
#define MAX_JPEG_BYTES (256 * 1024 * 1024)
#define MAX_JPEG_PIXELS (1ull << 28)

uint8_t *
ddamfn_jpeg_decode_file (const char *path, int *width, int *height,
    GError ** error)
{
  gchar *data = NULL;
  gsize len = 0;
  GError *io_error = NULL;
  tjhandle tj;
  int w, h, subsamp, colorspace;
  uint8_t *rgb = NULL;

  g_return_val_if_fail (path != NULL && width != NULL && height != NULL,
      NULL);

  if (!g_file_get_contents (path, &data, &len, &io_error)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO, "%s",
        io_error->message);
    g_error_free (io_error);
    return NULL;
  }
  if (len > MAX_JPEG_BYTES) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: file too large for a JPEG (%" G_GSIZE_FORMAT " bytes)", path,
        len);
    g_free (data);
    return NULL;
  }

  tj = tjInitDecompress ();
  if (tj == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
        "cannot create a JPEG decoder");
    g_free (data);
    return NULL;
  }
  if (tjDecompressHeader3 (tj, (const unsigned char *) data, len, &w, &h,
          &subsamp, &colorspace) != 0) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: not a JPEG image (%s)", path, tjGetErrorStr2 (tj));
    goto out;
  }
  if (w < 1 || h < 1 || (guint64) w * h > MAX_JPEG_PIXELS) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: unsupported JPEG size %d×%d", path, w, h);
    goto out;
  }
  rgb = g_try_malloc ((gsize) w * h * 3);
  if (rgb == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
        "%s: out of memory for a %d×%d image", path, w, h);
    goto out;
  }
  if (tjDecompress2 (tj, (const unsigned char *) data, len, rgb, w, w * 3, h,
          TJPF_RGB, TJFLAG_ACCURATEDCT) != 0
      && tjGetErrorCode (tj) == TJERR_FATAL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: corrupt JPEG data (%s)", path, tjGetErrorStr2 (tj));
    g_clear_pointer (&rgb, g_free);
    goto out;
  }
  *width = w;
  *height = h;

out:
  tjDestroy (tj);
  g_free (data);
  return rgb;
}
