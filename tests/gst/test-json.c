/* The JSON records: the serializer's exact text, and ddamfnjson in a real
 * pipeline (Megamind.avi through facedetect and ddamfnfilter to a file)
 * against the GstDdamfnMeta it read, validated against the schema.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: test-json DATA_DIR MODEL WORKDIR PYTHON VALIDATOR SCHEMA
 * The pipeline part is skipped (with a message) when Megamind.avi or
 * facedetect is missing; the rest always runs.
 */
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <gst/ddamfn/gstddamfnmeta.h>
#include <json-glib/json-glib.h>

#include <glib/gstdio.h>
#include <locale.h>
#include <math.h>
#include <string.h>

#include "soft-check.h"

static const gchar *python, *validator, *schema;

/* Two faces with values chosen to show the number rules: a float whose
 * double is 0.041708000000000002…, a negative value, a value that rounds
 * up, and a face without a result. */
static void
make_faces (GstDdamfnFace faces[2])
{
  static const gchar *labels[] = { "Neutral", "Happy", "Sad" };
  static const gchar *aus[] = { "AU1", "AU2", "AU4", "AU6", "AU7", "AU10",
    "AU12", "AU15", "AU23", "AU24", "AU25", "AU26"
  };

  memset (faces, 0, 2 * sizeof (GstDdamfnFace));
  faces[0].roi_id = 3;
  faces[0].track_id = 7;
  faces[0].x = 10;
  faces[0].y = 20;
  faces[0].w = 30;
  faces[0].h = 40;
  faces[0].has_va = TRUE;
  faces[0].valence = 0.041708f;
  faces[0].arousal = -0.5f;
  faces[0].n_expr = 3;
  faces[0].expr_index = 1;
  faces[0].expr_probs[0] = 0.25f;
  faces[0].expr_probs[1] = 0.7499996f;
  faces[0].expr_probs[2] = 0.0000004f;
  faces[0].expr_label = labels[1];
  faces[0].expr_labels = labels;
  faces[0].n_au = 12;
  for (gint k = 0; k < 12; k++) {
    faces[0].au_probs[k] = k / 12.0f;
    faces[0].au_names[k] = aus[k];
  }
  faces[0].au_active = (1u << 7) | (1u << 11);
  faces[0].result_age = 2;

  faces[1].roi_id = -1;
  faces[1].track_id = 8;
  faces[1].x = 0;
  faces[1].y = 0;
  faces[1].w = 1;
  faces[1].h = 1;
  faces[1].expr_index = -1;
  faces[1].result_age = -1;
}

static const gchar *expected_record =
    "{\"schema\":2,\"source\":null,"
    "\"frame\":5,\"timestamp\":1.500000,\"stream_time\":null,\"faces\":["
    "{\"track_id\":7,\"roi_id\":3,\"x\":10,\"y\":20,\"w\":30,\"h\":40,"
    "\"result_age\":2,\"valence\":0.041708,\"arousal\":-0.500000,"
    "\"expression\":\"Happy\",\"expression_index\":1,\"confidence\":0.750000,"
    "\"expression_probs\":[0.250000,0.750000,0.000000],"
    "\"expression_labels\":[\"Neutral\",\"Happy\",\"Sad\"],"
    "\"expression_canonical\":\"happiness\",\"canonical_probs\":{"
    "\"neutral\":0.250000,\"happiness\":0.750000,\"sadness\":0.000000,"
    "\"surprise\":0.000000,\"fear\":0.000000,\"disgust\":0.000000,"
    "\"anger\":0.000000,\"contempt\":0.000000,\"other\":0.000000},"
    "\"au_probs\":[0.000000,0.083333,0.166667,0.250000,0.333333,0.416667,"
    "0.500000,0.583333,0.666667,0.750000,0.833333,0.916667],"
    "\"au_active\":[\"AU15\",\"AU26\"]},"
    "{\"track_id\":8,\"roi_id\":-1,\"x\":0,\"y\":0,\"w\":1,\"h\":1,"
    "\"result_age\":-1}]}";

