/* The weight arena and its sharing through a content-addressed cache file
 * (src/weight-store.c): allocation, the file's name, mode and bytes, the
 * in-place mapping, reuse without rewriting, an altered file replaced,
 * whatever is not a regular file left alone, unwritable directories, the
 * trimming and the environment variable.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "weight-store.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define BIG_A ((gsize) 3 << 18)        /* floats: 3 MiB */
#define BIG_B ((gsize) 5 << 18)        /* 5 MiB, a chunk of its own */

typedef struct
{
  DdamfnWeightStore *store;
  float *a, *b, *c;
} Filled;

/* Three arrays over two chunks with values that depend on SEED. */
static Filled
fill (guint seed)
{
  Filled f;

  f.store = ddamfn_weight_store_new ();
  f.a = ddamfn_weight_store_alloc (f.store, BIG_A);
  f.b = ddamfn_weight_store_alloc (f.store, BIG_B);
  f.c = ddamfn_weight_store_alloc (f.store, 3);
  g_assert_nonnull (f.a);
  g_assert_nonnull (f.b);
  g_assert_nonnull (f.c);
  for (gsize i = 0; i < BIG_A; i++)
    f.a[i] = (float) ((i * 7 + seed) % 1009) / 1009.f - 0.5f;
  for (gsize i = 0; i < BIG_B; i++)
    f.b[i] = (float) ((i * 13 + seed) % 997) * 0.25f;
  f.c[0] = 1.5f;
  f.c[1] = -2.f;
  f.c[2] = (float) seed;
  return f;
}

static void
check_values (const Filled * f, guint seed)
{
  for (gsize i = 0; i < BIG_A; i += 4099)
    g_assert_cmpfloat (f->a[i], ==, (float) ((i * 7 + seed) % 1009) / 1009.f
        - 0.5f);
  g_assert_cmpfloat (f->a[BIG_A - 1], ==,
      (float) (((BIG_A - 1) * 7 + seed) % 1009) / 1009.f - 0.5f);
  for (gsize i = 0; i < BIG_B; i += 4099)
    g_assert_cmpfloat (f->b[i], ==, (float) ((i * 13 + seed) % 997) * 0.25f);
  g_assert_cmpfloat (f->c[2], ==, (float) seed);
}

/* Whether /proc/self/maps maps PATH at ADDR. */
static gboolean
mapped_at (const char *path, const void *addr)
{
  char *maps = NULL, **lines;
  gboolean found = FALSE;

  g_assert_true (g_file_get_contents ("/proc/self/maps", &maps, NULL, NULL));
  lines = g_strsplit (maps, "\n", -1);
  for (char **p = lines; *p && !found; p++) {
    guint64 lo, hi;

    if (g_str_has_suffix (*p, path)
        && sscanf (*p, "%" G_GINT64_MODIFIER "x-%" G_GINT64_MODIFIER "x",
            &lo, &hi) == 2)
      found = (guintptr) addr >= lo && (guintptr) addr < hi;
  }
  g_strfreev (lines);
  g_free (maps);
  return found;
}

/* Removes DIR and what it holds (the tests' directories are flat or one
 * level deep). */
static void
rm_tree (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)) != NULL) {
    char *p = g_build_filename (dir, name, NULL);

    if (g_file_test (p, G_FILE_TEST_IS_DIR)
        && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
      rm_tree (p);
    else
      g_unlink (p);
    g_free (p);
  }
  if (d)
    g_dir_close (d);
  g_rmdir (dir);
}

/* Weights of SEED offered to DIR stay private for a reason containing WHY
 * (any reason when NULL), and keep their values. */
static void
assert_stays_private (const char *dir, guint seed, const char *why)
{
  Filled g = fill (seed);
  GError *error = NULL;

  g_assert_true (ddamfn_weight_store_share (g.store, dir, &error));
  g_assert_no_error (error);
  g_assert_null (ddamfn_weight_store_shared_path (g.store));
  g_assert_nonnull (ddamfn_weight_store_private_reason (g.store));
  if (why)
    g_assert_nonnull (strstr (ddamfn_weight_store_private_reason (g.store),
            why));
  check_values (&g, seed);
  ddamfn_weight_store_free (g.store);
}

