/// Facts about this build of Tessera.
public enum Tessera {
    /// The tool version, recorded in every dataset's `info` and manifest. Output bytes may
    /// change only when it changes.
    public static let version = "0.1.0"
    /// The year of this version, written as COCO `info.year` (never the clock's year, which
    /// would change the bytes of a re-run).
    public static let releaseYear = 2026
}
