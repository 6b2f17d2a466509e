/* ddamfnfilter's properties: their ids, defaults and bounds, and their
 * installation on the class (gstddamfnfilterprops.c). Private to the
 * element.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#ifndef GST_DDAMFN_FILTER_PROPS_H
#define GST_DDAMFN_FILTER_PROPS_H

#include <glib-object.h>

G_BEGIN_DECLS

enum
{
  PROP_0,
  PROP_MODEL,
  PROP_CARD,
  PROP_PRESET,
  PROP_ROI_TYPE,
  PROP_MIN_FACE_SIZE,
  PROP_MAX_FACES,
  PROP_INFERENCE_INTERVAL,
  PROP_SMOOTHING,
  PROP_CROP_SCALE,
  PROP_N_THREADS,
  PROP_POST_MESSAGES,
  PROP_LIVE,
  PROP_QUEUE_SIZE,
};

#define DEFAULT_MODEL NULL
#define DEFAULT_ROI_TYPE "face"
#define DEFAULT_MIN_FACE_SIZE 16
#define DEFAULT_MAX_FACES 16
#define MAX_MAX_FACES 256
#define DEFAULT_INFERENCE_INTERVAL 1
#define MAX_INFERENCE_INTERVAL 10000
#define DEFAULT_SMOOTHING 0.0
#define DEFAULT_CROP_SCALE 0.0
#define DEFAULT_N_THREADS 1
#define MAX_N_THREADS 64
#define DEFAULT_POST_MESSAGES FALSE
#define DEFAULT_LIVE FALSE
#define DEFAULT_QUEUE_SIZE 1
#define MAX_QUEUE_SIZE 16

/* Installs every property of ddamfnfilter, with its blurb, on KLASS. */
void gst_ddamfn_filter_install_properties (GObjectClass * klass);

G_END_DECLS

#endif
