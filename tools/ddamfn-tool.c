/* Process set-up for the tools (see ddamfn-tool.h).
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-tool.h"

#include <stdlib.h>
#ifdef DDAMFN_BLAS_OPENBLAS
#include <cblas.h>
#endif

void
ddamfn_tool_setup_blas (void)
{
#ifdef DDAMFN_BLAS_OPENBLAS
  /* a program's own main() may set process-wide state: the engine runs
   * its own workers, OpenBLAS's pool would only spin beside them */
  if (getenv ("OPENBLAS_NUM_THREADS") == NULL)
    openblas_set_num_threads (1);
#endif
}

void
ddamfn_tool_prefer_build_plugin (const char *build_dir, const char *plugin_dir)
{
  gchar *exe = g_file_read_link ("/proc/self/exe", NULL);
  gchar *dir = exe ? g_path_get_dirname (exe) : NULL;

  if (dir && g_str_equal (dir, build_dir)) {
    const gchar *old = g_getenv ("GST_PLUGIN_PATH");
    gchar *path = old && old[0] ?
        g_strconcat (plugin_dir, G_SEARCHPATH_SEPARATOR_S, old, NULL) :
        g_strdup (plugin_dir);

    g_setenv ("GST_PLUGIN_PATH", path, TRUE);
    g_free (path);
  }
  g_free (dir);
  g_free (exe);
}
