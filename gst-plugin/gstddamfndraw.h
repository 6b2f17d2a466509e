/* Drawing of facial affect results with cairo and pango, for ddamfnoverlay.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * No GStreamer in here: a face is described by a plain struct, laid out
 * once (where the box, the label, the valence-arousal dial and the AU bars
 * go inside a frame of a given size) and then rendered onto any cairo
 * context, the frame itself or a small overlay surface translated to the
 * layout's bounds.
 */
#ifndef __GST_DDAMFN_DRAW_H__
#define __GST_DDAMFN_DRAW_H__

#include <glib.h>
#include <cairo.h>

G_BEGIN_DECLS

/**
 * GST_DDAMFN_DRAW_MAX_AUS:
 *
 * The most action units one face can show bars for.
 */
#define GST_DDAMFN_DRAW_MAX_AUS 16

/**
 * GstDdamfnDrawFace:
 * @x: left edge of the face box, frame pixels.
 * @y: top edge of the face box.
 * @w: width of the box (≥ 1).
 * @h: height of the box (≥ 1).
 * @has_result: %FALSE for a face nobody analysed: only its box is drawn,
 *   in grey.
 * @track_id: shown before the label when not 0.
 * @label: (nullable): the dominant expression, %NULL when the model has
 *   no expression head.
 * @expr_index: index of @label in the model's classes (picks the colour of
 *   labels the palette does not know by name).
 * @confidence: probability of @label, 0 … 1.
 * @has_va: whether @valence and @arousal are set.
 * @valence: −1 … 1, drawn right of the dial's centre when positive.
 * @arousal: −1 … 1, drawn above the dial's centre when positive.
 * @n_aus: number of active action units in @au_names and @au_probs.
 * @au_names: their names.
 * @au_probs: their probabilities, 0 … 1 (the length of each bar).
 *
 * One face as the drawing code sees it. Strings are borrowed.
 */
typedef struct
{
  gint x;
  gint y;
  gint w;
  gint h;

  gboolean has_result;
  guint track_id;
  const gchar *label;
  gint expr_index;
  gdouble confidence;

  gboolean has_va;
  gdouble valence;
  gdouble arousal;

  guint n_aus;
  const gchar *au_names[GST_DDAMFN_DRAW_MAX_AUS];
  gdouble au_probs[GST_DDAMFN_DRAW_MAX_AUS];
} GstDdamfnDrawFace;

/**
 * GstDdamfnDrawOptions:
 * @box: draw the face box.
 * @label: draw the expression label and its confidence.
 * @va: draw the valence-arousal dial.
 * @aus: draw bars for the active action units.
 * @line_width: width of the box lines, pixels.
 *
 * What to draw for every face.
 */
typedef struct
{
  gboolean box;
  gboolean label;
  gboolean va;
  gboolean aus;
  gdouble line_width;
} GstDdamfnDrawOptions;

/**
 * GstDdamfnDrawRect:
 * @x: left edge.
 * @y: top edge.
 * @w: width.
 * @h: height.
 *
 * A rectangle of whole pixels.
 */
typedef struct
{
  gint x;
  gint y;
  gint w;
  gint h;
} GstDdamfnDrawRect;

/**
 * GstDdamfnDrawLayout:
 *
 * Where the parts of one face go in its frame, from
 * gst_ddamfn_drawer_layout(). All fields are private except @bounds: the
 * pixels the face may touch, inside the frame (empty when nothing is
 * drawn).
 */
typedef struct
{
  GstDdamfnDrawRect bounds;

  /*< private >*/
  gboolean show_box;
  gboolean show_label;
  gboolean show_dial;
  gboolean show_aus;
  gdouble line_width;
  gdouble color[3];
  gchar text[96];
  gdouble label_x, label_y, label_w, label_h, label_pad;
  gdouble dial_x, dial_y, dial_r;
  gdouble aus_x, aus_y, aus_w, aus_h;
  gdouble au_row_h, au_name_w, au_bar_w;
} GstDdamfnDrawLayout;

typedef struct _GstDdamfnDrawer GstDdamfnDrawer;

GstDdamfnDrawer *gst_ddamfn_drawer_new (const gchar * font);
void gst_ddamfn_drawer_free (GstDdamfnDrawer * drawer);
void gst_ddamfn_drawer_set_font (GstDdamfnDrawer * drawer,
    const gchar * font);

gboolean gst_ddamfn_drawer_layout (GstDdamfnDrawer * drawer,
    const GstDdamfnDrawFace * face, const GstDdamfnDrawOptions * options,
    gint frame_width, gint frame_height, GstDdamfnDrawLayout * layout);
void gst_ddamfn_drawer_render (GstDdamfnDrawer * drawer, cairo_t * cr,
    const GstDdamfnDrawFace * face, const GstDdamfnDrawLayout * layout);

void gst_ddamfn_draw_expression_color (const gchar * label, gint index,
    gdouble rgb[3]);

G_END_DECLS

#endif /* __GST_DDAMFN_DRAW_H__ */
