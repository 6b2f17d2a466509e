/* safetensors container: maps a file, parses its JSON header with json-glib
 * and checks every entry's dtype, shape and byte range before anything
 * reads tensor data. Knows nothing about DDAMFN.
 *
 * Copyright (C) 2026 the gst-ddamfn authors
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "ddamfn-private.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

/* A header larger than this is not a model header; refusing it early keeps a
 * hostile length field from making us parse gigabytes of JSON. */
#define ST_MAX_HEADER_BYTES (64 * 1024 * 1024)

struct _StFile
{
  char *path;
  guint8 *map;
  gsize map_size;
  GHashTable *tensors;          /* name → StTensor* */
  GHashTable *metadata;         /* key → value */
};

static const struct
{
  const char *name;
  StDtype dtype;
  int size;
} st_dtypes[] = {
  {"F32", ST_DTYPE_F32, 4},
  {"F16", ST_DTYPE_F16, 2},
  {"BF16", ST_DTYPE_BF16, 2},
  {"F64", ST_DTYPE_F64, 8},
  {"I64", ST_DTYPE_I64, 8},
  {"I32", ST_DTYPE_I32, 4},
  {"I16", ST_DTYPE_I16, 2},
  {"I8", ST_DTYPE_I8, 1},
  {"U8", ST_DTYPE_U8, 1},
  {"BOOL", ST_DTYPE_BOOL, 1},
};

const char *
st_dtype_name (StDtype dtype)
{
  for (guint i = 0; i < G_N_ELEMENTS (st_dtypes); i++)
    if (st_dtypes[i].dtype == dtype)
      return st_dtypes[i].name;
  return "?";
}

static void
st_tensor_free (gpointer p)
{
  StTensor *t = p;
  g_free (t->name);
  g_free (t);
}

void
st_file_free (StFile * file)
{
  if (file == NULL)
    return;
  if (file->tensors)
    g_hash_table_unref (file->tensors);
  if (file->metadata)
    g_hash_table_unref (file->metadata);
  if (file->map)
    munmap (file->map, file->map_size);
  g_free (file->path);
  g_free (file);
}

/* A JSON integer that is a non-negative whole number within gint64. */
static gboolean
json_get_index (JsonNode * node, gint64 * out)
{
  if (!JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (node);
  return *out >= 0;
}

/* Whether every string of the JSON tree (member names included) is valid
 * UTF-8. JSON escapes can spell strings that are not (a lone surrogate
 * such as \ud800), and a name that is not could not even be quoted in an
 * error message. */
static gboolean
json_strings_valid (JsonNode * node)
{
  gboolean ok = TRUE;

  if (JSON_NODE_HOLDS_OBJECT (node)) {
    JsonObject *obj = json_node_get_object (node);
    GList *members = json_object_get_members (obj);
    for (GList * l = members; l != NULL && ok; l = l->next)
      ok = g_utf8_validate (l->data, -1, NULL)
          && json_strings_valid (json_object_get_member (obj, l->data));
    g_list_free (members);
  } else if (JSON_NODE_HOLDS_ARRAY (node)) {
    JsonArray *arr = json_node_get_array (node);
    guint n = json_array_get_length (arr);
    for (guint i = 0; i < n && ok; i++)
      ok = json_strings_valid (json_array_get_element (arr, i));
  } else if (JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_STRING) {
    ok = g_utf8_validate (json_node_get_string (node), -1, NULL);
  }
  return ok;
}

static gboolean
st_parse_metadata (StFile * file, JsonNode * node, GError ** error)
{
  JsonObject *obj;
  GList *members, *l;
  gboolean ok = TRUE;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: __metadata__ is not a JSON object", file->path);
    return FALSE;
  }
  obj = json_node_get_object (node);
  members = json_object_get_members (obj);
  for (l = members; l != NULL; l = l->next) {
    const char *key = l->data;
    JsonNode *v = json_object_get_member (obj, key);
    if (!JSON_NODE_HOLDS_VALUE (v)
        || json_node_get_value_type (v) != G_TYPE_STRING) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
          "%s: __metadata__ entry '%s' is not a string", file->path, key);
      ok = FALSE;
      break;
    }
    g_hash_table_insert (file->metadata, g_strdup (key),
        g_strdup (json_node_get_string (v)));
  }
  g_list_free (members);
  return ok;
}