/* Runs the schema validator on PATH; TRUE when every record is valid. */
static gboolean
validate (const gchar * path, const gchar * kind)
{
  const gchar *argv[] = { python, validator, schema, path, kind, NULL };
  gchar *out = NULL, *err = NULL;
  GError *error = NULL;
  gint status = -1;
  gboolean ok;

  ok = g_spawn_sync (NULL, (gchar **) argv, NULL, G_SPAWN_DEFAULT, NULL,
      NULL, &out, &err, &status, &error);
  CHECK (ok, "cannot run %s: %s", validator, error ? error->message : "");
  g_clear_error (&error);
  if (ok)
    g_print ("%s%s", out, err);
  ok = ok && g_spawn_check_wait_status (status, NULL);
  g_free (out);
  g_free (err);
  return ok;
}

static void
test_serializer (const gchar * workdir)
{
  GstDdamfnFace faces[2];
  gchar *text, *row, *path;
  JsonParser *parser = json_parser_new ();
  GError *error = NULL;

  make_faces (faces);
  text = gst_ddamfn_meta_to_json (faces, 2, 5, 1500 * GST_MSECOND,
      GST_CLOCK_TIME_NONE, FALSE);
  CHECK (strcmp (text, expected_record) == 0, "record\n  %s\nexpected\n  %s",
      text, expected_record);

  /* With a source (escaped) and the detector's scores (NAN: unknown, left
   * out); the rest as without. */
  {
    const gdouble scores[2] = { 0.9, NAN };
    gchar *named = gst_ddamfn_record_to_json ("cam \"1\"", 5,
        1500 * GST_MSECOND, GST_CLOCK_TIME_NONE, faces, scores, 2, FALSE);

    CHECK (g_str_has_prefix (named,
            "{\"schema\":2,\"source\":\"cam \\\"1\\\"\",\"frame\":5,"),
        "source: %s", named);
    CHECK (strstr (named, "\"h\":40,\"score\":0.900000,\"result_age\":2")
        != NULL, "score of face 0: %s", named);
    CHECK (strstr (named, "\"h\":1,\"result_age\":-1}") != NULL,
        "face 1 has a score: %s", named);
    g_free (named);
  }

  /* A comma as the decimal separator changes nothing. */
  if (setlocale (LC_NUMERIC, "de_DE.UTF-8") != NULL) {
    gchar *again = gst_ddamfn_meta_to_json (faces, 2, 5, 1500 * GST_MSECOND,
        GST_CLOCK_TIME_NONE, FALSE);
    CHECK (strcmp (again, text) == 0, "locale changed the record: %s", again);
    g_free (again);
    setlocale (LC_NUMERIC, "C");
  } else {
    g_print ("note: no de_DE.UTF-8 locale here; the locale check is not "
        "run\n");
  }

  /* The row: frame and timestamp, then the record's members of face 0,
   * character for character. */
  row = gst_ddamfn_face_to_json_row (&faces[0], 12, NAN);
  {
    const gchar *start = strstr (expected_record, "\"track_id\":7");
    const gchar *end = strstr (expected_record, "},{\"track_id\":8");
    gchar *expected_row = g_strdup_printf ("{\"frame\":12,"
        "\"timestamp\":null,%.*s}", (int) (end - start), start);

    CHECK (strcmp (row, expected_row) == 0, "row\n  %s\nexpected\n  %s", row,
        expected_row);
    g_free (expected_row);
  }

  /* Pretty: several lines, the same values. */
  {
    gchar *pretty = gst_ddamfn_meta_to_json (faces, 2, 5, 1500 * GST_MSECOND,
        GST_CLOCK_TIME_NONE, TRUE);
    JsonGenerator *gen = json_generator_new ();
    gchar *compact;

    CHECK (strchr (pretty, '\n') != NULL, "pretty record on one line");
    CHECK (json_parser_load_from_data (parser, pretty, -1, &error),
        "pretty record does not parse: %s", error ? error->message : "");
    g_clear_error (&error);
    json_generator_set_root (gen, json_parser_get_root (parser));
    compact = json_generator_to_data (gen, NULL);
    CHECK (strstr (compact, "\"au_active\":[\"AU15\",\"AU26\"]") != NULL,
        "pretty record lost values: %s", compact);
    g_free (compact);
    g_object_unref (gen);
    g_free (pretty);
  }

  /* Both kinds validate; a broken record does not. */
  path = g_build_filename (workdir, "serializer.jsonl", NULL);
  {
    gchar *lines = g_strdup_printf ("%s\n", text);
    g_file_set_contents (path, lines, -1, NULL);
    CHECK (validate (path, "frame_record"), "the record does not validate");
    g_free (lines);
    lines = g_strdup_printf ("%s\n", row);
    g_file_set_contents (path, lines, -1, NULL);
    CHECK (validate (path, "face_row"), "the row does not validate");
    g_free (lines);
    lines = g_strdup_printf ("{\"frame\":1,\"timestamp\":0.0,"
        "\"stream_time\":0.0,\"faces\":[{\"track_id\":0}]}\n");
    g_file_set_contents (path, lines, -1, NULL);
    CHECK (!validate (path, "frame_record"), "a broken record validates");
    g_free (lines);
  }
  g_free (path);
  g_free (row);
  g_free (text);
  g_object_unref (parser);
}

