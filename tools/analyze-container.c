/* ddamfn-analyze: the frame count an AVI file declares in its header (see
 * analyze-container.h). Reads the first 64 KiB only; every offset is
 * checked against what was read.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "analyze-container.h"

#include <stdio.h>
#include <string.h>

#define HEAD_BYTES 65536

static guint32
le32 (const guint8 * p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16
      | (guint32) p[3] << 24;
}

typedef struct
{
  guint64 avih;                 /* avih dwTotalFrames */
  guint64 strh;                 /* the first video stream's dwLength */
  guint64 dmlh;                 /* OpenDML dwTotalFrames */
} Declared;

/* Walks the chunks in [START, END) of BUF; descends into the LISTs that
 * hold headers (hdrl, strl, odml). */
static void
walk (const guint8 * buf, gsize start, gsize end, Declared * d, gint depth)
{
  gsize pos = start;

  while (depth < 4 && pos + 8 <= end) {
    const guint8 *id = buf + pos;
    guint64 size = le32 (buf + pos + 4);
    gsize data = pos + 8;
    gsize data_end = (guint64) data + size > end ? end : data + size;

    if (memcmp (id, "LIST", 4) == 0 && data + 4 <= data_end) {
      const guint8 *type = buf + data;

      if (memcmp (type, "hdrl", 4) == 0 || memcmp (type, "strl", 4) == 0
          || memcmp (type, "odml", 4) == 0)
        walk (buf, data + 4, data_end, d, depth + 1);
      else if (memcmp (type, "movi", 4) == 0)
        return;                 /* the headers come before the data */
    } else if (memcmp (id, "avih", 4) == 0 && data + 20 <= data_end) {
      d->avih = le32 (buf + data + 16);
    } else if (memcmp (id, "strh", 4) == 0 && data + 36 <= data_end
        && memcmp (buf + data, "vids", 4) == 0 && d->strh == 0) {
      d->strh = le32 (buf + data + 32);
    } else if (memcmp (id, "dmlh", 4) == 0 && data + 4 <= data_end) {
      d->dmlh = le32 (buf + data);
    }
    pos = data + size + (size & 1);     /* chunks are word-aligned */
  }
}

guint64
analyze_avi_declared_frames (const gchar * path)
{
  guint8 *buf;
  FILE *fp = fopen (path, "rb");
  gsize n;
  Declared d = { 0, 0, 0 };

  if (fp == NULL)
    return 0;
  buf = g_malloc (HEAD_BYTES);
  n = fread (buf, 1, HEAD_BYTES, fp);
  fclose (fp);
  if (n >= 12 && memcmp (buf, "RIFF", 4) == 0
      && memcmp (buf + 8, "AVI ", 4) == 0)
    walk (buf, 12, n, &d, 0);
  g_free (buf);
  return d.dmlh ? d.dmlh : d.strh ? d.strh : d.avih;
}
