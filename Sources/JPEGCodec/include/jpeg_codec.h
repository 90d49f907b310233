// JPEG encoding and decoding through libjpeg (libjpeg-turbo on Debian), in C because libjpeg
// reports errors by calling `error_exit`, which here longjmps back to the wrapper function —
// that jump must never unwind through Swift frames. Every libjpeg call happens inside these
// functions, under their own setjmp; callers get a status and a message instead.
#ifndef TESSERA_JPEG_CODEC_H
#define TESSERA_JPEG_CODEC_H

#include <stddef.h>

/// Bytes owned by C; release with `tessera_jpeg_buffer_free`.
typedef struct {
    unsigned char *data;
    size_t size;
} tessera_jpeg_buffer;

/// Encodes `height` rows of `stride` bytes, 4 bytes per pixel in memory order B, G, R, X
/// (Cairo's CAIRO_FORMAT_RGB24 on a little-endian machine), as a baseline (sequential,
/// non-progressive) 8-bit YCbCr JPEG with libjpeg's standard tables scaled to `quality`
/// (1–100), 4:2:0 chroma subsampling, the integer DCT and no metadata beyond the JFIF
/// header: the bytes depend on the pixels, the quality and the libjpeg version only.
/// Returns 0 on success; otherwise non-zero with a message in `message`.
int tessera_jpeg_encode(const void *pixels, int width, int height, size_t stride, int quality,
                        tessera_jpeg_buffer *out, char *message, size_t message_size);

/// A decoded image: 8-bit RGB, 3 bytes per pixel, rows packed (stride = 3 * width).
typedef struct {
    int width;
    int height;
    tessera_jpeg_buffer pixels;
} tessera_jpeg_image;

/// Decodes a JPEG held in memory to 8-bit RGB (grayscale is expanded; CMYK is an error), with
/// the integer DCT and libjpeg's default upsampling. Images over `max_pixels` pixels are
/// refused before any pixel is decoded. Returns 0 on success.
int tessera_jpeg_decode(const unsigned char *bytes, size_t size, size_t max_pixels,
                        tessera_jpeg_image *image, char *message, size_t message_size);

void tessera_jpeg_buffer_free(tessera_jpeg_buffer *buffer);

#endif
