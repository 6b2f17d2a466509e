/* ddamfn-analyze: the PNG timeline of a run, drawn with cairo and pango.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * From top to bottom, on one shared time axis: valence over time and
 * arousal over time, one line per tracked face (a line breaks where its
 * face was not seen), then one ribbon per tracked face coloured by its
 * dominant expression frame by frame; last, the distribution of dominant
 * expressions over all records as horizontal bars. Expression colours are
 * those of the ddamfnoverlay element. A model without valence and arousal
 * gets no empty panels for them: its plot starts with the ribbons.
 */
#include "analyze-plot.h"
#include "gstddamfndraw.h"

#include <cairo.h>
#ifdef CAIRO_HAS_SVG_SURFACE
#include <cairo-svg.h>
#endif
#ifdef CAIRO_HAS_PDF_SURFACE
#include <cairo-pdf.h>
#endif
#include <pango/pangocairo.h>

#include <math.h>
#include <string.h>

#define PLOT_WIDTH 1280
#define MARGIN_LEFT 90
#define MARGIN_RIGHT 200
#define PANEL_HEIGHT 210
#define PANEL_GAP 56
#define RIBBON_ROW 16
#define MAX_RIBBONS 8
#define MAX_LEGEND 14
#define HIST_ROW 22

/* Colours of the tracked faces, in order of their ids. */
static const gdouble track_colors[][3] = {
  {0.12, 0.46, 0.70}, {0.99, 0.50, 0.06}, {0.18, 0.62, 0.17},
  {0.84, 0.15, 0.16}, {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29},
  {0.89, 0.47, 0.76}, {0.45, 0.45, 0.45}, {0.74, 0.74, 0.13},
  {0.09, 0.75, 0.81},
};

typedef struct
{
  guint track_id;
  guint first;                  /* index of its first point */
  guint count;
  guint color;                  /* index into track_colors */
} Track;

typedef struct
{
  cairo_t *cr;
  PangoLayout *layout;          /* from a font map of the plot's own */
  gdouble x0, x1;               /* the time axis, pixels */
  gdouble t_max;
  gdouble gap;                  /* seconds without a point that break a line */
  GArray *tracks;               /* Track */
  GArray *points;               /* AnalyzePoint, by track, then by frame */
} Plot;

/* STR with its left edge (ALIGN 0), centre (0.5) or right edge (1) at X
 * and its middle at Y. */