/* ---------------------------------------------------------------- */

typedef struct
{
  GMutex lock;
  GPtrArray *frames;            /* GArray of GstDdamfnFace per buffer */
} Seen;

static GstPadProbeReturn
on_json_input (G_GNUC_UNUSED GstPad * pad, GstPadProbeInfo * info,
    gpointer data)
{
  Seen *seen = data;
  GstDdamfnMeta *meta = gst_buffer_get_ddamfn_meta (GST_PAD_PROBE_INFO_BUFFER
      (info));
  GArray *faces = g_array_new (FALSE, FALSE, sizeof (GstDdamfnFace));

  if (meta)
    g_array_append_vals (faces, meta->faces, meta->n_faces);
  g_mutex_lock (&seen->lock);
  g_ptr_array_add (seen->frames, faces);
  g_mutex_unlock (&seen->lock);
  return GST_PAD_PROBE_OK;
}

static gboolean
run_to_eos (GstElement * pipeline)
{
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gboolean ok;

  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 600 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  ok = msg && GST_MESSAGE_TYPE (msg) == GST_MESSAGE_EOS;
  if (msg && !ok) {
    GError *error = NULL;
    gchar *dbg = NULL;
    gst_message_parse_error (msg, &error, &dbg);
    g_printerr ("pipeline error: %s (%s)\n", error->message, dbg);
    g_clear_error (&error);
    g_free (dbg);
  }
  gst_clear_message (&msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  return ok;
}

static gboolean
close_to (JsonObject * o, const gchar * member, gdouble v)
{
  return json_object_has_member (o, member)
      && fabs (json_object_get_double_member (o, member) - v) <= 6e-7;
}

static gboolean
reals_match (JsonObject * o, const gchar * member, const gfloat * v, gint n)
{
  JsonArray *a;

  if (!json_object_has_member (o, member))
    return n == 0;
  a = json_object_get_array_member (o, member);
  if ((gint) json_array_get_length (a) != n)
    return FALSE;
  for (gint i = 0; i < n; i++)
    if (fabs (json_array_get_double_element (a, i) - v[i]) > 6e-7)
      return FALSE;
  return TRUE;
}

/* One face of the file against the meta's. */
static gboolean
face_matches (JsonObject * o, const GstDdamfnFace * f)
{
  JsonArray *active;
  guint k, j = 0;

  if (json_object_get_int_member (o, "track_id") != f->track_id
      || json_object_get_int_member (o, "x") != f->x
      || json_object_get_int_member (o, "y") != f->y
      || json_object_get_int_member (o, "w") != f->w
      || json_object_get_int_member (o, "h") != f->h
      || json_object_get_int_member (o, "roi_id") != f->roi_id
      || json_object_get_int_member (o, "result_age") != f->result_age)
    return FALSE;
  if (f->has_va != json_object_has_member (o, "valence"))
    return FALSE;
  if (f->has_va && !(close_to (o, "valence", f->valence)
          && close_to (o, "arousal", f->arousal)))
    return FALSE;
  if (f->n_expr > 0 && (g_strcmp0 (json_object_get_string_member (o,
                  "expression"), f->expr_label) != 0
          || json_object_get_int_member (o, "expression_index") !=
          f->expr_index))
    return FALSE;
  if (!reals_match (o, "expression_probs", f->expr_probs, f->n_expr)
      || !reals_match (o, "au_probs", f->au_probs, f->n_au))
    return FALSE;
  if (f->n_au == 0)
    return !json_object_has_member (o, "au_active");
  active = json_object_get_array_member (o, "au_active");
  for (k = 0; k < (guint) f->n_au; k++) {
    if (!(f->au_active & (1u << k)))
      continue;
    if (j >= json_array_get_length (active)
        || g_strcmp0 (json_array_get_string_element (active, j++),
            f->au_names[k]) != 0)
      return FALSE;
  }
  return j == json_array_get_length (active);
}

/* The file's records against the metas seen, in order (only the frames
 * with faces when SKIP_EMPTY). */
static void
compare_file (const gchar * path, Seen * seen, gboolean skip_empty,
    const gchar * source)
{
  gchar *contents = NULL, **lines;
  JsonParser *parser = json_parser_new ();
  guint n_lines, expected = 0, with_faces = 0, line = 0;

  CHECK (g_file_get_contents (path, &contents, NULL, NULL), "no %s", path);
  if (contents == NULL)
    return;
  lines = g_strsplit (contents, "\n", -1);
  n_lines = g_strv_length (lines) - 1;  /* the text ends with a newline */
  CHECK (lines[n_lines][0] == '\0', "last record without a newline");

  for (guint i = 0; i < seen->frames->len; i++) {
    GArray *faces = g_ptr_array_index (seen->frames, i);
    JsonObject *o;
    JsonArray *a;

    if (faces->len > 0)
      with_faces++;
    if (skip_empty && faces->len == 0)
      continue;
    expected++;
    if (line >= n_lines)
      continue;
    if (!json_parser_load_from_data (parser, lines[line++], -1, NULL)) {
      CHECK (FALSE, "line %u is not JSON", line);
      continue;
    }
    o = json_node_get_object (json_parser_get_root (parser));
    CHECK (g_strcmp0 (json_object_get_string_member (o, "source"), source)
        == 0, "line %u: source %s, expected %s", line,
        json_object_get_string_member (o, "source"), source);
    CHECK (json_object_get_int_member (o, "frame") == i,
        "line %u: frame %" G_GINT64_FORMAT ", expected %u", line,
        json_object_get_int_member (o, "frame"), i);
    a = json_object_get_array_member (o, "faces");
    CHECK (json_array_get_length (a) == faces->len, "line %u: %u faces, the "
        "meta has %u", line, json_array_get_length (a), faces->len);
    for (guint k = 0; k < faces->len && k < json_array_get_length (a); k++)
      CHECK (face_matches (json_array_get_object_element (a, k),
              &g_array_index (faces, GstDdamfnFace, k)),
          "line %u face %u differs from the meta", line, k);
  }
  CHECK (n_lines == expected, "%u lines for %u expected records", n_lines,
      expected);
  CHECK (with_faces > 10, "only %u frames with faces", with_faces);
  g_print ("%s: %u records, %u buffers, %u with faces\n", path, n_lines,
      seen->frames->len, with_faces);
  g_strfreev (lines);
  g_free (contents);
  g_object_unref (parser);
}

static void
test_megamind (const gchar * video, const gchar * model,
    const gchar * workdir, gboolean skip_empty)
{
  gchar *out = g_build_filename (workdir, skip_empty ? "megamind-faces.jsonl"
      : "megamind.jsonl", NULL);
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "identity eos-after=90 ! videoconvert ! "
      "facedetect display=false updates=none ! "
      "ddamfnfilter model=\"%s\" ! ddamfnjson name=j skip-empty=%s ! "
      "filesink location=\"%s\"", video, model,
      skip_empty ? "true" : "false", out);
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &error);
  Seen seen = { 0 };
  GstElement *j;
  GstPad *pad;

  CHECK (pipeline != NULL, "%s: %s", desc, error ? error->message : "");
  g_clear_error (&error);
  if (pipeline == NULL)
    goto out;
  g_mutex_init (&seen.lock);
  seen.frames = g_ptr_array_new_with_free_func ((GDestroyNotify)
      g_array_unref);
  j = gst_bin_get_by_name (GST_BIN (pipeline), "j");
  pad = gst_element_get_static_pad (j, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_json_input, &seen,
      NULL);
  gst_object_unref (pad);
  gst_object_unref (j);

  CHECK (run_to_eos (pipeline), "the pipeline did not reach EOS");
  gst_object_unref (pipeline);
  {
    /* no source property: the file's URI, which filesrc answers */
    gchar *uri = gst_filename_to_uri (video, NULL);
    compare_file (out, &seen, skip_empty, uri);
    g_free (uri);
  }
  CHECK (validate (out, "frame_record"), "%s does not validate", out);
  g_ptr_array_unref (seen.frames);
  g_mutex_clear (&seen.lock);
