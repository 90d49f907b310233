#include "png_codec.h"

#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The checksums of the direct encoder: libdeflate's (SIMD Adler-32, carry-less-multiply
   CRC-32) when the build found it (Package.swift asks pkg-config for libdeflate and defines
   TESSERA_HAVE_LIBDEFLATE), zlib's otherwise. Checksums are functions of the bytes, so the
   two builds write the same files. */
#ifdef TESSERA_HAVE_LIBDEFLATE
#include <libdeflate.h>
static uint32_t checksum_crc32(uint32_t crc, const unsigned char *bytes, size_t size) {
    return libdeflate_crc32(crc, bytes, size);
}
static uint32_t checksum_adler32(uint32_t adler, const unsigned char *bytes, size_t size) {
    return libdeflate_adler32(adler, bytes, size);
}
#else
static uint32_t checksum_crc32(uint32_t crc, const unsigned char *bytes, size_t size) {
    return (uint32_t)crc32_z(crc, bytes, size);
}
static uint32_t checksum_adler32(uint32_t adler, const unsigned char *bytes, size_t size) {
    return (uint32_t)adler32_z(adler, bytes, size);
}
#endif

const char *tessera_png_checksums(void) {
#ifdef TESSERA_HAVE_LIBDEFLATE
    return "libdeflate " LIBDEFLATE_VERSION_STRING;
#else
    return "zlib " ZLIB_VERSION;
#endif
}

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

