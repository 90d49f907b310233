#include "png_codec.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *message;
    size_t message_size;
} error_sink;

static void on_error(png_structp png, png_const_charp text) {
    error_sink *sink = (error_sink *)png_get_error_ptr(png);
    if (sink && sink->message && sink->message_size > 0) {
        snprintf(sink->message, sink->message_size, "libpng: %s", text);
    }
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp text) {
    (void)png;
    (void)text;
}

static int buffer_reserve(tessera_png_buffer *buffer, size_t extra) {
    if (buffer->size + extra <= buffer->capacity) return 0;
    size_t capacity = buffer->capacity ? buffer->capacity : 65536;
    while (capacity < buffer->size + extra) capacity *= 2;
    unsigned char *data = realloc(buffer->data, capacity);
    if (!data) return -1;
    buffer->data = data;
    buffer->capacity = capacity;
    return 0;
}

static void on_write(png_structp png, png_bytep data, png_size_t length) {
    tessera_png_buffer *buffer = (tessera_png_buffer *)png_get_io_ptr(png);
    if (buffer_reserve(buffer, length) != 0) png_error(png, "out of memory");
    memcpy(buffer->data + buffer->size, data, length);
    buffer->size += length;
}

static void on_flush(png_structp png) { (void)png; }

/* Whether a BGRX picture's SUB-filtered rows would hold few runs: in every 8th row, the
   share of pixels whose residual (the difference to the left neighbour, per channel) equals
   the previous pixel's residual is below 1/4. The choice depends only on the pixels, so it
   is the same on every run and thread. */
static int has_few_runs(const void *pixels, int width, int height, size_t stride) {
    long repeats = 0, samples = 0;
    for (int y = 0; y < height; y += 8) {
        const unsigned char *row = (const unsigned char *)pixels + (size_t)y * stride;
        for (int x = 2; x < width; x++) {
            const unsigned char *a = row + 4 * (x - 2), *b = a + 4, *c = b + 4;
            int same = 1;
            for (int k = 0; k < 3; k++) {
                if ((unsigned char)(c[k] - b[k]) != (unsigned char)(b[k] - a[k])) same = 0;
            }
            repeats += same;
            samples++;
        }
    }
    return samples > 0 && repeats * 4 < samples;
}

int tessera_png_encode(const void *pixels, int width, int height, size_t stride,
                       tessera_png_layout layout, const unsigned char *palette, int palette_entries,
                       int level, int fast_filter,
                       tessera_png_buffer *out, char *message, size_t message_size) {
    error_sink sink = {message, message_size};
    if (message && message_size) message[0] = 0;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &sink, on_error, on_warning);
    if (!png) {
        snprintf(message, message_size, "libpng: cannot create write struct");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        snprintf(message, message_size, "libpng: cannot create info struct");
        return 1;
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        return 1;
    }
    png_set_write_fn(png, out, on_write, on_flush);
    png_set_compression_level(png, level);
    /* Level 1, the speed setting, skips zlib's string matching, which is what makes levels
       2-9 smaller and slower (they keep zlib's default strategy):
       - label masks and clean pictures use Z_RLE (runs only): on SUB-filtered rows it is
         20-40 % faster than level 1's default strategy and smaller. A memLevel of 5 rather
         than 8 shrinks the hash table zlib slides every 32 KB even though Z_RLE never reads
         it: 20 % less time on masks, the same size.
       - noisy pictures, where a SUB residual almost never repeats, use Z_HUFFMAN_ONLY: run
         detection finds nothing there and costs 12 % of the time; the size is the same. */
    if (level == 1) {
        int noisy = layout == TESSERA_PNG_RGB_FROM_BGRX && has_few_runs(pixels, width, height, stride);
        png_set_compression_strategy(png, noisy ? 2 /* Z_HUFFMAN_ONLY */ : 3 /* Z_RLE */);
        if (!noisy) png_set_compression_mem_level(png, 5);
    }
    png_set_compression_buffer_size(png, 65536);
    png_set_filter(png, PNG_FILTER_TYPE_BASE, fast_filter ? PNG_FILTER_SUB : PNG_ALL_FILTERS);

    int color_type = PNG_COLOR_TYPE_GRAY;
    int bit_depth = 8;
    switch (layout) {
    case TESSERA_PNG_RGB_FROM_BGRX: color_type = PNG_COLOR_TYPE_RGB; break;
    case TESSERA_PNG_GRAY8: break;
    case TESSERA_PNG_GRAY16: bit_depth = 16; break;
    case TESSERA_PNG_RGB8: color_type = PNG_COLOR_TYPE_RGB; break;
    case TESSERA_PNG_PALETTE8:
        if (!palette || palette_entries < 1 || palette_entries > 256) png_error(png, "palette of 1 to 256 colours needed");
        color_type = PNG_COLOR_TYPE_PALETTE;
        break;
    default: png_error(png, "unknown pixel layout");
    }
    png_set_IHDR(png, info, (png_uint_32)width, (png_uint_32)height, bit_depth, color_type,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
    if (layout == TESSERA_PNG_PALETTE8) {
        png_color colors[256];
        for (int i = 0; i < palette_entries; i++) {
            colors[i].red = palette[3 * i];
            colors[i].green = palette[3 * i + 1];
            colors[i].blue = palette[3 * i + 2];
        }
        png_set_PLTE(png, info, colors, palette_entries);
    }
    png_write_info(png, info);
    if (layout == TESSERA_PNG_RGB_FROM_BGRX) {
        png_set_bgr(png);
        png_set_filler(png, 0, PNG_FILLER_AFTER);
    }
    if (layout == TESSERA_PNG_GRAY16) {
        const uint16_t probe = 1;
        if (*(const unsigned char *)&probe == 1) png_set_swap(png);
    }
    const unsigned char *row = (const unsigned char *)pixels;
    for (int y = 0; y < height; y++, row += stride) {
        png_write_row(png, (png_const_bytep)row);
    }
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    return 0;
}

