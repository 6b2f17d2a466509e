/* Models shared by every ddamfnfilter of a process.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef __GST_DDAMFN_MODEL_CACHE_H__
#define __GST_DDAMFN_MODEL_CACHE_H__

#include <gst/gst.h>
#include <ddamfn/ddamfn.h>

G_BEGIN_DECLS

/* A reference to the model in PATH with its card (CARD a card file and
 * PRESET a preset name, either NULL: ddamfn_model_open_with_card ()).
 * Elements that name the same files (same device, inode, size and
 * modification time) and preset share one loaded model: its
 * weights are in memory once however many pipelines run it. A file
 * replaced on disk is a different file, loaded afresh; elements that
 * still hold the old model keep it (the weights were copied out of the
 * file at load time, nothing stays mapped). Thread-safe. Release with
 * gst_ddamfn_model_cache_release(). */
DdamfnModel *gst_ddamfn_model_cache_get (const gchar * path,
    const gchar * card, const gchar * preset, GError ** error);

/* Drops a reference taken with gst_ddamfn_model_cache_get(); the model is
 * freed and forgotten when its last user releases it. */
void gst_ddamfn_model_cache_release (DdamfnModel * model);

/* The model the "model" property PROPERTY names, or the environment or the
 * installation when it is unset (ddamfn_model_find ()), with CARD and
 * PRESET (the "card" and "preset" properties), from the cache;
 * NULL after posting an error message on ELEMENT that says what is
 * wrong. */
DdamfnModel *gst_ddamfn_model_cache_open (GstElement * element,
    const gchar * property, const gchar * card, const gchar * preset);

G_END_DECLS

#endif /* __GST_DDAMFN_MODEL_CACHE_H__ */
