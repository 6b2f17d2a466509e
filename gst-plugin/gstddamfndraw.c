/* Drawing of facial affect results with cairo and pango, for ddamfnoverlay.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * Layout first, then rendering: the layout decides where every part of a
 * face goes (keeping it inside the frame) and which pixels it may touch, so
 * the overlay element can render a face onto a surface no larger than that.
 * Parts around the box: the label above it (inside when the box touches the
 * top of the frame), the valence-arousal dial to its right (left, or inside,
 * at the right edge of the frame), the AU bars below it (inside at the
 * bottom edge).
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "gstddamfndraw.h"

#include <pango/pangocairo.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#define DEFAULT_FONT "Sans Bold 12"
/* Action unit names are drawn this much smaller than the label. */
#define SMALL_FONT_SCALE 0.75

struct _GstDdamfnDrawer
{
  PangoFontMap *font_map;
  PangoContext *context;
  PangoLayout *label_layout;
  PangoLayout *small_layout;
  gint label_text_h;            /* logical height of a line, pixels */
  gint small_text_h;
};

/* Boxes of faces nobody analysed. */
static const gdouble plain_color[3] = { 0.62, 0.62, 0.62 };

/* Colours of the expressions every label set shares, matched by the start
 * of the label so "Happy" and "Happiness" agree; others take the palette
 * by class index. */
static const struct
{
  const gchar *prefix;
  gdouble rgb[3];
} named_colors[] = {
  {"neutral", {0.80, 0.88, 0.96}},
  {"happ", {1.00, 0.84, 0.00}},
  {"sad", {0.25, 0.52, 1.00}},
  {"surpris", {1.00, 0.55, 0.00}},
  {"fear", {0.68, 0.38, 0.98}},
  {"disgust", {0.30, 0.78, 0.22}},
  {"ang", {0.96, 0.16, 0.16}},
  {"contempt", {0.78, 0.48, 0.28}},
};

static const gdouble palette[8][3] = {
  {0.00, 0.78, 0.78}, {1.00, 0.45, 0.75}, {0.70, 0.92, 0.20},
  {0.40, 0.80, 1.00}, {0.95, 0.65, 0.45}, {0.55, 0.55, 1.00},
  {0.90, 0.90, 0.35}, {0.45, 0.95, 0.65},
};

/**
 * gst_ddamfn_draw_expression_color:
 * @label: (nullable): the expression label.
 * @index: the class index of @label in its model.
 * @rgb: (out caller-allocates): the colour, components 0 … 1.
 *
 * The colour faces with this dominant expression are drawn in. Known
 * expressions (neutral, happy, sad, surprise, fear, disgust, anger,
 * contempt) have fixed colours whatever the model's class order; any other
 * label takes a palette entry by @index.
 */
void
gst_ddamfn_draw_expression_color (const gchar * label, gint index,
    gdouble rgb[3])
{
  if (label != NULL) {
    for (guint i = 0; i < G_N_ELEMENTS (named_colors); i++) {
      if (g_ascii_strncasecmp (label, named_colors[i].prefix,
              strlen (named_colors[i].prefix)) == 0) {
        memcpy (rgb, named_colors[i].rgb, 3 * sizeof (gdouble));
        return;
      }
    }
  }
  if (index < 0) {
    memcpy (rgb, plain_color, 3 * sizeof (gdouble));
    return;
  }
  memcpy (rgb, palette[index % G_N_ELEMENTS (palette)], 3 * sizeof (gdouble));
}

static gint
line_height (PangoLayout * layout)
{
  PangoRectangle logical;

  pango_layout_set_text (layout, "Ag", -1);
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  return MAX (logical.height, 1);
}

/**
 * gst_ddamfn_drawer_new:
 * @font: (nullable): a pango font description ("Sans Bold 12"); %NULL for
 *   the default.
 *
 * Returns: (transfer full): a drawer with its own font map, to be used by
 *   one thread at a time; free with gst_ddamfn_drawer_free().
 */
