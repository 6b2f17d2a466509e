/* The pixel sampler behind every face crop and the detector's letterbox:
 * reads one region of a video frame (packed RGB family, I420 or NV12)
 * into a normalised tensor — DDAMFN's 3 × 112 × 112 CHW on its own fast
 * path, or whatever input a model card describes (size, channels, grey,
 * layout) — either from a box (crop + resize) or through an affine map
 * (alignment; prepare.c computes it from the landmarks).
 *
 * Both paths are one sampling kernel: an affine map from output pixel
 * (u, v) to frame coordinates with pixel centres at integers, bilinear, and
 * every tap outside the frame reading as black (like cv2 BORDER_CONSTANT 0).
 * The kernel reads from precomputed "taps" (indices clamped into the frame
 * and weights, zero for taps outside), so it never needs a bounds check and
 * cannot read outside the planes whatever the box or landmarks. The box
 * map is separable, so its column taps are computed once per call and its
 * row taps once per output row; the landmark map computes both per pixel.
 *
 * YUV frames are read the same way: luma bilinear with black outside,
 * chroma bilinear at its own half-resolution position (sample j centred
 * between luma 2j and 2j + 1), then converted with the frame's matrix and
 * clamped to 0…255.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "align-private.h"
#include "sample-private.h"

#include <math.h>
#include <string.h>

#define S DDAMFN_INPUT_SIZE

/* The per-pixel helpers must melt into their loops (gcc -O2 otherwise keeps
 * the sampling kernel a call per pixel and spills the taps to memory). */
#if defined(__GNUC__)
#define HOT_INLINE static inline __attribute__ ((always_inline))
#else
#define HOT_INLINE static inline
#endif

/* Larger sides than this are refused; it keeps every byte offset the
 * readers compute far from overflow. */
#define MAX_SIDE 32768

/* ------------------------------------------------------------------ */
/* Frame layouts                                                       */
/* ------------------------------------------------------------------ */

/* Byte offsets of R, G and B inside one pixel, and bytes per pixel. */
typedef struct
{
  int r, g, b, bpp;
} PackedLayout;

static const PackedLayout packed_layouts[] = {
  [DDAMFN_PIXEL_RGB] = {0, 1, 2, 3},
  [DDAMFN_PIXEL_BGR] = {2, 1, 0, 3},
  [DDAMFN_PIXEL_RGBX] = {0, 1, 2, 4},
  [DDAMFN_PIXEL_BGRX] = {2, 1, 0, 4},
  [DDAMFN_PIXEL_XRGB] = {1, 2, 3, 4},
  [DDAMFN_PIXEL_XBGR] = {3, 2, 1, 4},
  [DDAMFN_PIXEL_RGBA] = {0, 1, 2, 4},
  [DDAMFN_PIXEL_BGRA] = {2, 1, 0, 4},
};

static const char *const format_names[] = {
  [DDAMFN_PIXEL_RGB] = "RGB",
  [DDAMFN_PIXEL_BGR] = "BGR",
  [DDAMFN_PIXEL_RGBX] = "RGBx",
  [DDAMFN_PIXEL_BGRX] = "BGRx",
  [DDAMFN_PIXEL_XRGB] = "xRGB",
  [DDAMFN_PIXEL_XBGR] = "xBGR",
  [DDAMFN_PIXEL_RGBA] = "RGBA",
  [DDAMFN_PIXEL_BGRA] = "BGRA",
  [DDAMFN_PIXEL_I420] = "I420",
  [DDAMFN_PIXEL_NV12] = "NV12",
};

static gboolean
format_is_yuv (DdamfnPixelFormat format)
{
  return format == DDAMFN_PIXEL_I420 || format == DDAMFN_PIXEL_NV12;
}

/* YUV → RGB on the 0…255 scale, before clamping:
 *   R = ky·(Y − y0) + rv·(V − 128)
 *   G = ky·(Y − y0) − gu·(U − 128) − gv·(V − 128)
 *   B = ky·(Y − y0) + bu·(U − 128) */
typedef struct
{
  float ky, y0, rv, gu, gv, bu;
} YuvCoeffs;

/* Derives the coefficients from the matrix's luma weights Kr and Kb rather
 * than quoting rounded constants, so BT.601 and BT.709 visibly differ only
 * in those two numbers and the range. */