typedef struct {
    const unsigned char *bytes;
    size_t size;
    size_t offset;
} read_source;

static void on_read(png_structp png, png_bytep data, png_size_t length) {
    read_source *source = (read_source *)png_get_io_ptr(png);
    if (source->size - source->offset < length) png_error(png, "truncated PNG data");
    memcpy(data, source->bytes + source->offset, length);
    source->offset += length;
}

int tessera_png_decode(const unsigned char *bytes, size_t size, tessera_png_image *image,
                       char *message, size_t message_size) {
    error_sink sink = {message, message_size};
    if (message && message_size) message[0] = 0;
    memset(image, 0, sizeof(*image));
    if (size < 8 || png_sig_cmp(bytes, 0, 8) != 0) {
        snprintf(message, message_size, "not a PNG file");
        return 1;
    }
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &sink, on_error, on_warning);
    if (!png) {
        snprintf(message, message_size, "libpng: cannot create read struct");
        return 1;
    }
    png_infop info = png_create_info_struct(png);
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        snprintf(message, message_size, "libpng: cannot create info struct");
        return 1;
    }
    read_source source = {bytes, size, 0};
    // `volatile` so the buffer pointer survives the longjmp back into this frame.
    unsigned char *volatile rows_data = NULL;
    png_bytep *volatile rows = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(rows);
        free(rows_data);
        png_destroy_read_struct(&png, &info, NULL);
        return 1;
    }
    png_set_read_fn(png, &source, on_read);
    png_read_info(png, info);
    int color_type = png_get_color_type(png, info);
    int bit_depth = png_get_bit_depth(png, info);
    if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
    if (color_type == PNG_COLOR_TYPE_GRAY && bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    if (png_get_valid(png, info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(png);
    if (bit_depth == 16) {
        const uint16_t probe = 1;
        if (*(const unsigned char *)&probe == 1) png_set_swap(png);
    }
    png_read_update_info(png, info);
    int width = (int)png_get_image_width(png, info);
    int height = (int)png_get_image_height(png, info);
    int channels = png_get_channels(png, info);
    int depth = png_get_bit_depth(png, info);
    size_t row_bytes = png_get_rowbytes(png, info);
    if ((size_t)height > ((size_t)1 << 31) / (row_bytes ? row_bytes : 1)) png_error(png, "image too large");
    rows_data = malloc(row_bytes * (size_t)height);
    rows = malloc(sizeof(png_bytep) * (size_t)height);
    if (!rows_data || !rows) png_error(png, "out of memory");
    for (int y = 0; y < height; y++) rows[y] = rows_data + row_bytes * (size_t)y;
    png_read_image(png, rows);
    png_read_end(png, NULL);
    png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    image->width = width;
    image->height = height;
    image->channels = channels;
    image->bit_depth = depth;
    image->pixels.data = rows_data;
    image->pixels.size = row_bytes * (size_t)height;
    image->pixels.capacity = image->pixels.size;
    return 0;
}

void tessera_png_buffer_free(tessera_png_buffer *buffer) {
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
    buffer->capacity = 0;
}
