// PNG encoding and decoding through libpng, in C because libpng reports errors with
// longjmp, which must never unwind through Swift frames. Every libpng call happens inside
// these functions, under their own setjmp; callers get a status and a message instead.
#ifndef TESSERA_PNG_CODEC_H
#define TESSERA_PNG_CODEC_H

#include <stddef.h>
#include <stdint.h>

/// A growable byte buffer owned by C; release with `tessera_png_buffer_free`.
typedef struct {
    unsigned char *data;
    size_t size;
    size_t capacity;
} tessera_png_buffer;

/// Pixel layouts accepted by `tessera_png_encode`.
typedef enum {
    /// 4 bytes per pixel in memory order B, G, R, X (Cairo's CAIRO_FORMAT_RGB24 on a
    /// little-endian machine); written as 8-bit RGB.
    TESSERA_PNG_RGB_FROM_BGRX = 0,
    /// 1 byte per pixel; written as 8-bit grayscale.
    TESSERA_PNG_GRAY8 = 1,
    /// 2 bytes per pixel, host byte order; written as 16-bit grayscale.
    TESSERA_PNG_GRAY16 = 2,
    /// 3 bytes per pixel in order R, G, B; written as 8-bit RGB.
    TESSERA_PNG_RGB8 = 3,
    /// 1 byte per pixel, an index into `palette`; written as an 8-bit palette PNG (colour
    /// type 3) with a PLTE chunk of `palette_entries` colours and no transparency.
    TESSERA_PNG_PALETTE8 = 4,
} tessera_png_layout;

/// Encodes rows of `pixels` (`height` rows of `stride` bytes) into `out`.
/// With `fast_filter` the PNG is written directly (SUB-filtered rows deflated by zlib in one
/// call, the chunks and checksums written here); otherwise by libpng
/// (`tessera_png_encode_libpng`). Both write the same bytes for the same settings.
/// `palette` (R, G, B bytes of `palette_entries` colours, 1…256) is read only for
/// `TESSERA_PNG_PALETTE8`; pass NULL and 0 otherwise.
/// `level` is the zlib level 0–9 (level 1: Z_RLE, or Z_HUFFMAN_ONLY for a noisy picture); `fast_filter` non-zero selects
/// the single SUB filter (fast, good on smooth images), zero lets libpng choose adaptively.
/// Returns 0 on success; otherwise non-zero with a message in `message`.
int tessera_png_encode(const void *pixels, int width, int height, size_t stride,
                       tessera_png_layout layout, const unsigned char *palette, int palette_entries,
                       int level, int fast_filter,
                       tessera_png_buffer *out, char *message, size_t message_size);

/// The same encoding through libpng, row by row: the adaptive-filter path of
/// `tessera_png_encode`, and the reference the direct encoder is tested against (same
/// arguments, same bytes).
int tessera_png_encode_libpng(const void *pixels, int width, int height, size_t stride,
                              tessera_png_layout layout, const unsigned char *palette, int palette_entries,
                              int level, int fast_filter,
                              tessera_png_buffer *out, char *message, size_t message_size);

/// A raw DEFLATE stream (RFC 1951, no zlib header) of `data` made of literals only: blocks of
/// at most 65 535 bytes, each with its own Huffman code (lengths ≤ 15 bits) or stored when
/// that is smaller. The encoder of noisy pictures at PNG level 1 (Huffman-only: their SUB
/// residuals almost never repeat). `out` must hold `tessera_deflate_literals_bound(size)`
/// bytes; returns the stream's length. Deterministic: a function of `data` alone.
size_t tessera_deflate_literals(const unsigned char *data, size_t size, unsigned char *out);
size_t tessera_deflate_literals_bound(size_t size);

/// Which library computes the direct encoder's CRC-32 and Adler-32: "libdeflate 1.14" or
/// "zlib 1.2.13" (the build's choice; the bytes are the same).
const char *tessera_png_checksums(void);

/// Decoded image: `channels` samples per pixel of `bit_depth` bits (8 or 16); 16-bit samples
/// are in host byte order. Rows are packed (stride = width * channels * bytes per sample).
typedef struct {
    int width;
    int height;
    int channels;
    int bit_depth;
    tessera_png_buffer pixels;
} tessera_png_image;

/// Decodes a PNG held in memory without any colour or gamma conversion (palette and
/// sub-byte depths are expanded to 8 bits, a tRNS chunk to an alpha channel). Returns 0 on
/// success. When the build has libdeflate, plain files (non-interlaced 8/16-bit grey, grey
/// + alpha, RGB, RGBA without tRNS) are decoded directly (chunks and CRCs read here, the
/// image data inflated by libdeflate); every other file, and any file the direct path finds
/// irregular, goes to libpng. Both give the same samples.
int tessera_png_decode(const unsigned char *bytes, size_t size, tessera_png_image *image,
                       char *message, size_t message_size);

/// ``tessera_png_decode`` always through libpng (for tests comparing the two paths).
int tessera_png_decode_libpng(const unsigned char *bytes, size_t size, tessera_png_image *image,
                              char *message, size_t message_size);

void tessera_png_buffer_free(tessera_png_buffer *buffer);

#endif