static void
yuv_coeffs_init (DdamfnYuvMatrix matrix, YuvCoeffs * k)
{
  double kr = 0.299, kb = 0.114, kg, luma_gain = 255.0 / 219.0;
  double chroma_gain = 255.0 / 224.0;

  if (matrix == DDAMFN_YUV_BT709) {
    kr = 0.2126;
    kb = 0.0722;
  }
  if (matrix == DDAMFN_YUV_BT601_FULL)
    luma_gain = chroma_gain = 1.0;
  kg = 1.0 - kr - kb;

  k->ky = (float) luma_gain;
  k->y0 = matrix == DDAMFN_YUV_BT601_FULL ? 0.f : 16.f;
  k->rv = (float) (chroma_gain * 2.0 * (1.0 - kr));
  k->bu = (float) (chroma_gain * 2.0 * (1.0 - kb));
  k->gu = (float) (chroma_gain * 2.0 * (1.0 - kb) * kb / kg);
  k->gv = (float) (chroma_gain * 2.0 * (1.0 - kr) * kr / kg);
}

/* A validated frame, in the form the kernel reads it. For I420 and NV12
 * the U and V samples are addressed alike: NV12's V plane is its UV plane
 * shifted by one byte, and chroma_step is the distance between samples. */
typedef struct
{
  gboolean yuv;
  int width, height;
  const guint8 *plane;          /* packed pixels or luma */
  gsize stride;
  PackedLayout layout;          /* packed formats */
  int chroma_width, chroma_height;
  const guint8 *u_plane, *v_plane;
  gsize u_stride, v_stride;
  int chroma_step;
  YuvCoeffs k;
} Frame;

static void
frame_init (const DdamfnImage * image, Frame * f)
{
  memset (f, 0, sizeof *f);
  f->width = image->width;
  f->height = image->height;
  f->plane = image->planes[0];
  f->stride = (gsize) image->strides[0];
  f->yuv = format_is_yuv (image->format);
  if (!f->yuv) {
    f->layout = packed_layouts[image->format];
    return;
  }
  /* Luma is one byte per pixel. */
  f->layout.bpp = 1;
  f->chroma_width = (image->width + 1) / 2;
  f->chroma_height = (image->height + 1) / 2;
  f->u_plane = image->planes[1];
  f->u_stride = (gsize) image->strides[1];
  if (image->format == DDAMFN_PIXEL_I420) {
    f->v_plane = image->planes[2];
    f->v_stride = (gsize) image->strides[2];
    f->chroma_step = 1;
  } else {
    f->v_plane = image->planes[1] + 1;
    f->v_stride = f->u_stride;
    f->chroma_step = 2;
  }
  yuv_coeffs_init (image->yuv_matrix, &f->k);
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */
/* ------------------------------------------------------------------ */

/* Checks one plane: present, and ROWS rows of ROW_BYTES each fit with its
 * stride. */
static gboolean
check_plane (const DdamfnImage * image, int index, const char *what,
    gint64 row_bytes, gint64 rows, GError ** error)
{
  const char *name = format_names[image->format];

  if (image->planes[index] == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s image: plane %d (%s) is NULL", name, index, what);
    return FALSE;
  }
  if (image->strides[index] < row_bytes) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s image %d pixels wide: stride of plane %d (%s) is %d bytes, "
        "but a row needs at least %" G_GINT64_FORMAT " (negative strides "
        "are not supported)", name, image->width, index, what,
        image->strides[index], row_bytes);
    return FALSE;
  }
  /* The last byte read is at stride·(rows − 1) + row_bytes − 1; on 32-bit
   * systems that could exceed the address space. */
  if ((guint64) image->strides[index] * (guint64) (rows - 1)
      + (guint64) row_bytes > (guint64) G_MAXSIZE) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s image: plane %d (%s) with stride %d and %" G_GINT64_FORMAT
        " rows is larger than the address space", name, index, what,
        image->strides[index], rows);
    return FALSE;
  }
  return TRUE;
}