static void
test_alloc (void)
{
  DdamfnWeightStore *s = ddamfn_weight_store_new ();
  float *p = ddamfn_weight_store_alloc (s, 5);
  float *q = ddamfn_weight_store_alloc (s, 1);
  float *big = ddamfn_weight_store_alloc (s, (gsize) 2 << 20);

  g_assert_cmpuint ((guintptr) p % 64, ==, 0);
  g_assert_cmpuint ((guintptr) q % 64, ==, 0);
  g_assert_cmpuint ((guintptr) big % 64, ==, 0);
  g_assert_true (q >= p + 5);
  for (int i = 0; i < 5; i++)
    g_assert_cmpfloat (p[i], ==, 0.f);
  g_assert_cmpfloat (big[((gsize) 2 << 20) - 1], ==, 0.f);
  g_assert_cmpuint (ddamfn_weight_store_bytes (s), ==,
      64 + 64 + ((gsize) 8 << 20));
  g_assert_null (ddamfn_weight_store_alloc (s, G_MAXSIZE / 2));
  ddamfn_weight_store_free (s);
}

static void
test_private (void)
{
  DdamfnWeightStore *s = ddamfn_weight_store_new ();
  Filled f = fill (3);
  char *dir = g_dir_make_tmp ("ws-XXXXXX", NULL);
  GError *error = NULL;

  ddamfn_weight_store_alloc (s, 1000);
  g_assert_true (ddamfn_weight_store_share (s, dir, &error));
  g_assert_null (ddamfn_weight_store_shared_path (s));
  g_assert_cmpstr (ddamfn_weight_store_private_reason (s), ==,
      "smaller than 1 MiB");
  ddamfn_weight_store_free (s);

  g_assert_true (ddamfn_weight_store_share (f.store, NULL, &error));
  g_assert_null (ddamfn_weight_store_shared_path (f.store));
  g_assert_nonnull (strstr (ddamfn_weight_store_private_reason (f.store),
          "sharing is off"));
  check_values (&f, 3);
  ddamfn_weight_store_free (f.store);
  g_assert_cmpint (g_rmdir (dir), ==, 0);       /* nothing was written */
  g_free (dir);
}

static void
test_share (void)
{
  char *dir = g_dir_make_tmp ("ws-XXXXXX", NULL);
  char *sub = g_build_filename (dir, "cache", NULL);
  Filled f = fill (11), g, h;
  GError *error = NULL;
  const char *path;
  char *base, *first;
  GStatBuf st, st2;
  gsize page = sysconf (_SC_PAGESIZE);

  g_assert_true (ddamfn_weight_store_share (f.store, sub, &error));
  g_assert_no_error (error);
  path = ddamfn_weight_store_shared_path (f.store);
  g_assert_nonnull (path);
  g_assert_null (ddamfn_weight_store_private_reason (f.store));
  base = g_path_get_basename (path);
  g_assert_cmpuint (strlen (base), ==, 68);
  g_assert_true (g_str_has_suffix (base, ".f32"));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0444);
  /* a: 3 MiB in the first chunk, c 64 bytes after it; b its own chunk */
  g_assert_cmpuint (st.st_size, ==,
      (BIG_A * 4 + 64 + page - 1) / page * page + BIG_B * 4);
  g_assert_cmpint (g_stat (sub, &st2), ==, 0);
  g_assert_cmpint (st2.st_mode & 0777, ==, 0700);
  g_assert_true (mapped_at (path, f.a));
  g_assert_true (mapped_at (path, f.b));
  g_assert_true (mapped_at (path, f.c));
  check_values (&f, 11);
  first = g_strdup (path);

  /* The same weights again: the file is reused, not rewritten. */
  g = fill (11);
  g_assert_true (ddamfn_weight_store_share (g.store, sub, &error));
  g_assert_cmpstr (ddamfn_weight_store_shared_path (g.store), ==, first);
  g_assert_cmpint (g_stat (first, &st2), ==, 0);
  g_assert_cmpuint (st2.st_ino, ==, st.st_ino);
  g_assert_true (mapped_at (first, g.b));
  check_values (&g, 11);

  /* Other weights: another file. */
  h = fill (12);
  g_assert_true (ddamfn_weight_store_share (h.store, sub, &error));
  g_assert_cmpstr (ddamfn_weight_store_shared_path (h.store), !=, first);
  check_values (&h, 12);

  /* Writing through a shared weight faults: the page-cache copy cannot be
   * changed from a process. */
  {
    pid_t pid = fork ();
    int status;

    if (pid == 0) {
      f.a[0] = 42.f;
      _exit (0);
    }
    g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
    g_assert_false (WIFEXITED (status) && WEXITSTATUS (status) == 0);
    check_values (&f, 11);
  }

  ddamfn_weight_store_free (f.store);
  ddamfn_weight_store_free (g.store);
  ddamfn_weight_store_free (h.store);
  rm_tree (dir);
  g_free (base);
  g_free (first);
  g_free (sub);
  g_free (dir);
}

