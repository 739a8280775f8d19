/// Streams a GeoJSON FeatureCollection Feature by Feature: memory is bounded by the largest Feature.
///
/// The top-level object is walked by a small state machine; members other than `features` are
/// skipped as they stream by (`type` is checked to be "FeatureCollection"), and each element of
/// `features` is parsed on its own. A Feature lying inside one chunk is parsed in place, with no
/// framing pass when it is valid JSON; one that straddles chunks is framed and buffered up to
/// `maxFeatureBytes`, beyond which it is discarded as it streams and rejected. Broken structure
/// outside any Feature is a `ReaderError`.
struct FeatureCollectionReader {
    private enum State { case start, keyOrEnd, key, colon, value, afterMember, elementOrEnd, element, afterElement, done }

    /// What is being framed: a member name, a member value (kept only for `type`), or a Feature.
    private enum Capture { case key, typeValue, skippedValue, feature }

    /// Longest member name or `type` value kept outside features.
    private static let smallValueLimit = 4096

    private let options: ReaderOptions
    private var features: GeoJSONFeatureReader
    private var state = State.start
    /// Non-nil while inside a value, which `framer` is delimiting.
    private var capture: Capture?
    private var framer = JSONValueFramer()
    private var buffer: [UInt8] = []
    private var oversizedLength: Int?
    /// Absolute offset where the value being framed starts.
    private var valueStart = 0
    private var key = ""
    /// Bytes before the current chunk.
    private var consumed = 0

    init(options: ReaderOptions) {
        self.options = options
        self.features = GeoJSONFeatureReader(options: options)
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) throws(ReaderError) {
        var i = 0
        let count = chunk.count
        while i < count {
            if capture != nil {
                let start = i
                guard let end = framer.scan(chunk, from: start) else {
                    try keep(UnsafeRawBufferPointer(rebasing: chunk[start...]))
                    break
                }
                i = end
                try complete(UnsafeRawBufferPointer(rebasing: chunk[start..<end]), sink)
                continue
            }
            let byte = chunk[i]
            if byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { i += 1; continue }
            let offset = consumed + i
            switch state {
            case .start:
                if byte == 0xEF, offset == 0 { i += 3; continue }  // UTF-8 BOM (only ever at offset 0)
                guard byte == UInt8(ascii: "{") else { throw malformed("expected '{' to open the FeatureCollection", offset) }
                state = .keyOrEnd
                i += 1
            case .keyOrEnd, .key:
                if state == .keyOrEnd, byte == UInt8(ascii: "}") { state = .done; i += 1; continue }
                guard byte == UInt8(ascii: "\"") else { throw malformed("expected a member name", offset) }
                begin(.key, at: offset)
            case .colon:
                guard byte == UInt8(ascii: ":") else { throw malformed("expected ':' after \"\(key)\"", offset) }
                state = .value
                i += 1
            case .value:
                if key == "features" {
                    guard byte == UInt8(ascii: "[") else { throw malformed("\"features\" is not an array", offset) }
                    state = .elementOrEnd
                    i += 1
                } else {
                    begin(key == "type" ? .typeValue : .skippedValue, at: offset)
                }
            case .afterMember:
                if byte == UInt8(ascii: ",") { state = .key }
                else if byte == UInt8(ascii: "}") { state = .done }
                else { throw malformed("expected ',' or '}' after a member", offset) }
                i += 1
            case .elementOrEnd, .element:
                if state == .elementOrEnd, byte == UInt8(ascii: "]") { state = .afterMember; i += 1; continue }
                // Most Features lie inside the chunk: parsing them where they are makes framing unnecessary.
                if let length = features.readInPlace(UnsafeRawBufferPointer(rebasing: chunk[i...]), offset: offset, depth: 2,
                                                     maxBytes: options.maxFeatureBytes, sink) {
                    i += length
                    state = .afterElement
                    continue
                }
                begin(.feature, at: offset)
            case .afterElement:
                if byte == UInt8(ascii: ",") { state = .element }
                else if byte == UInt8(ascii: "]") { state = .afterMember }
                else { throw malformed("expected ',' or ']' after a Feature", offset) }
                i += 1
            case .done:
                throw malformed("unexpected text after the end of the FeatureCollection", offset)
            }
        }
        consumed += count
    }

