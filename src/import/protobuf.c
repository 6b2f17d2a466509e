/* Reading Protocol Buffers' wire format, bounds-checked (protobuf.h).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "import/protobuf.h"

#include <string.h>

void
pb_reader_init (PbReader * r, const guint8 * data, gsize len)
{
  static const guint8 empty[1];

  /* no arithmetic on a null pointer (an empty message may have none) */
  r->p = data ? data : empty;
  r->end = data ? data + len : empty;
}

static gboolean
read_varint (PbReader * r, guint64 * out)
{
  guint64 v = 0;

  for (int shift = 0; shift < 64; shift += 7) {
    guint8 b;

    if (r->p >= r->end)
      return FALSE;
    b = *r->p++;
    v |= (guint64) (b & 0x7f) << shift;
    if (!(b & 0x80)) {
      *out = v;
      return TRUE;
    }
  }
  return FALSE;                 /* more than 10 bytes */
}

int
pb_next (PbReader * r, PbField * f)
{
  guint64 key, len;

  if (r->p >= r->end)
    return 0;
  if (!read_varint (r, &key) || key >> 3 == 0 || key >> 3 > G_MAXUINT32)
    return -1;
  memset (f, 0, sizeof (*f));
  f->number = (guint32) (key >> 3);
  f->wire = (int) (key & 7);
  switch (f->wire) {
    case PB_VARINT:
      return read_varint (r, &f->u) ? 1 : -1;
    case PB_FIXED64:
      if (r->end - r->p < 8)
        return -1;
      memcpy (&f->u, r->p, 8);
      f->u = GUINT64_FROM_LE (f->u);
      r->p += 8;
      return 1;
    case PB_FIXED32:{
      guint32 v;

      if (r->end - r->p < 4)
        return -1;
      memcpy (&v, r->p, 4);
      f->u = GUINT32_FROM_LE (v);
      r->p += 4;
      return 1;
    }
    case PB_LEN:
      if (!read_varint (r, &len) || len > (guint64) (r->end - r->p))
        return -1;
      f->data = r->p;
      f->len = (gsize) len;
      r->p += len;
      return 1;
    default:                   /* groups (3, 4) and 6, 7 */
      return -1;
  }
}

void
pb_sub (const PbField * f, PbReader * sub)
{
  pb_reader_init (sub, f->data, f->wire == PB_LEN ? f->len : 0);
}

gint64
pb_int (const PbField * f)
{
  return (gint64) f->u;
}

float
pb_float (const PbField * f)
{
  guint32 bits = (guint32) f->u;
  float v;

  memcpy (&v, &bits, 4);
  return v;
}

double
pb_double (const PbField * f)
{
  double v;

  memcpy (&v, &f->u, 8);
  return v;
}

char *
pb_string (const PbField * f, gsize max)
{
  if (f->wire != PB_LEN || f->len > max || memchr (f->data, 0, f->len)
      || !g_utf8_validate ((const char *) f->data, f->len, NULL))
    return NULL;
  return g_strndup ((const char *) f->data, f->len);
}

gboolean
pb_append_ints (const PbField * f, GArray * out, guint max)
{
  if (f->wire == PB_VARINT) {
    gint64 v = pb_int (f);

    if (out->len >= max)
      return FALSE;
    g_array_append_val (out, v);
    return TRUE;
  }
  if (f->wire == PB_LEN) {
    PbReader r;
    guint64 u;

    pb_sub (f, &r);
    while (r.p < r.end) {
      gint64 v;

      if (out->len >= max || !read_varint (&r, &u))
        return FALSE;
      v = (gint64) u;
      g_array_append_val (out, v);
    }
    return TRUE;
  }
  return FALSE;
}