static void
test_altered_file (void)
{
  char *dir = g_dir_make_tmp ("ws-XXXXXX", NULL);
  Filled f = fill (5), g;
  GError *error = NULL;
  char *path;
  FILE *fp;
  GStatBuf st, st2;

  g_assert_true (ddamfn_weight_store_share (f.store, dir, &error));
  path = g_strdup (ddamfn_weight_store_shared_path (f.store));
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  ddamfn_weight_store_free (f.store);

  /* One byte changed in the cache file: not used, replaced. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  fp = fopen (path, "r+b");
  g_assert_nonnull (fp);
  fseek (fp, 12345, SEEK_SET);
  fputc (0x7f, fp);
  fclose (fp);
  g = fill (5);
  g_assert_true (ddamfn_weight_store_share (g.store, dir, &error));
  g_assert_cmpstr (ddamfn_weight_store_shared_path (g.store), ==, path);
  g_assert_cmpint (g_stat (path, &st2), ==, 0);
  g_assert_cmpuint (st2.st_ino, !=, st.st_ino);
  check_values (&g, 5);
  ddamfn_weight_store_free (g.store);

  /* Truncated: replaced too. */
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  g_assert_cmpint (truncate (path, 4096), ==, 0);
  g = fill (5);
  g_assert_true (ddamfn_weight_store_share (g.store, dir, &error));
  g_assert_cmpint (g_stat (path, &st2), ==, 0);
  g_assert_cmpuint (st2.st_size, >, 4096);
  check_values (&g, 5);
  ddamfn_weight_store_free (g.store);
  rm_tree (dir);
  g_free (path);
  g_free (dir);
}

static void
test_not_regular (void)
{
  char *dir = g_dir_make_tmp ("ws-XXXXXX", NULL);
  char *target = g_build_filename (dir, "precious", NULL);
  Filled f = fill (7);
  GError *error = NULL;
  char *path, *data = NULL;

  g_assert_true (ddamfn_weight_store_share (f.store, dir, &error));
  path = g_strdup (ddamfn_weight_store_shared_path (f.store));
  ddamfn_weight_store_free (f.store);

  /* A FIFO where the file would be: no blocking, left in place. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  assert_stays_private (dir, 7, "is not a regular file");
  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS)
      && !g_file_test (path, G_FILE_TEST_IS_REGULAR));

  /* A symbolic link: neither followed nor replaced. */
  g_assert_cmpint (g_unlink (path), ==, 0);
  g_assert_true (g_file_set_contents (target, "user data", -1, NULL));
  g_assert_cmpint (symlink (target, path), ==, 0);
  assert_stays_private (dir, 7, "is not a regular file");
  g_assert_true (g_file_get_contents (target, &data, NULL, NULL));
  g_assert_cmpstr (data, ==, "user data");
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_SYMLINK));
  g_free (data);
  rm_tree (dir);
  g_free (target);
  g_free (path);
  g_free (dir);
}