out:
  g_free (desc);
  g_free (out);
}

/* Frames without ROIs: an empty faces array each, or nothing; pretty
 * records each parse on their own. */
static void
test_no_faces (const gchar * model)
{
  for (gint mode = 0; mode < 3; mode++) {
    gchar *desc = g_strdup_printf ("videotestsrc num-buffers=5 ! "
        "video/x-raw,width=64,height=48 ! ddamfnfilter model=\"%s\" ! "
        "ddamfnjson skip-empty=%s pretty=%s ! appsink name=s sync=false",
        model, mode == 1 ? "true" : "false", mode == 2 ? "true" : "false");
    GstElement *pipeline = gst_parse_launch (desc, NULL);
    GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "s");
    JsonParser *parser = json_parser_new ();
    GstSample *sample;
    guint n = 0;

    gst_element_set_state (pipeline, GST_STATE_PLAYING);
    while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink)))) {
      GstBuffer *buf = gst_sample_get_buffer (sample);
      GstMapInfo map;
      gchar *expected = g_strdup_printf (mode == 2 ?
          "{\n  \"schema\": 2,\n  \"source\": null,\n  \"frame\": %u,\n"
          "  \"timestamp\": " :
          "{\"schema\":2,\"source\":null,\"frame\":%u,\"timestamp\":", n);
      GstStructure *caps =
          gst_caps_get_structure (gst_sample_get_caps (sample), 0);

      CHECK (g_strcmp0 (gst_structure_get_string (caps, "format"),
              mode == 2 ? "pretty" : "jsonl") == 0, "caps %s",
          gst_structure_get_string (caps, "format"));
      gst_buffer_map (buf, &map, GST_MAP_READ);
      CHECK (map.size > 0 && map.data[map.size - 1] == '\n',
          "record without its newline");
      CHECK (strncmp ((gchar *) map.data, expected, strlen (expected)) == 0,
          "record %u: %.*s", n, (int) map.size, map.data);
      CHECK (json_parser_load_from_data (parser, (gchar *) map.data,
              map.size, NULL), "record %u does not parse", n);
      CHECK (g_strstr_len ((gchar *) map.data, map.size, mode == 2 ?
              "\"faces\": []" : "\"faces\":[]") != NULL,
          "faces not empty: %.*s", (int) map.size, map.data);
      CHECK (GST_BUFFER_PTS (buf) == n * GST_SECOND / 30, "timestamp lost");
      gst_buffer_unmap (buf, &map);
      g_free (expected);
      gst_sample_unref (sample);
      n++;
    }
    CHECK (n == (mode == 1 ? 0u : 5u), "mode %d: %u records", mode, n);
    gst_element_set_state (pipeline, GST_STATE_NULL);
    g_object_unref (parser);
    gst_object_unref (sink);
    gst_object_unref (pipeline);
    g_free (desc);
  }
}

