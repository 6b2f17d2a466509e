/* ddamfnfilter without its model property: the model named by
 * DDAMFN_MODEL is loaded; the property beats the variable; without either
 * (and no installed default) the error names all three ways.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * usage: test-default-model MODEL_MULTITASK MODEL_SINGLE
 * (tests/test-model-path.c checks the installed default in a temporary
 * prefix.)
 */
#include <gst/gst.h>
#include <gst/ddamfn/gstddamfnmeta.h>
#include <ddamfn/ddamfn.h>

#include <string.h>

#include "soft-check.h"

static guint metas;

static GstPadProbeReturn
count_metas (G_GNUC_UNUSED GstPad * pad, GstPadProbeInfo * info,
    G_GNUC_UNUSED gpointer data)
{
  if (gst_buffer_get_ddamfn_meta (GST_PAD_PROBE_INFO_BUFFER (info)))
    metas++;
  return GST_PAD_PROBE_OK;
}

/* Runs "videotestsrc ! ddamfnfilter PROPS ! fakesink" (as gst-launch-1.0
 * would) to EOS or an error; returns the error message or NULL, and the
 * number of buffers that carried a GstDdamfnMeta. */
static gchar *
run (const gchar * props, gchar ** debug)
{
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=3 ! "
      "video/x-raw,width=64,height=48 ! ddamfnfilter name=f %s ! fakesink",
      props);
  GstElement *pipeline = gst_parse_launch (desc, NULL);
  GstElement *f = gst_bin_get_by_name (GST_BIN (pipeline), "f");
  GstPad *pad = gst_element_get_static_pad (f, "src");
  GstBus *bus = gst_element_get_bus (pipeline);
  GstMessage *msg;
  gchar *message = NULL;

  metas = 0;
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_metas, NULL, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  msg = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (msg == NULL) {
    message = g_strdup ("timeout");
  } else if (GST_MESSAGE_TYPE (msg) == GST_MESSAGE_ERROR) {
    GError *error = NULL;
    gst_message_parse_error (msg, &error, debug);
    message = g_strdup (error->message);
    g_clear_error (&error);
  }
  gst_clear_message (&msg);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pad);
  gst_object_unref (f);
  gst_object_unref (pipeline);
  g_free (desc);
  return message;
}

int
main (int argc, char **argv)
{
  gchar *err, *debug = NULL, *props;

  if (argc != 3) {
    g_printerr ("usage: %s MODEL_MULTITASK MODEL_SINGLE\n", argv[0]);
    return 2;
  }
  gst_init (&argc, &argv);

  /* No property, DDAMFN_MODEL set: that model. */
  g_setenv ("DDAMFN_MODEL", argv[1], TRUE);
  err = run ("", NULL);
  CHECK (err == NULL, "with DDAMFN_MODEL: %s", err);
  CHECK (metas == 3, "%u of 3 buffers analysed", metas);
  g_free (err);

  /* The property beats the variable (which names nothing here). */
  g_setenv ("DDAMFN_MODEL", "/nonexistent/ddamfn.safetensors", TRUE);
  props = g_strdup_printf ("model=\"%s\"", argv[2]);
  err = run (props, NULL);
  CHECK (err == NULL, "with the property: %s", err);
  CHECK (metas == 3, "%u of 3 buffers analysed", metas);
  g_free (err);
  g_free (props);

  /* A variable naming a missing file: the loader's error, naming it. */
  err = run ("", &debug);
  CHECK (err && strstr (err, "/nonexistent/ddamfn.safetensors"),
      "error %s", err);
  g_free (err);
  g_clear_pointer (&debug, g_free);

  /* Nothing at all: the error names the property, the variable and the
   * installed default (unless this machine has the default installed). */
  g_unsetenv ("DDAMFN_MODEL");
  if (g_file_test (ddamfn_model_get_default_path (), G_FILE_TEST_EXISTS)) {
    g_print ("note: %s is installed here; the no-model error is checked by "
        "test-model-path only\n", ddamfn_model_get_default_path ());
  } else {
    err = run ("", NULL);
    CHECK (err != NULL, "ran without any model");
    if (err) {
      CHECK (strstr (err, "\"model\" property") != NULL, "%s", err);
      CHECK (strstr (err, "DDAMFN_MODEL") != NULL, "%s", err);
      CHECK (strstr (err, ddamfn_model_get_default_path ()) != NULL, "%s",
          err);
      g_print ("error without a model: %s\n", err);
    }
    g_free (err);
  }
  return soft_check_exit_status ();
}
