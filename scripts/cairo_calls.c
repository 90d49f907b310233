/* Counts the Cairo calls a process makes, by the raster they draw into: an operation count
 * (how many times text is laid out, paths filled or measured per image), not a timing.
 * docs/PERFORMANCE.md, "Text laid out once per image".
 *
 *   cc -O2 -shared -fPIC -o /tmp/cairo_calls.so scripts/cairo_calls.c $(pkg-config --cflags cairo) -ldl
 *   LD_PRELOAD=/tmp/cairo_calls.so tessera render scenes/documents.scene --count 4 --jobs 1 --out /tmp/d --quiet
 *
 * At exit it prints one line per (function, raster) to standard error, or to the file named
 * by CAIRO_CALLS_OUT. The raster is told from the context's target: an image surface drawn
 * with antialiasing is the picture, one without (CAIRO_ANTIALIAS_NONE) the instance raster
 * (RGB24) or an amodal band (A8); an antialiased A8 surface is a shadow's mask; a recording
 * surface is a scratch context (measuring, or laying text out once). Only calls from outside
 * libcairo pass through here (Cairo's own internal calls are not counted). */
#define _GNU_SOURCE
#include <cairo.h>
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

enum { PICTURE, RASTER, AMODAL, SHADOW, SCRATCH, OTHER, KINDS };
static const char *kinds[KINDS] = {"picture", "instance raster", "amodal band", "shadow mask", "scratch (recording)", "other"};
enum { TEXT_PATH, TEXT_EXTENTS, APPEND_PATH, FILL, FILL_PRESERVE, FILL_EXTENTS, STROKE, STROKE_PRESERVE, STROKE_EXTENTS, CALLS };
static const char *calls[CALLS] = {"cairo_text_path", "cairo_text_extents", "cairo_append_path", "cairo_fill",
                                   "cairo_fill_preserve", "cairo_fill_extents", "cairo_stroke", "cairo_stroke_preserve",
                                   "cairo_stroke_extents"};
static unsigned long counts[CALLS][KINDS];

static int kind(cairo_t *cr) {
    cairo_surface_t *target = cairo_get_target(cr);
    if (cairo_surface_get_type(target) == CAIRO_SURFACE_TYPE_RECORDING) return SCRATCH;
    if (cairo_surface_get_type(target) != CAIRO_SURFACE_TYPE_IMAGE) return OTHER;
    int aliased = cairo_get_antialias(cr) == CAIRO_ANTIALIAS_NONE;
    switch (cairo_image_surface_get_format(target)) {
    case CAIRO_FORMAT_ARGB32: case CAIRO_FORMAT_RGB24: return aliased ? RASTER : PICTURE;
    case CAIRO_FORMAT_A8: return aliased ? AMODAL : SHADOW;
    default: return OTHER;
    }
}

#define COUNTED(name, call, params, args)                                              \
    void name params {                                                                 \
        static void (*real) params;                                                    \
        if (!real) real = (void (*) params)dlsym(RTLD_NEXT, #name);                    \
        __atomic_add_fetch(&counts[call][kind(cr)], 1, __ATOMIC_RELAXED);              \
        real args;                                                                     \
    }

COUNTED(cairo_text_path, TEXT_PATH, (cairo_t *cr, const char *utf8), (cr, utf8))
COUNTED(cairo_text_extents, TEXT_EXTENTS, (cairo_t *cr, const char *utf8, cairo_text_extents_t *e), (cr, utf8, e))
COUNTED(cairo_append_path, APPEND_PATH, (cairo_t *cr, const cairo_path_t *path), (cr, path))
COUNTED(cairo_fill, FILL, (cairo_t *cr), (cr))
COUNTED(cairo_fill_preserve, FILL_PRESERVE, (cairo_t *cr), (cr))
COUNTED(cairo_fill_extents, FILL_EXTENTS, (cairo_t *cr, double *x1, double *y1, double *x2, double *y2), (cr, x1, y1, x2, y2))
COUNTED(cairo_stroke, STROKE, (cairo_t *cr), (cr))
COUNTED(cairo_stroke_preserve, STROKE_PRESERVE, (cairo_t *cr), (cr))
COUNTED(cairo_stroke_extents, STROKE_EXTENTS, (cairo_t *cr, double *x1, double *y1, double *x2, double *y2), (cr, x1, y1, x2, y2))

__attribute__((destructor)) static void report(void) {
    const char *path = getenv("CAIRO_CALLS_OUT");
    FILE *out = path ? fopen(path, "w") : stderr;
    if (!out) return;
    for (int c = 0; c < CALLS; c++)
        for (int k = 0; k < KINDS; k++)
            if (counts[c][k]) fprintf(out, "%-22s %-20s %lu\n", calls[c], kinds[k], counts[c][k]);
    if (path) fclose(out);
}