gboolean
ddamfn_image_validate (const DdamfnImage * image, GError ** error)
{
  gint64 w, h, cw, ch;

  if (image == NULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "image is NULL");
    return FALSE;
  }
  if ((int) image->format < DDAMFN_PIXEL_RGB
      || (int) image->format > DDAMFN_PIXEL_NV12) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "unknown pixel format %d (expected a DdamfnPixelFormat, %d…%d)",
        (int) image->format, DDAMFN_PIXEL_RGB, DDAMFN_PIXEL_NV12);
    return FALSE;
  }
  if (image->width < 1 || image->width > MAX_SIDE) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "image width %d is outside 1…%d pixels", image->width, MAX_SIDE);
    return FALSE;
  }
  if (image->height < 1 || image->height > MAX_SIDE) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "image height %d is outside 1…%d pixels", image->height, MAX_SIDE);
    return FALSE;
  }

  w = image->width;
  h = image->height;
  if (!format_is_yuv (image->format))
    return check_plane (image, 0, "pixels",
        w * packed_layouts[image->format].bpp, h, error);

  /* The YUV matrix only matters, and is only checked, for YUV frames: the
   * header says it is ignored otherwise. */
  if ((int) image->yuv_matrix < DDAMFN_YUV_BT601
      || (int) image->yuv_matrix > DDAMFN_YUV_BT601_FULL) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_INVALID_ARGUMENT,
        "%s image: unknown YUV matrix %d (expected a DdamfnYuvMatrix, "
        "%d…%d)", format_names[image->format], (int) image->yuv_matrix,
        DDAMFN_YUV_BT601, DDAMFN_YUV_BT601_FULL);
    return FALSE;
  }
  /* Odd sizes round the chroma planes up. */
  cw = (w + 1) / 2;
  ch = (h + 1) / 2;
  if (!check_plane (image, 0, "Y", w, h, error))
    return FALSE;
  if (image->format == DDAMFN_PIXEL_I420)
    return check_plane (image, 1, "U", cw, ch, error)
        && check_plane (image, 2, "V", cw, ch, error);
  return check_plane (image, 1, "UV", 2 * cw, ch, error);
}

/* ------------------------------------------------------------------ */
/* Taps                                                                */
/* ------------------------------------------------------------------ */

/* Where one output pixel reads along x: two source columns, as byte
 * offsets into a row, with their bilinear weights; for YUV frames also the
 * two chroma columns and their weights. */
typedef struct
{
  guint32 offset[2];
  float weight[2];
  guint32 chroma_offset[2];
  float chroma_weight[2];
} ColumnTaps;

/* The same along y, as row pointers. */
typedef struct
{
  const guint8 *row[2];
  float weight[2];
  const guint8 *u_row[2];
  const guint8 *v_row[2];
  float chroma_weight[2];
} RowTaps;

/* Bilinear taps of coordinate S on an axis of N samples centred at
 * 0 … N − 1. Indices always lie inside the axis; a tap that falls outside
 * gets weight 0, which is what makes the border black. INSIDE promises
 * 0 ≤ S < N − 1, where none of that can happen: the caller passes it as a
 * constant so that the common case of a face well inside the frame gets
 * a version without the clamps. */
HOT_INLINE void
axis_taps (double s, int n, gboolean inside, int index[2], float weight[2])
{
  double a;
  int i;

  if (inside) {
    i = (int) s;
    a = s - i;
    weight[0] = (float) (1.0 - a);
    weight[1] = (float) a;
    index[0] = i;
    index[1] = i + 1;
    return;
  }

  /* Below −1 or above N both taps are outside anyway; clamping there keeps
   * the conversion to int defined for any input, NaN included. */
  if (!(s > -2.0))
    s = -2.0;
  else if (s > n + 1.0)
    s = n + 1.0;
  /* Truncating the now non-negative s + 2 is floor (s) + 2, without the
   * library call floor () costs on plain x86-64. */
  i = (int) (s + 2.0) - 2;
  a = s - i;
  weight[0] = (i >= 0 && i < n) ? (float) (1.0 - a) : 0.f;
  weight[1] = (i + 1 >= 0 && i + 1 < n) ? (float) a : 0.f;
  index[0] = CLAMP (i, 0, n - 1);
  index[1] = CLAMP (i + 1, 0, n - 1);
}

/* Chroma taps of luma coordinate S on an axis of N chroma samples. Chroma
 * sample j is centred between luma samples 2j and 2j + 1, so luma
 * coordinate S is chroma coordinate (S + 0.5)/2 − 0.5. The outermost
 * chroma samples extend to the frame edge: whatever part of a sample lies
 * outside the frame is made black by the luma weights, not here. */
HOT_INLINE void
chroma_axis_taps (double s, int n, int index[2], float weight[2])
{
  double c = (s + 0.5) * 0.5 - 0.5;
  int j;

  if (!(c > 0.0))
    c = 0.0;
  else if (c > n - 1)
    c = n - 1;
  j = (int) c;
  index[0] = j;
  index[1] = MIN (j + 1, n - 1);
  weight[1] = (float) (c - j);
  weight[0] = 1.f - weight[1];
}