int tessera_png_encode_libpng(const void *pixels, int width, int height, size_t stride,
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

/* ---------------------------------------------------------------------------------------
   The direct encoder: the SUB-filtered image data built in one pass, deflated by zlib in
   one call (a raw stream, the zlib header and Adler-32 trailer written here), and wrapped in
   the PNG chunks (PNG spec, 2nd ed., §5 and §11; zlib: RFC 1950; DEFLATE: RFC 1951).
   It writes the bytes libpng writes with the same settings — same zlib parameters, the
   window shrunk for small images as libpng does, IDAT chunks of 64 KiB — without libpng's
   row-by-row machinery and its second pass over the rows. */

static void put_u32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* Appends a chunk (length, type, data, CRC over type and data) at `p`; returns the end. */
static unsigned char *put_chunk(unsigned char *p, const char type[4], const unsigned char *data, size_t size) {
    put_u32(p, (uint32_t)size);
    memcpy(p + 4, type, 4);
    if (size) memcpy(p + 8, data, size);
    put_u32(p + 8 + size, checksum_crc32(0, p + 4, size + 4));
    return p + 12 + size;
}

/* One row in the file's sample order, SUB-filtered (each byte minus the byte `bpp` to its
   left, modulo 256), after the filter-type byte 1. A row of one pixel has no left neighbour:
   its SUB bytes are its raw bytes, and it gets filter type 0 (None), as libpng writes it. */
static void filter_row(unsigned char *dst, const unsigned char *src, int width, tessera_png_layout layout) {
    *dst++ = width == 1 ? 0 : 1;
    switch (layout) {
    case TESSERA_PNG_RGB_FROM_BGRX: {
        unsigned char r = 0, g = 0, b = 0;
        for (int x = 0; x < width; x++, src += 4, dst += 3) {
            dst[0] = (unsigned char)(src[2] - r);
            dst[1] = (unsigned char)(src[1] - g);
            dst[2] = (unsigned char)(src[0] - b);
            r = src[2]; g = src[1]; b = src[0];
        }
        break;
    }
    case TESSERA_PNG_GRAY16: {
        const uint16_t *samples = (const uint16_t *)(const void *)src;
        unsigned char hi = 0, lo = 0;
        for (int x = 0; x < width; x++, dst += 2) {
            unsigned char h = (unsigned char)(samples[x] >> 8), l = (unsigned char)samples[x];
            dst[0] = (unsigned char)(h - hi);
            dst[1] = (unsigned char)(l - lo);
            hi = h; lo = l;
        }
        break;
    }
    case TESSERA_PNG_RGB8: {
        unsigned char r = 0, g = 0, b = 0;
        for (int x = 0; x < width; x++, src += 3, dst += 3) {
            dst[0] = (unsigned char)(src[0] - r);
            dst[1] = (unsigned char)(src[1] - g);
            dst[2] = (unsigned char)(src[2] - b);
            r = src[0]; g = src[1]; b = src[2];
        }
        break;
    }
    default: { /* GRAY8, PALETTE8: one byte per pixel */
        unsigned char left = 0;
        for (int x = 0; x < width; x++) {
            dst[x] = (unsigned char)(src[x] - left);
            left = src[x];
        }
        break;
    }
    }
}

static int fail(char *message, size_t message_size, const char *text) {
    if (message && message_size) snprintf(message, message_size, "%s", text);
    return 1;
}

static int encode_direct(const void *pixels, int width, int height, size_t stride,
                         tessera_png_layout layout, const unsigned char *palette, int palette_entries,
                         int level, tessera_png_buffer *out, char *message, size_t message_size) {
    if (message && message_size) message[0] = 0;
    if (width < 1 || height < 1 || width > 0x7fffffff / 8) return fail(message, message_size, "PNG: image size out of range");
    int bytes_per_pixel, bit_depth = 8, color_type;
    switch (layout) {
    case TESSERA_PNG_RGB_FROM_BGRX: bytes_per_pixel = 3; color_type = 2; break;
    case TESSERA_PNG_GRAY8: bytes_per_pixel = 1; color_type = 0; break;
    case TESSERA_PNG_GRAY16: bytes_per_pixel = 2; bit_depth = 16; color_type = 0; break;
    case TESSERA_PNG_RGB8: bytes_per_pixel = 3; color_type = 2; break;
    case TESSERA_PNG_PALETTE8:
        if (!palette || palette_entries < 1 || palette_entries > 256) return fail(message, message_size, "PNG: palette of 1 to 256 colours needed");
        bytes_per_pixel = 1; color_type = 3; break;
    default: return fail(message, message_size, "PNG: unknown pixel layout");
    }
    size_t row_size = 1 + (size_t)width * (size_t)bytes_per_pixel;
    if ((size_t)height > (SIZE_MAX / 2) / row_size) return fail(message, message_size, "PNG: image too large");
    size_t data_size = row_size * (size_t)height;

    /* The zlib settings tessera_png_encode_libpng gives libpng, and libpng's own: its
       default strategy for filtered rows is Z_FILTERED; for image data of at most 16 KiB it
       shrinks the window to the smallest power of two holding the data plus 262 bytes. */
    int strategy = Z_FILTERED, mem_level = 8, window_bits = 15;
    if (level == 1) {
        int noisy = layout == TESSERA_PNG_RGB_FROM_BGRX && has_few_runs(pixels, width, height, stride);
        strategy = noisy ? Z_HUFFMAN_ONLY : Z_RLE;
        if (!noisy) mem_level = 5;
    }
    if (data_size <= 16384) {
        size_t half_window = (size_t)1 << (window_bits - 1);
        while (data_size + 262 <= half_window) {
            half_window >>= 1;
            window_bits--;
        }
    }

    unsigned char *filtered = malloc(data_size);
    if (!filtered) return fail(message, message_size, "PNG: out of memory");
    const unsigned char *row = (const unsigned char *)pixels;
    for (int y = 0; y < height; y++, row += stride) filter_row(filtered + (size_t)y * row_size, row, width, layout);

    /* Noisy pictures: Tessera's literal-only encoder (huffman_deflate.c), the same coding as
       zlib's Huffman-only strategy at a fraction of its cost; the rest: zlib. */
    int literals_only = strategy == Z_HUFFMAN_ONLY;
    z_stream z;
    memset(&z, 0, sizeof z);
    /* A raw stream (negative window bits): the zlib header and trailer are written below. */
    if (!literals_only && deflateInit2(&z, level, Z_DEFLATED, -window_bits, mem_level, strategy) != Z_OK) {
        free(filtered);
        return fail(message, message_size, "zlib: cannot start deflate");
    }
    /* zlib's bound, or one that holds stored blocks of at least 256 bytes (5 bytes of header
       each): deflateBound undercounts stored blocks (level 0) under a shrunk window. */
    size_t bound = literals_only ? tessera_deflate_literals_bound(data_size) : deflateBound(&z, (uLong)data_size);
    size_t stored_bound = data_size + 5 * (data_size / 256 + 2) + 16;
    if (bound < stored_bound) bound = stored_bound;
    size_t stream_capacity = 2 + bound + 4;
    unsigned char *stream = malloc(stream_capacity);
    if (!stream) {
        if (!literals_only) deflateEnd(&z);
        free(filtered);
        return fail(message, message_size, "PNG: out of memory");
    }
    /* zlib header (RFC 1950 §2.2): CM 8 and CINFO = window bits − 8; FLEVEL as zlib sets
       it (0 for level < 2 and for the Huffman-only and RLE strategies); FCHECK makes it a
       multiple of 31. For data of at most 16 KiB, CINFO names the smallest window holding
       all of it (libpng rewrites zlib's header so; a decoder may then allocate less). */
    int cinfo = window_bits - 8;
    if (data_size <= 16384) {
        size_t half_window = (size_t)1 << (cinfo + 7);
        while (cinfo > 0 && data_size <= half_window) {
            half_window >>= 1;
            cinfo--;
        }
    }
    int flevel = (strategy >= Z_HUFFMAN_ONLY || level < 2) ? 0 : level < 6 ? 1 : level == 6 ? 2 : 3;
    unsigned header = (unsigned)(((Z_DEFLATED + (cinfo << 4)) << 8) | (flevel << 6));
    header += 31 - header % 31;
    stream[0] = (unsigned char)(header >> 8);
    stream[1] = (unsigned char)header;
    size_t deflated;
    if (literals_only) {
        deflated = tessera_deflate_literals(filtered, data_size, stream + 2);
    } else {
        z.next_in = filtered;
        z.next_out = stream + 2;
        /* One deflate call unless the data passes zlib's 32-bit counts. */
        size_t in_left = data_size, out_left = bound;
        int status;
        do {
            uInt in_chunk = in_left > 0x40000000u ? 0x40000000u : (uInt)in_left;
            uInt out_chunk = out_left > 0x40000000u ? 0x40000000u : (uInt)out_left;
            z.avail_in = in_chunk;
            z.avail_out = out_chunk;
            status = deflate(&z, in_chunk == in_left ? Z_FINISH : Z_NO_FLUSH);
            in_left -= in_chunk - z.avail_in;
            out_left -= out_chunk - z.avail_out;
        } while (status == Z_OK && out_left > 0);
        deflated = (size_t)z.total_out;
        deflateEnd(&z);
        if (status != Z_STREAM_END) {
            free(stream);
            free(filtered);
            return fail(message, message_size, "zlib: deflate failed");
        }
    }
    put_u32(stream + 2 + deflated, checksum_adler32(1, filtered, data_size));
    free(filtered);
    size_t stream_size = 2 + deflated + 4;

    /* signature, IHDR, PLTE, IDAT chunks of at most 64 KiB (as libpng with a 64 KiB
       compression buffer), IEND. */
    const size_t idat_max = 65536;
    size_t idat_count = (stream_size + idat_max - 1) / idat_max;
    size_t total = 8 + 25 + (color_type == 3 ? 12 + 3 * (size_t)palette_entries : 0) + 12 * idat_count + stream_size + 12;
    if (buffer_reserve(out, total) != 0) {
        free(stream);
        return fail(message, message_size, "PNG: out of memory");
    }
    unsigned char *p = out->data + out->size;
    static const unsigned char signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    memcpy(p, signature, 8);
    p += 8;
    unsigned char ihdr[13];
    put_u32(ihdr, (uint32_t)width);
    put_u32(ihdr + 4, (uint32_t)height);
    ihdr[8] = (unsigned char)bit_depth;
    ihdr[9] = (unsigned char)color_type;
    ihdr[10] = 0; /* deflate */
    ihdr[11] = 0; /* adaptive filtering, method 0 */
    ihdr[12] = 0; /* no interlace */
    p = put_chunk(p, "IHDR", ihdr, 13);
    if (color_type == 3) p = put_chunk(p, "PLTE", palette, 3 * (size_t)palette_entries);
    for (size_t offset = 0; offset < stream_size; offset += idat_max) {
        size_t size = stream_size - offset < idat_max ? stream_size - offset : idat_max;
        p = put_chunk(p, "IDAT", stream + offset, size);
    }
    p = put_chunk(p, "IEND", NULL, 0);
    out->size = (size_t)(p - out->data);
    free(stream);
    return 0;
}

int tessera_png_encode(const void *pixels, int width, int height, size_t stride,
                       tessera_png_layout layout, const unsigned char *palette, int palette_entries,
                       int level, int fast_filter,
                       tessera_png_buffer *out, char *message, size_t message_size) {
    /* Level 0 (stored blocks) stays with libpng: the sizes of stored blocks follow how the
       data is fed to zlib, so a one-call deflate would split them differently. */
    if (fast_filter && level > 0) {
        return encode_direct(pixels, width, height, stride, layout, palette, palette_entries, level,
                             out, message, message_size);
    }
    return tessera_png_encode_libpng(pixels, width, height, stride, layout, palette, palette_entries,
                                     level, fast_filter, out, message, message_size);
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

int tessera_png_decode_libpng(const unsigned char *bytes, size_t size, tessera_png_image *image,
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

/* ---------------------------------------------------------------------------------------
   The direct decoder: for the plain PNGs every Tessera dataset holds (non-interlaced, 8- or
   16-bit grey, grey+alpha, RGB or RGBA, no tRNS), the chunks are walked and their CRCs
   checked here, the zlib stream of the IDAT chunks is inflated by libdeflate in one call
   into a buffer of the exact size the header implies (RFC 1950/1951; the Adler-32 checked),
   and the five PNG filters are undone (PNG spec, 2nd ed., §9). Anything else — another
   colour type or depth, interlacing, a damaged or unusual file — returns 1 and the caller
   hands the file to libpng, which decodes it or says what is wrong. The samples are those
   libpng gives with the settings of tessera_png_decode_libpng. */
#ifdef TESSERA_HAVE_LIBDEFLATE
static uint32_t get_u32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

static int paeth(int a, int b, int c) {
    int p = a + b - c;
    int pa = abs(p - a), pb = abs(p - b), pc = abs(p - c);
    if (pa <= pb && pa <= pc) return a;
    return pb <= pc ? b : c;
}

/* Undoes the filter of one row in place: `row` holds the filtered bytes, `previous` the
   row above unfiltered (NULL for the first). Returns 0, or 1 for an unknown filter type. */
static int unfilter_row(int type, unsigned char *row, const unsigned char *previous, size_t size, size_t bpp) {
    switch (type) {
    case 0: return 0;
    case 1:
        for (size_t i = bpp; i < size; i++) row[i] = (unsigned char)(row[i] + row[i - bpp]);
        return 0;
    case 2:
        if (previous) for (size_t i = 0; i < size; i++) row[i] = (unsigned char)(row[i] + previous[i]);
        return 0;
    case 3:
        for (size_t i = 0; i < size; i++) {
            int left = i >= bpp ? row[i - bpp] : 0, up = previous ? previous[i] : 0;
            row[i] = (unsigned char)(row[i] + ((left + up) >> 1));
        }
        return 0;
    case 4:
        for (size_t i = 0; i < size; i++) {
            int left = i >= bpp ? row[i - bpp] : 0, up = previous ? previous[i] : 0;
            int up_left = (previous && i >= bpp) ? previous[i - bpp] : 0;
            row[i] = (unsigned char)(row[i] + paeth(left, up, up_left));
        }
        return 0;
    default: return 1;
    }
}

static int decode_direct(const unsigned char *bytes, size_t size, tessera_png_image *image) {
    size_t at = 8;
    if (size < at + 25 || get_u32(bytes + at) != 13 || memcmp(bytes + at + 4, "IHDR", 4) != 0) return 1;
    const unsigned char *header = bytes + at + 8;
    if (checksum_crc32(0, bytes + at + 4, 17) != get_u32(header + 13)) return 1;
    uint32_t width = get_u32(header), height = get_u32(header + 4);
    int depth = header[8], color = header[9];
    if (header[10] != 0 || header[11] != 0 || header[12] != 0) return 1;  /* compression, filter, interlace */
    int channels = color == 0 ? 1 : color == 2 ? 3 : color == 4 ? 2 : color == 6 ? 4 : 0;
    if (channels == 0 || (depth != 8 && depth != 16)) return 1;
    /* libpng's default user limits and the memory bound of the libpng path. */
    if (width == 0 || height == 0 || width > 1000000 || height > 1000000) return 1;
    size_t bpp = (size_t)channels * (size_t)depth / 8, row_bytes = (size_t)width * bpp;
    if ((size_t)height > ((size_t)1 << 31) / row_bytes) return 1;
    at += 25;

    /* The chunks: CRCs checked, IDATs consecutive, no tRNS, no unknown critical chunk. */
    size_t idat_first = 0, idat_total = 0, idat_chunks = 0;
    int idat_ended = 0, ended = 0;
    while (!ended) {
        if (size - at < 12) return 1;
        uint32_t length = get_u32(bytes + at);
        if (length > 0x7fffffffu || size - at - 12 < length) return 1;
        const unsigned char *type = bytes + at + 4;
        if (checksum_crc32(0, type, 4 + (size_t)length) != get_u32(type + 4 + length)) return 1;
        if (memcmp(type, "IDAT", 4) == 0) {
            if (idat_ended) return 1;
            if (idat_chunks++ == 0) idat_first = at;
            idat_total += length;
        } else {
            if (idat_chunks) idat_ended = 1;
            if (memcmp(type, "IEND", 4) == 0) {
                if (length != 0) return 1;
                ended = 1;
            } else if (memcmp(type, "tRNS", 4) == 0 || memcmp(type, "IHDR", 4) == 0) {
                return 1;
            } else if (!(type[0] & 0x20) && memcmp(type, "PLTE", 4) != 0) {
                return 1;  /* a critical chunk this decoder does not know */
            }
        }
        at += 12 + (size_t)length;
    }
    if (idat_chunks == 0) return 1;

    /* The zlib stream: in place when one chunk holds it, else joined. */
    const unsigned char *stream = bytes + idat_first + 8;
    unsigned char *joined = NULL;
    if (idat_chunks > 1) {
        joined = malloc(idat_total ? idat_total : 1);
        if (!joined) return 1;
        size_t filled = 0;
        for (size_t p = idat_first; filled < idat_total;) {
            uint32_t length = get_u32(bytes + p);
            memcpy(joined + filled, bytes + p + 8, length);
            filled += length;
            p += 12 + (size_t)length;
        }
        stream = joined;
    }
    size_t filtered_size = (size_t)height * (row_bytes + 1);
    unsigned char *filtered = malloc(filtered_size);
    struct libdeflate_decompressor *decompressor = libdeflate_alloc_decompressor();
    int ok = filtered && decompressor &&
             libdeflate_zlib_decompress(decompressor, stream, idat_total, filtered, filtered_size, NULL) == LIBDEFLATE_SUCCESS;
    if (decompressor) libdeflate_free_decompressor(decompressor);
    free(joined);
    if (!ok) {
        free(filtered);
        return 1;
    }

    /* Unfilter in place, then close up the filter bytes: row y moves from y·(row_bytes+1)+1 to y·row_bytes. */
    for (uint32_t y = 0; y < height; y++) {
        unsigned char *row = filtered + (size_t)y * (row_bytes + 1);
        const unsigned char *previous = y ? filtered + (size_t)(y - 1) * (row_bytes + 1) + 1 : NULL;
        if (unfilter_row(row[0], row + 1, previous, row_bytes, bpp) != 0) {
            free(filtered);
            return 1;
        }
    }
    for (uint32_t y = 0; y < height; y++) {
        memmove(filtered + (size_t)y * row_bytes, filtered + (size_t)y * (row_bytes + 1) + 1, row_bytes);
    }
    size_t pixel_bytes = row_bytes * (size_t)height;
    if (depth == 16) {
        const uint16_t probe = 1;
        if (*(const unsigned char *)&probe == 1) {
            for (size_t i = 0; i + 1 < pixel_bytes; i += 2) {
                unsigned char high = filtered[i];
                filtered[i] = filtered[i + 1];
                filtered[i + 1] = high;
            }
        }
    }
    image->width = (int)width;
    image->height = (int)height;
    image->channels = channels;
    image->bit_depth = depth;
    image->pixels.data = filtered;
    image->pixels.size = pixel_bytes;
    image->pixels.capacity = filtered_size;
    return 0;
}
#endif

int tessera_png_decode(const unsigned char *bytes, size_t size, tessera_png_image *image,
                       char *message, size_t message_size) {
#ifdef TESSERA_HAVE_LIBDEFLATE
    if (message && message_size) message[0] = 0;
    memset(image, 0, sizeof(*image));
    if (size >= 8 && png_sig_cmp(bytes, 0, 8) == 0 && decode_direct(bytes, size, image) == 0) return 0;
#endif
    return tessera_png_decode_libpng(bytes, size, image, message, message_size);
}

void tessera_png_buffer_free(tessera_png_buffer *buffer) {
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
    buffer->capacity = 0;
}