GstDdamfnDrawer *
gst_ddamfn_drawer_new (const gchar * font)
{
  GstDdamfnDrawer *drawer = g_new0 (GstDdamfnDrawer, 1);
  cairo_font_options_t *options = cairo_font_options_create ();

  drawer->font_map = pango_cairo_font_map_new ();
  drawer->context = pango_font_map_create_context (drawer->font_map);
  pango_cairo_context_set_resolution (drawer->context, 96.0);
  /* Grey antialiasing: subpixel colour fringes look wrong on video, and
   * the same metrics whatever surface the text lands on. */
  cairo_font_options_set_antialias (options, CAIRO_ANTIALIAS_GRAY);
  cairo_font_options_set_hint_metrics (options, CAIRO_HINT_METRICS_OFF);
  pango_cairo_context_set_font_options (drawer->context, options);
  cairo_font_options_destroy (options);

  drawer->label_layout = pango_layout_new (drawer->context);
  drawer->small_layout = pango_layout_new (drawer->context);
  gst_ddamfn_drawer_set_font (drawer, font);
  return drawer;
}

/**
 * gst_ddamfn_drawer_free:
 * @drawer: (nullable) (transfer full): a drawer.
 *
 * Frees @drawer and its fonts.
 */
void
gst_ddamfn_drawer_free (GstDdamfnDrawer * drawer)
{
  if (drawer == NULL)
    return;
  g_object_unref (drawer->label_layout);
  g_object_unref (drawer->small_layout);
  g_object_unref (drawer->context);
  g_object_unref (drawer->font_map);
  g_free (drawer);
}

/**
 * gst_ddamfn_drawer_set_font:
 * @drawer: a drawer.
 * @font: (nullable): a pango font description; one without a size gets
 *   12 points, %NULL or "" the default "Sans Bold 12".
 *
 * Sets the font of the labels; action unit names use it at three quarters
 * of its size.
 */
void
gst_ddamfn_drawer_set_font (GstDdamfnDrawer * drawer, const gchar * font)
{
  PangoFontDescription *desc;
  gint size;

  desc = pango_font_description_from_string (font && font[0] ? font :
      DEFAULT_FONT);
  size = pango_font_description_get_size (desc);
  if (size <= 0) {
    size = 12 * PANGO_SCALE;
    pango_font_description_set_size (desc, size);
  }
  pango_layout_set_font_description (drawer->label_layout, desc);
  pango_font_description_set_size (desc,
      MAX ((gint) (size * SMALL_FONT_SCALE), PANGO_SCALE));
  pango_layout_set_font_description (drawer->small_layout, desc);
  pango_font_description_free (desc);

  drawer->label_text_h = line_height (drawer->label_layout);
  drawer->small_text_h = line_height (drawer->small_layout);
}

static gint
text_width (PangoLayout * layout, const gchar * text)
{
  PangoRectangle logical;

  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_extents (layout, NULL, &logical);
  return logical.width;
}

/* Keeps [*pos, *pos + size) inside [0, limit) as far as it fits. */
static void
clamp_span (gdouble * pos, gdouble size, gdouble limit)
{
  if (*pos + size > limit)
    *pos = limit - size;
  if (*pos < 0)
    *pos = 0;
}

/* Grows the bounds [x0, x1) × [y0, y1) to hold a rectangle. */
static void
grow (gdouble b[4], gdouble x, gdouble y, gdouble w, gdouble h)
{
  b[0] = MIN (b[0], x);
  b[1] = MIN (b[1], y);
  b[2] = MAX (b[2], x + w);
  b[3] = MAX (b[3], y + h);
}