/* A detector and no ddamfnfilter: each record keeps the face regions (box
 * clipped to the frame, the detector's score when it gives one, no result,
 * no track_id), regions of another type are left out, and ddamfnjson
 * warns once, not once per frame. */
static GstPadProbeReturn
add_rois (G_GNUC_UNUSED GstPad * pad, GstPadProbeInfo * info,
    G_GNUC_UNUSED gpointer data)
{
  GstBuffer *buf = gst_buffer_make_writable (GST_PAD_PROBE_INFO_BUFFER (info));
  GstVideoRegionOfInterestMeta *roi;

  roi = gst_buffer_add_video_region_of_interest_meta (buf, "face", 4, 6, 20,
      22);
  roi->id = 1;
  gst_video_region_of_interest_meta_add_param (roi,
      gst_structure_new ("detection", "confidence", G_TYPE_DOUBLE, 0.8, NULL));
  roi = gst_buffer_add_video_region_of_interest_meta (buf, "face", 60, 40,
      10, 10);                  /* clipped to 4 x 8 in a 64 x 48 frame */
  roi->id = 2;
  roi = gst_buffer_add_video_region_of_interest_meta (buf, "car", 0, 0, 8, 8);
  roi->id = 3;
  GST_PAD_PROBE_INFO_DATA (info) = buf;
  return GST_PAD_PROBE_OK;
}

