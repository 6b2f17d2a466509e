/* GstDdamfnMeta as JSON: the one serializer of the project's JSON records.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * The records are described by docs/ddamfn-record.schema.json. Every real
 * number is written with six decimals by g_ascii_formatd () (no locale,
 * no binary-to-decimal noise such as 0.041708000000000002), integers as
 * integers, unknown times as null. The text is written here rather than
 * by a JSON library so that these rules hold for every value.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <gst/ddamfn/gstddamfnmeta.h>

#include <math.h>

/* How the members of an object are laid out. */
typedef struct
{
  GString *out;
  gboolean pretty;
  gint depth;
  gboolean first;               /* no member written yet at this depth */
} Writer;

static void
newline (Writer * w)
{
  if (!w->pretty)
    return;
  g_string_append_c (w->out, '\n');
  for (gint i = 0; i < w->depth; i++)
    g_string_append (w->out, "  ");
}

static void
open_container (Writer * w, gchar c)
{
  g_string_append_c (w->out, c);
  w->depth++;
  w->first = TRUE;
}

static void
close_container (Writer * w, gchar c)
{
  gboolean empty = w->first;

  w->depth--;
  if (!empty)
    newline (w);
  g_string_append_c (w->out, c);
  w->first = FALSE;
}

/* Separator and indentation before the next value of a container. */
static void
next_value (Writer * w)
{
  if (!w->first)
    g_string_append_c (w->out, ',');
  w->first = FALSE;
  newline (w);
}

static void
write_string (Writer * w, const gchar * s)
{
  g_string_append_c (w->out, '"');
  for (const guchar * p = (const guchar *) (s ? s : ""); *p; p++) {
    switch (*p) {
      case '"':
        g_string_append (w->out, "\\\"");
        break;
      case '\\':
        g_string_append (w->out, "\\\\");
        break;
      case '\n':
        g_string_append (w->out, "\\n");
        break;
      case '\r':
        g_string_append (w->out, "\\r");
        break;
      case '\t':
        g_string_append (w->out, "\\t");
        break;
      default:
        if (*p < 0x20)
          g_string_append_printf (w->out, "\\u%04x", *p);
        else
          g_string_append_c (w->out, (gchar) * p);
    }
  }
  g_string_append_c (w->out, '"');
}

static void
member (Writer * w, const gchar * name)
{
  next_value (w);
  write_string (w, name);
  g_string_append (w->out, w->pretty ? ": " : ":");
}

/* A real value: rounded to six decimals (half away from zero, as the CSV
 * of ddamfn-analyze does) and written with six; null when not finite. */
static void
write_real (Writer * w, gdouble v)
{
  gchar buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (!isfinite (v)) {
    g_string_append (w->out, "null");
    return;
  }
  v = round (v * 1e6) / 1e6;
  if (v == 0.0)
    v = 0.0;                    /* no "-0.000000" */
  g_string_append (w->out, g_ascii_formatd (buf, sizeof (buf), "%.6f", v));
}

static void
member_real (Writer * w, const gchar * name, gdouble v)
{
  member (w, name);
  write_real (w, v);
}

static void
member_int (Writer * w, const gchar * name, gint64 v)
{
  member (w, name);
  g_string_append_printf (w->out, "%" G_GINT64_FORMAT, v);
}

static void
member_seconds (Writer * w, const gchar * name, GstClockTime t)
{
  member (w, name);
  if (GST_CLOCK_TIME_IS_VALID (t))
    write_real (w, (gdouble) t / GST_SECOND);
  else
    g_string_append (w->out, "null");
}

static void
member_reals (Writer * w, const gchar * name, const gfloat * v, gint n)
{
  gboolean pretty = w->pretty;

  member (w, name);
  /* number arrays stay on one line even when pretty */
  w->pretty = FALSE;
  open_container (w, '[');
  for (gint i = 0; i < n; i++) {
    next_value (w);
    write_real (w, v[i]);
  }
  close_container (w, ']');
  w->pretty = pretty;
}

