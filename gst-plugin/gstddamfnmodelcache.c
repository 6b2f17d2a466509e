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

DdamfnModel *
gst_ddamfn_model_cache_get (const gchar * path, GError ** error)
{
  gchar *key = file_key (path), *key_after;
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

  model = ddamfn_model_open (path, error);
  if (model == NULL) {
    g_free (key);
    return NULL;
  }
  /* The elements prepare 3 × 112 × 112 face tensors; a graph model takes
   * what its input declares, which the elements cannot prepare yet. */
  if (ddamfn_model_get_n_outputs (model) > 0) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s is a graph model: the elements cannot prepare its input yet "
        "(ddamfn-infer --raw runs it)", path);
    ddamfn_model_unref (model);
    g_free (key);
    return NULL;
  }

  /* Cache only when the file did not change while it was read. */
  key_after = file_key (path);
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
gst_ddamfn_model_cache_open (GstElement * self, const gchar * property)
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

  model = gst_ddamfn_model_cache_get (path, &error);
  if (model == NULL) {
    if (g_error_matches (error, DDAMFN_ERROR, DDAMFN_ERROR_IO))
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Could not load the DDAMFN model: %s", error->message),
          ("model: \"%s\"", path));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid DDAMFN model: %s", error->message),
          ("model: \"%s\"", path));
    g_clear_error (&error);
    g_free (path);
    return NULL;
  }
  GST_CAT_INFO_OBJECT (gst_ddamfn_filter_debug, self, "loaded model %s: %d expressions%s%s", path,
      ddamfn_model_get_n_expressions (model),
      ddamfn_model_has_va (model) ? ", valence/arousal" : "",
      ddamfn_model_get_n_aus (model) ? ", action units" : "");
  g_free (path);
  return model;
}