static void
test_unanalysed (const gchar * workdir)
{
  gchar *out = g_build_filename (workdir, "unanalysed.jsonl", NULL);
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=6 ! "
      "video/x-raw,width=64,height=48 ! identity name=i ! "
      "ddamfnjson source=cam7 ! filesink location=\"%s\"", out);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *id = gst_bin_get_by_name (GST_BIN (pipeline), "i");
  GstPad *pad = gst_element_get_static_pad (id, "src");
  GstBus *bus = gst_element_get_bus (pipeline);
  JsonParser *parser = json_parser_new ();
  GstMessage *msg;
  gchar *contents = NULL, **lines = NULL;
  guint warnings = 0, n = 0;

  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, add_rois, NULL, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  while ((msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
              GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_WARNING))) {
    GstMessageType type = GST_MESSAGE_TYPE (msg);

    if (type == GST_MESSAGE_WARNING) {
      GError *error = NULL;

      gst_message_parse_warning (msg, &error, NULL);
      CHECK (strstr (error->message, "nothing analysed them") != NULL,
          "warning: %s", error->message);
      warnings++;
      g_error_free (error);
    }
    gst_message_unref (msg);
    if (type != GST_MESSAGE_WARNING)
      break;
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  CHECK (warnings == 1, "%u warnings about faces without results", warnings);

  CHECK (g_file_get_contents (out, &contents, NULL, NULL), "no %s", out);
  if (contents)
    lines = g_strsplit (contents, "\n", -1);
  for (gchar ** l = lines; l && *l && **l; l++, n++) {
    JsonObject *o, *f0, *f1;
    JsonArray *a;

    if (!json_parser_load_from_data (parser, *l, -1, NULL)) {
      CHECK (FALSE, "record %u does not parse", n);
      continue;
    }
    o = json_node_get_object (json_parser_get_root (parser));
    CHECK (g_strcmp0 (json_object_get_string_member (o, "source"), "cam7")
        == 0, "record %u: source", n);
    a = json_object_get_array_member (o, "faces");
    CHECK (json_array_get_length (a) == 2, "record %u: %u faces", n,
        json_array_get_length (a));
    if (json_array_get_length (a) != 2)
      continue;
    f0 = json_array_get_object_element (a, 0);
    f1 = json_array_get_object_element (a, 1);
    CHECK (!json_object_has_member (f0, "track_id")
        && json_object_get_int_member (f0, "roi_id") == 1
        && json_object_get_int_member (f0, "x") == 4
        && json_object_get_int_member (f0, "h") == 22
        && close_to (f0, "score", 0.8)
        && json_object_get_int_member (f0, "result_age") == -1
        && !json_object_has_member (f0, "valence"), "record %u: face 0: %s",
        n, *l);
    CHECK (json_object_get_int_member (f1, "roi_id") == 2
        && json_object_get_int_member (f1, "w") == 4
        && json_object_get_int_member (f1, "h") == 8
        && !json_object_has_member (f1, "score"), "record %u: face 1", n);
  }
  CHECK (n == 6, "%u records", n);
  CHECK (validate (out, "frame_record"), "%s does not validate", out);

  g_strfreev (lines);
  g_free (contents);
  g_object_unref (parser);
  gst_object_unref (bus);
  gst_object_unref (pad);
  gst_object_unref (id);
  gst_object_unref (pipeline);
  g_free (desc);
  g_free (out);
}

int
main (int argc, char **argv)
{
  gchar *video;
  GstElementFactory *fd;

  if (argc != 7) {
    g_printerr ("usage: %s DATA_DIR MODEL WORKDIR PYTHON VALIDATOR SCHEMA\n",
        argv[0]);
    return 2;
  }
  gst_init (&argc, &argv);
  python = argv[4];
  validator = argv[5];
  schema = argv[6];
  g_mkdir_with_parents (argv[3], 0755);

  test_serializer (argv[3]);
  test_no_faces (argv[2]);
  test_unanalysed (argv[3]);

  video = g_build_filename (argv[1], "Megamind.avi", NULL);
  fd = gst_element_factory_find ("facedetect");
  if (!g_file_test (video, G_FILE_TEST_EXISTS) || fd == NULL) {
    g_print ("note: %s or facedetect missing: the pipeline part is "
        "skipped\n", video);
  } else {
    test_megamind (video, argv[2], argv[3], FALSE);
    test_megamind (video, argv[2], argv[3], TRUE);
  }
  if (fd)
    gst_object_unref (fd);
  g_free (video);
  return soft_check_exit_status ();
}
