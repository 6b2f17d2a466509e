/* Replays fuzz inputs through the harnesses, as a regression test:
 *
 *   replay [--model] PATH… [--preprocess PATH…] [--tfjs PATH…] [--onnx PATH…]
 *          [--card PATH…]
 *
 * Each PATH is a file or a directory whose regular files are run (sorted
 * by name, not recursive). --model, --preprocess and --tfjs pick the harness for
 * the paths that follow. A broken check aborts (the harness prints what
 * broke, this program the file); memory errors are for valgrind or a
 * sanitizer build to see. Exits 0 when every input ran, 2 on usage errors
 * or an unreadable path.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "fuzz.h"

#include <glib.h>
#include <stdio.h>
#include <string.h>

typedef int (*HarnessFn) (const uint8_t * data, size_t size);

static int
run_file (HarnessFn fn, const char *path)
{
  gchar *data;
  gsize len;
  GError *err = NULL;

  if (!g_file_get_contents (path, &data, &len, &err)) {
    fprintf (stderr, "replay: %s\n", err->message);
    g_error_free (err);
    return -1;
  }
  fprintf (stderr, "replay: %s (%" G_GSIZE_FORMAT " bytes)\n", path, len);
  fn ((const uint8_t *) data, len);
  g_free (data);
  return 1;
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static int
run_path (HarnessFn fn, const char *path)
{
  GDir *dir;
  GPtrArray *names;
  const char *name;
  int n = 0;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    return run_file (fn, path);
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL) {
    fprintf (stderr, "replay: cannot read directory %s\n", path);
    return -1;
  }
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (dir)) != NULL) {
    char *full = g_build_filename (path, name, NULL);
    if (g_file_test (full, G_FILE_TEST_IS_REGULAR) && name[0] != '.')
      g_ptr_array_add (names, full);
    else
      g_free (full);
  }
  g_dir_close (dir);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++) {
    if (run_file (fn, g_ptr_array_index (names, i)) < 0) {
      n = -1;
      break;
    }
    n++;
  }
  g_ptr_array_unref (names);
  return n;
}

int
main (int argc, char **argv)
{
  HarnessFn fn = fuzz_model_one;
  int total = 0;

  if (argc < 2) {
    fprintf (stderr, "usage: %s [--model] PATH… [--preprocess PATH…]\n",
        argv[0]);
    return 2;
  }
  for (int i = 1; i < argc; i++) {
    int n;
    if (strcmp (argv[i], "--model") == 0) {
      fn = fuzz_model_one;
      continue;
    }
    if (strcmp (argv[i], "--preprocess") == 0) {
      fn = fuzz_preprocess_one;
      continue;
    }
    if (strcmp (argv[i], "--tfjs") == 0) {
      fn = fuzz_tfjs_one;
      continue;
    }
    if (strcmp (argv[i], "--onnx") == 0) {
      fn = fuzz_onnx_one;
      continue;
    }
    if (strcmp (argv[i], "--card") == 0) {
      fn = fuzz_card_one;
      continue;
    }
    n = run_path (fn, argv[i]);
    if (n < 0)
      return 2;
    total += n;
  }
  printf ("replayed %d inputs\n", total);
  return 0;
}
