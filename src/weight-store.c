/* The weight arena of a plan and its swap for a shared, content-addressed
 * cache file (see weight-store.h).
 *
 * File layout: the chunks' used bytes one after the other, each padded
 * with zeros to a page; the name is the SHA-256 of the chunk sizes and
 * bytes, so two processes that fold the same model into the same arena
 * name the same file, and a model that changes names a new one.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weight-store.h"
#include "ddamfn/ddamfn.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

#define CHUNK_BYTES ((gsize) 4 << 20)
#define ALIGN 64

typedef struct
{
  guint8 *base;
  gsize size;                   /* mapped, a multiple of the page */
  gsize used;
} Chunk;

struct _DdamfnWeightStore
{
  GArray *chunks;               /* Chunk */
  gsize page;
  gsize bytes;
  gboolean sealed;
  char *shared_path;
  char *why_private;
};

DdamfnWeightStore *
ddamfn_weight_store_new (void)
{
  DdamfnWeightStore *store = g_new0 (DdamfnWeightStore, 1);
  long page = sysconf (_SC_PAGESIZE);

  store->chunks = g_array_new (FALSE, TRUE, sizeof (Chunk));
  store->page = page > 0 ? (gsize) page : 4096;
  return store;
}

void
ddamfn_weight_store_free (DdamfnWeightStore * store)
{
  if (store == NULL)
    return;
  for (guint i = 0; i < store->chunks->len; i++) {
    Chunk *c = &g_array_index (store->chunks, Chunk, i);
    munmap (c->base, c->size);
  }
  g_array_free (store->chunks, TRUE);
  g_free (store->shared_path);
  g_free (store->why_private);
  g_free (store);
}

static gsize
round_up (gsize n, gsize to)
{
  return (n + to - 1) / to * to;
}

float *
ddamfn_weight_store_alloc (DdamfnWeightStore * store, gsize n)
{
  gsize bytes, at;
  Chunk *last = NULL, fresh = { 0 };

  g_return_val_if_fail (store != NULL && !store->sealed, NULL);
  if (n > (G_MAXSIZE - CHUNK_BYTES) / sizeof (float))
    return NULL;
  bytes = round_up (MAX (n, 1) * sizeof (float), ALIGN);
  if (store->chunks->len > 0)
    last = &g_array_index (store->chunks, Chunk, store->chunks->len - 1);
  if (last == NULL || last->size - last->used < bytes) {
    void *base;

    fresh.size = round_up (MAX (bytes, CHUNK_BYTES), store->page);
    base = mmap (NULL, fresh.size, PROT_READ | PROT_WRITE,
        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED)
      return NULL;
    fresh.base = base;
    g_array_append_val (store->chunks, fresh);
    last = &g_array_index (store->chunks, Chunk, store->chunks->len - 1);
  }
  at = last->used;
  last->used += bytes;
  store->bytes += bytes;
  return (float *) (last->base + at);
}

gsize
ddamfn_weight_store_bytes (const DdamfnWeightStore * store)
{
  return store->bytes;
}

const char *
ddamfn_weight_store_shared_path (const DdamfnWeightStore * store)
{
  return store->shared_path;
}

const char *
ddamfn_weight_store_private_reason (const DdamfnWeightStore * store)
{
  return store->why_private;
}

char *
ddamfn_weight_store_default_dir (void)
{
  const char *env = g_getenv (DDAMFN_WEIGHTS_CACHE_ENV);

  if (env == NULL)
    return g_build_filename (g_get_user_cache_dir (), "gst-ddamfn",
        "weights", NULL);
  if (*env == '\0' || g_str_equal (env, "0") || g_str_equal (env, "off"))
    return NULL;
  return g_strdup (env);
}

/* ---- the cache file ------------------------------------------------------ */