    mutating func finish(_ sink: (ReadItem) -> Void) throws(ReaderError) {
        if let capture {
            if framer.isInScalar {
                // A number or literal ends at the end of input.
                try complete(UnsafeRawBufferPointer(start: nil, count: 0), sink)
            } else if capture == .feature {
                let raw = buffer
                buffer = []
                sink(.rejected(Rejection(source: options.source, offset: valueStart,
                                         reason: "the input ends inside this Feature (truncated)", raw: raw)))
            }
        }
        guard state == .done || state == .start else {
            throw ReaderError(code: .truncated, message: "the input ends before the FeatureCollection is closed",
                              offset: consumed)
        }
    }

    private mutating func begin(_ what: Capture, at offset: Int) {
        capture = what
        framer = JSONValueFramer()
        valueStart = offset
        buffer.removeAll(keepingCapacity: true)
        oversizedLength = nil
    }

    /// Holds the part of a value seen so far, within its limit.
    private mutating func keep(_ piece: UnsafeRawBufferPointer) throws(ReaderError) {
        switch capture {
        case .skippedValue?, nil:
            return
        case .key?, .typeValue?:
            guard buffer.count + piece.count <= Self.smallValueLimit else {
                throw malformed("a top-level member name or type is longer than \(Self.smallValueLimit) bytes", valueStart)
            }
            buffer.append(contentsOf: piece)
        case .feature?:
            if let length = oversizedLength {
                oversizedLength = length + piece.count
            } else if buffer.count + piece.count > options.maxFeatureBytes {
                oversizedLength = buffer.count + piece.count
                if buffer.count < 200 { buffer.append(contentsOf: piece.prefix(200 - buffer.count)) }
                buffer.removeSubrange(min(buffer.count, 200)...)
            } else {
                buffer.append(contentsOf: piece)
            }
        }
    }

    /// The value ended with `last` (its bytes in this chunk): act on it, in place when it was never buffered.
    private mutating func complete(_ last: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) throws(ReaderError) {
        if buffer.isEmpty, oversizedLength == nil {
            try act(on: last, sink)
        } else {
            try keep(last)
            let whole = buffer
            buffer.removeAll(keepingCapacity: true)
            try whole.withBytes { (bytes) throws(ReaderError) in try act(on: bytes, sink) }
        }
        capture = nil
    }

    private mutating func act(on value: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) throws(ReaderError) {
        switch capture! {
        case .key:
            var scanner = JSONScanner(value, limits: JSONLimits(maxDepth: 1, maxStringBytes: Self.smallValueLimit))
            do {
                key = try scanner.readString()
            } catch {
                throw malformed("bad member name: \(error.message)", valueStart)
            }
            state = .colon
        case .typeValue:
            let text = try? JSONValue(parsing: value, limits: JSONLimits(maxDepth: 1, maxStringBytes: Self.smallValueLimit))
            guard text == .string("FeatureCollection") else {
                throw malformed("top-level type is \(String(decoding: value.prefix(60), as: UTF8.self)), expected \"FeatureCollection\"",
                                valueStart)
            }
            state = .afterMember
        case .skippedValue:
            state = .afterMember
        case .feature:
            if let length = oversizedLength ?? (value.count > options.maxFeatureBytes ? value.count : nil) {
                sink(.rejected(Rejection(source: options.source, offset: valueStart,
                                         reason: "Feature is \(length) bytes, over the limit of \(options.maxFeatureBytes)",
                                         raw: value)))
                oversizedLength = nil
            } else {
                features.read(value, offset: valueStart, line: nil, depth: 2, sink)
            }
            state = .afterElement
        }
    }

    private func malformed(_ message: String, _ offset: Int) -> ReaderError {
        ReaderError(code: .malformedCollection, message: message, offset: offset)
    }
}