static void
test_unwritable (void)
{
  char *dir = g_dir_make_tmp ("ws-XXXXXX", NULL);
  char *file = g_build_filename (dir, "a-file", NULL);
  char *under = g_build_filename (file, "cache", NULL);

  g_assert_true (g_file_set_contents (file, "x", -1, NULL));
  assert_stays_private (under, 9, "cannot create");
  rm_tree (dir);
  g_free (under);
  g_free (file);
  g_free (dir);
}

static char *
fake_entry (const char *dir, char fillc, gint64 age, gsize size)
{
  char name[69], *path, *data = g_malloc0 (size);
  struct timeval tv[2];

  memset (name, fillc, 64);
  strcpy (name + 64, ".f32");
  path = g_build_filename (dir, name, NULL);
  g_assert_true (g_file_set_contents (path, data, size, NULL));
  gettimeofday (&tv[0], NULL);
  tv[0].tv_sec -= age;
  tv[1] = tv[0];
  g_assert_cmpint (utimes (path, tv), ==, 0);
  g_free (data);
  return path;
}

static void
test_trim (void)
{
  char *dir = g_dir_make_tmp ("ws-XXXXXX", NULL);
  char *oldest = fake_entry (dir, 'a', 300, 1000);
  char *middle = fake_entry (dir, 'b', 200, 1000);
  char *newest = fake_entry (dir, 'c', 100, 1000);
  char *kept = fake_entry (dir, 'd', 400, 1000);
  char *stale_tmp = g_build_filename (dir, ".weights-AAAAAA", NULL);
  char *fresh_tmp = g_build_filename (dir, ".weights-BBBBBB", NULL);
  char *other = g_build_filename (dir, "notes.txt", NULL);
  struct timeval tv[2];

  g_assert_true (g_file_set_contents (stale_tmp, "x", -1, NULL));
  g_assert_true (g_file_set_contents (fresh_tmp, "x", -1, NULL));
  g_assert_true (g_file_set_contents (other, "mine", -1, NULL));
  gettimeofday (&tv[0], NULL);
  tv[0].tv_sec -= 7200;
  tv[1] = tv[0];
  g_assert_cmpint (utimes (stale_tmp, tv), ==, 0);

  ddamfn_weight_store_trim (dir, kept, 2500);
  g_assert_true (g_file_test (kept, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (oldest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (middle, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (newest, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (stale_tmp, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (fresh_tmp, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (other, G_FILE_TEST_EXISTS));
  rm_tree (dir);
  g_free (oldest);
  g_free (middle);
  g_free (newest);
  g_free (kept);
  g_free (stale_tmp);
  g_free (fresh_tmp);
  g_free (other);
  g_free (dir);
}

static void
test_env (void)
{
  char *d;

  g_setenv (DDAMFN_WEIGHTS_CACHE_ENV, "off", TRUE);
  g_assert_null (ddamfn_weight_store_default_dir ());
  g_setenv (DDAMFN_WEIGHTS_CACHE_ENV, "0", TRUE);
  g_assert_null (ddamfn_weight_store_default_dir ());
  g_setenv (DDAMFN_WEIGHTS_CACHE_ENV, "", TRUE);
  g_assert_null (ddamfn_weight_store_default_dir ());
  g_setenv (DDAMFN_WEIGHTS_CACHE_ENV, "/srv/weights", TRUE);
  d = ddamfn_weight_store_default_dir ();
  g_assert_cmpstr (d, ==, "/srv/weights");
  g_free (d);
  g_unsetenv (DDAMFN_WEIGHTS_CACHE_ENV);
  d = ddamfn_weight_store_default_dir ();
  g_assert_true (g_str_has_suffix (d, "/gst-ddamfn/weights"));
  g_free (d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/weight-store/alloc", test_alloc);
  g_test_add_func ("/weight-store/private", test_private);
  g_test_add_func ("/weight-store/share", test_share);
  g_test_add_func ("/weight-store/altered-file", test_altered_file);
  g_test_add_func ("/weight-store/not-regular", test_not_regular);
  g_test_add_func ("/weight-store/unwritable", test_unwritable);
  g_test_add_func ("/weight-store/trim", test_trim);
  g_test_add_func ("/weight-store/env", test_env);
  return g_test_run ();
}