static gboolean
st_parse_tensor (StFile * file, const char *name, JsonNode * node,
    const guint8 * data, gsize data_size, GError ** error)
{
  JsonObject *obj;
  JsonNode *n;
  JsonArray *shape, *offsets;
  const char *dtype_name;
  StTensor *t;
  int elem_size = 0;
  gint64 begin, end;
  guint i;

  if (!JSON_NODE_HOLDS_OBJECT (node)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: tensor '%s': header entry is not a JSON object", file->path,
        name);
    return FALSE;
  }
  obj = json_node_get_object (node);

  n = json_object_get_member (obj, "dtype");
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n)
      || json_node_get_value_type (n) != G_TYPE_STRING) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: tensor '%s': missing or non-string \"dtype\"", file->path, name);
    return FALSE;
  }
  dtype_name = json_node_get_string (n);

  t = g_new0 (StTensor, 1);
  t->name = g_strdup (name);
  for (i = 0; i < G_N_ELEMENTS (st_dtypes); i++) {
    if (strcmp (st_dtypes[i].name, dtype_name) == 0) {
      t->dtype = st_dtypes[i].dtype;
      elem_size = st_dtypes[i].size;
    }
  }
  if (elem_size == 0) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: tensor '%s': unknown dtype \"%s\"", file->path, name, dtype_name);
    goto fail;
  }

  n = json_object_get_member (obj, "shape");
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: tensor '%s': missing or non-array \"shape\"", file->path, name);
    goto fail;
  }
  shape = json_node_get_array (n);
  if (json_array_get_length (shape) > ST_MAX_DIMS) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: tensor '%s': %u dimensions (at most %d supported)", file->path,
        name, json_array_get_length (shape), ST_MAX_DIMS);
    goto fail;
  }
  t->ndim = json_array_get_length (shape);
  t->numel = 1;
  for (i = 0; i < (guint) t->ndim; i++) {
    gint64 d;
    if (!json_get_index (json_array_get_element (shape, i), &d)) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
          "%s: tensor '%s': shape entry %u is not a non-negative integer",
          file->path, name, i);
      goto fail;
    }
    /* data_size bounds every honest numel; checking against it first keeps
     * the product from overflowing. */
    if (d != 0 && t->numel > (gint64) data_size / d) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
          "%s: tensor '%s': shape is larger than the file's data section",
          file->path, name);
      goto fail;
    }
    t->shape[i] = d;
    t->numel *= d;
  }

  n = json_object_get_member (obj, "data_offsets");
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n)
      || json_array_get_length (offsets = json_node_get_array (n)) != 2
      || !json_get_index (json_array_get_element (offsets, 0), &begin)
      || !json_get_index (json_array_get_element (offsets, 1), &end)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: tensor '%s': \"data_offsets\" must be two non-negative integers",
        file->path, name);
    goto fail;
  }
  if (begin > end || (guint64) end > data_size) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
        "%s: tensor '%s': bytes [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
        ") lie outside the data section (%" G_GSIZE_FORMAT " bytes; file "
        "truncated?)", file->path, name, begin, end, data_size);
    goto fail;
  }
  if ((guint64) (end - begin) != (guint64) t->numel * elem_size) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
        "%s: tensor '%s': %" G_GINT64_FORMAT " bytes stored but its shape "
        "and dtype %s need %" G_GINT64_FORMAT, file->path, name, end - begin,
        dtype_name, t->numel * elem_size);
    goto fail;
  }
  t->data = data + begin;
  t->nbytes = end - begin;
  g_hash_table_insert (file->tensors, t->name, t);
  return TRUE;

fail:
  st_tensor_free (t);
  return FALSE;
}

static int
compare_by_offset (const void *pa, const void *pb)
{
  const StTensor *a = *(const StTensor * const *) pa;
  const StTensor *b = *(const StTensor * const *) pb;

  if (a->data != b->data)
    return a->data < b->data ? -1 : 1;
  return (a->nbytes > b->nbytes) - (a->nbytes < b->nbytes);
}

/* The format stores every tensor in bytes of its own: a file whose
 * data_offsets make two tensors share bytes is malformed (one write would
 * show in both), so it is refused, naming both. Empty tensors share
 * nothing. */
static gboolean
st_check_no_overlap (const StFile * file, const guint8 * data,
    GError ** error)
{
  guint n = g_hash_table_size (file->tensors), k = 0;
  const StTensor **sorted = g_new (const StTensor *, n ? n : 1);
  GHashTableIter it;
  gpointer v;
  gboolean ok = TRUE;

  g_hash_table_iter_init (&it, file->tensors);
  while (g_hash_table_iter_next (&it, NULL, &v))
    if (((const StTensor *) v)->nbytes > 0)
      sorted[k++] = v;
  qsort (sorted, k, sizeof (*sorted), compare_by_offset);
  for (guint i = 1; i < k && ok; i++) {
    const StTensor *a = sorted[i - 1], *b = sorted[i];

    if (b->data < a->data + a->nbytes) {
      g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_TENSOR,
          "%s: tensors '%s' (bytes [%td, %td)) and '%s' (bytes [%td, %td)) "
          "overlap: each tensor must have bytes of its own", file->path,
          a->name, a->data - data, a->data - data + (ptrdiff_t) a->nbytes,
          b->name, b->data - data, b->data - data + (ptrdiff_t) b->nbytes);
      ok = FALSE;
    }
  }
  g_free (sorted);
  return ok;
}