HOT_INLINE void
column_taps (const Frame * f, double x, gboolean inside, ColumnTaps * t)
{
  int index[2];

  axis_taps (x, f->width, inside, index, t->weight);
  t->offset[0] = (guint32) (index[0] * f->layout.bpp);
  t->offset[1] = (guint32) (index[1] * f->layout.bpp);
  if (f->yuv) {
    chroma_axis_taps (x, f->chroma_width, index, t->chroma_weight);
    t->chroma_offset[0] = (guint32) (index[0] * f->chroma_step);
    t->chroma_offset[1] = (guint32) (index[1] * f->chroma_step);
  } else {
    memset (t->chroma_offset, 0, sizeof t->chroma_offset);
    memset (t->chroma_weight, 0, sizeof t->chroma_weight);
  }
}

HOT_INLINE void
row_taps (const Frame * f, double y, gboolean inside, RowTaps * t)
{
  int index[2];

  axis_taps (y, f->height, inside, index, t->weight);
  t->row[0] = f->plane + (gsize) index[0] * f->stride;
  t->row[1] = f->plane + (gsize) index[1] * f->stride;
  if (f->yuv) {
    chroma_axis_taps (y, f->chroma_height, index, t->chroma_weight);
    for (int k = 0; k < 2; k++) {
      t->u_row[k] = f->u_plane + (gsize) index[k] * f->u_stride;
      t->v_row[k] = f->v_plane + (gsize) index[k] * f->v_stride;
    }
  } else {
    memset (t->u_row, 0, sizeof t->u_row);
    memset (t->v_row, 0, sizeof t->v_row);
    memset (t->chroma_weight, 0, sizeof t->chroma_weight);
  }
}

/* ------------------------------------------------------------------ */
/* The sampling kernel                                                 */
/* ------------------------------------------------------------------ */

/* X clamped to 0…TOP; a plain comparison, which compiles to minss/maxss
 * where fminf () would be a library call. */
HOT_INLINE float
clamp_float (float x, float top)
{
  x = x > 0.f ? x : 0.f;
  return x < top ? x : top;
}

/* One bilinear sample of a chroma plane. */
HOT_INLINE float
chroma_sample (const guint8 * const rows[2], const float row_weight[2],
    const ColumnTaps * ct)
{
  const guint32 o0 = ct->chroma_offset[0], o1 = ct->chroma_offset[1];
  const float w0 = ct->chroma_weight[0], w1 = ct->chroma_weight[1];

  return row_weight[0] * (w0 * rows[0][o0] + w1 * rows[0][o1])
      + row_weight[1] * (w0 * rows[1][o0] + w1 * rows[1][o1]);
}

/* R, G, B (0…255 scale) of the frame at the point the taps describe. */
HOT_INLINE void
sample_rgb (const Frame * f, const ColumnTaps * ct, const RowTaps * rt,
    float rgb[3])
{
  const float w0 = ct->weight[0], w1 = ct->weight[1];

  if (!f->yuv) {
    const int ro = f->layout.r, go = f->layout.g, bo = f->layout.b;
    float r = 0.f, g = 0.f, b = 0.f;

    for (int j = 0; j < 2; j++) {
      const guint8 *p0 = rt->row[j] + ct->offset[0];
      const guint8 *p1 = rt->row[j] + ct->offset[1];

      r += rt->weight[j] * (w0 * p0[ro] + w1 * p1[ro]);
      g += rt->weight[j] * (w0 * p0[go] + w1 * p1[go]);
      b += rt->weight[j] * (w0 * p0[bo] + w1 * p1[bo]);
    }
    rgb[0] = r;
    rgb[1] = g;
    rgb[2] = b;
  } else {
    /* Luma bilinear with black outside, chroma bilinear at its own
     * position, then convert and clamp. The conversion is affine, so the
     * taps inside the frame (total weight "inside") sum to inside × the
     * converted colour of their mean luma, and clamping that colour to
     * 0…255 is clamping the sum to 0…255·inside; the outside taps add
     * black. */
    const YuvCoeffs *k = &f->k;
    const guint8 *y0 = rt->row[0], *y1 = rt->row[1];
    const guint32 o0 = ct->offset[0], o1 = ct->offset[1];
    const float luma = rt->weight[0] * (w0 * y0[o0] + w1 * y0[o1])
        + rt->weight[1] * (w0 * y1[o0] + w1 * y1[o1]);
    const float inside = (rt->weight[0] + rt->weight[1]) * (w0 + w1);
    const float u = chroma_sample (rt->u_row, rt->chroma_weight, ct) - 128.f;
    const float v = chroma_sample (rt->v_row, rt->chroma_weight, ct) - 128.f;
    const float yy = k->ky * (luma - k->y0 * inside);
    const float top = 255.f * inside;

    rgb[0] = clamp_float (yy + inside * (k->rv * v), top);
    rgb[1] = clamp_float (yy - inside * (k->gu * u + k->gv * v), top);
    rgb[2] = clamp_float (yy + inside * (k->bu * u), top);
  }
}

