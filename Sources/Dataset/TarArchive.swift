/// Members of a POSIX ustar archive (IEEE Std 1003.1, `pax`'s "ustar Interchange Format"),
/// written so that the bytes are a function of the names and contents alone: mode 0644,
/// owner and group 0 with empty names, modification time 0, regular files only.
///
/// An archive is the members one after another, then ``end``. Each member is a 512-byte
/// header and the contents, padded with zeros to a multiple of 512 bytes. GNU tar, Python's
/// `tarfile` and the `webdataset` library read it.
public enum TarArchive {
    /// The record unit: headers and padded contents are multiples of it.
    public static let blockSize = 512
    /// The end-of-archive marker: two zero blocks.
    public static let end = [UInt8](repeating: 0, count: 2 * blockSize)
    /// The longest member name a ustar header holds without its `prefix` field.
    public static let maximumNameLength = 100
    /// The largest member: an 11-digit octal size.
    public static let maximumSize = (1 << 33) - 1

    /// Appends one regular-file member to `archive`.
    /// - Parameters:
    ///   - name: The member's path, at most ``maximumNameLength`` UTF-8 bytes (ASCII in
    ///     practice: Tessera's names are digits, dots and letters).
    ///   - contents: The file's bytes, at most ``maximumSize``.
    /// - Precondition: `name` is not empty and fits; `contents` fits (callers build both).
    public static func appendMember(named name: String, contents: some Collection<UInt8>, to archive: inout [UInt8]) {
        let nameBytes = Array(name.utf8)
        precondition(!nameBytes.isEmpty && nameBytes.count <= maximumNameLength, "tar member name '\(name)' does not fit a ustar header")
        precondition(contents.count <= maximumSize, "tar member '\(name)' is larger than a ustar header can state")
        var header = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at offset: Int) {
            header.replaceSubrange(offset..<(offset + bytes.count), with: bytes)
        }
        /// `value` in octal, zero-padded to `width - 1` digits and NUL-terminated.
        func octal(_ value: Int, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: width - 1 - digits.count) + digits).utf8) + [0]
        }
        put(nameBytes, at: 0)                          // name
        put(octal(0o644, width: 8), at: 100)           // mode
        put(octal(0, width: 8), at: 108)               // uid
        put(octal(0, width: 8), at: 116)               // gid
        put(octal(contents.count, width: 12), at: 124) // size
        put(octal(0, width: 12), at: 136)              // mtime
        put(Array(repeating: UInt8(ascii: " "), count: 8), at: 148)  // chksum, as spaces while summing
        header[156] = UInt8(ascii: "0")                // typeflag: regular file
        put(Array("ustar".utf8) + [0], at: 257)        // magic
        put(Array("00".utf8), at: 263)                 // version
        let checksum = header.reduce(0) { $0 + Int($1) }
        put(Array(octal(checksum, width: 7)) + [UInt8(ascii: " ")], at: 148)  // six digits, NUL, space
        archive += header
        archive += contents
        let padding = (blockSize - contents.count % blockSize) % blockSize
        archive += repeatElement(0, count: padding)
    }
}
