/* A literal-only DEFLATE encoder (RFC 1951) for data with almost no repeats: the SUB-filtered
   rows of a noisy picture, where string matching finds nothing and zlib's Huffman-only
   strategy was the floor (about 5.6 ms of the 15 ms per benchmark image, most of it zlib's
   per-byte bookkeeping: its symbol buffer, its tally, two passes over the symbols).

   The data is cut into blocks of at most 65 535 bytes. Each block is one dynamic-Huffman
   block (§3.2.7) of literals and the end-of-block code — lengths limited to 15 bits by the
   adjustment of JPEG's Annex K.3, canonical codes (§3.2.2), the code lengths run-length coded
   with symbols 16/17/18 — or, when that would be larger, one stored block (§3.2.4). Output is
   a function of the input bytes only: deterministic on every machine. */

#include "png_codec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_BITS = 15, MAX_CODE_LENGTH_BITS = 7, LITERALS = 257, BLOCK = 65535 };

static int compare_keys(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Code lengths of at most `limit` bits for `count` symbols with frequencies `freq` (symbols of
   frequency 0 get length 0). At least two symbols must be used. Huffman's construction with a
   deterministic order (frequency, then symbol), then the Annex K.3 adjustment, which keeps the
   code complete while moving the deepest leaves up. */
static void code_lengths(const uint32_t *freq, int count, int limit, uint8_t *lengths) {
    /* The used symbols in order of (frequency, symbol), sorted as one key each. */
    uint64_t keys[LITERALS];
    int used = 0;
    for (int s = 0; s < count; s++) {
        lengths[s] = 0;
        if (freq[s]) keys[used++] = (uint64_t)freq[s] << 9 | (uint64_t)s;
    }
    qsort(keys, (size_t)used, sizeof keys[0], compare_keys);
    int symbols[LITERALS];
    for (int i = 0; i < used; i++) symbols[i] = (int)(keys[i] & 511);
    /* Two queues: sorted leaves, then internal nodes in the order they are made (their weights
       never decrease). Nodes 0..used-1 are leaves, used.. are internal. */
    uint64_t weight[2 * LITERALS];
    int parent[2 * LITERALS];
    for (int i = 0; i < used; i++) weight[i] = freq[symbols[i]];
    int next_leaf = 0, next_internal = used, made = used;
    for (int k = 0; k < used - 1; k++) {
        int pick[2];
        for (int t = 0; t < 2; t++) {
            if (next_leaf < used && (next_internal >= made || weight[next_leaf] <= weight[next_internal])) pick[t] = next_leaf++;
            else pick[t] = next_internal++;
        }
        weight[made] = weight[pick[0]] + weight[pick[1]];
        parent[pick[0]] = parent[pick[1]] = made;
        made++;
    }
    /* Depths, root last: a node's depth is its parent's plus one. */
    int depth[2 * LITERALS];
    depth[made - 1] = 0;
    for (int n = made - 2; n >= 0; n--) depth[n] = depth[parent[n]] + 1;
    int bits_count[2 * LITERALS + 1];
    memset(bits_count, 0, sizeof bits_count);
    int deepest = 0;
    for (int i = 0; i < used; i++) {
        bits_count[depth[i]]++;
        if (depth[i] > deepest) deepest = depth[i];
    }
    /* Annex K.3 (Adjust_BITS): two leaves at the deepest level i leave it; one takes their
       parent's place at i − 1, the other becomes the sibling of a leaf at the deepest level
       j < i − 1 that has one, which moves to j + 1. The Kraft sum stays exactly 1. */
    for (int i = deepest; i > limit; i--) {
        while (bits_count[i] > 0) {
            int j = i - 2;
            while (bits_count[j] == 0) j--;
            bits_count[i] -= 2;
            bits_count[i - 1] += 1;
            bits_count[j + 1] += 2;
            bits_count[j] -= 1;
        }
    }
    /* The most frequent symbols get the shortest codes. */
    int position = used - 1;
    for (int bits = 1; bits <= limit; bits++) {
        for (int c = 0; c < bits_count[bits]; c++) lengths[symbols[position--]] = (uint8_t)bits;
    }
}

/* Canonical codes (RFC 1951 §3.2.2), bit-reversed: DEFLATE sends Huffman codes starting
   from their most significant bit into a least-significant-first bit stream. */
static void canonical_codes(const uint8_t *lengths, int count, uint16_t *codes) {
    int bl_count[MAX_BITS + 1] = {0};
    for (int s = 0; s < count; s++) bl_count[lengths[s]]++;
    bl_count[0] = 0;
    int next[MAX_BITS + 2];
    int code = 0;
    for (int bits = 1; bits <= MAX_BITS; bits++) {
        code = (code + bl_count[bits - 1]) << 1;
        next[bits] = code;
    }
    for (int s = 0; s < count; s++) {
        int n = lengths[s];
        if (!n) { codes[s] = 0; continue; }
        int c = next[n]++, reversed = 0;
        for (int b = 0; b < n; b++) reversed |= ((c >> b) & 1) << (n - 1 - b);
        codes[s] = (uint16_t)reversed;
    }
}

typedef struct {
    uint64_t bits;      /* pending bits, least significant first */
    unsigned count;     /* how many are pending, < 32 between calls */
    unsigned char *out; /* next byte to write */
} bit_writer;

/* Appends `n` ≤ 32 bits. The writer keeps fewer than 32 pending bits. */
static inline void put_bits(bit_writer *w, uint32_t value, unsigned n) {
    w->bits |= (uint64_t)value << w->count;
    w->count += n;
    if (w->count >= 32) {
        uint32_t word = (uint32_t)w->bits;
        w->out[0] = (unsigned char)word;
        w->out[1] = (unsigned char)(word >> 8);
        w->out[2] = (unsigned char)(word >> 16);
        w->out[3] = (unsigned char)(word >> 24);
        w->out += 4;
        w->bits >>= 32;
        w->count -= 32;
    }
}

/* Writes the pending bits out, padding the last byte with zeros (a byte boundary). */
static void align_to_byte(bit_writer *w) {
    while (w->count > 0) {
        *w->out++ = (unsigned char)w->bits;
        w->bits >>= 8;
        w->count = w->count > 8 ? w->count - 8 : 0;
    }
    w->bits = 0;
}

static const uint8_t code_length_order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

typedef struct {
    uint8_t symbol, extra_bits;
    uint8_t extra;
} length_token;

/* The literal/length and distance code lengths as code-length symbols (§3.2.7): runs of a
   repeated length as 16 (3–6 more copies), of zeros as 17 (3–10) and 18 (11–138). */
static int tokenize_lengths(const uint8_t *lengths, int count, length_token *tokens) {
    int n = 0;
    for (int i = 0; i < count;) {
        int value = lengths[i], run = 1;
        while (i + run < count && lengths[i + run] == value) run++;
        int left = run;
        if (value == 0) {
            while (left >= 11) { int r = left > 138 ? 138 : left; tokens[n++] = (length_token){18, 7, (uint8_t)(r - 11)}; left -= r; }
            if (left >= 3) { tokens[n++] = (length_token){17, 3, (uint8_t)(left - 3)}; left = 0; }
            while (left-- > 0) tokens[n++] = (length_token){0, 0, 0};
        } else {
            tokens[n++] = (length_token){(uint8_t)value, 0, 0};
            left--;
            while (left >= 3) { int r = left > 6 ? 6 : left; tokens[n++] = (length_token){16, 2, (uint8_t)(r - 3)}; left -= r; }
            while (left-- > 0) tokens[n++] = (length_token){(uint8_t)value, 0, 0};
        }
        i += run;
    }
    return n;
}

/* One block of `size` ≥ 1 bytes; `last` sets BFINAL. */
static void put_block(bit_writer *w, const unsigned char *data, size_t size, int last) {
    uint32_t freq[LITERALS] = {0};
    /* Four histograms, summed: consecutive equal bytes do not wait on one counter. */
    uint32_t h[4][256];
    memset(h, 0, sizeof h);
    size_t i = 0;
    for (; i + 4 <= size; i += 4) {
        h[0][data[i]]++; h[1][data[i + 1]]++; h[2][data[i + 2]]++; h[3][data[i + 3]]++;
    }
    for (; i < size; i++) h[0][data[i]]++;
    for (int s = 0; s < 256; s++) freq[s] = h[0][s] + h[1][s] + h[2][s] + h[3][s];
    freq[256] = 1; /* end of block */

    uint8_t lengths[LITERALS + 1];
    code_lengths(freq, LITERALS, MAX_BITS, lengths);
    lengths[LITERALS] = 0; /* the one distance code, unused: length 0 (§3.2.7) */

    length_token tokens[LITERALS + 1];
    int token_count = tokenize_lengths(lengths, LITERALS + 1, tokens);
    uint32_t token_freq[19] = {0};
    for (int t = 0; t < token_count; t++) token_freq[tokens[t].symbol]++;
    int token_symbols = 0;
    for (int s = 0; s < 19; s++) token_symbols += token_freq[s] != 0;
    uint8_t token_lengths[19];
    if (token_symbols >= 2) {
        code_lengths(token_freq, 19, MAX_CODE_LENGTH_BITS, token_lengths);
    } else {
        /* One symbol: a complete code needs two, so a second of length 1 goes unused. */
        memset(token_lengths, 0, sizeof token_lengths);
        for (int s = 0; s < 19; s++) if (token_freq[s]) token_lengths[s] = 1;
        token_lengths[token_freq[0] ? 1 : 0] = 1;
    }
    int hclen = 19;
    while (hclen > 4 && token_lengths[code_length_order[hclen - 1]] == 0) hclen--;

    /* The block's size either way, in bits, from BTYPE on. */
    uint64_t huffman_bits = 2 + 5 + 5 + 4 + 3 * (uint64_t)hclen;
    for (int t = 0; t < token_count; t++) huffman_bits += token_lengths[tokens[t].symbol] + tokens[t].extra_bits;
    for (int s = 0; s < LITERALS; s++) huffman_bits += (uint64_t)freq[s] * lengths[s];
    uint64_t stored_bits = 2 + (8 - (w->count + 3) % 8) % 8 + 32 + 8 * (uint64_t)size;

    put_bits(w, last ? 1 : 0, 1);
    if (stored_bits <= huffman_bits) {
        put_bits(w, 0, 2); /* BTYPE 00: stored */
        align_to_byte(w);
        unsigned char *p = w->out;
        p[0] = (unsigned char)size; p[1] = (unsigned char)(size >> 8);
        p[2] = (unsigned char)~size; p[3] = (unsigned char)(~size >> 8);
        memcpy(p + 4, data, size);
        w->out = p + 4 + size;
        return;
    }
    put_bits(w, 2, 2); /* BTYPE 10: dynamic Huffman codes */
    put_bits(w, 0, 5);             /* HLIT: 257 literal/length codes */
    put_bits(w, 0, 5);             /* HDIST: 1 distance code */
    put_bits(w, (uint32_t)(hclen - 4), 4);
    for (int k = 0; k < hclen; k++) put_bits(w, token_lengths[code_length_order[k]], 3);
    uint16_t token_codes[19];
    canonical_codes(token_lengths, 19, token_codes);
    for (int t = 0; t < token_count; t++) {
        put_bits(w, token_codes[tokens[t].symbol], token_lengths[tokens[t].symbol]);
        if (tokens[t].extra_bits) put_bits(w, tokens[t].extra, tokens[t].extra_bits);
    }
    uint16_t codes[LITERALS];
    canonical_codes(lengths, LITERALS, codes);
    /* Code and length in one table. On a little-endian machine the pending bits go out as
       one unaligned 8-byte store after every three literals (at most 45 bits on top of at
       most 7 pending), advancing by the whole bytes written — no branch per literal; the
       stream's bound leaves 8 bytes of slack for that store. */
    uint32_t table[256];
    for (int s = 0; s < 256; s++) table[s] = (uint32_t)codes[s] | ((uint32_t)lengths[s] << 16);
    size_t k = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint64_t bits = w->bits;
    unsigned count = w->count;
    unsigned char *out = w->out;
#define TESSERA_FLUSH_WHOLE_BYTES() \
    do { memcpy(out, &bits, 8); out += count >> 3; bits = (count & 56) ? bits >> (count & 56) : bits; count &= 7; } while (0)
    TESSERA_FLUSH_WHOLE_BYTES();
    for (; k + 3 <= size; k += 3) {
        uint32_t a = table[data[k]], b = table[data[k + 1]], c = table[data[k + 2]];
        bits |= (uint64_t)(a & 0xffff) << count;
        count += a >> 16;
        bits |= (uint64_t)(b & 0xffff) << count;
        count += b >> 16;
        bits |= (uint64_t)(c & 0xffff) << count;
        count += c >> 16;
        TESSERA_FLUSH_WHOLE_BYTES();
    }
#undef TESSERA_FLUSH_WHOLE_BYTES
    w->bits = bits;
    w->count = count;
    w->out = out;
#endif
    for (; k < size; k++) put_bits(w, codes[data[k]], lengths[data[k]]);
    put_bits(w, codes[256], lengths[256]);
}

size_t tessera_deflate_literals_bound(size_t size) {
    /* Each block is no larger than a stored block: its data and at most 6 bytes of header
       (3 bits, the padding to a byte, LEN and NLEN), and the last partial byte. */
    return size + 6 * (size / BLOCK + 1) + 8;
}

size_t tessera_deflate_literals(const unsigned char *data, size_t size, unsigned char *out) {
    bit_writer w = {0, 0, out};
    if (size == 0) {
        /* One final fixed-Huffman block holding only the end-of-block code (7 zero bits). */
        put_bits(&w, 1, 1);
        put_bits(&w, 1, 2);
        put_bits(&w, 0, 7);
    }
    for (size_t offset = 0; offset < size; offset += BLOCK) {
        size_t n = size - offset < BLOCK ? size - offset : BLOCK;
        put_block(&w, data + offset, n, offset + n == size);
    }
    align_to_byte(&w);
    return (size_t)(w.out - out);
}