/* PATH mapped read-only into a new StFile (tables not yet made), or NULL
 * with ERROR set. */
static StFile *
st_file_map (const char *path, GError ** error)
{
  StFile *file;
  struct stat st;
  int fd;

  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO,
        "cannot open model '%s': %s", path, g_strerror (e));
    return NULL;
  }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO,
        "model '%s' is not a regular file", path);
    close (fd);
    return NULL;
  }
  if (st.st_size < 8) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: file is %lld bytes, too short for a safetensors header", path,
        (long long) st.st_size);
    close (fd);
    return NULL;
  }

  file = g_new0 (StFile, 1);
  file->path = g_strdup (path);
  file->map_size = st.st_size;
  file->map = mmap (NULL, file->map_size, PROT_READ, MAP_PRIVATE, fd, 0);
  close (fd);
  if (file->map == MAP_FAILED) {
    int e = errno;
    file->map = NULL;
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_IO,
        "cannot map model '%s': %s", path, g_strerror (e));
    st_file_free (file);
    return NULL;
  }
  return file;
}

StFile *
st_file_open (const char *path, GError ** error)
{
  StFile *file;
  guint64 header_len = 0;
  JsonParser *parser = NULL;
  JsonNode *root;
  JsonObject *obj;
  GList *members = NULL, *l;
  GError *json_error = NULL;
  const guint8 *data;
  gsize data_size;

  g_return_val_if_fail (path != NULL, NULL);

  file = st_file_map (path, error);
  if (file == NULL)
    return NULL;
  file->tensors = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
      st_tensor_free);
  file->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);

  for (int i = 7; i >= 0; i--)
    header_len = (header_len << 8) | file->map[i];
  if (header_len < 2 || header_len > file->map_size - 8) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: header length %" G_GUINT64_FORMAT " does not fit in the file "
        "(%" G_GSIZE_FORMAT " bytes): truncated or not a safetensors file",
        path, header_len, file->map_size);
    goto fail;
  }
  if (header_len > ST_MAX_HEADER_BYTES) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: header length %" G_GUINT64_FORMAT " exceeds the %d-byte limit",
        path, header_len, ST_MAX_HEADER_BYTES);
    goto fail;
  }
  if (file->map[8] != '{') {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: header does not start with a JSON object", path);
    goto fail;
  }

  /* not json_parser_new_immutable (): json-glib 1.10 aborts in
   * json_parser_get_root () on an immutable parser given several
   * top-level values ("[][]") */
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, (const char *) file->map + 8,
          header_len, &json_error)) {
    /* json-glib may quote the offending bytes */
    gchar *valid_message = g_utf8_make_valid (json_error->message, -1);
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: header is not valid JSON: %s", path, valid_message);
    g_free (valid_message);
    g_clear_error (&json_error);
    goto fail;
  }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: header is not a JSON object", path);
    goto fail;
  }
  if (!json_strings_valid (root)) {
    g_set_error (error, DDAMFN_ERROR, DDAMFN_ERROR_FORMAT,
        "%s: header holds a string that is not valid UTF-8", path);
    goto fail;
  }

  data = file->map + 8 + header_len;
  data_size = file->map_size - 8 - header_len;
  obj = json_node_get_object (root);
  members = json_object_get_members (obj);
  for (l = members; l != NULL; l = l->next) {
    const char *name = l->data;
    JsonNode *node = json_object_get_member (obj, name);
    gboolean ok;

    if (strcmp (name, "__metadata__") == 0)
      ok = st_parse_metadata (file, node, error);
    else
      ok = st_parse_tensor (file, name, node, data, data_size, error);
    if (!ok)
      goto fail;
  }
  g_list_free (members);
  members = NULL;
  if (!st_check_no_overlap (file, data, error))
    goto fail;
  g_object_unref (parser);
  return file;

fail:
  g_list_free (members);
  if (parser)
    g_object_unref (parser);
  st_file_free (file);
  return NULL;
}

const StTensor *
st_file_lookup (const StFile * file, const char *name)
{
  return g_hash_table_lookup (file->tensors, name);
}

const char *
st_file_get_metadata (const StFile * file, const char *key)
{
  return g_hash_table_lookup (file->metadata, key);
}

GHashTable *
st_file_dup_metadata (const StFile * file)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      g_free);
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, file->metadata);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (copy, g_strdup (k), g_strdup (v));
  return copy;
}
