/// Guesses the input format from its first bytes, so `--format` is rarely needed.
///
/// After an optional UTF-8 BOM and whitespace: 0x1E is a GeoJSON text sequence; `{` is a
/// FeatureCollection when `"FeatureCollection"` or a `"features"` key shows up in the first
/// 4 KiB, and otherwise one Feature per line (decided at the end of the first line when that line
/// holds more than the brace, so a live stream is not held up); anything else is CSV.
enum FormatDetector {
    static let window = 4096

    /// nil while more bytes are needed to decide.
    static func detect(_ prefix: [UInt8], atEnd: Bool) -> InputFormat? {
        var i = 0
        if prefix.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < prefix.count, isWhitespace(prefix[i]) { i += 1 }
        guard i < prefix.count else { return atEnd || prefix.count > window ? .csv : nil }
        switch prefix[i] {
        case 0x1E:
            return .geojsonseq
        case UInt8(ascii: "{"):
            let json = prefix[i...]
            if contains(json, "\"FeatureCollection\"") || contains(json, "\"features\"") { return .geojson }
            if let newline = json.firstIndex(of: 0x0A),
               json[json.startIndex..<newline].contains(where: { !isWhitespace($0) && $0 != UInt8(ascii: "{") }) {
                return .geojsonseq
            }
            return atEnd || json.count >= window ? .geojsonseq : nil
        default:
            return .csv
        }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    private static func contains(_ bytes: ArraySlice<UInt8>, _ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        let limit = bytes.prefix(window)
        guard limit.count >= pattern.count else { return false }
        var start = limit.startIndex
        while start + pattern.count <= limit.endIndex {
            if limit[start] == pattern[0], limit[start..<(start + pattern.count)].elementsEqual(pattern) { return true }
            start += 1
        }
        return false
    }
}
