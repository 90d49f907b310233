// swift-tools-version: 6.0
// Tessera: scene scripts → pixel-exact labeled image datasets.
//
// Data flows one way, one target per stage:
//   SceneScript (script → AST → sampled SceneModel.Scene)
//     (reading sprite and photo files through ImageFiles: PNG/JPEG → SceneModel.Bitmap)
//   → Rendering (the only Cairo user: RGB image + instance raster, PNG encoding)
//   → Annotation (masks → RLE, bbox, area; COCO records)
//   → Dataset (seeding, parallel pipeline, output layout, atomic writes, manifest; the WebDataset
//     stream of `render --out -` and the tar and sample encoding it shares with the export)
//   → tessera (the CLI, argument parsing only).
// Reading back, the other way round from the files and never into the writer:
//   DatasetReading (typed, streaming reader of manifest.json, annotations/instances_<split>.json,
//     records.jsonl, classes.json; the file names both sides use)
//   → DatasetTools (tools that read a dataset back: validate, preview, stats, report, compare)
//   → DatasetExport (other formats, written from a finished dataset a streamed image at a
//     time: YOLO detection and segmentation, WebDataset shards)
//   → tessera.
import Foundation
import PackageDescription

/// Whether libdeflate computes the PNG checksums (CRC-32, Adler-32): when pkg-config finds it
/// (Debian: libdeflate-dev), unless TESSERA_PNG_CHECKSUMS=zlib asks for zlib's. Either way the
/// PNG bytes are the same; libdeflate's are faster. See docs/PERFORMANCE.md.
let useLibdeflate: Bool = {
    if ProcessInfo.processInfo.environment["TESSERA_PNG_CHECKSUMS"] == "zlib" { return false }
    #if os(Linux)
    let probe = Process()
    probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    probe.arguments = ["pkg-config", "--exists", "libdeflate"]
    probe.standardOutput = FileHandle.nullDevice
    probe.standardError = FileHandle.nullDevice
    guard (try? probe.run()) != nil else { return false }
    probe.waitUntilExit()
    return probe.terminationStatus == 0
    #else
    return false   // the manifest may not start processes (macOS sandbox): zlib's checksums
    #endif
}()

let package = Package(
    name: "Tessera",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "tessera", targets: ["tessera"]),
        .library(name: "Tessera", targets: ["SceneScript", "SceneModel", "ImageFiles", "Rendering", "Annotation", "Dataset", "DatasetReading", "DatasetTools", "DatasetExport"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // System libraries. Debian: `apt-get install libcairo2-dev libpng-dev libjpeg-dev pkg-config`,
        // and libdeflate-dev for faster PNG checksums (optional: zlib's otherwise).
        .systemLibrary(
            name: "CCairo", pkgConfig: "cairo",
            providers: [.apt(["libcairo2-dev"]), .brew(["cairo"])]),
        .systemLibrary(
            name: "CPNG", pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(
            name: "CJPEG", pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"]), .brew(["jpeg-turbo"])]),

        // glibc's mallopt for the command's heap settings (no library, no pkg-config).
        .systemLibrary(name: "CMalloc"),

        .systemLibrary(
            name: "CDeflate", pkgConfig: "libdeflate",
            providers: [.apt(["libdeflate-dev"]), .brew(["libdeflate"])]),

        // libpng behind a C wall: its errors longjmp, which must not cross Swift frames. The
        // direct PNG writer beside it calls zlib (and libdeflate's checksums when found).
        .target(
            name: "PNGCodec",
            dependencies: useLibdeflate ? ["CPNG", "CDeflate"] : ["CPNG"],
            cSettings: useLibdeflate ? [.define("TESSERA_HAVE_LIBDEFLATE")] : [],
            linkerSettings: [.linkedLibrary("z")]),
        // libjpeg likewise: its error_exit must longjmp.
        .target(name: "JPEGCodec", dependencies: ["CJPEG"]),

        .target(name: "SceneModel"),
        // PNG and JPEG files → SceneModel.Bitmap, for sprites and background photographs.
        .target(name: "ImageFiles", dependencies: ["SceneModel", "PNGCodec", "JPEGCodec"]),
        .target(name: "SceneScript", dependencies: ["SceneModel", "ImageFiles"]),
        .target(name: "Rendering", dependencies: ["SceneModel", "CCairo", "PNGCodec", "JPEGCodec"]),
        .target(name: "Annotation", dependencies: []),
        .target(
            name: "Dataset",
            dependencies: [
                "SceneScript", "SceneModel", "ImageFiles", "Rendering", "Annotation", "DatasetReading",
                .product(name: "Crypto", package: "swift-crypto"),
            ]),
        .target(name: "DatasetReading", dependencies: ["Annotation"]),
        .target(
            name: "DatasetTools",
            dependencies: ["DatasetReading", "Dataset", "Annotation", "Rendering", "ImageFiles", "SceneModel"]),
        .target(name: "DatasetExport", dependencies: ["DatasetReading", "Dataset", "Annotation", "Rendering"]),
        .executableTarget(
            name: "tessera",
            dependencies: [
                "Dataset", "DatasetTools", "DatasetExport", "SceneScript", "CMalloc",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        .testTarget(name: "SceneScriptTests", dependencies: ["SceneScript", "SceneModel", "ImageFiles"], resources: [.copy("Fixtures")]),
        .testTarget(name: "RenderingTests", dependencies: ["Rendering", "SceneModel", "CCairo", "PNGCodec"]),
        .testTarget(name: "AnnotationTests", dependencies: ["Annotation"], resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetTests", dependencies: ["Dataset", "DatasetReading", "DatasetTools", "DatasetExport", "SceneScript", "SceneModel", "Rendering", "Annotation", "ImageFiles"]),
    ]
)
