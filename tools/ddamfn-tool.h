/* Helpers the command-line tools and benchmarks share, outside the engine
 * library: BLAS threads, the build tree's plugin, JPEG decoding.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_TOOL_H
#define DDAMFN_TOOL_H

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Call first in main(): with the system's threaded OpenBLAS, one thread per
 * call unless OPENBLAS_NUM_THREADS says otherwise (the engine runs its own
 * workers). Nothing with a private serial build (the default BLIS, or
 * -Dblas=openblas-serial). */
void ddamfn_tool_setup_blas (void);

/* When this program runs from its build directory BUILD_DIR, puts
 * PLUGIN_DIR (the plugin built beside it) first in GST_PLUGIN_PATH, so that
 * an older installed plugin is not used instead. Call in main() before
 * gst_init(). */
void ddamfn_tool_prefer_build_plugin (const char *build_dir,
    const char *plugin_dir);

/* Decodes JPEG file PATH into packed RGB (width × height × 3 bytes, free
 * with g_free()); NULL with ERROR set (DDAMFN_ERROR) when the file is
 * unreadable, too large or not a valid JPEG. */
uint8_t *ddamfn_jpeg_decode_file (const char *path, int *width, int *height,
    GError ** error);

G_END_DECLS

#endif /* DDAMFN_TOOL_H */
