#if canImport(Glibc)
import CMalloc
import Foundation

/// The heap settings of the `tessera` process: freed memory stays with the process for the
/// next image instead of going back to the kernel.
///
/// An image's buffers (the picture and raster surfaces, 4 bytes a pixel each; the instance
/// ids; the PNG rows and streams) are larger than glibc's default mmap threshold (128 KiB,
/// raised as big blocks are freed) and come back each image, so by default they are mapped
/// and unmapped, or trimmed off the heap top, image after image: every page of them is then
/// faulted in and cleared by the kernel again (74 000 page faults per 100 images of
/// `bench-shapes` at `--jobs 1`; docs/PERFORMANCE.md). With blocks up to 32 MiB taken from the heap and up to
/// 128 MiB of free heap top kept, the pages are reused. The peak memory is the same: what is
/// kept was in use a moment before. Settings given in the environment
/// (`MALLOC_MMAP_THRESHOLD_`, `MALLOC_TRIM_THRESHOLD_`, `MALLOC_TOP_PAD_`) are left as they are.
/// Source: glibc `mallopt(3)`.
enum HeapSettings {
    static func keepFreedMemory() {
        let environment = ProcessInfo.processInfo.environment
        guard !["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_"].contains(where: { environment[$0] != nil })
        else { return }
        _ = mallopt(M_MMAP_THRESHOLD, 32 << 20)
        _ = mallopt(M_TRIM_THRESHOLD, 128 << 20)
    }
}
#else
/// Other platforms: their allocators keep freed memory without being asked.
enum HeapSettings {
    static func keepFreedMemory() {}
}
#endif
