/* ddamfn-serve: the configuration file, one [stream NAME] group a stream.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * A GKeyFile; every group is [stream NAME] with the keys uri (required),
 * jsonl and mqtt (at least one of them) and inference-interval. Anything
 * else is an error naming the group and the key, so that a misspelt key
 * never silently falls back to a default. Relative paths are taken from
 * the current directory and stored absolute, so that a reload compares
 * like with like.
 */
#include "serve-config.h"

#include <string.h>

#define STREAM_PREFIX "stream "

static const gchar *known_keys[] = {
  "uri", "jsonl", "mqtt", "inference-interval", NULL
};

void
serve_stream_config_free (ServeStreamConfig * c)
{
  if (c == NULL)
    return;
  g_free (c->name);
  g_free (c->uri);
  g_free (c->jsonl);
  g_free (c->mqtt);
  g_free (c);
}

gboolean
serve_stream_config_equal (const ServeStreamConfig * a,
    const ServeStreamConfig * b)
{
  return g_strcmp0 (a->name, b->name) == 0 && g_strcmp0 (a->uri, b->uri) == 0
      && g_strcmp0 (a->jsonl, b->jsonl) == 0
      && g_strcmp0 (a->mqtt, b->mqtt) == 0
      && a->inference_interval == b->inference_interval;
}

/* A key's value, stripped; NULL when absent or empty. */
static gchar *
get_value (GKeyFile * kf, const gchar * group, const gchar * key)
{
  gchar *v = g_key_file_get_string (kf, group, key, NULL);

  if (v != NULL && *g_strstrip (v) == '\0')
    g_clear_pointer (&v, g_free);
  return v;
}

/* A path or file path given as is becomes absolute; URIs stay. */
static gchar *
absolute_input (gchar * uri)
{
  gchar *abs;

  if (strstr (uri, "://") != NULL || uri[0] == '/')
    return uri;
  abs = g_canonicalize_filename (uri, NULL);
  g_free (uri);
  return abs;
}

static gboolean
check_keys (GKeyFile * kf, const gchar * path, const gchar * group,
    gchar ** message)
{
  gchar **keys = g_key_file_get_keys (kf, group, NULL, NULL);
  gboolean ok = TRUE;

  for (guint i = 0; keys && keys[i] && ok; i++) {
    if (!g_strv_contains (known_keys, keys[i])) {
      *message = g_strdup_printf ("%s: [%s]: unknown key '%s' (known: uri, "
          "jsonl, mqtt, inference-interval)", path, group, keys[i]);
      ok = FALSE;
    }
  }
  g_strfreev (keys);
  return ok;
}

static gboolean
read_interval (GKeyFile * kf, const gchar * path, const gchar * group,
    ServeStreamConfig * c, gchar ** message)
{
  gchar *raw, *end = NULL;
  gint64 n;

  if (!g_key_file_has_key (kf, group, "inference-interval", NULL))
    return TRUE;
  raw = get_value (kf, group, "inference-interval");
  n = raw ? g_ascii_strtoll (raw, &end, 10) : 0;
  if (raw == NULL || *end != '\0' || n < 1 || n > G_MAXINT) {
    *message = g_strdup_printf ("%s: [%s]: inference-interval=%s: must be a "
        "whole number of at least 1", path, group, raw ? raw : "");
    g_free (raw);
    return FALSE;
  }
  g_free (raw);
  c->inference_interval = (guint) n;
  return TRUE;
}

/* One [stream NAME] group; NULL with *MESSAGE when wrong. */
static ServeStreamConfig *
read_group (GKeyFile * kf, const gchar * path, const gchar * group,
    gchar ** message)
{
  ServeStreamConfig *c;
  gchar *name;

  if (!g_str_has_prefix (group, STREAM_PREFIX)) {
    *message = g_strdup_printf ("%s: [%s]: not a stream group (name each "
        "group [stream NAME])", path, group);
    return NULL;
  }
  name = g_strstrip (g_strdup (group + strlen (STREAM_PREFIX)));
  if (*name == '\0') {
    *message = g_strdup_printf ("%s: [%s]: the stream has no name (name "
        "each group [stream NAME])", path, group);
    g_free (name);
    return NULL;
  }
  if (!check_keys (kf, path, group, message)) {
    g_free (name);
    return NULL;
  }
  c = g_new0 (ServeStreamConfig, 1);
  c->name = name;
  c->uri = get_value (kf, group, "uri");
  c->jsonl = get_value (kf, group, "jsonl");
  c->mqtt = get_value (kf, group, "mqtt");
  if (c->uri == NULL) {
    *message = g_strdup_printf ("%s: [%s]: no uri (the video: a file, a "
        "file://, rtsp:// or http:// URI, or /dev/videoN)", path, group);
  } else if (c->jsonl == NULL && c->mqtt == NULL) {
    *message = g_strdup_printf ("%s: [%s]: no output: give jsonl=FILE, "
        "mqtt=mqtt://HOST:PORT/TOPIC or both", path, group);
  } else if (c->mqtt && !g_str_has_prefix (c->mqtt, "mqtt://")
      && !g_str_has_prefix (c->mqtt, "mqtts://")) {
    *message = g_strdup_printf ("%s: [%s]: mqtt=%s: must be "
        "mqtt://HOST:PORT/TOPIC (or mqtts://)", path, group, c->mqtt);
  } else if (read_interval (kf, path, group, c, message)) {
    c->uri = absolute_input (c->uri);
    if (c->jsonl) {
      gchar *abs = g_canonicalize_filename (c->jsonl, NULL);

      g_free (c->jsonl);
      c->jsonl = abs;
    }
    return c;
  }
  serve_stream_config_free (c);
  return NULL;
}

/* Two streams writing one file would each rename their own over it. */
static gboolean
check_distinct_outputs (GPtrArray * streams, const gchar * path,
    gchar ** message)
{
  for (guint i = 0; i < streams->len; i++) {
    const ServeStreamConfig *a = g_ptr_array_index (streams, i);

    for (guint j = i + 1; a->jsonl && j < streams->len; j++) {
      const ServeStreamConfig *b = g_ptr_array_index (streams, j);

      if (g_strcmp0 (a->jsonl, b->jsonl) == 0) {
        *message = g_strdup_printf ("%s: [stream %s] and [stream %s] both "
            "write jsonl=%s", path, a->name, b->name, a->jsonl);
        return FALSE;
      }
    }
  }
  return TRUE;
}

GPtrArray *
serve_config_load (const gchar * path, gchar ** message)
{
  GKeyFile *kf = g_key_file_new ();
  GError *error = NULL;
  GPtrArray *streams = NULL;
  gchar **groups;

  *message = NULL;
  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &error)) {
    *message = g_strdup_printf ("cannot read %s: %s", path, error->message);
    g_error_free (error);
    g_key_file_free (kf);
    return NULL;
  }
  groups = g_key_file_get_groups (kf, NULL);
  streams = g_ptr_array_new_with_free_func ((GDestroyNotify)
      serve_stream_config_free);
  for (guint i = 0; groups[i] && *message == NULL; i++) {
    ServeStreamConfig *c = read_group (kf, path, groups[i], message);

    if (c)
      g_ptr_array_add (streams, c);
  }
  if (*message == NULL && streams->len == 0)
    *message = g_strdup_printf ("%s: no streams (add a [stream NAME] group "
        "with uri= and jsonl= or mqtt=)", path);
  if (*message == NULL)
    check_distinct_outputs (streams, path, message);
  g_strfreev (groups);
  g_key_file_free (kf);
  if (*message != NULL)
    g_clear_pointer (&streams, g_ptr_array_unref);
  return streams;
}