static void
layout_label (GstDdamfnDrawer * drawer, const GstDdamfnDrawFace * face,
    GstDdamfnDrawLayout * l, gint frame_w, gint frame_h)
{
  gint confidence = (gint) lround (CLAMP (face->confidence, 0.0, 1.0) * 100);

  if (face->track_id > 0)
    g_snprintf (l->text, sizeof (l->text), "#%u %s %d%%", face->track_id,
        face->label, confidence);
  else
    g_snprintf (l->text, sizeof (l->text), "%s %d%%", face->label,
        confidence);
  /* A long label may have been cut inside a character. */
  {
    const gchar *end;

    if (!g_utf8_validate (l->text, -1, &end))
      l->text[end - l->text] = '\0';
  }

  l->label_pad = MAX (2.0, floor (drawer->label_text_h / 8.0));
  l->label_w = text_width (drawer->label_layout, l->text) + 2 * l->label_pad;
  l->label_h = drawer->label_text_h + 2 * l->label_pad;
  l->label_x = face->x;
  l->label_y = face->y - l->label_h;
  if (l->label_y < 0)
    l->label_y = face->y + (l->show_box ? l->line_width : 0);
  clamp_span (&l->label_x, l->label_w, frame_w);
  clamp_span (&l->label_y, l->label_h, frame_h);
}

static void
layout_dial (GstDdamfnDrawer * drawer, const GstDdamfnDrawFace * face,
    GstDdamfnDrawLayout * l, gint frame_w, gint frame_h)
{
  gdouble r = MAX (10.0, round (0.9 * drawer->label_text_h));
  gdouble gap = 3 + l->line_width;
  gdouble cx = face->x + face->w + gap + r;

  if (cx + r > frame_w)
    cx = face->x - gap - r;
  if (cx - r < 0)
    cx = face->x + face->w - gap - r;
  l->dial_r = r;
  l->dial_x = CLAMP (cx, r + 1, MAX (r + 1, frame_w - r - 1));
  /* one pixel more: the outline is drawn about the radius */
  l->dial_y = CLAMP (face->y + r + 1, r + 1, MAX (r + 1, frame_h - r - 1));
}

static void
layout_aus (GstDdamfnDrawer * drawer, const GstDdamfnDrawFace * face,
    GstDdamfnDrawLayout * l, gint frame_w, gint frame_h)
{
  guint n = MIN (face->n_aus, GST_DDAMFN_DRAW_MAX_AUS);
  gdouble pad = 3;
  gint name_w = 0;

  for (guint i = 0; i < n; i++)
    name_w = MAX (name_w, text_width (drawer->small_layout,
            face->au_names[i] ? face->au_names[i] : "?"));
  l->au_row_h = drawer->small_text_h + 2;
  l->au_name_w = name_w;
  l->au_bar_w = MAX (40.0, 4 * l->au_row_h);
  l->aus_w = pad + l->au_name_w + pad + l->au_bar_w + pad;
  l->aus_h = n * l->au_row_h + 2 * pad;
  l->aus_x = face->x;
  l->aus_y = face->y + face->h + 2;
  if (l->aus_y + l->aus_h > frame_h)
    l->aus_y = face->y + face->h - l->aus_h - (l->show_box ? l->line_width :
        0);
  clamp_span (&l->aus_x, l->aus_w, frame_w);
  clamp_span (&l->aus_y, l->aus_h, frame_h);
}

/**
 * gst_ddamfn_drawer_layout:
 * @drawer: a drawer.
 * @face: the face.
 * @options: what to draw.
 * @frame_width: width of the frame, pixels.
 * @frame_height: height of the frame.
 * @layout: (out caller-allocates): where the parts go.
 *
 * Places the parts of @face that @options asks for inside the frame.
 *
 * Returns: %TRUE when something is to be drawn (@layout's bounds are then
 *   not empty).
 */
