/// RFC 4180 CSV to events: frames records across chunk boundaries, then reads each record's fields.
///
/// A record is buffered only when it straddles chunks, and never beyond `maxRecordBytes`: a longer
/// one is discarded as it streams by and rejected once it ends. Blank lines are skipped; a UTF-8 BOM
/// before the header is ignored; CRLF and LF both end a record.
struct CSVReader {
    private enum QuoteState { case fieldStart, unquoted, quoted, quoteInQuoted }

    private let options: ReaderOptions
    private let delimiter: UInt8
    private var quote = QuoteState.fieldStart
    /// 1-based line of the first byte of the record being framed, and lines seen inside it.
    private var recordLine = 1
    private var newlinesInRecord = 0
    /// The start of a record that straddles chunks (bounded by `maxRecordBytes`).
    private var carry: [UInt8] = []
    /// Bytes of an oversized record seen so far; its first 200 bytes stay in `carry` for `raw`.
    private var oversizedLength: Int?
    private var isFirstRecord = true
    var rows: CSVRowReader?

    init(options: ReaderOptions) {
        self.options = options
        self.delimiter = options.csv.delimiter
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) throws(ReaderError) {
        let count = chunk.count
        var i = 0
        while i < count {
            // Fast path: a whole unquoted record in this chunk, split in the same pass that finds its end.
            if quote == .fieldStart, carry.isEmpty, oversizedLength == nil, rows != nil,
               let next = rows!.readUnquotedRecord(chunk, from: i, line: recordLine, sink) {
                recordLine += 1
                i = next
                continue
            }
            i = try frameOneRecord(chunk, from: i, sink)
        }
    }

    /// The general framer: runs the quote state machine from `start` up to the end of one record (or
    /// of the chunk, keeping the tail); returns where it stopped.
    private mutating func frameOneRecord(_ chunk: UnsafeRawBufferPointer, from start: Int,
                                         _ sink: (ReadItem) -> Void) throws(ReaderError) -> Int {
        let count = chunk.count
        var i = start
        while i < count {
            let byte = chunk[i]
            switch quote {
            case .quoted:
                if byte == UInt8(ascii: "\"") { quote = .quoteInQuoted }
                else if byte == 0x0A { newlinesInRecord += 1 }
                i += 1
                continue
            case .quoteInQuoted:
                // A doubled quote re-enters the quoted text; anything else ends it.
                quote = byte == UInt8(ascii: "\"") ? .quoted : .unquoted
                if quote == .quoted { i += 1; continue }
            case .fieldStart:
                if byte == UInt8(ascii: "\"") { quote = .quoted; i += 1; continue }
                quote = .unquoted
            case .unquoted:
                break
            }
            if byte == delimiter {
                quote = .fieldStart
            } else if byte == 0x0A {
                quote = .fieldStart
                try endRecord(UnsafeRawBufferPointer(rebasing: chunk[start..<i]), sink)
                return i + 1
            }
            i += 1
        }
        keep(UnsafeRawBufferPointer(rebasing: chunk[start..<count]))
        return count
    }

    mutating func finish(_ sink: (ReadItem) -> Void) throws(ReaderError) {
        if quote == .quoted {
            let line = recordLine
            let raw = carry
            carry.removeAll()
            oversizedLength = nil
            sink(.rejected(Rejection(source: options.source, line: line,
                                     reason: "unterminated quoted field: the input ends inside quotes",
                                     raw: raw)))
            return
        }
        if !carry.isEmpty || oversizedLength != nil {
            try endRecord(UnsafeRawBufferPointer(start: nil, count: 0), sink)
        }
    }

    /// Buffers the unfinished tail of a chunk, or just counts it once the record is oversized.
    private mutating func keep(_ tail: UnsafeRawBufferPointer) {
        guard !tail.isEmpty else { return }
        if let length = oversizedLength {
            if carry.count < 200 { carry.append(contentsOf: tail.prefix(200 - carry.count)) }
            oversizedLength = length + tail.count
        } else if carry.count + tail.count > options.maxRecordBytes {
            oversizedLength = carry.count + tail.count
            if carry.count > 200 { carry.removeSubrange(200...) }
            else { carry.append(contentsOf: tail.prefix(200 - carry.count)) }
        } else {
            carry.append(contentsOf: tail)
        }
    }

    private mutating func endRecord(_ rest: UnsafeRawBufferPointer, _ sink: (ReadItem) -> Void) throws(ReaderError) {
        let line = recordLine
        recordLine += newlinesInRecord + 1
        newlinesInRecord = 0
        if let length = oversizedLength {
            let raw = carry
            carry.removeAll(keepingCapacity: false)
            oversizedLength = nil
            sink(.rejected(Rejection(source: options.source, line: line,
                                     reason: "record is \(length + rest.count) bytes, over the limit of \(options.maxRecordBytes)",
                                     raw: raw)))
            return
        }
        if carry.isEmpty {
            try process(rest, line: line, sink)
        } else {
            carry.append(contentsOf: rest)
            let record = carry
            carry.removeAll(keepingCapacity: true)
            try record.withBytes { (bytes) throws(ReaderError) in try process(bytes, line: line, sink) }
        }
    }

    private mutating func process(_ record: UnsafeRawBufferPointer, line: Int, _ sink: (ReadItem) -> Void) throws(ReaderError) {
        var record = record
        if record.last == 0x0D { record = UnsafeRawBufferPointer(rebasing: record.dropLast()) }
        if isFirstRecord {
            isFirstRecord = false
            if record.starts(with: [0xEF, 0xBB, 0xBF]) { record = UnsafeRawBufferPointer(rebasing: record.dropFirst(3)) }
        }
        if record.isEmpty { return }
        if record.count > options.maxRecordBytes {
            sink(.rejected(Rejection(source: options.source, line: line,
                                     reason: "record is \(record.count) bytes, over the limit of \(options.maxRecordBytes)",
                                     raw: record)))
            return
        }
        if rows == nil {
            rows = try CSVRowReader(header: record, line: line, options: options)
            return
        }
        rows!.read(record, line: line, sink)
    }
}
