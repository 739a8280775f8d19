/// Reads GeoJSON text sequences: RFC 8142 (records after 0x1E) and one Feature per line, or a mix.
///
/// A record ends at LF or 0x1E; surrounding whitespace is ignored and empty records skipped. Each
/// rejection carries the 1-based line and the byte offset of the record. A record longer than
/// `maxRecordBytes` is discarded as it streams and rejected once it ends.
struct GeoJSONSeqReader {
    private let options: ReaderOptions
    private var features: GeoJSONFeatureReader
    private var carry: [UInt8] = []
    private var oversizedLength: Int?
    private var line = 1
    private var recordStart = 0
    private var consumed = 0

    init(options: ReaderOptions) {
        self.options = options
        self.features = GeoJSONFeatureReader(options: options)
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) {
        var start = 0
        let count = chunk.count
        var i = 0
        while i < count, let base = chunk.baseAddress {
            // Record bodies go 8 bytes at a time: only LF and RS end a record.
            while i + 8 <= count {
                let word = SWAR.load(base, i)
                let ends = SWAR.bytesEqual(word, 0x0A) | SWAR.bytesEqual(word, 0x1E)
                if ends == 0 { i += 8 } else { i += SWAR.firstByteIndex(ends); break }
            }
            guard i < count else { break }
            let byte = base.load(fromByteOffset: i, as: UInt8.self)
            if byte == 0x0A || byte == 0x1E {
                endRecord(UnsafeRawBufferPointer(rebasing: chunk[start..<i]), sink)
                recordStart = consumed + i + 1
                if byte == 0x0A { line += 1 }
                start = i + 1
            }
            i += 1
        }
        keep(UnsafeRawBufferPointer(rebasing: chunk[start...]))
        consumed += chunk.count
    }

    mutating func finish(_ sink: (ReadItem) -> Void) {
        if !carry.isEmpty || oversizedLength != nil {
            endRecord(UnsafeRawBufferPointer(start: nil, count: 0), sink)
        }
    }

    private mutating func keep(_ tail: UnsafeRawBufferPointer) {
        guard !tail.isEmpty else { return }
        if let length = oversizedLength {
            oversizedLength = length + tail.count
        } else if carry.count + tail.count > options.maxRecordBytes {
            oversizedLength = carry.count + tail.count
            if carry.count < 200 { carry.append(contentsOf: tail.prefix(200 - carry.count)) }
            carry.removeSubrange(min(carry.count, 200)...)
        } else {
            carry.append(contentsOf: tail)
        }
    }

    private mutating func endRecord(_ rest: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) {
        if let length = oversizedLength {
            sink(.rejected(Rejection(source: options.source, line: line, offset: recordStart,
                                     reason: "record is \(length + rest.count) bytes, over the limit of \(options.maxRecordBytes)",
                                     raw: carry)))
            carry.removeAll()
            oversizedLength = nil
            return
        }
        if carry.isEmpty {
            process(rest, sink)
        } else {
            carry.append(contentsOf: rest)
            let record = carry
            carry.removeAll(keepingCapacity: true)
            record.withUnsafeBytes { process($0, sink) }
        }
    }

    private mutating func process(_ record: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) {
        var start = 0
        var end = record.count
        while start < end, isSpace(record[start]) { start += 1 }
        while end > start, isSpace(record[end - 1]) { end -= 1 }
        guard start < end else { return }
        let trimmed = UnsafeRawBufferPointer(rebasing: record[start..<end])
        if trimmed.count > options.maxRecordBytes {
            sink(.rejected(Rejection(source: options.source, line: line, offset: recordStart + start,
                                     reason: "record is \(trimmed.count) bytes, over the limit of \(options.maxRecordBytes)",
                                     raw: trimmed)))
            return
        }
        features.read(trimmed, offset: recordStart + start, line: line, depth: 0, sink)
    }

    private func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x0D || byte == 0x09 || byte == 0xEF || byte == 0xBB || byte == 0xBF
    }
}