/* value = pixel · gain + offset, one multiply-add per value; for a grey
 * tensor the gain is folded into the weights of R, G and B. */
typedef struct
{
  float gain[3], offset[3];
} Normalisation;

/* Writes one pixel of a SIZE × SIZE CHW tensor. */
HOT_INLINE void
store_sized (const Normalisation * n, const float rgb[3], float *out,
    int size, int v, int u)
{
  const gsize plane = (gsize) size * size;
  float *p = out + (gsize) v * size + u;

  /* Written out rather than looped: a loop over c kept rgb[] in memory,
   * and reading it back stalled on store forwarding. */
  p[0] = rgb[0] * n->gain[0] + n->offset[0];
  p[plane] = rgb[1] * n->gain[1] + n->offset[1];
  p[2 * plane] = rgb[2] * n->gain[2] + n->offset[2];
}

/* One pixel of any input a card describes (DdamfnSampleSpec). */
HOT_INLINE void
store_spec (const DdamfnSampleSpec * sp, const float rgb[3], float *out,
    int v, int u)
{
  const gsize pixel = (gsize) v * sp->width + u;

  if (sp->channels == 1) {
    out[pixel] = rgb[0] * sp->grey[0] + rgb[1] * sp->grey[1]
        + rgb[2] * sp->grey[2] + sp->offset[0];
  } else if (sp->nhwc) {
    for (int c = 0; c < 3; c++)
      out[pixel * 3 + c] = rgb[sp->src[c]] * sp->gain[c] + sp->offset[c];
  } else {
    const gsize plane = (gsize) sp->width * sp->height;
    for (int c = 0; c < 3; c++)
      out[c * plane + pixel] = rgb[sp->src[c]] * sp->gain[c] + sp->offset[c];
  }
}

void
ddamfn_sample_spec_init (DdamfnSampleSpec * sp, const DdamfnInputSpec * in)
{
  memset (sp, 0, sizeof *sp);
  sp->width = in->width;
  sp->height = in->height;
  sp->channels = in->colour == DDAMFN_COLOUR_GREY ? 1 : 3;
  sp->nhwc = in->nhwc;
  for (int c = 0; c < 3; c++) {
    /* channel c of the tensor reads R, G, B index src[c] */
    sp->src[c] = in->colour == DDAMFN_COLOUR_BGR ? 2 - c : c;
    sp->gain[c] = in->range / (255.f * in->std[c]);
    sp->offset[c] = -in->mean[c] / in->std[c];
    sp->grey[c] = in->grey_weights[c] * sp->gain[0];
  }
}

/* The box map, a pixel-centre resize of the box (X0, Y0, W, H) to SIZE ×
 * SIZE: output u covers [u, u + 1)·W/SIZE of the box, so its centre is at
 * X0 + (u + 0.5)·W/SIZE, which is source coordinate X0 + (u + 0.5)·W/SIZE −
 * 0.5 since source pixel centres sit at integers (as cv2.resize). Inlined
 * into its callers, so the DDAMFN face crop keeps a constant SIZE. SPEC
 * (or, when NULL, N and SIZE) says what the output holds. */
HOT_INLINE void
warp_box_sized (const Frame * f, double x0, double y0, double w, double h,
    int size, const Normalisation * n, const DdamfnSampleSpec * spec,
    float *out)
{
  ColumnTaps columns[DDAMFN_SAMPLE_MAX_SIZE];
  const int width = spec ? spec->width : size;
  const int height = spec ? spec->height : size;

  for (int u = 0; u < width; u++)
    column_taps (f, x0 + (u + 0.5) * w / width - 0.5, FALSE, &columns[u]);
  for (int v = 0; v < height; v++) {
    RowTaps rows;

    row_taps (f, y0 + (v + 0.5) * h / height - 0.5, FALSE, &rows);
    for (int u = 0; u < width; u++) {
      float rgb[3];

      sample_rgb (f, &columns[u], &rows, rgb);
      if (spec)
        store_spec (spec, rgb, out, v, u);
      else
        store_sized (n, rgb, out, size, v, u);
    }
  }
}