gboolean
gst_ddamfn_drawer_layout (GstDdamfnDrawer * drawer,
    const GstDdamfnDrawFace * face, const GstDdamfnDrawOptions * options,
    gint frame_width, gint frame_height, GstDdamfnDrawLayout * layout)
{
  GstDdamfnDrawLayout *l = layout;
  gdouble b[4] = { G_MAXDOUBLE, G_MAXDOUBLE, -G_MAXDOUBLE, -G_MAXDOUBLE };
  gint x0, y0, x1, y1;

  memset (l, 0, sizeof (*l));
  l->line_width = CLAMP (options->line_width, 0.5, 64.0);
  l->show_box = options->box;
  l->show_label = face->has_result && options->label && face->label != NULL;
  l->show_dial = face->has_result && options->va && face->has_va;
  l->show_aus = face->has_result && options->aus && face->n_aus > 0;
  if (face->has_result)
    gst_ddamfn_draw_expression_color (face->label, face->expr_index,
        l->color);
  else
    memcpy (l->color, plain_color, sizeof (l->color));

  if (l->show_box)
    grow (b, face->x, face->y, face->w, face->h);
  if (l->show_label) {
    layout_label (drawer, face, l, frame_width, frame_height);
    grow (b, l->label_x, l->label_y, l->label_w, l->label_h);
  }
  if (l->show_dial) {
    layout_dial (drawer, face, l, frame_width, frame_height);
    grow (b, l->dial_x - l->dial_r - 1, l->dial_y - l->dial_r - 1,
        2 * l->dial_r + 2, 2 * l->dial_r + 2);
  }
  if (l->show_aus) {
    layout_aus (drawer, face, l, frame_width, frame_height);
    grow (b, l->aus_x, l->aus_y, l->aus_w, l->aus_h);
  }
  if (b[2] <= b[0] || b[3] <= b[1])
    return FALSE;

  x0 = CLAMP ((gint) floor (b[0]), 0, frame_width);
  y0 = CLAMP ((gint) floor (b[1]), 0, frame_height);
  x1 = CLAMP ((gint) ceil (b[2]), 0, frame_width);
  y1 = CLAMP ((gint) ceil (b[3]), 0, frame_height);
  if (x1 <= x0 || y1 <= y0)
    return FALSE;
  l->bounds.x = x0;
  l->bounds.y = y0;
  l->bounds.w = x1 - x0;
  l->bounds.h = y1 - y0;
  return TRUE;
}

static void
render_box (cairo_t * cr, const GstDdamfnDrawFace * face,
    const GstDdamfnDrawLayout * l)
{
  gdouble lw = l->line_width;

  cairo_set_source_rgb (cr, l->color[0], l->color[1], l->color[2]);
  if (face->w <= 2 * lw || face->h <= 2 * lw) {
    cairo_rectangle (cr, face->x, face->y, face->w, face->h);
    cairo_fill (cr);
    return;
  }
  /* The stroke lies inside the box, so the box's own pixels are its edge. */
  cairo_set_line_width (cr, lw);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_MITER);
  cairo_rectangle (cr, face->x + lw / 2, face->y + lw / 2, face->w - lw,
      face->h - lw);
  cairo_stroke (cr);
}

static void
render_label (GstDdamfnDrawer * drawer, cairo_t * cr,
    const GstDdamfnDrawLayout * l)
{
  gdouble luma = 0.299 * l->color[0] + 0.587 * l->color[1] +
      0.114 * l->color[2];

  cairo_set_source_rgb (cr, l->color[0], l->color[1], l->color[2]);
  cairo_rectangle (cr, l->label_x, l->label_y, l->label_w, l->label_h);
  cairo_fill (cr);

  if (luma > 0.5)
    cairo_set_source_rgb (cr, 0, 0, 0);
  else
    cairo_set_source_rgb (cr, 1, 1, 1);
  pango_layout_set_text (drawer->label_layout, l->text, -1);
  cairo_move_to (cr, l->label_x + l->label_pad, l->label_y + l->label_pad);
  pango_cairo_show_layout (cr, drawer->label_layout);
}

/* A disc with axes: valence to the right, arousal up; the point is clamped
 * onto the unit circle. */
