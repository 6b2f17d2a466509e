/* Models shared by every ddamfnfilter of a process.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "gstddamfnmodelcache.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <sys/stat.h>

GST_DEBUG_CATEGORY_EXTERN (gst_ddamfn_filter_debug);

/* One loaded model and how many elements use it. */
typedef struct
{
  gchar *key;
  DdamfnModel *model;
  guint users;
} Entry;

static GMutex cache_lock;
static GHashTable *by_key;      /* key → Entry (owned) */
static GHashTable *by_model;    /* DdamfnModel * → Entry (borrowed) */

static void
entry_free (Entry * e)
{
  ddamfn_model_unref (e->model);
  g_free (e->key);
  g_free (e);
}

/* What identifies the contents of PATH: the file it names now. NULL when
 * it cannot be stat()ed (the loader then reports why). */
static gchar *
file_key (const gchar * path)
{
  GStatBuf st;

  if (g_stat (path, &st) != 0)
    return NULL;
  return g_strdup_printf ("%" G_GUINT64_FORMAT ":%" G_GUINT64_FORMAT ":%"
      G_GINT64_FORMAT ":%" G_GINT64_FORMAT ".%09ld", (guint64) st.st_dev,
      (guint64) st.st_ino, (gint64) st.st_size, (gint64) st.st_mtim.tv_sec,
      (long) st.st_mtim.tv_nsec);
}

/* The key of PATH opened with CARD and PRESET: the files as they are now
 * and the preset's name. NULL when a file cannot be stat()ed. */
static gchar *
model_key (const gchar * path, const gchar * card, const gchar * preset)
{
  gchar *k = file_key (path), *c = card ? file_key (card) : g_strdup ("");
  gchar *key = NULL;

  if (k && c)
    key = g_strdup_printf ("%s|%s|%s", k, c, preset ? preset : "");
  g_free (k);
  g_free (c);
  return key;
}

DdamfnModel *
gst_ddamfn_model_cache_get (const gchar * path, const gchar * card,
    const gchar * preset, GError ** error)
{
  gchar *key = model_key (path, card, preset), *key_after;
  DdamfnModel *model;
  Entry *e;

  g_mutex_lock (&cache_lock);
  if (by_key == NULL) {
    by_key = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
        (GDestroyNotify) entry_free);
    by_model = g_hash_table_new (g_direct_hash, g_direct_equal);
  }
  e = key ? g_hash_table_lookup (by_key, key) : NULL;
  if (e != NULL) {
    e->users++;
    model = ddamfn_model_ref (e->model);
    g_mutex_unlock (&cache_lock);
    g_free (key);
    return model;
  }
  /* Loading takes a while; concurrent first loads of one file both load
   * and the second is simply not cached. */
  g_mutex_unlock (&cache_lock);

  model = ddamfn_model_open_with_card (path, card, preset, error);
  if (model == NULL) {
    g_free (key);
    return NULL;
  }
  GST_CAT_INFO (gst_ddamfn_filter_debug, "%s: weights %s%s", path,
      ddamfn_model_get_shared_weights (model) ? "shared from " : "private",
      ddamfn_model_get_shared_weights (model) ?
      ddamfn_model_get_shared_weights (model) : "");

  /* Cache only when the files did not change while they were read. */
  key_after = model_key (path, card, preset);
  g_mutex_lock (&cache_lock);
  if (key && key_after && g_str_equal (key, key_after)
      && !g_hash_table_contains (by_key, key)) {
    e = g_new0 (Entry, 1);
    e->key = key;
    e->model = ddamfn_model_ref (model);
    e->users = 1;
    g_hash_table_insert (by_key, e->key, e);
    g_hash_table_insert (by_model, model, e);
    key = NULL;
  }
  g_mutex_unlock (&cache_lock);
  g_free (key);
  g_free (key_after);
  return model;
}

void
gst_ddamfn_model_cache_release (DdamfnModel * model)
{
  Entry *e;

  if (model == NULL)
    return;
  g_mutex_lock (&cache_lock);
  e = by_model ? g_hash_table_lookup (by_model, model) : NULL;
  if (e != NULL && --e->users == 0) {
    g_hash_table_remove (by_model, model);
    g_hash_table_remove (by_key, e->key);       /* unrefs the cache's ref */
  }
  g_mutex_unlock (&cache_lock);
  ddamfn_model_unref (model);
}

DdamfnModel *
gst_ddamfn_model_cache_open (GstElement * self, const gchar * property,
    const gchar * card, const gchar * preset)
{
  DdamfnModel *model;
  GError *error = NULL;
  gchar *path;

  path = ddamfn_model_find (property, "the \"model\" property", &error);
  if (path == NULL) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("Cannot start: %s.", error->message), (NULL));
    g_clear_error (&error);
    return NULL;
  }

  model = gst_ddamfn_model_cache_get (path, card, preset, &error);
  if (model == NULL) {
    if (g_error_matches (error, DDAMFN_ERROR, DDAMFN_ERROR_IO))
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not load the model: %s", error->message),
          ("model: \"%s\", card: \"%s\", preset: \"%s\"", path,
              GST_STR_NULL (card), GST_STR_NULL (preset)));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid model or card: %s", error->message),
          ("model: \"%s\", card: \"%s\", preset: \"%s\"", path,
              GST_STR_NULL (card), GST_STR_NULL (preset)));
    g_clear_error (&error);
    g_free (path);
    return NULL;
  }
  GST_CAT_INFO_OBJECT (gst_ddamfn_filter_debug, self, "loaded model %s, "
      "card %s: %d expressions%s%s", path, ddamfn_model_get_card_name (model),
      ddamfn_model_get_n_expressions (model),
      ddamfn_model_has_va (model) ? ", valence/arousal" : "",
      ddamfn_model_get_n_aus (model) ? ", action units" : "");
  g_free (path);
  return model;
}

