/* Which model file to load when the caller may not have named one.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * DDAMFN_MODEL_DIR is compiled in by meson: the project's data directory
 * ($datadir/gst-ddamfn/models), where the set-up installs the converted
 * models.
 */
#include <ddamfn/ddamfn.h>

#include <stdlib.h>

#ifndef DDAMFN_MODEL_DIR
#error "DDAMFN_MODEL_DIR must be defined by the build"
#endif

#define MODEL_ENV "DDAMFN_MODEL"

/* The installed models in the order of preference: DDAMFN++ AffectNet-8
 * (when its released checkpoints could be fetched), else the FER2013
 * mini-Xception (MIT; models/fetch-emotion-tfjs.sh). */
static const char *const default_models[] = {
  DDAMFN_MODEL_DIR G_DIR_SEPARATOR_S "affectnet8.safetensors",
  DDAMFN_MODEL_DIR G_DIR_SEPARATOR_S "emotion.json",
};

const char *
ddamfn_model_get_default_path (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (default_models); i++)
    if (g_file_test (default_models[i], G_FILE_TEST_EXISTS))
      return default_models[i];
  return default_models[0];
}

char *
ddamfn_model_find (const char *path, const char *path_source, GError **error)
{
  const char *env;

  if (path != NULL && path[0] != '\0')
    return g_strdup (path);

  /* Only read: a library never changes the environment. */
  env = getenv (MODEL_ENV);
  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  if (g_file_test (ddamfn_model_get_default_path (), G_FILE_TEST_EXISTS))
    return g_strdup (ddamfn_model_get_default_path ());

  g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO,
      "no model: set %s, or the environment variable " MODEL_ENV
      ", to a model file (.safetensors, .onnx or TensorFlow.js model.json), "
      "or install the default model as %s or %s (the set-up, "
      "tools/bootstrap.sh, does)", path_source ? path_source :
      "a model path", default_models[0], default_models[1]);
  return NULL;
}
