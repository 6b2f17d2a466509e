/* Helpers the command-line tools and benchmarks share, outside the engine
 * library: process-wide OpenBLAS settings (which only a program's own
 * main() may make) and JPEG decoding.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_TOOL_H
#define DDAMFN_TOOL_H

#include <glib.h>
#include <stdint.h>

G_BEGIN_DECLS

/* Call first in main(), before any thread exists. OpenBLAS picks its CPU
 * kernels when it is loaded, before main(): on an AVX-512 CPU that
 * OpenBLAS 0.3.21 does not know by name (it would run its AVX2 kernels),
 * and unless OPENBLAS_CORETYPE is already set, this sets
 * OPENBLAS_CORETYPE=SkylakeX and executes the program again (ARGV) so that
 * OpenBLAS reads it. Then it keeps OpenBLAS to one thread per call unless
 * OPENBLAS_NUM_THREADS says otherwise: the engine runs its own workers. */
void ddamfn_tool_setup_blas (char **argv);

/* Decodes JPEG file PATH into packed RGB (width × height × 3 bytes, free
 * with g_free()); NULL with ERROR set (DDAMFN_ERROR) when the file is
 * unreadable, too large or not a valid JPEG. */
uint8_t *ddamfn_jpeg_decode_file (const char *path, int *width, int *height,
    GError ** error);

G_END_DECLS

#endif /* DDAMFN_TOOL_H */
