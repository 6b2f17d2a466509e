/* Where a plan's weights live: an arena of page-aligned anonymous chunks
 * that, once the plan is built, can be swapped in place for a read-only
 * shared mapping of a content-addressed cache file, so that every process
 * running the same model maps one page-cache copy of its folded weights.
 *
 * The swap keeps every address: each chunk's pages are replaced by the
 * file's pages at the same place (mmap MAP_FIXED), so the steps' weight
 * pointers stay valid and the builders need not know. A cache file is
 * used only after its bytes are compared with the weights just built: a
 * stale, truncated or altered file is never run, it is replaced.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef DDAMFN_WEIGHT_STORE_H
#define DDAMFN_WEIGHT_STORE_H

#include <glib.h>

G_BEGIN_DECLS

/* The environment variable naming the cache directory: unset, the user's
 * cache directory (…/gst-ddamfn/weights); "off", "0" or empty, no sharing. */
#define DDAMFN_WEIGHTS_CACHE_ENV "DDAMFN_WEIGHTS_CACHE"

/* Weights smaller than this stay private: a file per small model would
 * save less than it costs. */
#define DDAMFN_WEIGHTS_SHARE_MIN (1u << 20)

/* After writing a file, the oldest-used files of the directory are
 * removed until it holds at most this many bytes. */
#define DDAMFN_WEIGHTS_CACHE_MAX ((guint64) 1 << 30)

typedef struct _DdamfnWeightStore DdamfnWeightStore;

DdamfnWeightStore *ddamfn_weight_store_new (void);
void ddamfn_weight_store_free (DdamfnWeightStore * store);

/* N zeroed floats, 64-byte aligned, living as long as STORE; NULL when
 * memory runs out or once the store is shared (it is read-only then). */
float *ddamfn_weight_store_alloc (DdamfnWeightStore * store, gsize n);

/* Bytes handed out (alignment padding included). */
gsize ddamfn_weight_store_bytes (const DdamfnWeightStore * store);

/* Swaps the weights for a shared mapping of DIR/<sha256>.f32, writing the
 * file first when no valid one is there. Not sharing (weights too small,
 * DIR unwritable, disk full…) is not an error: the weights stay private
 * and ddamfn_weight_store_private_reason() says why. FALSE with ERROR set
 * only when the mapping failed half-way and the weights are lost. */
gboolean ddamfn_weight_store_share (DdamfnWeightStore * store,
    const char *dir, GError ** error);

/* The cache directory DDAMFN_WEIGHTS_CACHE_ENV chooses, or NULL when
 * sharing is off: a new string. */
char *ddamfn_weight_store_default_dir (void);

/* Removes cache files of DIR, oldest-used first, until their sizes add up
 * to at most MAX bytes, KEEP (a path) excepted; and temporary files an hour
 * old (left by a process killed while writing). */
void ddamfn_weight_store_trim (const char *dir, const char *keep,
    guint64 max);

/* The file the weights are mapped from, or NULL when private. */
const char *ddamfn_weight_store_shared_path (const DdamfnWeightStore * store);
/* Why the weights are private (NULL when shared or never offered). */
const char *ddamfn_weight_store_private_reason (const DdamfnWeightStore *
    store);

G_END_DECLS

#endif /* DDAMFN_WEIGHT_STORE_H */
