/* Deflate on the data of a PNG: zlib with the settings Tessera uses and Tessera's own
   literal-only encoder (Sources/PNGCodec/huffman_deflate.c, noisy pictures), against libdeflate at
   each of its levels. Input: a file of filtered PNG rows (filter byte + bytes per row), as
   the writer hands them to the compressor. Prints, per setting, the best of RUNS timings and
   the compressed size. A measurement for docs/PERFORMANCE.md, not part of the build:
     cc -O2 -ISources/PNGCodec/include scripts/png_compressors.c Sources/PNGCodec/huffman_deflate.c \
        -o png_compressors -lz -ldeflate
     ./png_compressors ROWS_FILE [RUNS]
   (scripts/bench_png.sh makes the row files from a rendered benchmark image and runs it.) */
#include <libdeflate.h>
#include <png_codec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s ROWS_FILE [RUNS]\n", argv[0]);
        return 64;
    }
    FILE *file = fopen(argv[1], "rb");
    if (!file) {
        perror(argv[1]);
        return 66;
    }
    fseek(file, 0, SEEK_END);
    long size = ftell(file);
    rewind(file);
    unsigned char *in = malloc((size_t)size);
    if (!in || fread(in, 1, (size_t)size, file) != (size_t)size) {
        fprintf(stderr, "%s: cannot read\n", argv[1]);
        return 66;
    }
    fclose(file);
    int runs = argc > 2 ? atoi(argv[2]) : 20;
    size_t capacity = compressBound((uLong)size) + 64;
    unsigned char *out = malloc(capacity);

    struct { const char *name; int level, strategy, mem_level; } zlib_settings[] = {
        {"zlib 1, Huffman-only (noisy pictures)", 1, Z_HUFFMAN_ONLY, 8},
        {"zlib 1, run-length, memLevel 5 (clean pictures, masks)", 1, Z_RLE, 5},
        {"zlib 1, default strategy", 1, Z_DEFAULT_STRATEGY, 8},
        {"zlib 6, filtered (--png-level 6)", 6, Z_FILTERED, 8},
    };
    printf("%s: %ld bytes of filtered rows, best of %d runs\n", argv[1], size, runs);
    for (size_t k = 0; k < sizeof zlib_settings / sizeof zlib_settings[0]; k++) {
        double best = 1e9;
        size_t produced = 0;
        for (int run = 0; run < runs; run++) {
            z_stream z;
            memset(&z, 0, sizeof z);
            deflateInit2(&z, zlib_settings[k].level, Z_DEFLATED, 15, zlib_settings[k].mem_level, zlib_settings[k].strategy);
            double start = seconds();
            z.next_in = in;
            z.avail_in = (uInt)size;
            z.next_out = out;
            z.avail_out = (uInt)capacity;
            deflate(&z, Z_FINISH);
            double time = seconds() - start;
            produced = z.total_out;
            deflateEnd(&z);
            if (time < best) best = time;
        }
        printf("  %-56s %8.2f ms %9zu bytes\n", zlib_settings[k].name, best * 1e3, produced);
    }
    {
        /* Tessera's literal-only encoder: what noisy pictures now get instead of Huffman-only. */
        unsigned char *buffer = malloc(tessera_deflate_literals_bound((size_t)size));
        double best = 1e9;
        size_t produced = 0;
        for (int run = 0; run < runs; run++) {
            double start = seconds();
            produced = tessera_deflate_literals(in, (size_t)size, buffer);
            double time = seconds() - start;
            if (time < best) best = time;
        }
        printf("  %-56s %8.2f ms %9zu bytes\n", "Tessera literal-only (noisy pictures)", best * 1e3, produced + 6);
        free(buffer);
    }
    for (int level = 1; level <= 12; level++) {
        struct libdeflate_compressor *compressor = libdeflate_alloc_compressor(level);
        size_t bound = libdeflate_zlib_compress_bound(compressor, (size_t)size);
        unsigned char *buffer = malloc(bound);
        double best = 1e9;
        size_t produced = 0;
        for (int run = 0; run < runs; run++) {
            double start = seconds();
            produced = libdeflate_zlib_compress(compressor, in, (size_t)size, buffer, bound);
            double time = seconds() - start;
            if (time < best) best = time;
        }
        char name[64];
        snprintf(name, sizeof name, "libdeflate %d", level);
        printf("  %-56s %8.2f ms %9zu bytes\n", name, best * 1e3, produced);
        free(buffer);
        libdeflate_free_compressor(compressor);
    }
    double best_adler[2] = {1e9, 1e9}, best_crc[2] = {1e9, 1e9};
    unsigned long sink = 0;
    for (int run = 0; run < runs; run++) {
        double t = seconds();
        sink += adler32(1, in, (uInt)size);
        t = seconds() - t;
        if (t < best_adler[0]) best_adler[0] = t;
        t = seconds();
        sink += libdeflate_adler32(1, in, (size_t)size);
        t = seconds() - t;
        if (t < best_adler[1]) best_adler[1] = t;
        t = seconds();
        sink += crc32(0, in, (uInt)size);
        t = seconds() - t;
        if (t < best_crc[0]) best_crc[0] = t;
        t = seconds();
        sink += libdeflate_crc32(0, in, (size_t)size);
        t = seconds() - t;
        if (t < best_crc[1]) best_crc[1] = t;
    }
    printf("  Adler-32: zlib %.3f ms, libdeflate %.3f ms; CRC-32: zlib %.3f ms, libdeflate %.3f ms (%lu)\n",
           best_adler[0] * 1e3, best_adler[1] * 1e3, best_crc[0] * 1e3, best_crc[1] * 1e3, sink & 1);
    free(out);
    free(in);
    return 0;
}