static void
text (const Plot * p, gdouble x, gdouble y, const gchar * str, gint size_px,
    gboolean bold, gdouble align)
{
  PangoFontDescription *desc = pango_font_description_from_string ("Sans");
  PangoRectangle logical;

  pango_font_description_set_absolute_size (desc, size_px * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight (desc, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (p->layout, desc);
  pango_layout_set_text (p->layout, str, -1);
  pango_layout_get_pixel_extents (p->layout, NULL, &logical);
  cairo_move_to (p->cr, x - align * logical.width, y - logical.height / 2.0);
  pango_cairo_show_layout (p->cr, p->layout);
  pango_font_description_free (desc);
}

static gdouble
time_x (const Plot * p, gdouble t)
{
  return p->x0 + (p->x1 - p->x0) * t / p->t_max;
}

static const gdouble *
track_color (const Track * track)
{
  return track_colors[track->color % G_N_ELEMENTS (track_colors)];
}

static gint
compare_points (gconstpointer a, gconstpointer b)
{
  const AnalyzePoint *pa = a, *pb = b;

  if (pa->track_id != pb->track_id)
    return pa->track_id < pb->track_id ? -1 : 1;
  if (pa->frame != pb->frame)
    return pa->frame < pb->frame ? -1 : 1;
  return 0;
}

static gint
compare_tracks_by_count (gconstpointer a, gconstpointer b)
{
  const Track *ta = a, *tb = b;

  if (ta->count != tb->count)
    return ta->count > tb->count ? -1 : 1;
  return ta->track_id < tb->track_id ? -1 : 1;
}

static gint
compare_tracks_by_id (gconstpointer a, gconstpointer b)
{
  const Track *ta = a, *tb = b;

  return ta->track_id < tb->track_id ? -1 : ta->track_id > tb->track_id;
}

/* Sorts POINTS by track and frame and lists the tracks, by id. The longest
 * tracks get the first colours, so the faces that matter never share one. */
static GArray *
find_tracks (GArray * points)
{
  GArray *tracks = g_array_new (FALSE, FALSE, sizeof (Track));

  g_array_sort (points, compare_points);
  for (guint i = 0; i < points->len; i++) {
    const AnalyzePoint *pt = &g_array_index (points, AnalyzePoint, i);
    Track *last = tracks->len ?
        &g_array_index (tracks, Track, tracks->len - 1) : NULL;

    if (last == NULL || last->track_id != pt->track_id) {
      Track t = { pt->track_id, i, 0, 0 };
      g_array_append_val (tracks, t);
      last = &g_array_index (tracks, Track, tracks->len - 1);
    }
    last->count++;
  }
  g_array_sort (tracks, compare_tracks_by_count);
  for (guint i = 0; i < tracks->len; i++)
    g_array_index (tracks, Track, i).color = i;
  g_array_sort (tracks, compare_tracks_by_id);
  return tracks;
}

/* A step of about a tenth of T_MAX among 1-2-5 multiples and minutes. */
static gdouble
tick_step (gdouble t_max)
{
  static const gdouble steps[] = {
    0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600,
    7200, 18000, 36000
  };

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    if (t_max / steps[i] <= 10)
      return steps[i];
  return steps[G_N_ELEMENTS (steps) - 1];
}

static void
format_time (gchar * buf, gsize size, gdouble t, gdouble step,
    gdouble t_max)
{
  if (step < 1)
    g_snprintf (buf, size, "%.1f s", t);
  else if (t_max < 120)
    g_snprintf (buf, size, "%.0f s", t);
  else
    g_snprintf (buf, size, "%d:%02d", (gint) (t / 60), (gint) fmod (t, 60));
}

/* Vertical grid lines and time labels below a band from Y0 to Y1. */
static void
draw_time_axis (const Plot * p, gdouble y0, gdouble y1)
{
  cairo_t *cr = p->cr;
  gdouble step = tick_step (p->t_max);
  gchar buf[32];

  for (gdouble t = 0; t <= p->t_max + 1e-9; t += step) {
    gdouble x = round (time_x (p, t)) + 0.5;

    cairo_set_source_rgb (cr, 0.88, 0.88, 0.88);
    cairo_set_line_width (cr, 1);
    cairo_move_to (cr, x, y0);
    cairo_line_to (cr, x, y1);
    cairo_stroke (cr);
    cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
    format_time (buf, sizeof (buf), t, step, p->t_max);
    text (p, x, y1 + 10, buf, 11, FALSE, 0.5);
  }
}

/* A panel of one quantity in [−1, 1] over time: grid, lines per track. */
static void
draw_va_panel (const Plot * p, gdouble y0, const gchar * title,
    gboolean arousal)
{
  cairo_t *cr = p->cr;
  gdouble h = PANEL_HEIGHT;

  cairo_set_source_rgb (cr, 0, 0, 0);
  text (p, p->x0, y0 - 14, title, 14, TRUE, 0);
  draw_time_axis (p, y0, y0 + h);
  for (gint i = -2; i <= 2; i++) {
    gdouble y = round (y0 + h / 2 - i * h / 4) + 0.5;
    gchar buf[16];

    cairo_set_source_rgb (cr, i == 0 ? 0.55 : 0.88, i == 0 ? 0.55 : 0.88,
        i == 0 ? 0.55 : 0.88);
    cairo_move_to (cr, p->x0, y);
    cairo_line_to (cr, p->x1, y);
    cairo_stroke (cr);
    cairo_set_source_rgb (cr, 0.25, 0.25, 0.25);
    g_snprintf (buf, sizeof (buf), "%+.1f", i / 2.0);
    text (p, p->x0 - 8, y, i == 0 ? "0" : buf, 11, FALSE, 1);
  }
  cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
  cairo_rectangle (cr, p->x0 + 0.5, y0 + 0.5, p->x1 - p->x0, h);
  cairo_stroke (cr);

  cairo_save (cr);
  cairo_rectangle (cr, p->x0, y0, p->x1 - p->x0, h);
  cairo_clip (cr);
  cairo_set_line_width (cr, 1.6);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint ti = 0; ti < p->tracks->len; ti++) {
    const Track *tr = &g_array_index (p->tracks, Track, ti);
    const gdouble *c = track_color (tr);
    guint run = 0;
    gdouble last_t = 0, px = 0, py = 0;

    cairo_set_source_rgb (cr, c[0], c[1], c[2]);
    for (guint i = tr->first; i < tr->first + tr->count; i++) {
      const AnalyzePoint *pt = &g_array_index (p->points, AnalyzePoint, i);
      gdouble v = arousal ? pt->arousal : pt->valence;
      gdouble x, y;

      if (!pt->has_va)
        continue;
      x = time_x (p, pt->t);
      y = y0 + h / 2 - CLAMP (v, -1.0, 1.0) * h / 2;
      if (run > 0 && pt->t - last_t > p->gap) {
        if (run == 1) {
          /* a lone sample: a dot instead of an invisible line */
          cairo_new_sub_path (cr);
          cairo_arc (cr, px, py, 1.8, 0, 2 * G_PI);
        }
        run = 0;
      }
      if (run == 0)
        cairo_move_to (cr, x, y);
      else
        cairo_line_to (cr, x, y);
      run++;
      last_t = pt->t;
      px = x;
      py = y;
    }
    if (run == 1) {
      cairo_new_sub_path (cr);
      cairo_arc (cr, px, py, 1.8, 0, 2 * G_PI);
    }
    cairo_stroke (cr);
  }
  cairo_restore (cr);
}

/* The dominant expression of each of the longest tracks, frame by frame.
 * Returns the height used. */
static gdouble
draw_ribbons (const Plot * p, gdouble y0, const AnalyzeLabels * labels,
    gdouble frame_interval)
{
  cairo_t *cr = p->cr;
  GArray *longest = g_array_copy (p->tracks);
  guint n = MIN (longest->len, MAX_RIBBONS);
  gdouble h;

  g_array_sort (longest, compare_tracks_by_count);
  g_array_set_size (longest, n);
  g_array_sort (longest, compare_tracks_by_id);
  cairo_set_source_rgb (cr, 0, 0, 0);
  text (p, p->x0, y0 - 14, "Dominant expression", 14, TRUE, 0);
  h = MAX (n, 1) * RIBBON_ROW;
  draw_time_axis (p, y0, y0 + h);
  if (n == 0) {
    cairo_set_source_rgb (cr, 0.4, 0.4, 0.4);
    text (p, (p->x0 + p->x1) / 2, y0 + h / 2, "no faces", 12, FALSE, 0.5);
  }

  for (guint r = 0; r < n; r++) {
    const Track *tr = &g_array_index (longest, Track, r);
    const gdouble *c = track_color (tr);
    gdouble ry = y0 + r * RIBBON_ROW;
    gchar buf[32];

    cairo_set_source_rgb (cr, c[0], c[1], c[2]);
    g_snprintf (buf, sizeof (buf), "face %u", tr->track_id);
    text (p, p->x0 - 8, ry + RIBBON_ROW / 2.0, buf, 11, TRUE, 1);

    for (guint i = tr->first; i < tr->first + tr->count; i++) {
      const AnalyzePoint *pt = &g_array_index (p->points, AnalyzePoint, i);
      gdouble rgb[3];
      gdouble x = time_x (p, pt->t);
      gdouble w = MAX (1.0, time_x (p, pt->t + frame_interval) - x);

      if (pt->expr_index < 0 || pt->expr_index >= labels->n_expr)
        continue;
      gst_ddamfn_draw_expression_color (labels->expr_labels[pt->expr_index],
          pt->expr_index, rgb);
      cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
      cairo_rectangle (cr, x, ry + 2, w, RIBBON_ROW - 4);
      cairo_fill (cr);
    }
  }
  g_array_unref (longest);
  return h;
}

/* Horizontal bars: share of each dominant expression over all records. */
static void
draw_histogram (const Plot * p, gdouble y0, const AnalyzeLabels * labels)
{
  cairo_t *cr = p->cr;
  guint64 counts[GST_DDAMFN_META_MAX_EXPRESSIONS] = { 0 };
  guint64 total = 0;
  gdouble bar_x = p->x0 + 20, bar_max = (p->x1 - bar_x) * 0.8;
  gchar buf[64];

  for (guint i = 0; i < p->points->len; i++) {
    const AnalyzePoint *pt = &g_array_index (p->points, AnalyzePoint, i);

    if (pt->expr_index >= 0 && pt->expr_index < labels->n_expr) {
      counts[pt->expr_index]++;
      total++;
    }
  }
  g_snprintf (buf, sizeof (buf), "Expression distribution (%"
      G_GUINT64_FORMAT " records)", total);
  cairo_set_source_rgb (cr, 0, 0, 0);
  text (p, p->x0, y0 - 14, buf, 14, TRUE, 0);

  for (gint k = 0; k < labels->n_expr; k++) {
    gdouble y = y0 + 4 + k * HIST_ROW;
    gdouble share = total ? (gdouble) counts[k] / total : 0;
    gdouble rgb[3];

    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
    text (p, bar_x - 8, y + HIST_ROW / 2.0, labels->expr_labels[k], 12,
        FALSE, 1);
    gst_ddamfn_draw_expression_color (labels->expr_labels[k], k, rgb);
    cairo_set_source_rgb (cr, rgb[0], rgb[1], rgb[2]);
    cairo_rectangle (cr, bar_x, y + 3, MAX (share * bar_max, 1.0),
        HIST_ROW - 6);
    cairo_fill_preserve (cr);
    cairo_set_source_rgba (cr, 0, 0, 0, 0.35);
    cairo_set_line_width (cr, 1);
    cairo_stroke (cr);
    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
    g_snprintf (buf, sizeof (buf), "%" G_GUINT64_FORMAT "  (%.1f %%)",
        counts[k], 100 * share);
    text (p, bar_x + MAX (share * bar_max, 1.0) + 8, y + HIST_ROW / 2.0,
        buf, 12, FALSE, 0);
  }
}

static void
draw_legend (const Plot * p, gdouble x, gdouble y)
{
  cairo_t *cr = p->cr;
  gchar buf[64];
  guint n = MIN (p->tracks->len, MAX_LEGEND);

  cairo_set_source_rgb (cr, 0, 0, 0);
  text (p, x, y, "Tracked faces", 13, TRUE, 0);
  for (guint i = 0; i < n; i++) {
    const Track *tr = &g_array_index (p->tracks, Track, i);
    const gdouble *c = track_color (tr);
    gdouble ly = y + 24 + i * 20;

    cairo_set_source_rgb (cr, c[0], c[1], c[2]);
    cairo_rectangle (cr, x, ly - 2, 18, 4);
    cairo_fill (cr);
    cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
    g_snprintf (buf, sizeof (buf), "face %u  (%u frame%s)", tr->track_id,
        tr->count, tr->count == 1 ? "" : "s");
    text (p, x + 26, ly, buf, 12, FALSE, 0);
  }
  if (p->tracks->len > n) {
    g_snprintf (buf, sizeof (buf), "… and %u more", p->tracks->len - n);
    text (p, x + 26, y + 24 + n * 20, buf, 12, FALSE, 0);
  }
  if (p->tracks->len == 0)
    text (p, x, y + 24, "none", 12, FALSE, 0);
}

/**
 * analyze_plot_format_for:
 * @path: the --plot file.
 * @format: (out): the format its extension names.
 *
 * Returns: FALSE when the extension names no format the plot is written in
 * (.png; .svg and .pdf when cairo has them).
 */
gboolean
analyze_plot_format_for (const gchar * path, AnalyzePlotFormat * format)
{
  const gchar *dot = strrchr (path, '.');

  if (dot == NULL || strchr (dot, '/') != NULL)
    return FALSE;
  if (g_ascii_strcasecmp (dot, ".png") == 0) {
    *format = ANALYZE_PLOT_PNG;
    return TRUE;
  }
#ifdef CAIRO_HAS_SVG_SURFACE
  if (g_ascii_strcasecmp (dot, ".svg") == 0) {
    *format = ANALYZE_PLOT_SVG;
    return TRUE;
  }
#endif
#ifdef CAIRO_HAS_PDF_SURFACE
  if (g_ascii_strcasecmp (dot, ".pdf") == 0) {
    *format = ANALYZE_PLOT_PDF;
    return TRUE;
  }
#endif
  return FALSE;
}

static cairo_status_t
write_to_file (void *closure, const unsigned char *data, unsigned int length)
{
  return fwrite (data, 1, length, closure) == length ? CAIRO_STATUS_SUCCESS :
      CAIRO_STATUS_WRITE_ERROR;
}

static cairo_surface_t *
create_surface (AnalyzePlotFormat format, FILE * fp, gint height)
{
  switch (format) {
#ifdef CAIRO_HAS_SVG_SURFACE
    case ANALYZE_PLOT_SVG:
      return cairo_svg_surface_create_for_stream (write_to_file, fp,
          PLOT_WIDTH, height);
#endif
#ifdef CAIRO_HAS_PDF_SURFACE
    case ANALYZE_PLOT_PDF:
      return cairo_pdf_surface_create_for_stream (write_to_file, fp,
          PLOT_WIDTH, height);
#endif
    case ANALYZE_PLOT_PNG:
    default:
      return cairo_image_surface_create (CAIRO_FORMAT_RGB24, PLOT_WIDTH,
          height);
  }
}

/**
 * analyze_plot_write:
 * @fp: where the plot goes, in @info's format.
 * @info: title, duration and frame rate of the video.
 * @labels: the model's classes.
 * @points: (inout): every record of the run; sorted by track and frame on
 *   return.
 * @error: return location for cairo's reason of a failure.
 *
 * Draws the timeline and writes it as a PNG, SVG or PDF.
 */
gboolean
analyze_plot_write (FILE * fp, const AnalyzePlotInfo * info,
    const AnalyzeLabels * labels, GArray * points, GError ** error)
{
  Plot p = { 0 };
  cairo_surface_t *surface;
  cairo_status_t status;
  gdouble frame_interval = info->frame_interval > 0 ?
      info->frame_interval : 1.0 / 25;
  gdouble y, ribbon_y, hist_y;
  gint height, n_ribbons;
  PangoFontMap *font_map;
  PangoContext *context;

  p.tracks = find_tracks (points);
  p.points = points;
  p.x0 = MARGIN_LEFT;
  p.x1 = PLOT_WIDTH - MARGIN_RIGHT;
  p.t_max = info->duration;
  for (guint i = 0; i < points->len; i++)
    p.t_max = MAX (p.t_max,
        g_array_index (points, AnalyzePoint, i).t + frame_interval);
  if (!(p.t_max > 0))
    p.t_max = 1;
  p.gap = MAX (0.5, 5 * frame_interval);

  n_ribbons = MAX (1, (gint) MIN (p.tracks->len, MAX_RIBBONS));
  ribbon_y = labels->has_va ? 70 + 2 * (PANEL_HEIGHT + PANEL_GAP) : 70 + 30;
  hist_y = ribbon_y + n_ribbons * RIBBON_ROW + PANEL_GAP;
  height = (gint) (hist_y + MAX (labels->n_expr, 1) * HIST_ROW + 30);
  /* room for the legend beside the ribbons */
  height = MAX (height, (gint) (ribbon_y + 24 + 20 * (MIN (p.tracks->len,
                  MAX_LEGEND) + 1) + 30));

  surface = create_surface (info->format, fp, height);
  p.cr = cairo_create (surface);
  font_map = pango_cairo_font_map_new ();
  context = pango_font_map_create_context (font_map);
  pango_cairo_update_context (p.cr, context);
  p.layout = pango_layout_new (context);
  cairo_set_source_rgb (p.cr, 1, 1, 1);
  cairo_paint (p.cr);

  cairo_set_source_rgb (p.cr, 0, 0, 0);
  text (&p, p.x0, 22, info->title, 17, TRUE, 0);

  y = 70;
  if (labels->has_va) {
    draw_va_panel (&p, y, "Valence", FALSE);
    draw_legend (&p, p.x1 + 24, y);
    y += PANEL_HEIGHT + PANEL_GAP;
    draw_va_panel (&p, y, "Arousal", TRUE);
  } else {
    draw_legend (&p, p.x1 + 24, ribbon_y);
  }

  if (labels->n_expr > 0) {
    draw_ribbons (&p, ribbon_y, labels, frame_interval);
    draw_histogram (&p, hist_y, labels);
  } else {
    cairo_set_source_rgb (p.cr, 0.4, 0.4, 0.4);
    text (&p, (p.x0 + p.x1) / 2, ribbon_y, "the model predicts no "
        "expressions", 14, FALSE, 0.5);
  }

  g_object_unref (p.layout);
  g_object_unref (context);
  g_object_unref (font_map);
  cairo_destroy (p.cr);
  status = cairo_surface_status (surface);
  if (status == CAIRO_STATUS_SUCCESS && info->format == ANALYZE_PLOT_PNG)
    status = cairo_surface_write_to_png_stream (surface, write_to_file, fp);
  else if (status == CAIRO_STATUS_SUCCESS) {
    /* the vector surfaces write as they go, and the rest on finish */
    cairo_surface_finish (surface);
    status = cairo_surface_status (surface);
  }
  cairo_surface_destroy (surface);
  g_array_unref (p.tracks);
  if (status != CAIRO_STATUS_SUCCESS) {
    g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
        cairo_status_to_string (status));
    return FALSE;
  }
  return TRUE;
}