static char *
content_name (const DdamfnWeightStore * store)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  char *name;

  for (guint i = 0; i < store->chunks->len; i++) {
    const Chunk *c = &g_array_index (store->chunks, Chunk, i);
    guint64 used = GUINT64_TO_LE (c->used);

    g_checksum_update (sum, (const guchar *) &used, sizeof used);
    g_checksum_update (sum, c->base, c->used);
  }
  name = g_strconcat (g_checksum_get_string (sum), ".f32", NULL);
  g_checksum_free (sum);
  return name;
}

static gsize
file_size (const DdamfnWeightStore * store)
{
  gsize total = 0;

  for (guint i = 0; i < store->chunks->len; i++)
    total += round_up (g_array_index (store->chunks, Chunk, i).used,
        store->page);
  return total;
}

/* Whether FD is a regular file of SIZE bytes holding exactly the chunks. */
static gboolean
file_matches (const DdamfnWeightStore * store, int fd, gsize size)
{
  struct stat st;
  guint8 *map;
  gsize off = 0;
  gboolean same = TRUE;

  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)
      || (guint64) st.st_size != size)
    return FALSE;
  map = mmap (NULL, size, PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED)
    return FALSE;
  for (guint i = 0; same && i < store->chunks->len; i++) {
    const Chunk *c = &g_array_index (store->chunks, Chunk, i);

    same = memcmp (map + off, c->base, c->used) == 0;
    off += round_up (c->used, store->page);
  }
  munmap (map, size);
  return same;
}

static gboolean
write_all (int fd, const guint8 * p, gsize n, goffset at)
{
  while (n > 0) {
    ssize_t w = pwrite (fd, p, n, at);

    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      return FALSE;
    p += w;
    n -= w;
    at += w;
  }
  return TRUE;
}

/* Writes the chunks to a temporary file in DIR and renames it to PATH:
 * readers see a whole file or none. The open descriptor, or -1 with
 * *WHY set. */
static int
write_file (DdamfnWeightStore * store, const char *dir, const char *path,
    gsize size, char **why)
{
  /* mkstemp's template: a name, then six characters it replaces */
  char *six = g_strnfill (6, 'X');
  char *name = g_strconcat (".weights-", six, NULL);
  char *tmp = g_build_filename (dir, name, NULL);
  goffset off = 0;
  int fd, saved;

  g_free (six);
  g_free (name);

  if (g_mkdir_with_parents (dir, 0700) != 0) {
    saved = errno;
    *why = g_strdup_printf ("cannot create %s: %s", dir, g_strerror (saved));
    g_free (tmp);
    return -1;
  }
  fd = g_mkstemp_full (tmp, O_RDWR | O_CLOEXEC, 0444);
  if (fd < 0) {
    saved = errno;
    *why = g_strdup_printf ("cannot write in %s: %s", dir,
        g_strerror (saved));
    g_free (tmp);
    return -1;
  }
  errno = 0;
  if (ftruncate (fd, size) != 0)
    goto failed;
  for (guint i = 0; i < store->chunks->len; i++) {
    const Chunk *c = &g_array_index (store->chunks, Chunk, i);

    if (!write_all (fd, c->base, c->used, off))
      goto failed;
    off += round_up (c->used, store->page);
  }
  if (rename (tmp, path) != 0)
    goto failed;
  g_free (tmp);
  return fd;

failed:
  saved = errno ? errno : ENOSPC;
  *why = g_strdup_printf ("cannot write %s: %s", path, g_strerror (saved));
  close (fd);
  g_unlink (tmp);
  g_free (tmp);
  return -1;
}

typedef struct
{
  char *path;
  gint64 mtime;
  goffset size;
} Entry;

static gint
older_first (gconstpointer a, gconstpointer b)
{
  const Entry *x = a, *y = b;

  return x->mtime < y->mtime ? -1 : x->mtime > y->mtime;
}

