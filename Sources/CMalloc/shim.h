// glibc's allocator settings (mallopt, M_MMAP_THRESHOLD, M_TRIM_THRESHOLD), which the Glibc
// module does not export; used by the tessera command (HeapSettings.swift). Elsewhere: empty.
#if defined(__GLIBC__) || defined(__linux__)
#include <malloc.h>
#endif