static void
render_dial (cairo_t * cr, const GstDdamfnDrawFace * face,
    const GstDdamfnDrawLayout * l)
{
  gdouble cx = l->dial_x, cy = l->dial_y, r = l->dial_r;
  gdouble v = CLAMP (face->valence, -1.0, 1.0);
  gdouble a = CLAMP (face->arousal, -1.0, 1.0);
  gdouble norm = sqrt (v * v + a * a);
  gdouble dot = MAX (2.5, r / 6);

  if (norm > 1) {
    v /= norm;
    a /= norm;
  }

  cairo_arc (cr, cx, cy, r, 0, 2 * G_PI);
  cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);

  cairo_set_source_rgba (cr, 1, 1, 1, 0.5);
  cairo_set_line_width (cr, 1.0);
  cairo_move_to (cr, cx - r, cy);
  cairo_line_to (cr, cx + r, cy);
  cairo_move_to (cr, cx, cy - r);
  cairo_line_to (cr, cx, cy + r);
  cairo_stroke (cr);

  /* Keep the whole point inside the disc. */
  v *= r - dot;
  a *= r - dot;
  cairo_arc (cr, cx + v, cy - a, dot, 0, 2 * G_PI);
  cairo_set_source_rgb (cr, l->color[0], l->color[1], l->color[2]);
  cairo_fill_preserve (cr);
  cairo_set_source_rgb (cr, 0, 0, 0);
  cairo_set_line_width (cr, 1.0);
  cairo_stroke (cr);
}

static void
render_aus (GstDdamfnDrawer * drawer, cairo_t * cr,
    const GstDdamfnDrawFace * face, const GstDdamfnDrawLayout * l)
{
  guint n = MIN (face->n_aus, GST_DDAMFN_DRAW_MAX_AUS);
  gdouble pad = 3;
  gdouble bar_x = l->aus_x + pad + l->au_name_w + pad;
  gdouble bar_h = MAX (2.0, l->au_row_h - 4);

  cairo_set_source_rgba (cr, 0, 0, 0, 0.6);
  cairo_rectangle (cr, l->aus_x, l->aus_y, l->aus_w, l->aus_h);
  cairo_fill (cr);

  for (guint i = 0; i < n; i++) {
    gdouble row_y = l->aus_y + pad + i * l->au_row_h;
    gdouble p = CLAMP (face->au_probs[i], 0.0, 1.0);

    cairo_set_source_rgb (cr, 1, 1, 1);
    pango_layout_set_text (drawer->small_layout,
        face->au_names[i] ? face->au_names[i] : "?", -1);
    cairo_move_to (cr, l->aus_x + pad, row_y + 1);
    pango_cairo_show_layout (cr, drawer->small_layout);

    cairo_set_source_rgba (cr, 1, 1, 1, 0.25);
    cairo_rectangle (cr, bar_x, row_y + 2, l->au_bar_w, bar_h);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, l->color[0], l->color[1], l->color[2]);
    cairo_rectangle (cr, bar_x, row_y + 2, p * l->au_bar_w, bar_h);
    cairo_fill (cr);
  }
}

/**
 * gst_ddamfn_drawer_render:
 * @drawer: the drawer that made @layout.
 * @cr: where to draw, in frame coordinates (translate it when it targets a
 *   surface covering only the layout's bounds).
 * @face: the face @layout was made for.
 * @layout: from gst_ddamfn_drawer_layout().
 *
 * Draws @face. Nothing outside @layout's bounds is touched.
 */
void
gst_ddamfn_drawer_render (GstDdamfnDrawer * drawer, cairo_t * cr,
    const GstDdamfnDrawFace * face, const GstDdamfnDrawLayout * layout)
{
  const GstDdamfnDrawLayout *l = layout;

  if (l->bounds.w <= 0 || l->bounds.h <= 0)
    return;

  cairo_save (cr);
  cairo_rectangle (cr, l->bounds.x, l->bounds.y, l->bounds.w, l->bounds.h);
  cairo_clip (cr);
  if (l->show_box)
    render_box (cr, face, l);
  if (l->show_aus)
    render_aus (drawer, cr, face, l);
  if (l->show_dial)
    render_dial (cr, face, l);
  if (l->show_label)
    render_label (drawer, cr, l);
  cairo_restore (cr);
}
