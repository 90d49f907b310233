#include "jpeg_codec.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

// libjpeg's error manager extended with the jump target and the caller's message buffer.
typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char *message;
    size_t message_size;
    // The encoder's output (jpeg_mem_dest), here so that the error path can free it.
    unsigned char *output;
    unsigned long output_size;
} error_sink;

static void on_error(j_common_ptr cinfo) {
    error_sink *sink = (error_sink *)cinfo->err;
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    if (sink->message && sink->message_size > 0) snprintf(sink->message, sink->message_size, "libjpeg: %s", text);
    longjmp(sink->jump, 1);
}

// Warnings (e.g. a truncated file padded with grey) are not errors.
static void on_message(j_common_ptr cinfo, int level) {
    (void)cinfo;
    (void)level;
}

/* Sets up `sink` to turn libjpeg's errors into a message and a longjmp to `sink->jump`. */
static struct jpeg_error_mgr *init_error_sink(error_sink *sink, char *message, size_t message_size) {
    struct jpeg_error_mgr *manager = jpeg_std_error(&sink->manager);
    sink->manager.error_exit = on_error;
    sink->manager.emit_message = on_message;
    sink->message = message;
    sink->message_size = message_size;
    sink->output = NULL;
    sink->output_size = 0;
    return manager;
}

static void fail(char *message, size_t message_size, const char *text) {
    if (message && message_size > 0) snprintf(message, message_size, "libjpeg: %s", text);
}

int tessera_jpeg_encode(const void *pixels, int width, int height, size_t stride, int quality,
                        tessera_jpeg_buffer *out, char *message, size_t message_size) {
    struct jpeg_compress_struct cinfo;
    error_sink sink;
    // Volatile: assigned after setjmp and read after the jump.
    unsigned char *volatile row = NULL;
    if (message && message_size) message[0] = 0;
    out->data = NULL;
    out->size = 0;
    cinfo.err = init_error_sink(&sink, message, message_size);
    if (setjmp(sink.jump)) {
        jpeg_destroy_compress(&cinfo);
        free(row);
        free(sink.output);
        return 1;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, &sink.output, &sink.output_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = 3;
    cinfo.in_color_space = JCS_RGB;
    jpeg_set_defaults(&cinfo);
    jpeg_set_quality(&cinfo, quality, TRUE);
    cinfo.dct_method = JDCT_ISLOW;
    cinfo.optimize_coding = FALSE;
    row = malloc((size_t)width * 3);
    if (!row) {
        jpeg_destroy_compress(&cinfo);
        free(sink.output);
        fail(message, message_size, "out of memory");
        return 1;
    }
    jpeg_start_compress(&cinfo, TRUE);
    while (cinfo.next_scanline < cinfo.image_height) {
        const unsigned char *source = (const unsigned char *)pixels + (size_t)cinfo.next_scanline * stride;
        for (int x = 0; x < width; x++) {
            row[3 * x] = source[4 * x + 2];
            row[3 * x + 1] = source[4 * x + 1];
            row[3 * x + 2] = source[4 * x];
        }
        JSAMPROW rows[1] = {row};
        jpeg_write_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    free(row);
    out->data = sink.output;
    out->size = sink.output_size;
    return 0;
}

int tessera_jpeg_decode(const unsigned char *bytes, size_t size, size_t max_pixels,
                        tessera_jpeg_image *image, char *message, size_t message_size) {
    struct jpeg_decompress_struct cinfo;
    error_sink sink;
    unsigned char *volatile pixels = NULL;
    if (message && message_size) message[0] = 0;
    image->width = 0;
    image->height = 0;
    image->pixels.data = NULL;
    image->pixels.size = 0;
    cinfo.err = init_error_sink(&sink, message, message_size);
    if (setjmp(sink.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(pixels);
        return 1;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, bytes, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    if (cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK) {
        jpeg_destroy_decompress(&cinfo);
        fail(message, message_size, "CMYK JPEGs are not supported; convert the file to RGB");
        return 1;
    }
    if ((size_t)cinfo.image_width * cinfo.image_height > max_pixels) {
        jpeg_destroy_decompress(&cinfo);
        if (message && message_size > 0)
            snprintf(message, message_size, "libjpeg: %u x %u pixels is more than the %zu allowed",
                     cinfo.image_width, cinfo.image_height, max_pixels);
        return 1;
    }
    cinfo.out_color_space = JCS_RGB;
    cinfo.dct_method = JDCT_ISLOW;
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * 3;
    pixels = malloc(stride * cinfo.output_height);
    if (!pixels) {
        jpeg_destroy_decompress(&cinfo);
        fail(message, message_size, "out of memory");
        return 1;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[1] = {pixels + (size_t)cinfo.output_scanline * stride};
        jpeg_read_scanlines(&cinfo, rows, 1);
    }
    jpeg_finish_decompress(&cinfo);
    image->width = (int)cinfo.output_width;
    image->height = (int)cinfo.output_height;
    image->pixels.data = pixels;
    image->pixels.size = stride * cinfo.output_height;
    jpeg_destroy_decompress(&cinfo);
    return 0;
}

void tessera_jpeg_buffer_free(tessera_jpeg_buffer *buffer) {
    free(buffer->data);
    buffer->data = NULL;
    buffer->size = 0;
}
