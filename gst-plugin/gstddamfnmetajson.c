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
#include <string.h>

/* The version of docs/ddamfn-record.schema.json the records follow: 2
 * added schema, source, score, expression_labels, expression_canonical,
 * canonical_probs and faces without track_id (detected, not analysed). */
#define RECORD_SCHEMA_VERSION 2

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

/* The canonical expression classes, in the order the schema lists them,
 * and the spellings of the models' own labels that map to each (compared
 * without case); any other label maps to "other". docs/json-records.md
 * lists them. */
static const gchar *const canonical_names[] = {
  "neutral", "happiness", "sadness", "surprise", "fear", "disgust",
  "anger", "contempt", "other"
};

#define N_CANONICAL G_N_ELEMENTS (canonical_names)
#define CANONICAL_OTHER (N_CANONICAL - 1)

static const struct
{
  const gchar *label;
  guint canonical;
} canonical_spellings[] = {
  {"neutral", 0}, {"happy", 1}, {"happiness", 1}, {"joy", 1},
  {"sad", 2}, {"sadness", 2}, {"surprise", 3}, {"surprised", 3},
  {"fear", 4}, {"fearful", 4}, {"afraid", 4}, {"disgust", 5},
  {"disgusted", 5}, {"anger", 6}, {"angry", 6}, {"contempt", 7},
  {"other", 8}
};

static guint
canonical_index (const gchar * label)
{
  for (guint i = 0; label && i < G_N_ELEMENTS (canonical_spellings); i++)
    if (g_ascii_strcasecmp (label, canonical_spellings[i].label) == 0)
      return canonical_spellings[i].canonical;
  return CANONICAL_OTHER;
}

/* expression_labels, expression_canonical and canonical_probs: the
 * model's names of its classes, and its probabilities summed into the
 * canonical classes (every canonical name present, 0 when the model has
 * no such class). Needs the face's label set. */
static void
write_labels (Writer * w, const GstDdamfnFace * f, gint n_expr)
{
  gdouble sums[N_CANONICAL] = { 0 };
  gboolean pretty = w->pretty;

  if (f->expr_labels == NULL)
    return;
  member (w, "expression_labels");
  w->pretty = FALSE;
  open_container (w, '[');
  for (gint i = 0; i < n_expr; i++) {
    next_value (w);
    write_string (w, f->expr_labels[i]);
    sums[canonical_index (f->expr_labels[i])] += f->expr_probs[i];
  }
  close_container (w, ']');
  member (w, "expression_canonical");
  write_string (w, canonical_names[canonical_index (f->expr_labels
              [f->expr_index])]);
  member (w, "canonical_probs");
  open_container (w, '{');
  for (guint c = 0; c < N_CANONICAL; c++)
    member_real (w, canonical_names[c], sums[c]);
  close_container (w, '}');
  w->pretty = pretty;
}

/* The members of a face object (the schema's "face"). SCORE: the
 * detector's confidence, NAN when unknown. A face without a track (0) is
 * one a detector found and nothing analysed: no track_id. */
static void
write_face_members (Writer * w, const GstDdamfnFace * f, gdouble score)
{
  gint n_expr = CLAMP (f->n_expr, 0, GST_DDAMFN_META_MAX_EXPRESSIONS);
  gint n_au = CLAMP (f->n_au, 0, GST_DDAMFN_META_N_AU);
  gboolean pretty = w->pretty;

  if (f->track_id > 0)
    member_int (w, "track_id", f->track_id);
  member_int (w, "roi_id", f->roi_id);
  member_int (w, "x", f->x);
  member_int (w, "y", f->y);
  member_int (w, "w", f->w);
  member_int (w, "h", f->h);
  if (isfinite (score))
    member_real (w, "score", score);
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
    write_labels (w, f, n_expr);
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
 * gst_ddamfn_record_to_json:
 * @source: (nullable): the name of the stream (a camera, a file), written
 *   as the record's source; %NULL writes null.
 * @frame: the index of the buffer in its stream.
 * @timestamp: the buffer's presentation time, or %GST_CLOCK_TIME_NONE.
 * @stream_time: the buffer's stream time, or %GST_CLOCK_TIME_NONE.
 * @faces: (array length=n_faces) (nullable): the faces of the buffer.
 * @scores: (array length=n_faces) (nullable): the detector's confidence
 *   of each face, NAN where unknown; %NULL: unknown for all.
 * @n_faces: number of faces.
 * @pretty: indent the record over several lines instead of one line.
 *
 * The JSON record of one buffer, as the ddamfnjson element writes it: an
 * object with schema (the version of docs/ddamfn-record.schema.json,
 * currently 2), source, frame, timestamp and stream_time (seconds, null
 * when unknown) and faces, an array of face objects (track_id, roi_id, x,
 * y, w, h, score, result_age, and valence, arousal, expression,
 * expression_index, confidence, expression_probs, expression_labels,
 * expression_canonical, canonical_probs, au_probs, au_active when the face
 * has them). (source, frame) identifies a record. Real numbers carry six
 * decimals whatever the locale.
 *
 * Returns: (transfer full): the record, without a line break at the end;
 *   free with g_free().
 *
 * Since: 0.2
 */
gchar *
gst_ddamfn_record_to_json (const gchar * source, guint64 frame,
    GstClockTime timestamp, GstClockTime stream_time,
    const GstDdamfnFace * faces, const gdouble * scores, guint n_faces,
    gboolean pretty)
{
  Writer w = { g_string_sized_new (256 + 768 * n_faces), pretty, 0, TRUE };

  g_return_val_if_fail (n_faces == 0 || faces != NULL, NULL);

  open_container (&w, '{');
  member_int (&w, "schema", RECORD_SCHEMA_VERSION);
  member (&w, "source");
  if (source)
    write_string (&w, source);
  else
    g_string_append (w.out, "null");
  member_int (&w, "frame", (gint64) frame);
  member_seconds (&w, "timestamp", timestamp);
  member_seconds (&w, "stream_time", stream_time);
  member (&w, "faces");
  open_container (&w, '[');
  for (guint i = 0; i < n_faces; i++) {
    next_value (&w);
    open_container (&w, '{');
    write_face_members (&w, &faces[i], scores ? scores[i] : NAN);
    close_container (&w, '}');
  }
  close_container (&w, ']');
  close_container (&w, '}');
  return g_string_free (w.out, FALSE);
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
 * The record of gst_ddamfn_record_to_json() without a source (null) and
 * without detector scores. docs/ddamfn-record.schema.json describes it.
 *
 * Returns: (transfer full): the record, without a line break at the end;
 *   free with g_free().
 */
gchar *
gst_ddamfn_meta_to_json (const GstDdamfnFace * faces, guint n_faces,
    guint64 frame, GstClockTime timestamp, GstClockTime stream_time,
    gboolean pretty)
{
  return gst_ddamfn_record_to_json (NULL, frame, timestamp, stream_time,
      faces, NULL, n_faces, pretty);
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
  write_face_members (&w, face, NAN);
  close_container (&w, '}');
  return g_string_free (w.out, FALSE);
}
