/* ddamfn_model_find (): the order property/option, DDAMFN_MODEL, installed
 * default, and the error naming all three. This copy of src/model-path.c
 * is built with DDAMFN_MODEL_DIR set to a directory of the build tree (a
 * temporary prefix), so the installed-default case is tested without
 * touching the real data directory.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: test-model-path MODEL   (any readable file; it is copied)
 */
#include <ddamfn/ddamfn.h>

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "../gst/soft-check.h"

static void
expect_path (const char *property, const char *expected)
{
  GError *error = NULL;
  char *path = ddamfn_model_find (property, "--model", &error);

  CHECK (g_strcmp0 (path, expected) == 0, "got %s (%s), expected %s",
      path ? path : "NULL", error ? error->message : "", expected);
  g_clear_error (&error);
  g_free (path);
}

int
main (int argc, char **argv)
{
  const char *installed = ddamfn_model_get_default_path ();
  gchar *dir = g_path_get_dirname (installed), *contents = NULL;
  GError *error = NULL;
  gsize len = 0;
  char *path;

  if (argc != 2 || !g_file_get_contents (argv[1], &contents, &len, NULL)) {
    g_printerr ("usage: %s MODEL\n", argv[0]);
    return 2;
  }
  CHECK (g_str_has_suffix (installed,
          "/share/gst-ddamfn/models/affectnet8.safetensors"),
      "default %s", installed);
  g_unsetenv ("DDAMFN_MODEL");
  g_unlink (installed);

  /* Nothing anywhere: one error naming the three ways. */
  path = ddamfn_model_find (NULL, "--model", &error);
  CHECK (path == NULL, "found %s", path);
  CHECK (g_error_matches (error, DDAMFN_ERROR, DDAMFN_ERROR_IO), "error %s",
      error ? error->message : "none");
  if (error) {
    CHECK (strstr (error->message, "--model") != NULL, "%s", error->message);
    CHECK (strstr (error->message, "DDAMFN_MODEL") != NULL, "%s",
        error->message);
    CHECK (strstr (error->message, installed) != NULL, "%s", error->message);
    g_print ("error without a model: %s\n", error->message);
  }
  g_clear_error (&error);
  g_free (path);
  /* "" counts as unset, for the property and for the variable */
  g_setenv ("DDAMFN_MODEL", "", TRUE);
  path = ddamfn_model_find ("", "--model", &error);
  CHECK (path == NULL && error != NULL, "found %s", path);
  g_clear_error (&error);
  g_free (path);

  /* Installed into the (temporary) data directory: the default. */
  g_mkdir_with_parents (dir, 0755);
  CHECK (g_file_set_contents (installed, contents, len, NULL), "cannot "
      "install into %s", installed);
  expect_path (NULL, installed);

  /* The variable beats the installed model, the explicit path beats both
   * (neither needs to exist: opening is the loader's business). */
  g_setenv ("DDAMFN_MODEL", "/from/the/environment.safetensors", TRUE);
  expect_path (NULL, "/from/the/environment.safetensors");
  expect_path ("/given.safetensors", "/given.safetensors");

  /* And the installed model really opens as a model. */
  g_unsetenv ("DDAMFN_MODEL");
  path = ddamfn_model_find (NULL, NULL, NULL);
  {
    DdamfnModel *m = ddamfn_model_open (path, &error);
    CHECK (m != NULL, "%s", error ? error->message : "");
    CHECK (m == NULL || ddamfn_model_get_n_expressions (m) > 0, "no labels");
    ddamfn_model_unref (m);
    g_clear_error (&error);
  }
  g_free (path);

  g_unlink (installed);
  g_free (dir);
  g_free (contents);
  return soft_check_exit_status ();
}