void
ddamfn_weight_store_trim (const char *dir, const char *keep, guint64 max)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  GArray *files = g_array_new (FALSE, FALSE, sizeof (Entry));
  const char *name;
  guint64 total = 0;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL) {
    gboolean ours = strlen (name) == 68 && g_str_has_suffix (name, ".f32");
    gboolean tmp = g_str_has_prefix (name, ".weights-");
    char *path;
    GStatBuf st;

    if (!ours && !tmp)
      continue;
    path = g_build_filename (dir, name, NULL);
    if (g_lstat (path, &st) != 0 || !S_ISREG (st.st_mode)) {
      g_free (path);
      continue;
    }
    /* A temporary file an hour old was left by a process that died while
     * writing it. */
    if (tmp) {
      if (now - st.st_mtime > 3600)
        g_unlink (path);
      g_free (path);
      continue;
    }
    {
      Entry e = { path, st.st_mtime, st.st_size };
      g_array_append_val (files, e);
      total += st.st_size;
    }
  }
  g_dir_close (d);
  g_array_sort (files, older_first);
  /* Removing a file does not disturb the processes mapping it: its pages
   * live until the last of them unmaps. */
  for (guint i = 0; i < files->len && total > max; i++) {
    Entry *e = &g_array_index (files, Entry, i);

    if (keep && g_str_equal (e->path, keep))
      continue;
    if (g_unlink (e->path) == 0)
      total -= e->size;
  }
  for (guint i = 0; i < files->len; i++)
    g_free (g_array_index (files, Entry, i).path);
  g_array_free (files, TRUE);
}

/* Puts the file's pages in place of each chunk's used pages. */
static gboolean
map_over (DdamfnWeightStore * store, int fd, const char *path,
    GError ** error)
{
  goffset off = 0;

  for (guint i = 0; i < store->chunks->len; i++) {
    const Chunk *c = &g_array_index (store->chunks, Chunk, i);
    gsize len = round_up (c->used, store->page);

    if (len > 0 && mmap (c->base, len, PROT_READ, MAP_SHARED | MAP_FIXED,
            fd, off) == MAP_FAILED) {
      int saved = errno;
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_NO_MEMORY,
          "cannot map the shared weights %s: %s", path, g_strerror (saved));
      return FALSE;
    }
    off += len;
  }
  return TRUE;
}

gboolean
ddamfn_weight_store_share (DdamfnWeightStore * store, const char *dir,
    GError ** error)
{
  char *name, *path, *why = NULL;
  GStatBuf st;
  gsize size;
  int fd;
  gboolean ok;

  g_return_val_if_fail (store != NULL, FALSE);
  if (store->sealed)
    return TRUE;
  store->sealed = TRUE;
  if (dir == NULL) {
    store->why_private = g_strdup ("sharing is off (" DDAMFN_WEIGHTS_CACHE_ENV
        ")");
    return TRUE;
  }
  if (store->bytes < DDAMFN_WEIGHTS_SHARE_MIN) {
    store->why_private = g_strdup ("smaller than 1 MiB");
    return TRUE;
  }
  name = content_name (store);
  path = g_build_filename (dir, name, NULL);
  g_free (name);
  size = file_size (store);
  /* Not blocking on a FIFO, not following a link; anything there but a
   * regular file is left alone. */
  fd = open (path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (g_lstat (path, &st) == 0 && !S_ISREG (st.st_mode)) {
    if (fd >= 0)
      close (fd);
    store->why_private = g_strdup_printf ("%s is not a regular file", path);
    g_free (path);
    return TRUE;
  }
  if (fd >= 0 && !file_matches (store, fd, size)) {
    close (fd);
    fd = -1;
  }
  if (fd >= 0) {
    /* Used: the trimming removes the files unused longest first. */
    futimens (fd, NULL);
  } else {
    fd = write_file (store, dir, path, size, &why);
    if (fd >= 0)
      ddamfn_weight_store_trim (dir, path, DDAMFN_WEIGHTS_CACHE_MAX);
  }
  if (fd < 0) {
    store->why_private = why;
    g_free (path);
    return TRUE;
  }
  ok = map_over (store, fd, path, error);
  close (fd);
  if (ok)
    store->shared_path = path;
  else
    g_free (path);
  return ok;
}
