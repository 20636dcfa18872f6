extension PipelineFile {
    /// The limits a pipeline file must stay within, so that no input can make reading it crash, hang or take
    /// unbounded memory. Each is reported at `file:line:column` with its number (see "Limits" in
    /// `docs/pipeline-file.md`).
    public enum Limits {
        /// The largest pipeline file read: 1 MiB (1,048,576 bytes).
        public static let maximumBytes = 1_048_576

        /// The deepest nesting of mappings and lists, counting the top-level mapping as level 1: 64.
        public static let maximumDepth = 64

        /// The most values (scalars, mappings and lists, keys included) a file may hold once its aliases (`*x`) are
        /// expanded: 200,000. A file without aliases that fits in ``maximumBytes`` rarely comes near it; a file whose
        /// aliases multiply (an "alias bomb") is refused before anything is expanded.
        public static let maximumValues = 200_000

        /// The longest mapping key: 256 characters.
        public static let maximumKeyLength = 256
    }
}

extension Int {
    /// `200,000`: digits grouped by thousands, for messages.
    var formatted: String {
        let digits = String(self.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return self < 0 ? "-" + out : out
    }
}