void
ddamfn_sample_box (const DdamfnImage * image, double x0, double y0,
    double w, double h, int size, const float gain[3],
    const float offset[3], float *out)
{
  Frame frame;
  Normalisation norm;

  g_return_if_fail (size >= 1 && size <= DDAMFN_SAMPLE_MAX_SIZE);
  frame_init (image, &frame);
  for (int c = 0; c < 3; c++) {
    norm.gain[c] = gain[c];
    norm.offset[c] = offset[c];
  }
  warp_box_sized (&frame, x0, y0, w, h, size, &norm, NULL, out);
}

void
ddamfn_sample_face_box (const DdamfnImage * image, double x0, double y0,
    double w, double h, const float gain[3], const float offset[3],
    float *out)
{
  Frame frame;
  Normalisation norm;

  frame_init (image, &frame);
  for (int c = 0; c < 3; c++) {
    norm.gain[c] = gain[c];
    norm.offset[c] = offset[c];
  }
  warp_box_sized (&frame, x0, y0, w, h, S, &norm, NULL, out);
}

void
ddamfn_sample_spec_box (const DdamfnImage * image, double x0, double y0,
    double w, double h, const DdamfnSampleSpec * spec, float *out)
{
  Frame frame;

  g_return_if_fail (spec->width >= 1 && spec->width <= DDAMFN_SAMPLE_MAX_SIZE);
  frame_init (image, &frame);
  warp_box_sized (&frame, x0, y0, w, h, 0, NULL, spec, out);
}

/* Whether the affine map sends every output pixel (W × H) to 0 ≤ x <
 * width − 1, 0 ≤ y < height − 1. A linear map takes its extremes at the
 * corners; the margin absorbs rounding between a corner and the pixels
 * next to it. */
static gboolean
affine_stays_inside (const Frame * f, const double m[6], int w, int h)
{
  const double margin = 1e-3;

  for (int corner = 0; corner < 4; corner++) {
    const double u = (corner & 1) ? w - 1 : 0, v = (corner & 2) ? h - 1 : 0;
    const double x = m[0] * u + m[1] * v + m[2];
    const double y = m[3] * u + m[4] * v + m[5];

    if (!(x >= margin && x < f->width - 1 - margin
            && y >= margin && y < f->height - 1 - margin))
      return FALSE;
  }
  return TRUE;
}

HOT_INLINE void
warp_affine_rows (const Frame * f, const double m[6], gboolean inside,
    const Normalisation * n, const DdamfnSampleSpec * spec, float *out)
{
  const int width = spec ? spec->width : S;
  const int height = spec ? spec->height : S;

  for (int v = 0; v < height; v++) {
    for (int u = 0; u < width; u++) {
      ColumnTaps column;
      RowTaps rows;
      float rgb[3];

      column_taps (f, m[0] * u + m[1] * v + m[2], inside, &column);
      row_taps (f, m[3] * u + m[4] * v + m[5], inside, &rows);
      sample_rgb (f, &column, &rows, rgb);
      if (spec)
        store_spec (spec, rgb, out, v, u);
      else
        store_sized (n, rgb, out, S, v, u);
    }
  }
}

/* Any affine map: x = m[0]·u + m[1]·v + m[2], y = m[3]·u + m[4]·v + m[5]. */
void
ddamfn_sample_face_affine (const DdamfnImage * image, const double m[6],
    const float gain[3], const float offset[3], float *out)
{
  Frame f;
  Normalisation n;

  frame_init (image, &f);
  for (int c = 0; c < 3; c++) {
    n.gain[c] = gain[c];
    n.offset[c] = offset[c];
  }
  if (affine_stays_inside (&f, m, S, S))
    warp_affine_rows (&f, m, TRUE, &n, NULL, out);
  else
    warp_affine_rows (&f, m, FALSE, &n, NULL, out);
}

void
ddamfn_sample_spec_affine (const DdamfnImage * image, const double m[6],
    const DdamfnSampleSpec * spec, float *out)
{
  Frame f;

  frame_init (image, &f);
  if (affine_stays_inside (&f, m, spec->width, spec->height))
    warp_affine_rows (&f, m, TRUE, NULL, spec, out);
  else
    warp_affine_rows (&f, m, FALSE, NULL, spec, out);
}