/* The members of a face object (the schema's "face"). */
static void
write_face_members (Writer * w, const GstDdamfnFace * f)
{
  gint n_expr = CLAMP (f->n_expr, 0, GST_DDAMFN_META_MAX_EXPRESSIONS);
  gint n_au = CLAMP (f->n_au, 0, GST_DDAMFN_META_N_AU);
  gboolean pretty = w->pretty;

  member_int (w, "track_id", f->track_id);
  member_int (w, "roi_id", f->roi_id);
  member_int (w, "x", f->x);
  member_int (w, "y", f->y);
  member_int (w, "w", f->w);
  member_int (w, "h", f->h);
  member_int (w, "result_age", f->result_age);
  if (f->has_va) {
    member_real (w, "valence", f->valence);
    member_real (w, "arousal", f->arousal);
  }
  if (n_expr > 0 && f->expr_index >= 0 && f->expr_index < n_expr) {
    member (w, "expression");
    write_string (w, f->expr_label);
    member_int (w, "expression_index", f->expr_index);
    member_real (w, "confidence", f->expr_probs[f->expr_index]);
    member_reals (w, "expression_probs", f->expr_probs, n_expr);
  }
  if (n_au > 0) {
    member_reals (w, "au_probs", f->au_probs, n_au);
    member (w, "au_active");
    w->pretty = FALSE;
    open_container (w, '[');
    for (gint k = 0; k < n_au; k++) {
      if (!(f->au_active & (1u << k)))
        continue;
      next_value (w);
      write_string (w, f->au_names[k]);
    }
    close_container (w, ']');
    w->pretty = pretty;
  }
}

/**
 * gst_ddamfn_meta_to_json:
 * @faces: (array length=n_faces) (nullable): the faces of one buffer, e.g.
 *   the @faces of its #GstDdamfnMeta.
 * @n_faces: number of faces.
 * @frame: the index of the buffer in its stream.
 * @timestamp: the buffer's presentation time, or %GST_CLOCK_TIME_NONE.
 * @stream_time: the buffer's stream time, or %GST_CLOCK_TIME_NONE.
 * @pretty: indent the record over several lines instead of writing it on
 *   one line.
 *
 * The JSON record of one buffer, as the ddamfnjson element writes it: an
 * object with frame, timestamp and stream_time (seconds, null when
 * unknown) and faces, an array of face objects (track_id, roi_id, x, y, w,
 * h, result_age, and valence, arousal, expression, expression_index,
 * confidence, expression_probs, au_probs, au_active when the face has
 * them). docs/ddamfn-record.schema.json describes it. Real numbers carry
 * six decimals whatever the locale.
 *
 * Returns: (transfer full): the record, without a line break at the end;
 *   free with g_free().
 */
gchar *
gst_ddamfn_meta_to_json (const GstDdamfnFace * faces, guint n_faces,
    guint64 frame, GstClockTime timestamp, GstClockTime stream_time,
    gboolean pretty)
{
  Writer w = { g_string_sized_new (256 + 512 * n_faces), pretty, 0, TRUE };

  g_return_val_if_fail (n_faces == 0 || faces != NULL, NULL);

  open_container (&w, '{');
  member_int (&w, "frame", (gint64) frame);
  member_seconds (&w, "timestamp", timestamp);
  member_seconds (&w, "stream_time", stream_time);
  member (&w, "faces");
  open_container (&w, '[');
  for (guint i = 0; i < n_faces; i++) {
    next_value (&w);
    open_container (&w, '{');
    write_face_members (&w, &faces[i]);
    close_container (&w, '}');
  }
  close_container (&w, ']');
  close_container (&w, '}');
  return g_string_free (w.out, FALSE);
}

/**
 * gst_ddamfn_face_to_json_row:
 * @face: a face.
 * @frame: the index of its frame in the stream.
 * @timestamp: the frame's time in seconds, NAN when unknown (written as
 *   null).
 *
 * One face as a flat JSON object, as ddamfn-analyze --jsonl writes one
 * per line: frame and timestamp followed by the members of the face object
 * of gst_ddamfn_meta_to_json(), written by the same code.
 *
 * Returns: (transfer full): the object, on one line without a line break;
 *   free with g_free().
 */
gchar *
gst_ddamfn_face_to_json_row (const GstDdamfnFace * face, guint64 frame,
    gdouble timestamp)
{
  Writer w = { g_string_sized_new (512), FALSE, 0, TRUE };

  g_return_val_if_fail (face != NULL, NULL);

  open_container (&w, '{');
  member_int (&w, "frame", (gint64) frame);
  member_real (&w, "timestamp", timestamp);
  write_face_members (&w, face);
  close_container (&w, '}');
  return g_string_free (w.out, FALSE);
}
