/* Reading Protocol Buffers' wire format, bounds-checked: what the ONNX
 * importer needs of it (varints, fixed 32/64-bit values, length-delimited
 * fields, packed repeated numbers), over a buffer it never reads past.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_IMPORT_PROTOBUF_H
#define DDAMFN_IMPORT_PROTOBUF_H

#include <glib.h>

G_BEGIN_DECLS

/* Wire types. */
enum
{
  PB_VARINT = 0,
  PB_FIXED64 = 1,
  PB_LEN = 2,
  PB_FIXED32 = 5,
};

/* A message's bytes, read field by field. */
typedef struct
{
  const guint8 *p, *end;
} PbReader;

/* One field as read: its number, wire type and value (VARINT, FIXED64,
 * FIXED32: in u; LEN: data and len, inside the reader's buffer). */
typedef struct
{
  guint32 number;
  int wire;
  guint64 u;
  const guint8 *data;
  gsize len;
} PbField;

void pb_reader_init (PbReader * r, const guint8 * data, gsize len);

/* The next field into F: 1; the end of the message: 0; malformed bytes
 * (a varint of more than 10 bytes, a length past the end, a wire type
 * ONNX never uses, field number 0): −1. */
int pb_next (PbReader * r, PbField * f);

/* A LEN field's bytes as a reader. */
void pb_sub (const PbField * f, PbReader * sub);

/* The field's value as a signed 64-bit integer (int64, int32 varints). */
gint64 pb_int (const PbField * f);
float pb_float (const PbField * f);     /* FIXED32 */
double pb_double (const PbField * f);   /* FIXED64 */

/* A LEN field as a new NUL-terminated string, or NULL when it holds a NUL
 * byte, is not UTF-8 or is longer than MAX. */
char *pb_string (const PbField * f, gsize max);

/* Appends the values of a repeated integer field, packed (one LEN field of
 * varints) or not (one varint), to OUT (gint64), at most MAX in all: FALSE
 * when malformed or too many. */
gboolean pb_append_ints (const PbField * f, GArray * out, guint max);

G_END_DECLS

#endif /* DDAMFN_IMPORT_PROTOBUF_H */
